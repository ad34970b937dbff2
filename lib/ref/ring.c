/* SPDX-License-Identifier: MIT */
/* The mutex-based reference ring: the textbook bounded buffer. */
#include <errno.h>
#include <lfkit/ref/ring.h>
#include <lfkit/ring.h>
#include <stdlib.h>
#include <string.h>

#include "lib/create.h"

size_t lfk_ref_ring_size(size_t capacity, size_t elem_size)
{
	if (lfk__ring_check_params(capacity, elem_size) != 0)
		return 0;
	return sizeof(struct lfk_ref_ring) + capacity * elem_size;
}

int lfk_ref_ring_init_flags(void *mem, size_t capacity, size_t elem_size,
			    unsigned flags)
{
	struct lfk_ref_ring *r = mem;
	pthread_mutexattr_t ma;
	int pshared = flags & LFK_REF_SHARED ? PTHREAD_PROCESS_SHARED
					     : PTHREAD_PROCESS_PRIVATE;
	int rc;
	if (r == NULL || (uintptr_t)mem % _Alignof(struct lfk_ref_ring) != 0 ||
	    (flags & ~LFK_REF_SHARED) != 0 ||
	    lfk__ring_check_params(capacity, elem_size) != 0)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->capacity = capacity;
	r->elem_words = elem_size / 8;
	r->data_off = sizeof(*r);
	r->flags = flags;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, pshared);
	if (flags & LFK_REF_SHARED)
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	rc = pthread_mutex_init(&r->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	return -rc;
}

int lfk_ref_ring_init(void *mem, size_t capacity, size_t elem_size)
{
	return lfk_ref_ring_init_flags(mem, capacity, elem_size, 0);
}

void lfk__ref_ring_lock(struct lfk_ref_ring *r)
{
	/* The owner died holding the lock.  Operations commit with a single
	 * store after their copies, so the ring is consistent as it is. */
	if (pthread_mutex_lock(&r->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&r->lock);
}

void lfk__ref_ring_unlock(struct lfk_ref_ring *r)
{
	pthread_mutex_unlock(&r->lock);
}

static int ring_init_at(void *mem, size_t bytes, const void *args)
{
	const size_t *a = args; /* capacity, elem_size */
	(void)bytes;
	return lfk_ref_ring_init(mem, a[0], a[1]);
}

int lfk_ref_ring_create(size_t capacity, size_t elem_size,
			struct lfk_ref_ring **out)
{
	size_t args[2] = { capacity, elem_size };
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__create(_Alignof(struct lfk_ref_ring),
			   lfk_ref_ring_size(capacity, elem_size), ring_init_at,
			   args, &rc);
	return rc;
}

void lfk_ref_ring_fini(struct lfk_ref_ring *r)
{
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
}

void lfk_ref_ring_destroy(struct lfk_ref_ring *r)
{
	lfk_ref_ring_fini(r);
	free(r);
}

static void *slot(struct lfk_ref_ring *r, uint64_t pos)
{
	return (char *)r + r->data_off +
	       (pos % r->capacity) * r->elem_words * 8;
}

size_t lfk__ref_ring_put_locked(struct lfk_ref_ring *r, const void *src,
				size_t n, uint64_t words)
{
	uint64_t room = r->capacity - lfk__ref_ring_used(r);
	size_t m = n < room ? n : (size_t)room;
	for (size_t i = 0; i < m; i++)
		memcpy(slot(r, r->tail + i), (const char *)src + i * words * 8,
		       words * 8);
	/* The copies come before the commit, for a process that dies here
	 * (the robust lock's next owner). */
	lfk_compiler_barrier();
	r->tail += m;
	return m;
}

size_t lfk__ref_ring_get_locked(struct lfk_ref_ring *r, void *dst, size_t n,
				uint64_t words)
{
	uint64_t used = lfk__ref_ring_used(r);
	size_t m = n < used ? n : (size_t)used;
	for (size_t i = 0; i < m; i++)
		memcpy((char *)dst + i * words * 8, slot(r, r->head + i),
		       words * 8);
	lfk_compiler_barrier(); /* as in put: copies, then the commit */
	r->head += m;
	return m;
}

static size_t put(struct lfk_ref_ring *r, const void *src, size_t n,
		  uint64_t words)
{
	size_t m;
	lfk__ref_ring_lock(r);
	m = lfk__ref_ring_put_locked(r, src, n, words);
	lfk__ref_ring_unlock(r);
	return m;
}

static size_t get(struct lfk_ref_ring *r, void *dst, size_t n, uint64_t words)
{
	size_t m;
	lfk__ref_ring_lock(r);
	m = lfk__ref_ring_get_locked(r, dst, n, words);
	lfk__ref_ring_unlock(r);
	return m;
}

int lfk_ref_ring_enqueue(struct lfk_ref_ring *r, uint64_t v)
{
	if (r == NULL || r->elem_words != 1)
		return -EINVAL;
	return put(r, &v, 1, 1) ? 0 : -EAGAIN;
}

int lfk_ref_ring_dequeue(struct lfk_ref_ring *r, uint64_t *v)
{
	if (r == NULL || v == NULL || r->elem_words != 1)
		return -EINVAL;
	return get(r, v, 1, 1) ? 0 : -EAGAIN;
}

size_t lfk_ref_ring_enqueue_burst(struct lfk_ref_ring *r, const uint64_t *v,
				  size_t n)
{
	if (r == NULL || v == NULL || r->elem_words != 1)
		return 0;
	return put(r, v, n, 1);
}

size_t lfk_ref_ring_dequeue_burst(struct lfk_ref_ring *r, uint64_t *v, size_t n)
{
	if (r == NULL || v == NULL || r->elem_words != 1)
		return 0;
	return get(r, v, n, 1);
}

int lfk_ref_ring_enqueue_rec(struct lfk_ref_ring *r, const void *rec)
{
	if (r == NULL || rec == NULL)
		return -EINVAL;
	return put(r, rec, 1, r->elem_words) ? 0 : -EAGAIN;
}

int lfk_ref_ring_dequeue_rec(struct lfk_ref_ring *r, void *rec)
{
	if (r == NULL || rec == NULL)
		return -EINVAL;
	return get(r, rec, 1, r->elem_words) ? 0 : -EAGAIN;
}

size_t lfk_ref_ring_enqueue_burst_rec(struct lfk_ref_ring *r, const void *recs,
				      size_t n)
{
	if (r == NULL || recs == NULL)
		return 0;
	return put(r, recs, n, r->elem_words);
}

size_t lfk_ref_ring_dequeue_burst_rec(struct lfk_ref_ring *r, void *recs,
				      size_t n)
{
	if (r == NULL || recs == NULL)
		return 0;
	return get(r, recs, n, r->elem_words);
}

size_t lfk_ref_ring_count(struct lfk_ref_ring *r)
{
	size_t n;
	if (r == NULL)
		return 0;
	lfk__ref_ring_lock(r);
	n = (size_t)lfk__ref_ring_used(r);
	lfk__ref_ring_unlock(r);
	return n;
}

size_t lfk_ref_ring_capacity(const struct lfk_ref_ring *r)
{
	return r ? (size_t)r->capacity : 0;
}

size_t lfk_ref_ring_elem_size(const struct lfk_ref_ring *r)
{
	return r ? (size_t)r->elem_words * 8 : 0;
}
