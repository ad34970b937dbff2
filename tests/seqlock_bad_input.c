/* SPDX-License-Identifier: MIT */
/*
 * Bad input to the seqlock module: every refused call of lfk_seqlock,
 * lfk_seqarray and lfk_latch, and the same verdict from their twins, one
 * table per object (the seqarray's in seqlock_bad_seqarray.c) run by one
 * loop.
 */
#include <stdlib.h>
#include <string.h>

#include "seqlock_bad_input.h"
#include "seqlock_helpers.h"
#include "seqlock_scenarios.h"

static void run_rows(struct bad_ctx *c, const struct bad_row *rows, size_t n)
{
	for (size_t r = 0; r < n; r++) {
		for (int twin = 0; twin < rows[r].sides; twin++) {
			int rc = rows[r].call(c, twin, rows[r].x, rows[r].y);
			LFK_CHECK(rc == rows[r].want, "%s%s: %d, expected %d",
				  rows[r].name, twin ? " (twin)" : "", rc,
				  rows[r].want);
		}
	}
}

/* ---- lfk_seqlock -------------------------------------------------------- */

/* x: N_OBJ for a NULL twin, y: the kind (twin only) */
static int sl_twin_init(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	struct lfk_ref_seqlock t;
	int rc = lfk_ref_seqlock_init(x == N_OBJ ? NULL : &t, (int)y);
	(void)c, (void)twin;
	if (rc == 0)
		lfk_ref_seqlock_fini(&t);
	return rc;
}

/* x: which argument is NULL, y: the size */
static int sl_read(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	void *shared = x == N_SHARED ? NULL : c->obj;
	void *priv = x == N_PRIV ? NULL : c->buf;
	if (twin)
		return lfk_ref_seqlock_read(x == N_OBJ ? NULL : &c->t, priv,
					    shared, y);
	return lfk_seqlock_read(x == N_OBJ ? NULL : &c->l, priv, shared, y);
}

static int sl_write(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	void *shared = x == N_SHARED ? NULL : c->obj;
	void *priv = x == N_PRIV ? NULL : c->buf;
	if (twin)
		return lfk_ref_seqlock_write(x == N_OBJ ? NULL : &c->t, shared,
					     priv, y);
	return lfk_seqlock_write(x == N_OBJ ? NULL : &c->l, shared, priv, y);
}

static const struct bad_row seqlock_rows[] = {
	{ "twin init: bad kind", sl_twin_init, N_NONE, 42, -EINVAL, 1 },
	{ "twin init: NULL", sl_twin_init, N_OBJ, LFK_REF_MUTEX, -EINVAL, 1 },
	{ "read: NULL lock", sl_read, N_OBJ, 8, -EINVAL, 2 },
	{ "read: NULL shared", sl_read, N_SHARED, 8, -EINVAL, 2 },
	{ "read: NULL private", sl_read, N_PRIV, 8, -EINVAL, 2 },
	{ "read: size 0", sl_read, N_NONE, 0, -EINVAL, 2 },
	{ "write: NULL lock", sl_write, N_OBJ, 8, -EINVAL, 2 },
	{ "write: NULL shared", sl_write, N_SHARED, 8, -EINVAL, 2 },
	{ "write: NULL private", sl_write, N_PRIV, 8, -EINVAL, 2 },
	{ "write: size 0", sl_write, N_NONE, 0, -EINVAL, 2 },
};

/* ---- lfk_latch ------------------------------------------------------------ */

/* x: the object size; 1 if the size is accepted (non-zero) */
static int la_size(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	(void)c, (void)y;
	return (twin ? lfk_ref_latch_size(x) : lfk_latch_size(x)) != 0;
}

/* x: the object size, y: the twin's kind */
static int la_create(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	struct lfk_latch *l = NULL;
	struct lfk_ref_latch *tl = NULL;
	int rc = twin ? lfk_ref_latch_create(x, (int)y, &tl)
		      : lfk_latch_create(x, &l);
	(void)c;
	if (l != NULL)
		lfk_latch_destroy(l);
	if (tl != NULL)
		lfk_ref_latch_destroy(tl);
	return rc;
}

/* The twin's create only (a bad kind has no primary counterpart). */
static int la_twin_create(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	(void)twin;
	return la_create(c, 1, x, y);
}

static int la_create_null_out(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	(void)c, (void)x, (void)y;
	return twin ? lfk_ref_latch_create(8, LFK_REF_RWLOCK, NULL)
		    : lfk_latch_create(8, NULL);
}

/* x: N_OBJ (NULL memory) or N_MIS (misaligned), y: bytes short of the
 * need; an 8-byte object */
static int la_init(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	void *mem = x == N_OBJ ? NULL : c->mem + (x == N_MIS ? 32 : 0);
	(void)twin;
	return lfk_latch_init(mem, c->la_need - y, 8);
}

/* x: which argument is NULL */
static int la_read(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	void *dst = x == N_PRIV ? NULL : c->buf;
	(void)y;
	if (twin)
		return lfk_ref_latch_read(x == N_OBJ ? NULL : c->tl, dst);
	return lfk_latch_read(x == N_OBJ ? NULL : c->lt, dst);
}

static int la_write(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	const void *src = x == N_PRIV ? NULL : c->buf;
	(void)y;
	if (twin)
		return lfk_ref_latch_write(x == N_OBJ ? NULL : c->tl, src);
	return lfk_latch_write(x == N_OBJ ? NULL : c->lt, src);
}

/* x: N_OBJ for NULL */
static int la_obj_size(struct bad_ctx *c, int twin, size_t x, size_t y)
{
	(void)y;
	if (twin)
		return (int)lfk_ref_latch_obj_size(c->tl);
	return (int)lfk_latch_obj_size(x == N_OBJ ? NULL : c->lt);
}

static const struct bad_row latch_rows[] = {
	{ "latch size 0 accepted", la_size, 0, 0, 0, 2 },
	{ "latch size 4 accepted", la_size, 4, 0, 0, 2 },
	{ "latch size 12 accepted", la_size, 12, 0, 0, 2 },
	{ "latch size SIZE_MAX - 7 accepted", la_size, SIZE_MAX - 7, 0, 0, 2 },
	{ "latch create size 0", la_create, 0, LFK_REF_RWLOCK, -EINVAL, 2 },
	{ "latch create size 4", la_create, 4, LFK_REF_RWLOCK, -EINVAL, 2 },
	{ "latch create size 12", la_create, 12, LFK_REF_RWLOCK, -EINVAL, 2 },
	{ "latch create size SIZE_MAX - 7", la_create, SIZE_MAX - 7,
	  LFK_REF_RWLOCK, -EINVAL, 2 },
	{ "latch create NULL", la_create_null_out, 0, 0, -EINVAL, 2 },
	{ "latch twin kind", la_twin_create, 8, (size_t)-1, -EINVAL, 1 },
	{ "latch init misaligned", la_init, N_MIS, 0, -EINVAL, 1 },
	{ "latch init too small", la_init, N_NONE, 8, -EINVAL, 1 },
	{ "latch init NULL", la_init, N_OBJ, 0, -EINVAL, 1 },
	{ "latch read NULL latch", la_read, N_OBJ, 0, -EINVAL, 2 },
	{ "latch read NULL dst", la_read, N_PRIV, 0, -EINVAL, 2 },
	{ "latch write NULL latch", la_write, N_OBJ, 0, -EINVAL, 2 },
	{ "latch write NULL src", la_write, N_PRIV, 0, -EINVAL, 2 },
	{ "latch obj_size", la_obj_size, N_NONE, 0, 8, 2 },
	{ "latch obj_size NULL", la_obj_size, N_OBJ, 0, 0, 1 },
};

/* ---- the scenario ------------------------------------------------------- */

static size_t max3(size_t a, size_t b, size_t c)
{
	size_t m = a > b ? a : b;
	return m > c ? m : c;
}

static bool ctx_open(struct bad_ctx *c)
{
	memset(c, 0, sizeof(*c));
	lfk_seqlock_init(&c->l);
	LFK_CHECK(lfk_ref_seqlock_init(&c->t, LFK_REF_MUTEX) == 0, "twin init");
	c->sa_need = lfk_seqarray_size(4, 8);
	c->sa_tneed = lfk_ref_seqarray_size(4, 8);
	c->la_need = lfk_latch_size(8);
	c->mem = aligned_alloc(LFK_CACHELINE,
			       max3(c->sa_need, c->sa_tneed, c->la_need) +
				       LFK_CACHELINE);
	if (c->mem == NULL)
		abort();
	if (lfk_seqarray_create(4, 8, &c->a) != 0 ||
	    lfk_ref_seqarray_create(4, 8, LFK_REF_MUTEX, &c->ta) != 0) {
		LFK_CHECK(0, "create(4, 8)");
		return false;
	}
	if (lfk_latch_create(8, &c->lt) != 0 ||
	    lfk_ref_latch_create(8, LFK_REF_RWLOCK, &c->tl) != 0) {
		LFK_CHECK(0, "latch create(8)");
		return false;
	}
	return true;
}

static void ctx_close(struct bad_ctx *c)
{
	lfk_ref_seqlock_fini(&c->t);
	lfk_seqarray_destroy(c->a);
	if (c->ta != NULL)
		lfk_ref_seqarray_destroy(c->ta);
	lfk_latch_destroy(c->lt);
	if (c->tl != NULL)
		lfk_ref_latch_destroy(c->tl);
	free(c->mem);
}

/* A refused call changes nothing: no lock taken or counted. */
static void check_untouched(struct bad_ctx *c)
{
	LFK_CHECK(lfk_seqlock_sequence(&c->l) == 0,
		  "a refused write changed the lock");
	for (size_t i = 0; i < 4; i++)
		LFK_CHECK(lfk_seqlock_sequence(
				  &lfk__seqarray_slot_at(c->a, i)->lock) == 0,
			  "a refused call changed element %zu", i);
	LFK_CHECK(lfk_seqlock_sequence(&c->lt->lock) == 0,
		  "refused latch write counted");
}

int lfk_scn_bad_input(void)
{
	struct bad_ctx c;
	if (ctx_open(&c)) {
		run_rows(&c, seqlock_rows, COUNT(seqlock_rows));
		run_rows(&c, seqarray_bad_rows, seqarray_bad_count);
		run_rows(&c, latch_rows, COUNT(latch_rows));
		check_untouched(&c);
	}
	ctx_close(&c);
	lfk_seqarray_destroy(NULL);
	return 0;
}
