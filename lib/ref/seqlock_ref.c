/* SPDX-License-Identifier: MIT */
/* Reference twins of lfk_seqlock, lfk_seqarray and lfk_latch over a
 * pthread_rwlock or a pthread mutex (see <lfkit/ref/seqlock.h>). */
#include <lfkit/ref/seqlock.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/seqarray_impl.h"

/* ---- the lock --------------------------------------------------------- */

static int lock_init(struct lfk_ref_lock *lk, int kind)
{
	lk->kind = kind;
	lk->writer = 0;
	if (kind == LFK_REF_RWLOCK)
		return -pthread_rwlock_init(&lk->u.rw, NULL);
	if (kind == LFK_REF_MUTEX)
		return -pthread_mutex_init(&lk->u.mu, NULL);
	return -EINVAL;
}

static void lock_fini(struct lfk_ref_lock *lk)
{
	if (lk->kind == LFK_REF_RWLOCK)
		pthread_rwlock_destroy(&lk->u.rw);
	else
		pthread_mutex_destroy(&lk->u.mu);
}

static void lock_shared(struct lfk_ref_lock *lk)
{
	if (lk->kind == LFK_REF_RWLOCK)
		pthread_rwlock_rdlock(&lk->u.rw);
	else
		pthread_mutex_lock(&lk->u.mu);
}

static void unlock_shared(struct lfk_ref_lock *lk)
{
	if (lk->kind == LFK_REF_RWLOCK)
		pthread_rwlock_unlock(&lk->u.rw);
	else
		pthread_mutex_unlock(&lk->u.mu);
}

static void lock_excl(struct lfk_ref_lock *lk)
{
	if (lk->kind == LFK_REF_RWLOCK)
		pthread_rwlock_wrlock(&lk->u.rw);
	else
		pthread_mutex_lock(&lk->u.mu);
	/* relaxed: the lock orders it; read by write_end's misuse check */
	lfk_atomic_store_u32(&lk->writer, 1, LFK_RELAXED);
}

static int trylock_excl(struct lfk_ref_lock *lk)
{
	int rc = lk->kind == LFK_REF_RWLOCK ? pthread_rwlock_trywrlock(&lk->u.rw)
					    : pthread_mutex_trylock(&lk->u.mu);
	if (rc != 0)
		return -EAGAIN;
	lfk_atomic_store_u32(&lk->writer, 1, LFK_RELAXED);
	return 0;
}

static int unlock_excl(struct lfk_ref_lock *lk)
{
	if (!lfk_atomic_load_u32(&lk->writer, LFK_RELAXED))
		return -EINVAL;
	lfk_atomic_store_u32(&lk->writer, 0, LFK_RELAXED);
	unlock_shared(lk); /* one unlock call for both modes */
	return 0;
}

/* ---- the seqlock twin ------------------------------------------------- */

int lfk_ref_seqlock_init(lfk_ref_seqlock_t *l, int kind)
{
	if (l == NULL || (uintptr_t)l % _Alignof(lfk_ref_seqlock_t) != 0)
		return -EINVAL;
	return lock_init(&l->lk, kind);
}

void lfk_ref_seqlock_fini(lfk_ref_seqlock_t *l)
{
	if (l)
		lock_fini(&l->lk);
}

uint64_t lfk_ref_seqlock_read_begin(lfk_ref_seqlock_t *l)
{
	lock_shared(&l->lk);
	return 0;
}

bool lfk_ref_seqlock_read_retry(lfk_ref_seqlock_t *l, uint64_t start)
{
	(void)start;
	unlock_shared(&l->lk);
	return false;
}

int lfk_ref_seqlock_read(lfk_ref_seqlock_t *l, void *dst, const void *src,
			 size_t size)
{
	if (l == NULL || !lfk_seqlock_copy_ok(src, dst, size))
		return -EINVAL;
	lock_shared(&l->lk);
	memcpy(dst, src, size);
	unlock_shared(&l->lk);
	return 0;
}

void lfk_ref_seqlock_write_begin(lfk_ref_seqlock_t *l)
{
	lock_excl(&l->lk);
}

void lfk_ref_seqlock_write_begin_single(lfk_ref_seqlock_t *l)
{
	lock_excl(&l->lk);
}

int lfk_ref_seqlock_write_try_begin(lfk_ref_seqlock_t *l)
{
	return trylock_excl(&l->lk);
}

int lfk_ref_seqlock_write_end(lfk_ref_seqlock_t *l)
{
	return unlock_excl(&l->lk);
}

int lfk_ref_seqlock_write_abort(lfk_ref_seqlock_t *l)
{
	return unlock_excl(&l->lk);
}

int lfk_ref_seqlock_write(lfk_ref_seqlock_t *l, void *dst, const void *src,
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
	if (k == 0 || lfk_seq__stride(elem_size, 0) == 0 ||
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
	return lock_init((struct lfk_ref_lock *)((char *)mem + lk_off), kind);
}

/* ---- the seqarray twin ------------------------------------------------ */

size_t lfk_ref_seqarray_size(size_t n, size_t elem_size)
{
	return placed_size(sizeof(lfk_ref_seqarray_t), n, elem_size);
}

int lfk_ref_seqarray_init(lfk_ref_seqarray_t *a, size_t mem_size, size_t n,
			  size_t elem_size, int kind)
{
	int rc = placed_init(a, offsetof(lfk_ref_seqarray_t, lk), mem_size,
			     lfk_ref_seqarray_size(n, elem_size), kind);
	if (rc == 0) {
		a->n = n;
		a->elem_size = elem_size;
	}
	return rc;
}

int lfk_ref_seqarray_create(lfk_ref_seqarray_t **out, size_t n,
			    size_t elem_size, int kind)
{
	size_t need = lfk_ref_seqarray_size(n, elem_size);
	int rc;
	lfk_ref_seqarray_t *a;
	if (out == NULL)
		return -EINVAL;
	a = lfk_seq__alloc(need, &rc);
	if (rc == 0 && (rc = lfk_ref_seqarray_init(a, need, n, elem_size, kind)) != 0)
		free(a);
	if (rc == 0)
		*out = a;
	return rc;
}

void lfk_ref_seqarray_fini(lfk_ref_seqarray_t *a)
{
	if (a)
		lock_fini(&a->lk);
}

void lfk_ref_seqarray_destroy(lfk_ref_seqarray_t *a)
{
	lfk_ref_seqarray_fini(a);
	free(a);
}

size_t lfk_ref_seqarray_length(const lfk_ref_seqarray_t *a)
{
	return a ? (size_t)a->n : 0;
}

size_t lfk_ref_seqarray_elem_size(const lfk_ref_seqarray_t *a)
{
	return a ? (size_t)a->elem_size : 0;
}

static unsigned char *elem(lfk_ref_seqarray_t *a, size_t i)
{
	return (unsigned char *)a->data + i * (size_t)a->elem_size;
}

int lfk_ref_seqarray_read(lfk_ref_seqarray_t *a, size_t i, void *dst)
{
	if (a == NULL || dst == NULL || i >= a->n)
		return -EINVAL;
	lock_shared(&a->lk);
	memcpy(dst, elem(a, i), (size_t)a->elem_size);
	unlock_shared(&a->lk);
	return 0;
}

int lfk_ref_seqarray_write(lfk_ref_seqarray_t *a, size_t i, const void *src)
{
	if (a == NULL || src == NULL || i >= a->n)
		return -EINVAL;
	lock_excl(&a->lk);
	memcpy(elem(a, i), src, (size_t)a->elem_size);
	return unlock_excl(&a->lk);
}

int lfk_ref_seqarray_update(lfk_ref_seqarray_t *a, size_t i,
			    lfk_seqarray_update_fn fn, void *arg)
{
	return lfk_ref_seqarray_update_n(a, &i, 1, fn, arg);
}

int lfk_ref_seqarray_update_n(lfk_ref_seqarray_t *a, const size_t *idx,
			      size_t k, lfk_seqarray_update_fn fn, void *arg)
{
	struct lfk_seq_buf buf;
	size_t es = a ? (size_t)a->elem_size : 0;
	int rc = a ? lfk_seq__update_start(&buf, (size_t)a->n, es, idx, k,
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
	lfk_seq__buf_put(&buf);
	return rc;
}

int lfk_ref_seqarray_snapshot_tries(lfk_ref_seqarray_t *a, void *dst,
				    unsigned tries)
{
	(void)tries;
	if (a == NULL || dst == NULL)
		return -EINVAL;
	/* the primary needs a sequence buffer for big arrays: same errors */
	if (a->n > LFK_SEQ_BUF_STACK / sizeof(uint64_t)) {
		struct lfk_seq_buf buf;
		int rc = lfk_seq__buf_get(&buf, (size_t)a->n, sizeof(uint64_t));
		if (rc != 0)
			return rc;
		lfk_seq__buf_put(&buf);
	}
	lock_shared(&a->lk);
	memcpy(dst, a->data, (size_t)(a->n * a->elem_size));
	unlock_shared(&a->lk);
	return 0;
}

int lfk_ref_seqarray_snapshot(lfk_ref_seqarray_t *a, void *dst)
{
	return lfk_ref_seqarray_snapshot_tries(a, dst, LFK_SEQARRAY_SNAPSHOT_TRIES);
}

/* ---- the latch twin --------------------------------------------------- */

size_t lfk_ref_latch_size(size_t obj_size)
{
	return placed_size(sizeof(lfk_ref_latch_t), 1, obj_size);
}

int lfk_ref_latch_init(lfk_ref_latch_t *l, size_t mem_size, size_t obj_size,
		       int kind)
{
	int rc = placed_init(l, offsetof(lfk_ref_latch_t, lk), mem_size,
			     lfk_ref_latch_size(obj_size), kind);
	if (rc == 0)
		l->obj_size = obj_size;
	return rc;
}

int lfk_ref_latch_create(lfk_ref_latch_t **out, size_t obj_size, int kind)
{
	size_t need = lfk_ref_latch_size(obj_size);
	int rc;
	lfk_ref_latch_t *l;
	if (out == NULL)
		return -EINVAL;
	l = lfk_seq__alloc(need, &rc);
	if (rc == 0 && (rc = lfk_ref_latch_init(l, need, obj_size, kind)) != 0)
		free(l);
	if (rc == 0)
		*out = l;
	return rc;
}

void lfk_ref_latch_fini(lfk_ref_latch_t *l)
{
	if (l)
		lock_fini(&l->lk);
}

void lfk_ref_latch_destroy(lfk_ref_latch_t *l)
{
	lfk_ref_latch_fini(l);
	free(l);
}

size_t lfk_ref_latch_obj_size(const lfk_ref_latch_t *l)
{
	return l ? (size_t)l->obj_size : 0;
}

int lfk_ref_latch_read(lfk_ref_latch_t *l, void *dst)
{
	if (l == NULL || dst == NULL)
		return -EINVAL;
	lock_shared(&l->lk);
	memcpy(dst, l->data, (size_t)l->obj_size);
	unlock_shared(&l->lk);
	return 0;
}

int lfk_ref_latch_write(lfk_ref_latch_t *l, const void *src)
{
	if (l == NULL || src == NULL)
		return -EINVAL;
	lock_excl(&l->lk);
	memcpy(l->data, src, (size_t)l->obj_size);
	return unlock_excl(&l->lk);
}
