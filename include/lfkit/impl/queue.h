/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/queue.h - the blocking queue's layout and inline fast paths;
 * the slow paths are in lib/queue.c, the protocol in <lfkit/queue.h>.
 * Internal: include <lfkit/queue.h>.
 */
#ifndef LFKIT_IMPL_QUEUE_H
#define LFKIT_IMPL_QUEUE_H

#ifndef LFKIT_QUEUE_H
#error "include <lfkit/queue.h>"
#endif

LFK_BEGIN_DECLS

#define LFK__QUEUE_MAGIC 0x4c464b51u /* "LFKQ" */

/* The closed word's bit. */
#define LFK__QUEUE_CLOSED 1u

/* A record's puts and gets words: (operations done << 20) | operations in
 * flight.  One RMW marks an operation done and no longer in flight. */
#define LFK__QUEUE_FLIGHT_BITS 20
#define LFK__QUEUE_FLIGHT_MASK ((1ull << LFK__QUEUE_FLIGHT_BITS) - 1)
#define LFK__QUEUE_ONE_DONE (1ull << LFK__QUEUE_FLIGHT_BITS)

/* Who owns a record: 0 free, else the owner's pid (with CLAIMING while it
 * claims the record), or RECLAIMING while a survivor takes it back. */
struct lfk__queue_owner {
	uint64_t word;
	/* The owner's start time (/proc/<pid>/stat), recorded by the first
	 * other process that checks whether it is alive; 0: not yet. */
	uint64_t start;
};
#define LFK__QUEUE_CLAIMING (1ull << 32)
#define LFK__QUEUE_RECLAIMING (1ull << 33)

/* One process's counts; puts and gets on lines of their own, since the
 * producer and consumer threads of one process update them. */
struct lfk__queue_proc {
	uint64_t puts; /* (puts delivered << 20) | puts in flight */
	uint64_t gets __attribute__((aligned(LFK_RING_ALIGN)));
	uint64_t tasks; /* task_done calls by this process */
} __attribute__((aligned(LFK_RING_ALIGN)));

struct lfk_queue {
	/* Read-mostly geometry. */
	struct {
		uint32_t magic;
		uint32_t kind; /* enum lfk_ring_kind */
		uint32_t elem_words; /* elem_size / 8 */
		uint32_t flags; /* LFK_QUEUE_SHARED */
		uint64_t ring_off; /* byte offset of the ring */
		uint64_t bytes; /* total size */
	} hdr __attribute__((aligned(LFK_RING_ALIGN)));
	/* LFK__QUEUE_CLOSED once closed. */
	uint64_t closed __attribute__((aligned(LFK_RING_ALIGN)));
	/* Records ever claimed: procs[0 .. procs_used) (read-mostly). */
	uint64_t procs_used;
	/* task_done calls, all processes together. */
	uint64_t tasks_done __attribute__((aligned(LFK_RING_ALIGN)));
	/* Consumers sleep here for an item (or the end after close). */
	struct lfk_eventcount not_empty
		__attribute__((aligned(LFK_RING_ALIGN)));
	/* Producers sleep here for room. */
	struct lfk_eventcount not_full __attribute__((aligned(LFK_RING_ALIGN)));
	/* join sleeps here. */
	struct lfk_eventcount all_done __attribute__((aligned(LFK_RING_ALIGN)));
	/* Read-mostly: written when a process claims or gives back a record. */
	struct lfk__queue_owner owners[LFK_QUEUE_PROCS]
		__attribute__((aligned(LFK_RING_ALIGN)));
	struct lfk__queue_proc procs[LFK_QUEUE_PROCS];
	/* The ring follows at hdr.ring_off. */
};

static inline struct lfk_ring *lfk__queue_ring(struct lfk_queue *q)
{
	return (struct lfk_ring *)(void *)((char *)q + q->hdr.ring_off);
}

/* One ring operation of one element: 0, -EAGAIN (full / empty), or
 * -EINVAL (a corrupt kind), through the rings' one kind switch, which
 * inlines to the plain ring call (the kind is a read-mostly word). */
static inline int lfk__queue_try_put(struct lfk_queue *q, const void *src,
				     uint32_t words)
{
	return lfk__ring_one(
		lfk__ring_put_any(lfk__queue_ring(q), src, 1, words));
}

static inline int lfk__queue_try_get(struct lfk_queue *q, void *dst,
				     uint32_t words)
{
	return lfk__ring_one(
		lfk__ring_get_any(lfk__queue_ring(q), dst, 1, words));
}

/*
 * After a successful put: wake the consumers if any sleep.  Every sleeper
 * registered is woken (<lfkit/eventcount.h>), so a wake-up cannot be spent
 * on a consumer that finds nothing (an mpmc slot still being published by a
 * preempted producer) while another sleeps on: the producer of that slot
 * notifies again when it publishes.  The same wake-up serves consumers
 * waiting for the end after close: this put was in flight until now.
 */
static inline void lfk__queue_after_put(struct lfk_queue *q)
{
	/* Fn of the eventcount's Dekker argument: our ring publish and our
	 * record's update before the load of the consumers' waiter count. */
	lfk_atomic_fence(LFK_SEQ_CST);
	lfk_eventcount_notify_fenced(&q->not_empty);
}

/* After a successful get: wake the producers if any sleep. */
static inline void lfk__queue_after_get(struct lfk_queue *q)
{
	/* Fn of the Dekker argument: the ring release before the load of the
	 * producers' waiter count. */
	lfk_atomic_fence(LFK_SEQ_CST);
	lfk_eventcount_notify_fenced(&q->not_full);
}

/* The calling process's record in a shared queue (claimed on first use),
 * or NULL when all LFK_QUEUE_PROCS records belong to live processes. */
struct lfk__queue_proc *lfk__queue_self_shared(struct lfk_queue *q);

static inline struct lfk__queue_proc *lfk__queue_self(struct lfk_queue *q)
{
	if (!(q->hdr.flags & LFK_QUEUE_SHARED))
		return &q->procs[0]; /* one process: one record */
	return lfk__queue_self_shared(q);
}

/* A put that found the ring full: no longer in flight; wakes consumers
 * waiting for the end and join (both count puts in flight). */
void lfk__queue_put_unregister(struct lfk_queue *q, struct lfk__queue_proc *me);

/*
 * One counted try of a put: registers in flight, reads the closed bit,
 * tries the ring, then marks the item delivered or unregisters.  Returns
 * 0 (delivered), -EPIPE (closed), -EAGAIN (full) or -EINVAL (corrupt
 * kind).
 */
static inline int lfk__queue_try_put_counted(struct lfk_queue *q,
					     struct lfk__queue_proc *me,
					     const void *src, uint32_t words)
{
	int rc;
	/* Seq_cst, and the load below: a store-buffering pair with close's
	 * seq_cst RMW and the consumers' seq_cst loads of the records (in
	 * lfk_queue's single order S, either we see the closed bit or every
	 * consumer that sees it also sees us in flight). */
	lfk_atomic_fetch_add_u64(&me->puts, 1, LFK_SEQ_CST);
	if (lfk_atomic_load_u64(&q->closed, LFK_SEQ_CST) & LFK__QUEUE_CLOSED) {
		lfk__queue_put_unregister(q, me);
		return -EPIPE;
	}
	LFK__RING_HOOK(LFK_HOOK_QUEUE_PUT_REGISTERED);
	rc = lfk__queue_try_put(q, src, words);
	if (rc != 0) {
		lfk__queue_put_unregister(q, me);
		return rc;
	}
	LFK__RING_HOOK(LFK_HOOK_QUEUE_PUT_PUBLISHED);
	/* Release: the ring publish before "no longer in flight", which a
	 * consumer acquires before it trusts an empty ring to mean the end. */
	lfk_atomic_fetch_add_u64(&me->puts, LFK__QUEUE_ONE_DONE - 1,
				 LFK_RELEASE);
	return 0;
}

/*
 * One counted try of a get: registers in flight (so that a process killed
 * inside the ring operation is known to have maybe taken an item), tries
 * the ring, then marks the get done or unregisters.  0, -EAGAIN or
 * -EINVAL.
 */
static inline int lfk__queue_try_get_counted(struct lfk_queue *q,
					     struct lfk__queue_proc *me,
					     void *dst, uint32_t words)
{
	int rc;
	/* Relaxed, all three: only this process and, after its death, a
	 * survivor that learnt of the death from the kernel read them. */
	lfk_atomic_fetch_add_u64(&me->gets, 1, LFK_RELAXED);
	LFK__RING_HOOK(LFK_HOOK_QUEUE_GET_REGISTERED);
	rc = lfk__queue_try_get(q, dst, words);
	if (rc != 0) {
		lfk_atomic_fetch_sub_u64(&me->gets, 1, LFK_RELAXED);
		return rc;
	}
	LFK__RING_HOOK(LFK_HOOK_QUEUE_GET_TAKEN);
	lfk_atomic_fetch_add_u64(&me->gets, LFK__QUEUE_ONE_DONE - 1,
				 LFK_RELAXED);
	return 0;
}

int lfk__queue_put_slow(struct lfk_queue *q, struct lfk__queue_proc *me,
			const void *src, uint32_t words, uint64_t timeout_ns);
int lfk__queue_get_slow(struct lfk_queue *q, struct lfk__queue_proc *me,
			void *dst, uint32_t words, uint64_t timeout_ns);

static inline int lfk__queue_put(struct lfk_queue *q, const void *src,
				 uint32_t words, uint64_t timeout_ns)
{
	struct lfk__queue_proc *me = lfk__queue_self(q);
	int rc;
	if (me == NULL)
		return -EUSERS;
	rc = lfk__queue_try_put_counted(q, me, src, words);
	if (rc == 0) {
		lfk__queue_after_put(q);
		return 0;
	}
	if (rc != -EAGAIN)
		return rc;
	return lfk__queue_put_slow(q, me, src, words, timeout_ns);
}

static inline int lfk__queue_get(struct lfk_queue *q, void *dst, uint32_t words,
				 uint64_t timeout_ns)
{
	struct lfk__queue_proc *me = lfk__queue_self(q);
	if (me == NULL)
		return -EUSERS;
	/* A failed try proves nothing about the end after close: the slow
	 * path judges the end first and then tries again. */
	if (lfk__queue_try_get_counted(q, me, dst, words) == 0) {
		lfk__queue_after_get(q);
		return 0;
	}
	return lfk__queue_get_slow(q, me, dst, words, timeout_ns);
}

LFK__QUEUE_API int lfk_queue_put(struct lfk_queue *q, uint64_t item,
				 uint64_t timeout_ns)
{
	if (q == NULL || q->hdr.elem_words != 1)
		return -EINVAL;
	return lfk__queue_put(q, &item, 1, timeout_ns);
}

LFK__QUEUE_API int lfk_queue_get(struct lfk_queue *q, uint64_t *item,
				 uint64_t timeout_ns)
{
	if (q == NULL || item == NULL || q->hdr.elem_words != 1)
		return -EINVAL;
	return lfk__queue_get(q, item, 1, timeout_ns);
}

LFK__QUEUE_API int lfk_queue_put_rec(struct lfk_queue *q, const void *rec,
				     uint64_t timeout_ns)
{
	if (q == NULL || rec == NULL)
		return -EINVAL;
	return lfk__queue_put(q, rec, q->hdr.elem_words, timeout_ns);
}

LFK__QUEUE_API int lfk_queue_get_rec(struct lfk_queue *q, void *rec,
				     uint64_t timeout_ns)
{
	if (q == NULL || rec == NULL)
		return -EINVAL;
	return lfk__queue_get(q, rec, q->hdr.elem_words, timeout_ns);
}

LFK_END_DECLS

#endif
