/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ref/ring.h - the reference twin of the rings: a bounded FIFO behind
 * one pthread mutex, with the rings' API (lfk_ref_ring_* for lfk_ring_*_*).
 * Tests hold every lfkit ring against it; benchmarks race against it.
 *
 * Progress: every call is blocking (it takes the mutex).  Full and empty are
 * exact: they are decided under the mutex.
 * Errors: as the rings (<lfkit/ring.h>): -EINVAL for bad parameters, -EAGAIN
 * for full/empty, -ENOMEM from create.
 *
 * Between processes: lfk_ref_ring_init_flags(mem, capacity, elem_size,
 * LFK_REF_SHARED) in shared memory makes the mutex process-shared and
 * robust, and the blocking twin's wake-ups shared futexes: when its owner dies
 * holding it, the next locker gets EOWNERDEAD, marks it consistent
 * (pthread_mutex_consistent) and carries on.  The state it finds is the one
 * before or after the dead owner's operation, never a mix: an operation
 * copies its items first and commits with one store (tail for a put, head
 * for a get).  So an item the dead process was putting is absent, and items
 * it was taking are gone; everything else is there once, in order.
 * The blocking twin sleeps on futex words, not on glibc's condition
 * variables, so a process killed while asleep costs nothing later.
 */
#ifndef LFKIT_REF_RING_H
#define LFKIT_REF_RING_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* The calls defined in this header are static inline; lib/ref/ring_symbols.c
 * defines LFK__REF_RING_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__REF_RING_API
#define LFK__REF_RING_API static inline
#endif

#include <lfkit/config.h>

LFK_BEGIN_DECLS

/* lfk_ref_ring_init_flags / lfk_ref_queue_init_flags flag: the twin lives
 * in memory shared between processes (process-shared, robust mutex). */
#define LFK_REF_SHARED 1u

/* The blocking twin's condition variable (internal): a futex word bumped
 * by each wake-up, and how many sleep on it; both guarded by the ring's
 * lock.  A sleeper killed asleep leaves nothing to clean up. */
struct lfk__ref_cond {
	uint32_t seq;
	uint32_t sleepers;
};

struct lfk_ref_ring {
	pthread_mutex_t lock;
	struct lfk__ref_cond not_full; /* used by the blocking twin */
	struct lfk__ref_cond not_empty; /* used by the blocking twin */
	uint64_t capacity;
	uint64_t elem_words;
	uint64_t head; /* items taken so far; the oldest at head % capacity */
	uint64_t tail; /* items put so far; head <= tail <= head + capacity */
	uint64_t data_off; /* byte offset of capacity elements */
	uint64_t flags; /* LFK_REF_SHARED or 0 */
};

size_t lfk_ref_ring_size(size_t capacity, size_t elem_size);
/* lfk_ref_ring_init(m, c, e) is lfk_ref_ring_init_flags(m, c, e, 0).
 * 0, or -EINVAL (NULL, mem not aligned to _Alignof(struct lfk_ref_ring),
 * bad parameters as lfk_ref_ring_size, unknown flags), or the pthread
 * init error. */
int lfk_ref_ring_init(void *mem, size_t capacity, size_t elem_size);
int lfk_ref_ring_init_flags(void *mem, size_t capacity, size_t elem_size,
			    unsigned flags);
int lfk_ref_ring_create(size_t capacity, size_t elem_size,
			struct lfk_ref_ring **out);
/* Destroys the mutex; frees what create allocated. */
void lfk_ref_ring_fini(struct lfk_ref_ring *r);
void lfk_ref_ring_destroy(struct lfk_ref_ring *r);

int lfk_ref_ring_enqueue(struct lfk_ref_ring *r, uint64_t v);
int lfk_ref_ring_dequeue(struct lfk_ref_ring *r, uint64_t *v);
size_t lfk_ref_ring_enqueue_burst(struct lfk_ref_ring *r, const uint64_t *v,
				  size_t n);
size_t lfk_ref_ring_dequeue_burst(struct lfk_ref_ring *r, uint64_t *v,
				  size_t n);
int lfk_ref_ring_enqueue_rec(struct lfk_ref_ring *r, const void *rec);
int lfk_ref_ring_dequeue_rec(struct lfk_ref_ring *r, void *rec);
size_t lfk_ref_ring_enqueue_burst_rec(struct lfk_ref_ring *r, const void *recs,
				      size_t n);
size_t lfk_ref_ring_dequeue_burst_rec(struct lfk_ref_ring *r, void *recs,
				      size_t n);
size_t lfk_ref_ring_count(struct lfk_ref_ring *r);
size_t lfk_ref_ring_capacity(const struct lfk_ref_ring *r);
size_t lfk_ref_ring_elem_size(const struct lfk_ref_ring *r);

/* Takes r->lock, recovering it if its owner died (see above). */
void lfk__ref_ring_lock(struct lfk_ref_ring *r);
void lfk__ref_ring_unlock(struct lfk_ref_ring *r);
/* Items in the ring; call with r->lock held. */
LFK__REF_RING_API uint64_t lfk__ref_ring_used(const struct lfk_ref_ring *r)
{
	return r->tail - r->head;
}

/* The element copies of the blocking twin; call with r->lock held.  Move up
 * to n elements of `words` words; return how many moved. */
size_t lfk__ref_ring_put_locked(struct lfk_ref_ring *r, const void *src,
				size_t n, uint64_t words);
size_t lfk__ref_ring_get_locked(struct lfk_ref_ring *r, void *dst, size_t n,
				uint64_t words);

LFK_END_DECLS

#endif
