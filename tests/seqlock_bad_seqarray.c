/* SPDX-License-Identifier: MIT */
/*
 * Bad input to lfk_seqarray and its twin: the rows of the seqlock module's
 * bad-input table for arrays (see seqlock_bad_input.h).
 */
#include <stdlib.h>

#include "seqlock_bad_input.h"
#include "seqlock_helpers.h"

static int fn_nop(void *e, size_t k, size_t es, void *arg)
{
	(void)e, (void)k, (void)es, (void)arg;
	return 0;
}

/* ---- lfk_seqarray ------------------------------------------------------- */

/* x, y: n, elem_size; 1 if the size is accepted (non-zero) */
static int sa_size(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	(void)c;
	return (twin ? lfk_ref_seqarray_size(x, y) : lfk_seqarray_size(x, y)) !=
	       0;
}

/* x, y: n, elem_size */
static int sa_create(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	struct lfk_seqarray *a = NULL;
	struct lfk_ref_seqarray *ta = NULL;
	int rc = twin ? lfk_ref_seqarray_create(x, y, LFK_REF_RWLOCK, &ta)
		      : lfk_seqarray_create(x, y, &a);
	(void)c;
	lfk_seqarray_destroy(a);
	if (ta != NULL)
		lfk_ref_seqarray_destroy(ta);
	return rc;
}

static int sa_create_null_out(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	(void)c, (void)x, (void)y;
	return twin ? lfk_ref_seqarray_create(4, 8, LFK_REF_MUTEX, NULL)
		    : lfk_seqarray_create(4, 8, NULL);
}

/* x: N_OBJ (NULL memory) or N_MIS (misaligned), y: bytes short of the need;
 * an element count of 4 of 8 bytes */
static int sa_init(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	void *mem = x == N_OBJ ? NULL : c->mem + (x == N_MIS ? 8 : 0);
	if (twin)
		return lfk_ref_seqarray_init(mem, c->sa_tneed - y, 4, 8,
					     LFK_REF_MUTEX);
	return lfk_seqarray_init(mem, c->sa_need - y, 4, 8);
}

/* y: the kind */
static int sa_twin_init_kind(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	(void)twin, (void)x;
	return lfk_ref_seqarray_init((void *)c->mem, c->sa_tneed, 4, 8, (int)y);
}

/* x: which argument is NULL, y: the index */
static int sa_read(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	void *dst = x == N_PRIV ? NULL : c->buf;
	if (twin)
		return lfk_ref_seqarray_read(x == N_OBJ ? NULL : c->ta, y, dst);
	return lfk_seqarray_read(x == N_OBJ ? NULL : c->a, y, dst);
}

static int sa_write(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	const void *src = x == N_PRIV ? NULL : c->buf;
	if (twin)
		return lfk_ref_seqarray_write(x == N_OBJ ? NULL : c->ta, y,
					      src);
	return lfk_seqarray_write(x == N_OBJ ? NULL : c->a, y, src);
}

static int sa_update(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	lfk_seqarray_update_fn fn = x == N_FN ? NULL : fn_nop;
	if (twin)
		return lfk_ref_seqarray_update(x == N_OBJ ? NULL : c->ta, y, fn,
					       NULL);
	return lfk_seqarray_update(x == N_OBJ ? NULL : c->a, y, fn, NULL);
}

/* x: the index set (IDX_*), y: k */
enum {
	IDX_NULL,
	IDX_DUP,
	IDX_UNSORTED,
	IDX_OUT
};
static int sa_update_n(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	static const size_t sets[][2] = {
		[IDX_DUP] = { 1, 1 },
		[IDX_UNSORTED] = { 2, 1 },
		[IDX_OUT] = { 1, 4 },
	};
	const size_t *idx = x == IDX_NULL ? NULL : sets[x];
	if (twin)
		return lfk_ref_seqarray_update_n(c->ta, idx, y, fn_nop, NULL);
	return lfk_seqarray_update_n(c->a, idx, y, fn_nop, NULL);
}

/* x: which argument is NULL */
static int sa_snapshot(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	void *dst = x == N_PRIV ? NULL : c->buf;
	(void)y;
	if (twin)
		return lfk_ref_seqarray_snapshot(x == N_OBJ ? NULL : c->ta,
						 dst);
	return lfk_seqarray_snapshot(x == N_OBJ ? NULL : c->a, dst);
}

/* x: N_OBJ for NULL; y: 0 for the length, 1 for the element size */
static int sa_query(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	if (twin)
		return (int)(y ? lfk_ref_seqarray_elem_size(c->ta)
			       : lfk_ref_seqarray_length(c->ta));
	const struct lfk_seqarray *a = x == N_OBJ ? NULL : c->a;
	return (int)(y ? lfk_seqarray_elem_size(a) : lfk_seqarray_length(a));
}

#define HUGE_N (SIZE_MAX / 2)
const struct bad_row seqarray_bad_rows[] = {
	{ "size(0, 8) accepted", sa_size, 0, 8, 0, 2 },
	{ "size(4, 0) accepted", sa_size, 4, 0, 0, 2 },
	{ "size(4, 12) accepted", sa_size, 4, 12, 0, 2 },
	{ "size(4, 7) accepted", sa_size, 4, 7, 0, 2 },
	{ "size(SIZE_MAX / 2, 64) accepted", sa_size, HUGE_N, 64, 0, 2 },
	{ "size(2, SIZE_MAX - 7) accepted", sa_size, 2, SIZE_MAX - 7, 0, 2 },
	{ "size(4, 8) refused", sa_size, 4, 8, 1, 2 },
	{ "create(0, 8)", sa_create, 0, 8, -EINVAL, 2 },
	{ "create(4, 0)", sa_create, 4, 0, -EINVAL, 2 },
	{ "create(4, 12)", sa_create, 4, 12, -EINVAL, 2 },
	{ "create(4, 7)", sa_create, 4, 7, -EINVAL, 2 },
	{ "create(SIZE_MAX / 2, 64)", sa_create, HUGE_N, 64, -EINVAL, 2 },
	{ "create(2, SIZE_MAX - 7)", sa_create, 2, SIZE_MAX - 7, -EINVAL, 2 },
	{ "init NULL", sa_init, N_OBJ, 0, -EINVAL, 2 },
	{ "init misaligned", sa_init, N_MIS, 0, -EINVAL, 2 },
	{ "init too small", sa_init, N_NONE, 1, -EINVAL, 2 },
	{ "twin init bad kind", sa_twin_init_kind, 0, 9, -EINVAL, 1 },
	{ "create NULL out", sa_create_null_out, 0, 0, -EINVAL, 2 },
	{ "read NULL array", sa_read, N_OBJ, 0, -EINVAL, 2 },
	{ "read NULL dst", sa_read, N_PRIV, 0, -EINVAL, 2 },
	{ "read i == n", sa_read, N_NONE, 4, -EINVAL, 2 },
	{ "read i huge", sa_read, N_NONE, SIZE_MAX, -EINVAL, 2 },
	{ "write NULL array", sa_write, N_OBJ, 0, -EINVAL, 2 },
	{ "write NULL src", sa_write, N_PRIV, 0, -EINVAL, 2 },
	{ "write i == n", sa_write, N_NONE, 4, -EINVAL, 2 },
	{ "update NULL fn", sa_update, N_FN, 0, -EINVAL, 2 },
	{ "update i == n", sa_update, N_NONE, 4, -EINVAL, 2 },
	{ "update NULL array", sa_update, N_OBJ, 0, -EINVAL, 2 },
	{ "update_n k 0", sa_update_n, IDX_DUP, 0, -EINVAL, 2 },
	{ "update_n NULL idx", sa_update_n, IDX_NULL, 1, -EINVAL, 2 },
	{ "update_n unsorted", sa_update_n, IDX_UNSORTED, 2, -EINVAL, 2 },
	{ "update_n duplicate", sa_update_n, IDX_DUP, 2, -EINVAL, 2 },
	{ "update_n out of range", sa_update_n, IDX_OUT, 2, -EINVAL, 2 },
	{ "snapshot NULL array", sa_snapshot, N_OBJ, 0, -EINVAL, 2 },
	{ "snapshot NULL dst", sa_snapshot, N_PRIV, 0, -EINVAL, 2 },
	{ "length NULL", sa_query, N_OBJ, 0, 0, 1 },
	{ "elem_size NULL", sa_query, N_OBJ, 1, 0, 1 },
	{ "length", sa_query, N_NONE, 0, 4, 2 },
	{ "elem_size", sa_query, N_NONE, 1, 8, 2 },
};
const size_t seqarray_bad_count = COUNT(seqarray_bad_rows);
