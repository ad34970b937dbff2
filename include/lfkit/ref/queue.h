/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ref/queue.h - the reference twin of the blocking queue: the
 * textbook bounded buffer, one mutex and two condition variables (not_full,
 * not_empty; futex words, not glibc's) plus one for join, with the API of
 * <lfkit/queue.h>
 * (lfk_ref_queue_* for lfk_queue_*).  It reuses struct lfk_ref_ring and its
 * locked helpers for the items.  Timeouts are on CLOCK_MONOTONIC.
 *
 * Progress: every call is blocking (it takes the mutex); put/get with a
 * non-zero timeout also sleep on a condition variable.  Errors as the
 * queue's: -EINVAL (NULL, bad capacity/elem_size, a u64 call on a record
 * queue, task_done more often than put), -EAGAIN (full/empty with timeout
 * 0; join with timeout 0 and unfinished items), -ETIMEDOUT, -EPIPE (put
 * after close; get after close once drained), -ENOMEM from create.
 * Under the mutex there are no puts "in flight": a put counts for
 * task_done/join once it has delivered its item.
 *
 * Between processes: lfk_ref_queue_init_flags(mem, capacity, elem_size,
 * LFK_REF_SHARED) (or lfk_shm_ref_queue_create, <lfkit/shm.h>) makes the
 * mutex and the condition variables process-shared and the mutex robust
 * (<lfkit/ref/ring.h>).  What a process that dies leaves:
 *   - the items: as before or after its operation (one store commits it);
 *     an item it was putting is absent, one it had taken is gone;
 *   - task_done/join: a put delivers its item, then counts it; killed in
 *     between, the item is there but not counted, so join may return before
 *     it is done and its task_done may find nothing to finish (-EINVAL);
 *     a task_done or close either happened or did not;
 *   - killed while asleep in put/get/join: nothing.  A sleeper holds
 *     neither the lock nor any record while it sleeps on a futex word
 *     (glibc's pthread_cond_t would keep the dead sleeper's bookkeeping,
 *     and every later signal would wait for it), so the survivors' puts,
 *     gets and wake-ups go on as before.
 */
#ifndef LFKIT_REF_QUEUE_H
#define LFKIT_REF_QUEUE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/ref/ring.h>

LFK_BEGIN_DECLS

struct lfk_ref_queue {
	struct lfk__ref_cond
		all_done; /* join waits here; ring.lock guards all */
	uint64_t closed;
	uint64_t unfinished; /* puts - task_done calls */
	uint64_t ring_off; /* byte offset of the struct lfk_ref_ring */
};

size_t lfk_ref_queue_size(size_t capacity, size_t elem_size);
/* lfk_ref_queue_init(m, c, e) is lfk_ref_queue_init_flags(m, c, e, 0);
 * flags: LFK_REF_SHARED or 0.  mem is aligned to LFK_CACHELINE: 0, or
 * -EINVAL (NULL, misaligned, bad parameters, unknown flags), or the
 * pthread init error. */
int lfk_ref_queue_init(void *mem, size_t capacity, size_t elem_size);
int lfk_ref_queue_init_flags(void *mem, size_t capacity, size_t elem_size,
			     unsigned flags);
/* Where init puts the struct lfk_ref_ring: q->ring_off, for validation. */
size_t lfk__ref_queue_ring_offset(void);
int lfk_ref_queue_create(size_t capacity, size_t elem_size,
			 struct lfk_ref_queue **out);
/* Destroys the mutex; frees what create allocated. */
void lfk_ref_queue_fini(struct lfk_ref_queue *q);
void lfk_ref_queue_destroy(struct lfk_ref_queue *q);

int lfk_ref_queue_put(struct lfk_ref_queue *q, uint64_t item,
		      uint64_t timeout_ns);
int lfk_ref_queue_get(struct lfk_ref_queue *q, uint64_t *item,
		      uint64_t timeout_ns);
int lfk_ref_queue_put_rec(struct lfk_ref_queue *q, const void *rec,
			  uint64_t timeout_ns);
int lfk_ref_queue_get_rec(struct lfk_ref_queue *q, void *rec,
			  uint64_t timeout_ns);
int lfk_ref_queue_close(struct lfk_ref_queue *q);
int lfk_ref_queue_closed(struct lfk_ref_queue *q);
int lfk_ref_queue_task_done(struct lfk_ref_queue *q);
int lfk_ref_queue_join(struct lfk_ref_queue *q, uint64_t timeout_ns);
size_t lfk_ref_queue_count(struct lfk_ref_queue *q);
size_t lfk_ref_queue_capacity(const struct lfk_ref_queue *q);
size_t lfk_ref_queue_elem_size(const struct lfk_ref_queue *q);

LFK_END_DECLS

#endif
