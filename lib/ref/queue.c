/*
 * The mutex-based reference blocking queue: the textbook bounded buffer
 * with one mutex and condition variables (futex words, lib/ref/cond.h),
 * around struct lfk_ref_ring.
 */
#include <errno.h>
#include <lfkit/eventcount.h>
#include <lfkit/ref/queue.h>
#include <lfkit/ring.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cond.h"

#define RING_OFF                                                               \
	((sizeof(struct lfk_ref_queue) + LFK_CACHELINE - 1) / LFK_CACHELINE *  \
	 LFK_CACHELINE)

static struct lfk_ref_ring *ring_of(const struct lfk_ref_queue *q)
{
	return (struct lfk_ref_ring *)((char *)q + q->ring_off);
}

size_t lfk_ref_queue_size(size_t capacity, size_t elem_size)
{
	size_t rb = lfk_ref_ring_size(capacity, elem_size);
	return rb ? RING_OFF + rb : 0;
}

int lfk_ref_queue_init_flags(void *mem, size_t capacity, size_t elem_size,
			     unsigned flags)
{
	struct lfk_ref_queue *q = mem;
	if (q == NULL || (uintptr_t)mem % LFK_CACHELINE != 0 ||
	    lfk_ref_queue_size(capacity, elem_size) == 0)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	q->ring_off = RING_OFF;
	return lfk_ref_ring_init_flags(ring_of(q), capacity, elem_size, flags);
}

int lfk_ref_queue_init(void *mem, size_t capacity, size_t elem_size)
{
	return lfk_ref_queue_init_flags(mem, capacity, elem_size, 0);
}

size_t lfk_ref_queue_ring_offset(void)
{
	return RING_OFF;
}

int lfk_ref_queue_create(size_t capacity, size_t elem_size,
			 struct lfk_ref_queue **out)
{
	size_t bytes = lfk_ref_queue_size(capacity, elem_size);
	void *mem;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (bytes == 0)
		return -EINVAL;
	mem = aligned_alloc(LFK_CACHELINE, (bytes + LFK_CACHELINE - 1) /
						   LFK_CACHELINE * LFK_CACHELINE);
	if (mem == NULL)
		return -ENOMEM;
	lfk_ref_queue_init(mem, capacity, elem_size);
	*out = mem;
	return 0;
}

void lfk_ref_queue_fini(struct lfk_ref_queue *q)
{
	if (q == NULL)
		return;
	lfk_ref_ring_fini(ring_of(q));
}

void lfk_ref_queue_destroy(struct lfk_ref_queue *q)
{
	lfk_ref_queue_fini(q);
	free(q);
}

/* The conditions the callers wait out (the lock held). */
static bool put_blocked(const struct lfk_ref_queue *q,
			const struct lfk_ref_ring *r)
{
	return !q->closed && lfk_ref_ring_used(r) == r->capacity;
}

static bool get_blocked(const struct lfk_ref_queue *q,
			const struct lfk_ref_ring *r)
{
	return !q->closed && lfk_ref_ring_used(r) == 0;
}

static bool join_blocked(const struct lfk_ref_queue *q,
			 const struct lfk_ref_ring *r)
{
	(void)r;
	return q->unfinished != 0;
}

/* Waits on c (the lock held) while blocked(): 0 once it is not, -EAGAIN
 * for timeout 0, -ETIMEDOUT once the timeout has passed. */
static int wait_while(struct lfk_ref_queue *q, struct lfk__ref_cond *c,
		      bool (*blocked)(const struct lfk_ref_queue *,
				      const struct lfk_ref_ring *),
		      uint64_t timeout_ns)
{
	struct lfk_ref_ring *r = ring_of(q);
	uint64_t deadline = timeout_ns ? lfk_deadline_ns(timeout_ns) : 0;
	while (blocked(q, r)) {
		if (timeout_ns == 0)
			return -EAGAIN;
		if (!lfk__ref_cond_wait(c, r, deadline))
			return -ETIMEDOUT;
	}
	return 0;
}

static int put(struct lfk_ref_queue *q, const void *src, uint64_t words,
	       uint64_t timeout_ns)
{
	struct lfk_ref_ring *r = ring_of(q);
	int rc;
	lfk_ref_ring_lock(r);
	rc = wait_while(q, &r->not_full, put_blocked, timeout_ns);
	if (rc == 0 && q->closed)
		rc = -EPIPE;
	if (rc == 0) {
		lfk_ref_ring_put_locked(r, src, 1, words);
		q->unfinished++;
		lfk__ref_cond_wake(&r->not_empty, r, 1);
	}
	lfk_ref_ring_unlock(r);
	return rc;
}

static int get(struct lfk_ref_queue *q, void *dst, uint64_t words,
	       uint64_t timeout_ns)
{
	struct lfk_ref_ring *r = ring_of(q);
	int rc;
	lfk_ref_ring_lock(r);
	rc = wait_while(q, &r->not_empty, get_blocked, timeout_ns);
	if (rc == 0 && lfk_ref_ring_used(r) == 0) /* closed and drained */
		rc = -EPIPE;
	if (rc == 0) {
		lfk_ref_ring_get_locked(r, dst, 1, words);
		lfk__ref_cond_wake(&r->not_full, r, 1);
	}
	lfk_ref_ring_unlock(r);
	return rc;
}

int lfk_ref_queue_put(struct lfk_ref_queue *q, uint64_t item,
		      uint64_t timeout_ns)
{
	if (q == NULL || ring_of(q)->elem_words != 1)
		return -EINVAL;
	return put(q, &item, 1, timeout_ns);
}

int lfk_ref_queue_get(struct lfk_ref_queue *q, uint64_t *item,
		      uint64_t timeout_ns)
{
	if (q == NULL || item == NULL || ring_of(q)->elem_words != 1)
		return -EINVAL;
	return get(q, item, 1, timeout_ns);
}

int lfk_ref_queue_put_rec(struct lfk_ref_queue *q, const void *rec,
			  uint64_t timeout_ns)
{
	if (q == NULL || rec == NULL)
		return -EINVAL;
	return put(q, rec, ring_of(q)->elem_words, timeout_ns);
}

int lfk_ref_queue_get_rec(struct lfk_ref_queue *q, void *rec,
			  uint64_t timeout_ns)
{
	if (q == NULL || rec == NULL)
		return -EINVAL;
	return get(q, rec, ring_of(q)->elem_words, timeout_ns);
}

int lfk_ref_queue_close(struct lfk_ref_queue *q)
{
	struct lfk_ref_ring *r;
	if (q == NULL)
		return -EINVAL;
	r = ring_of(q);
	lfk_ref_ring_lock(r);
	q->closed = 1;
	lfk__ref_cond_wake(&r->not_empty, r, INT32_MAX);
	lfk__ref_cond_wake(&r->not_full, r, INT32_MAX);
	lfk_ref_ring_unlock(r);
	return 0;
}

int lfk_ref_queue_closed(struct lfk_ref_queue *q)
{
	int c;
	if (q == NULL)
		return 0;
	lfk_ref_ring_lock(ring_of(q));
	c = q->closed != 0;
	lfk_ref_ring_unlock(ring_of(q));
	return c;
}

int lfk_ref_queue_task_done(struct lfk_ref_queue *q)
{
	struct lfk_ref_ring *r;
	int rc = 0;
	if (q == NULL)
		return -EINVAL;
	r = ring_of(q);
	lfk_ref_ring_lock(r);
	if (q->unfinished == 0)
		rc = -EINVAL;
	else if (--q->unfinished == 0)
		lfk__ref_cond_wake(&q->all_done, r, INT32_MAX);
	lfk_ref_ring_unlock(r);
	return rc;
}

int lfk_ref_queue_join(struct lfk_ref_queue *q, uint64_t timeout_ns)
{
	int rc;
	if (q == NULL)
		return -EINVAL;
	lfk_ref_ring_lock(ring_of(q));
	rc = wait_while(q, &q->all_done, join_blocked, timeout_ns);
	lfk_ref_ring_unlock(ring_of(q));
	return rc;
}

size_t lfk_ref_queue_count(struct lfk_ref_queue *q)
{
	return q ? lfk_ref_ring_count(ring_of(q)) : 0;
}

size_t lfk_ref_queue_capacity(const struct lfk_ref_queue *q)
{
	return q ? lfk_ref_ring_capacity(ring_of(q)) : 0;
}

size_t lfk_ref_queue_elem_size(const struct lfk_ref_queue *q)
{
	return q ? lfk_ref_ring_elem_size(ring_of(q)) : 0;
}
