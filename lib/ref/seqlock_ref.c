/* SPDX-License-Identifier: MIT */
/* Reference twins of lfk_seqlock, lfk_seqarray and lfk_latch over a
 * pthread_rwlock or a pthread mutex (see <lfkit/ref/seqlock.h>). */
#include <lfkit/ref/seqlock.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/create.h"
#include "lib/seqarray_impl.h"

/* ---- the lock --------------------------------------------------------- */

static int lock_init(struct lfk__ref_lock *lk, int kind)
{
	lk->kind = kind;
	lk->writer = 0;
	if (kind == LFK_REF_RWLOCK)
		return -pthread_rwlock_init(&lk->u.rw, NULL);
	if (kind == LFK_REF_MUTEX)
		return -pthread_mutex_init(&lk->u.mu, NULL);
	return -EINVAL;
}

static void lock_fini(struct lfk__ref_lock *lk)
{
	if (lk->kind == LFK_REF_RWLOCK)
		pthread_rwlock_destroy(&lk->u.rw);
	else
		pthread_mutex_destroy(&lk->u.mu);
}

static void lock_shared(struct lfk__ref_lock *lk)
{
	if (lk->kind == LFK_REF_RWLOCK)
		pthread_rwlock_rdlock(&lk->u.rw);
	else
		pthread_mutex_lock(&lk->u.mu);
}

static void unlock_shared(struct lfk__ref_lock *lk)
{
	if (lk->kind == LFK_REF_RWLOCK)
		pthread_rwlock_unlock(&lk->u.rw);
	else
		pthread_mutex_unlock(&lk->u.mu);
}

static void lock_excl(struct lfk__ref_lock *lk)
{
	if (lk->kind == LFK_REF_RWLOCK)
		pthread_rwlock_wrlock(&lk->u.rw);
	else
		pthread_mutex_lock(&lk->u.mu);
	/* relaxed: the lock orders it; read by write_end's misuse check */
	lfk_atomic_store_u32(&lk->writer, 1, LFK_RELAXED);
}

static int trylock_excl(struct lfk__ref_lock *lk)
{
	int rc = lk->kind == LFK_REF_RWLOCK
			 ? pthread_rwlock_trywrlock(&lk->u.rw)
			 : pthread_mutex_trylock(&lk->u.mu);
	if (rc != 0)
		return -EAGAIN;
	lfk_atomic_store_u32(&lk->writer, 1, LFK_RELAXED);
	return 0;
}

static int unlock_excl(struct lfk__ref_lock *lk)
{
	if (!lfk_atomic_load_u32(&lk->writer, LFK_RELAXED))
		return -EINVAL;
	lfk_atomic_store_u32(&lk->writer, 0, LFK_RELAXED);
	unlock_shared(lk); /* one unlock call for both modes */
	return 0;
}

/* ---- the seqlock twin ------------------------------------------------- */

int lfk_ref_seqlock_init(struct lfk_ref_seqlock *l, int kind)
{
	if (l == NULL || (uintptr_t)l % _Alignof(struct lfk_ref_seqlock) != 0)
		return -EINVAL;
	return lock_init(&l->lk, kind);
}

void lfk_ref_seqlock_fini(struct lfk_ref_seqlock *l)
{
	if (l)
		lock_fini(&l->lk);
}

uint64_t lfk_ref_seqlock_read_begin(struct lfk_ref_seqlock *l)
{
	lock_shared(&l->lk);
	return 0;
}

bool lfk_ref_seqlock_read_retry(struct lfk_ref_seqlock *l, uint64_t start)
{
	(void)start;
	unlock_shared(&l->lk);
	return false;
}

int lfk_ref_seqlock_read(struct lfk_ref_seqlock *l, void *dst, const void *src,
			 size_t size)
{
	if (l == NULL || !lfk_seqlock_copy_ok(src, dst, size))
		return -EINVAL;
	lock_shared(&l->lk);
	memcpy(dst, src, size);
	unlock_shared(&l->lk);
	return 0;
}

void lfk_ref_seqlock_write_begin(struct lfk_ref_seqlock *l)
{
	lock_excl(&l->lk);
}

void lfk_ref_seqlock_write_begin_single(struct lfk_ref_seqlock *l)
{
	lock_excl(&l->lk);
}

int lfk_ref_seqlock_write_try_begin(struct lfk_ref_seqlock *l)
{
	return trylock_excl(&l->lk);
}

int lfk_ref_seqlock_write_end(struct lfk_ref_seqlock *l)
{
	return unlock_excl(&l->lk);
}

int lfk_ref_seqlock_write_abort(struct lfk_ref_seqlock *l)
{
	return unlock_excl(&l->lk);
}

int lfk_ref_seqlock_write(struct lfk_ref_seqlock *l, void *dst, const void *src,
			  size_t size)
{
	if (l == NULL || !lfk_seqlock_copy_ok(dst, src, size))
		return -EINVAL;
	lock_excl(&l->lk);
	memcpy(dst, src, size);
	return unlock_excl(&l->lk);
}

/* ---- shared by the placed twins: size, placement, allocation ----------- */

/* Bytes of a twin with a header of hdr bytes and k elements of elem_size,
 * with the primary's validation of elem_size; 0 if invalid. */
static size_t placed_size(size_t hdr, size_t k, size_t elem_size)
{
	if (k == 0 || lfk__seq_stride(elem_size, 0) == 0 ||
	    k > (SIZE_MAX - hdr - LFK_CACHELINE) / elem_size)
		return 0;
	/* whole lines, so that aligned_alloc accepts the size */
	return (hdr + k * elem_size + LFK_CACHELINE - 1) / LFK_CACHELINE *
	       LFK_CACHELINE;
}

/* The lock sits lk_off bytes into mem; its address is only formed once mem
 * is known to be aligned (a member access through a misaligned pointer is
 * undefined even before anything is stored). */
static int placed_init(void *mem, size_t lk_off, size_t mem_size, size_t need,
		       int kind)
{
	if (mem == NULL || need == 0 || mem_size < need ||
	    (uintptr_t)mem % LFK_CACHELINE != 0)
		return -EINVAL;
	if (kind != LFK_REF_RWLOCK && kind != LFK_REF_MUTEX)
		return -EINVAL;
	memset(mem, 0, need);
	return lock_init((struct lfk__ref_lock *)((char *)mem + lk_off), kind);
}

/* ---- the seqarray twin ------------------------------------------------ */

size_t lfk_ref_seqarray_size(size_t n, size_t elem_size)
{
	return placed_size(sizeof(struct lfk_ref_seqarray), n, elem_size);
}

int lfk_ref_seqarray_init(struct lfk_ref_seqarray *a, size_t mem_size, size_t n,
			  size_t elem_size, int kind)
{
	int rc = placed_init(a, offsetof(struct lfk_ref_seqarray, lk), mem_size,
			     lfk_ref_seqarray_size(n, elem_size), kind);
	if (rc == 0) {
		a->n = n;
		a->elem_size = elem_size;
	}
	return rc;
}

struct seqarray_args {
	size_t n, elem_size;
	int kind;
};

static int seqarray_init_at(void *mem, size_t bytes, const void *args)
{
	const struct seqarray_args *a = args;
	return lfk_ref_seqarray_init(mem, bytes, a->n, a->elem_size, a->kind);
}

int lfk_ref_seqarray_create(size_t n, size_t elem_size, int kind,
			    struct lfk_ref_seqarray **out)
{
	struct seqarray_args args = { n, elem_size, kind };
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__create(LFK_CACHELINE, lfk_ref_seqarray_size(n, elem_size),
			   seqarray_init_at, &args, &rc);
	return rc;
}

void lfk_ref_seqarray_fini(struct lfk_ref_seqarray *a)
{
	if (a)
		lock_fini(&a->lk);
}

void lfk_ref_seqarray_destroy(struct lfk_ref_seqarray *a)
{
	lfk_ref_seqarray_fini(a);
	free(a);
}

size_t lfk_ref_seqarray_length(const struct lfk_ref_seqarray *a)
{
	return a ? (size_t)a->n : 0;
}

size_t lfk_ref_seqarray_elem_size(const struct lfk_ref_seqarray *a)
{
	return a ? (size_t)a->elem_size : 0;
}

static unsigned char *elem(struct lfk_ref_seqarray *a, size_t i)
{
	return (unsigned char *)a->data + i * (size_t)a->elem_size;
}

int lfk_ref_seqarray_read(struct lfk_ref_seqarray *a, size_t i, void *dst)
{
	if (a == NULL || dst == NULL || i >= a->n)
		return -EINVAL;
	lock_shared(&a->lk);
	memcpy(dst, elem(a, i), (size_t)a->elem_size);
	unlock_shared(&a->lk);
	return 0;
}

int lfk_ref_seqarray_write(struct lfk_ref_seqarray *a, size_t i,
			   const void *src)
{
	if (a == NULL || src == NULL || i >= a->n)
		return -EINVAL;
	lock_excl(&a->lk);
	memcpy(elem(a, i), src, (size_t)a->elem_size);
	return unlock_excl(&a->lk);
}

int lfk_ref_seqarray_update(struct lfk_ref_seqarray *a, size_t i,
			    lfk_seqarray_update_fn fn, void *arg)
{
	return lfk_ref_seqarray_update_n(a, &i, 1, fn, arg);
}

int lfk_ref_seqarray_update_n(struct lfk_ref_seqarray *a, const size_t *idx,
			      size_t k, lfk_seqarray_update_fn fn, void *arg)
{
	struct lfk__seq_buf buf;
	size_t es = a ? (size_t)a->elem_size : 0;
	int rc = a ? lfk__seq_update_start(&buf, (size_t)a->n, es, idx, k,
					   (const void *)fn)
		   : -EINVAL;
	if (rc != 0)
		return rc;
	lock_excl(&a->lk);
	for (size_t j = 0; j < k; j++)
		memcpy(buf.p + j * es, elem(a, idx[j]), es);
	rc = fn(buf.p, k, es, arg);
	for (size_t j = 0; rc == 0 && j < k; j++)
		memcpy(elem(a, idx[j]), buf.p + j * es, es);
	unlock_excl(&a->lk);
	lfk__seq_buf_put(&buf);
	return rc;
}

int lfk_ref_seqarray_snapshot_tries(struct lfk_ref_seqarray *a, void *dst,
				    unsigned tries)
{
	(void)tries;
	if (a == NULL || dst == NULL)
		return -EINVAL;
	/* the primary needs a sequence buffer for big arrays: same errors */
	if (a->n > LFK__SEQ_BUF_STACK / sizeof(uint64_t)) {
		struct lfk__seq_buf buf;
		int rc = lfk__seq_buf_get(&buf, (size_t)a->n, sizeof(uint64_t));
		if (rc != 0)
			return rc;
		lfk__seq_buf_put(&buf);
	}
	lock_shared(&a->lk);
	memcpy(dst, a->data, (size_t)(a->n * a->elem_size));
	unlock_shared(&a->lk);
	return 0;
}

int lfk_ref_seqarray_snapshot(struct lfk_ref_seqarray *a, void *dst)
{
	return lfk_ref_seqarray_snapshot_tries(a, dst,
					       LFK_SEQARRAY_SNAPSHOT_TRIES);
}

/* ---- the latch twin --------------------------------------------------- */

size_t lfk_ref_latch_size(size_t obj_size)
{
	return placed_size(sizeof(struct lfk_ref_latch), 1, obj_size);
}

int lfk_ref_latch_init(struct lfk_ref_latch *l, size_t mem_size,
		       size_t obj_size, int kind)
{
	int rc = placed_init(l, offsetof(struct lfk_ref_latch, lk), mem_size,
			     lfk_ref_latch_size(obj_size), kind);
	if (rc == 0)
		l->obj_size = obj_size;
	return rc;
}

struct latch_args {
	size_t obj_size;
	int kind;
};

static int latch_init_at(void *mem, size_t bytes, const void *args)
{
	const struct latch_args *a = args;
	return lfk_ref_latch_init(mem, bytes, a->obj_size, a->kind);
}

int lfk_ref_latch_create(size_t obj_size, int kind, struct lfk_ref_latch **out)
{
	struct latch_args args = { obj_size, kind };
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__create(LFK_CACHELINE, lfk_ref_latch_size(obj_size),
			   latch_init_at, &args, &rc);
	return rc;
}

void lfk_ref_latch_fini(struct lfk_ref_latch *l)
{
	if (l)
		lock_fini(&l->lk);
}

void lfk_ref_latch_destroy(struct lfk_ref_latch *l)
{
	lfk_ref_latch_fini(l);
	free(l);
}

size_t lfk_ref_latch_obj_size(const struct lfk_ref_latch *l)
{
	return l ? (size_t)l->obj_size : 0;
}

int lfk_ref_latch_read(struct lfk_ref_latch *l, void *dst)
{
	if (l == NULL || dst == NULL)
		return -EINVAL;
	lock_shared(&l->lk);
	memcpy(dst, l->data, (size_t)l->obj_size);
	unlock_shared(&l->lk);
	return 0;
}

int lfk_ref_latch_write(struct lfk_ref_latch *l, const void *src)
{
	if (l == NULL || src == NULL)
		return -EINVAL;
	lock_excl(&l->lk);
	memcpy(l->data, src, (size_t)l->obj_size);
	return unlock_excl(&l->lk);
}
