/* SPDX-License-Identifier: MIT */
/*
 * The blocking queue's out-of-line parts: layout, close, task_done/join, and
 * the slow paths of put and get (spin briefly, then sleep on an eventcount).
 * The protocol is described in <lfkit/queue.h>, the wake-up argument in
 * <lfkit/eventcount.h>.
 */
#include <lfkit/queue.h>
#include <stdlib.h>

#include "lib/create.h"
#include "queue_procs.h"

/*
 * Before a put or get goes to sleep it retries the ring LFK__QUEUE_SPINS
 * times with a cpu_relax between tries (a few microseconds: the other side
 * is often just about to make room or publish).  Measured here: 10 spins
 * make 1p1c convoy through the kernel, 100 keep futex calls rare at 1p1c
 * with capacity 1024, more only burns the core on an oversubscribed machine.
 */
#ifndef LFK__QUEUE_SPINS
#define LFK__QUEUE_SPINS 100
#endif

size_t lfk_queue_size(enum lfk_ring_kind kind, size_t capacity,
		      size_t elem_size)
{
	size_t rb = lfk_ring_size(kind, capacity, elem_size);
	if (rb == 0 || rb > SIZE_MAX - sizeof(struct lfk_queue))
		return 0;
	return sizeof(struct lfk_queue) + rb;
}

int lfk_queue_init(void *mem, enum lfk_ring_kind kind, size_t capacity,
		   size_t elem_size, unsigned flags)
{
	struct lfk_queue *q = mem;
	unsigned ec_flags =
		(flags & LFK_QUEUE_SHARED) ? LFK_EVENTCOUNT_SHARED : 0;
	size_t bytes = lfk_queue_size(kind, capacity, elem_size);
	struct lfk_ring *ring;
	int rc;
	if (q == NULL || (uintptr_t)mem % LFK_RING_ALIGN != 0 || bytes == 0 ||
	    (flags & ~LFK_QUEUE_SHARED) != 0)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	q->hdr.kind = (uint32_t)kind;
	q->hdr.elem_words = (uint32_t)(elem_size / 8);
	q->hdr.flags = flags;
	q->hdr.ring_off = sizeof(*q);
	q->hdr.bytes = bytes;
	ring = lfk__queue_ring(q);
	rc = lfk_ring_init(ring, kind, capacity, elem_size);
	if (rc != 0)
		return rc;
	lfk_eventcount_init(&q->not_empty, ec_flags);
	lfk_eventcount_init(&q->not_full, ec_flags);
	lfk_eventcount_init(&q->all_done, ec_flags);
	/* A private queue's one process uses the first record. */
	q->procs_used = (flags & LFK_QUEUE_SHARED) ? 0 : 1;
	/* Last, so a half-built queue is never recognized; the memory is
	 * handed to other threads by whatever publishes it. */
	q->hdr.magic = LFK__QUEUE_MAGIC;
	return 0;
}

struct queue_args {
	enum lfk_ring_kind kind;
	size_t capacity, elem_size;
};

static int queue_init_at(void *mem, size_t bytes, const void *args)
{
	const struct queue_args *a = args;
	(void)bytes; /* lfk_queue_size's, as init computes it again */
	return lfk_queue_init(mem, a->kind, a->capacity, a->elem_size, 0);
}

int lfk_queue_create(enum lfk_ring_kind kind, size_t capacity, size_t elem_size,
		     struct lfk_queue **out)
{
	struct queue_args args = { kind, capacity, elem_size };
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__create(LFK_RING_ALIGN,
			   lfk_queue_size(kind, capacity, elem_size),
			   queue_init_at, &args, &rc);
	return rc;
}

void lfk_queue_destroy(struct lfk_queue *q)
{
	free(q);
}

static bool valid_kind(const struct lfk_queue *q)
{
	return lfk__ring_kind_ok(q->hdr.kind);
}

static bool deadline_passed(uint64_t deadline)
{
	return deadline != LFK_FOREVER && lfk_monotonic_ns() >= deadline;
}

/* The deadline of one wait: the caller's, or sooner when the wait must
 * wake up to look for dead processes. */
static uint64_t wait_until(uint64_t deadline, bool poll)
{
	uint64_t soon;
	if (!poll)
		return deadline;
	soon = lfk_deadline_ns(LFK_QUEUE_POLL_NS);
	return soon < deadline ? soon : deadline;
}

static bool is_closed(struct lfk_queue *q)
{
	/* Relaxed: only the bit matters; callers that judge the end of the
	 * queue by it use the seq_cst load in ended(). */
	return (lfk_atomic_load_u64(&q->closed, LFK_RELAXED) &
		LFK__QUEUE_CLOSED) != 0;
}

/* Records in use: every record of a shared queue that was ever claimed,
 * the one record of a private queue. */
static uint64_t records(struct lfk_queue *q)
{
	/* Seq_cst: a process bumps it (seq_cst) before its first put
	 * registers, so a consumer that judges the end (seq_cst loads after
	 * the closed bit) covers every record a put it must see is in. */
	uint64_t n = lfk_atomic_load_u64(&q->procs_used, LFK_SEQ_CST);
	return n < LFK_QUEUE_PROCS ? n : LFK_QUEUE_PROCS;
}

int lfk_queue_close(struct lfk_queue *q)
{
	if (q == NULL)
		return -EINVAL;
	/* Seq_cst: the store-buffering pair with each put's registration
	 * (see lfk__queue_try_put_counted). */
	lfk_atomic_fetch_or_u64(&q->closed, LFK__QUEUE_CLOSED, LFK_SEQ_CST);
	/* Fn of the Dekker argument: the closed bit before the waiter
	 * loads; every sleeper re-checks after waking. */
	lfk_atomic_fence(LFK_SEQ_CST);
	lfk_eventcount_notify_fenced(&q->not_empty);
	lfk_eventcount_notify_fenced(&q->not_full);
	return 0;
}

int lfk_queue_closed(const struct lfk_queue *q)
{
	if (q == NULL)
		return 0;
	/* Relaxed: a snapshot of the bit. */
	return (lfk_atomic_load_u64(&q->closed, LFK_RELAXED) &
		LFK__QUEUE_CLOSED) != 0;
}

/*
 * The end of a closed queue: closed, and no put in flight in any record.
 * A caller that then finds the ring empty knows nothing can arrive any
 * more: every later put sees the closed bit (the store-buffering argument
 * in lfk__queue_try_put_counted), and every put that delivered marked it
 * with a release that our acquire loads see, so its item is in the ring or
 * already taken.  *dead_maybe tells whether a put in flight belongs to a
 * record of another process (which may have died in flight).
 */
static bool ended(struct lfk_queue *q, bool *dead_maybe)
{
	bool shared = (q->hdr.flags & LFK_QUEUE_SHARED) != 0;
	uint64_t n;
	bool end = true;
	*dead_maybe = false;
	/* Seq_cst: the other half of the store-buffering pair. */
	if (!(lfk_atomic_load_u64(&q->closed, LFK_SEQ_CST) & LFK__QUEUE_CLOSED))
		return false;
	n = records(q);
	for (uint64_t i = 0; i < n; i++) {
		/* Seq_cst (acquire included): as the closed load above; pairs
		 * with the delivering put's release. */
		uint64_t w =
			lfk_atomic_load_u64(&q->procs[i].puts, LFK_SEQ_CST);
		if ((w & LFK__QUEUE_FLIGHT_MASK) != 0) {
			end = false;
			*dead_maybe |= shared;
		}
	}
	return end;
}

/*
 * Puts delivered or in flight minus task_done calls, modulo 2^44 (the
 * width of a record's done count); a "negative" difference (more task_done
 * than puts counted, which only recovering a dead process's share can
 * cause) counts as 0.
 */
#define DONE_MOD_MASK ((1ull << (64 - LFK__QUEUE_FLIGHT_BITS)) - 1)
static uint64_t unfinished(struct lfk_queue *q)
{
	/* Acquire: pairs with task_done's release, so the work done before
	 * each counted task_done is visible to a join that returns; it also
	 * keeps the record loads after it: a task_done counted here follows
	 * the put of its item, which our later loads then see. */
	uint64_t t = lfk_atomic_load_u64(&q->tasks_done, LFK_ACQUIRE);
	uint64_t n = records(q), p = 0, d;
	for (uint64_t i = 0; i < n; i++) {
		/* Relaxed: ordered by the acquire above. */
		uint64_t w =
			lfk_atomic_load_u64(&q->procs[i].puts, LFK_RELAXED);
		p += (w >> LFK__QUEUE_FLIGHT_BITS) +
		     (w & LFK__QUEUE_FLIGHT_MASK);
	}
	d = (p - t) & DONE_MOD_MASK;
	return d > DONE_MOD_MASK / 2 ? 0 : d;
}

void lfk__queue_put_unregister(struct lfk_queue *q, struct lfk__queue_proc *me)
{
	/* Relaxed: the fence below orders it before the waiter loads. */
	lfk_atomic_fetch_sub_u64(&me->puts, 1, LFK_RELAXED);
	/* Fn of the Dekker argument for the two conditions we may have made
	 * true: the end of a closed queue (consumers) and "nothing
	 * unfinished" (join). */
	lfk_atomic_fence(LFK_SEQ_CST);
	if (is_closed(q))
		lfk_eventcount_notify_fenced(&q->not_empty);
	if (lfk_eventcount_waiters(&q->all_done) != 0 && unfinished(q) == 0)
		lfk_eventcount_notify_fenced(&q->all_done);
}

int lfk__queue_put_slow(struct lfk_queue *q, struct lfk__queue_proc *me,
			const void *src, uint32_t words, uint64_t timeout_ns)
{
	uint64_t deadline;
	int rc;
	if (!valid_kind(q))
		return -EINVAL;
	if (timeout_ns == 0)
		return -EAGAIN;
	deadline = lfk_deadline_ns(timeout_ns);
	for (int i = 0; i < LFK__QUEUE_SPINS; i++) {
		lfk_cpu_relax();
		if (is_closed(q))
			return -EPIPE;
		rc = lfk__queue_try_put_counted(q, me, src, words);
		if (rc != -EAGAIN)
			goto out;
	}
	for (;;) {
		uint32_t key = lfk_eventcount_prepare_wait(&q->not_full);
		/* Not in flight while asleep: each try registers anew and
		 * reads the closed bit (a put that waited is not delivered
		 * after close; close wakes it to say -EPIPE). */
		rc = lfk__queue_try_put_counted(q, me, src, words);
		if (rc != -EAGAIN) {
			lfk_eventcount_cancel_wait(&q->not_full, key);
			goto out;
		}
		/* After the retry: a waiter woken for room as its deadline
		 * passes still takes the room. */
		if (deadline_passed(deadline)) {
			lfk_eventcount_cancel_wait(&q->not_full, key);
			return -ETIMEDOUT;
		}
		rc = lfk_eventcount_wait(&q->not_full, key, deadline);
		(void)rc; /* the loop re-checks everything, the clock too */
	}
out:
	if (rc == 0)
		lfk__queue_after_put(q);
	return rc;
}

/* One try of a get that may end the queue: the end is judged before the
 * try (see ended()).  0, -EPIPE, -EAGAIN, or -EINVAL. */
static int try_get_or_end(struct lfk_queue *q, struct lfk__queue_proc *me,
			  void *dst, uint32_t words, bool *dead_maybe)
{
	bool end = ended(q, dead_maybe);
	int rc = lfk__queue_try_get_counted(q, me, dst, words);
	if (rc == -EAGAIN && end)
		return -EPIPE;
	return rc;
}

int lfk__queue_get_slow(struct lfk_queue *q, struct lfk__queue_proc *me,
			void *dst, uint32_t words, uint64_t timeout_ns)
{
	uint64_t deadline;
	bool dead_maybe;
	int rc;
	if (!valid_kind(q))
		return -EINVAL;
	rc = try_get_or_end(q, me, dst, words, &dead_maybe);
	if (rc != -EAGAIN || timeout_ns == 0)
		goto out;
	deadline = lfk_deadline_ns(timeout_ns);
	for (int i = 0; i < LFK__QUEUE_SPINS; i++) {
		lfk_cpu_relax();
		rc = try_get_or_end(q, me, dst, words, &dead_maybe);
		if (rc != -EAGAIN)
			goto out;
	}
	for (;;) {
		uint32_t key = lfk_eventcount_prepare_wait(&q->not_empty);
		rc = try_get_or_end(q, me, dst, words, &dead_maybe);
		if (rc != -EAGAIN) {
			lfk_eventcount_cancel_wait(&q->not_empty, key);
			goto out;
		}
		/* After the retry, as in put. */
		if (deadline_passed(deadline)) {
			lfk_eventcount_cancel_wait(&q->not_empty, key);
			return -ETIMEDOUT;
		}
		/* Closed, but a put of another process is in flight: it may
		 * have died there; nobody would wake us then. */
		if (dead_maybe &&
		    lfk__queue_reclaim(q, true, &dead_maybe) > 0) {
			lfk_eventcount_cancel_wait(&q->not_empty, key);
			continue;
		}
		lfk_eventcount_wait(&q->not_empty, key,
				    wait_until(deadline, dead_maybe));
	}
out:
	if (rc == 0)
		lfk__queue_after_get(q);
	return rc;
}

int lfk_queue_task_done(struct lfk_queue *q)
{
	struct lfk__queue_proc *me;
	uint64_t t;
	if (q == NULL)
		return -EINVAL;
	me = lfk__queue_self(q);
	if (me == NULL)
		return -EUSERS;
	/* Relaxed: the CAS below validates it. */
	t = lfk_atomic_load_u64(&q->tasks_done, LFK_RELAXED);
	for (;;) {
		if (unfinished(q) == 0)
			return -EINVAL;
		/* Release: the caller's processing of the item before the
		 * count a joiner acquires.  (A failed CAS reloads t; the
		 * check above then runs again with the puts re-read.) */
		if (lfk_atomic_cas_weak_u64(&q->tasks_done, &t, t + 1,
					    LFK_RELEASE))
			break;
	}
	/* Relaxed: read only by this process and, after its death, by a
	 * survivor that learnt of the death from the kernel. */
	lfk_atomic_fetch_add_u64(&me->tasks, 1, LFK_RELAXED);
	lfk_eventcount_notify_all(&q->all_done);
	return 0;
}

int lfk_queue_join(struct lfk_queue *q, uint64_t timeout_ns)
{
	uint64_t deadline;
	bool shared, owing = false;
	if (q == NULL)
		return -EINVAL;
	if (unfinished(q) == 0)
		return 0;
	if (timeout_ns == 0)
		return -EAGAIN;
	shared = (q->hdr.flags & LFK_QUEUE_SHARED) != 0;
	deadline = lfk_deadline_ns(timeout_ns);
	for (;;) {
		uint32_t key = lfk_eventcount_prepare_wait(&q->all_done);
		if (unfinished(q) == 0) {
			lfk_eventcount_cancel_wait(&q->all_done, key);
			return 0;
		}
		if (deadline_passed(deadline)) {
			lfk_eventcount_cancel_wait(&q->all_done, key);
			return -ETIMEDOUT;
		}
		/* A process that died in flight, or holding items it never
		 * task_done'd, would leave us waiting for good. */
		if (shared && lfk__queue_reclaim(q, true, &owing) > 0) {
			lfk_eventcount_cancel_wait(&q->all_done, key);
			continue;
		}
		lfk_eventcount_wait(&q->all_done, key,
				    wait_until(deadline, owing));
	}
}

/* The queue's ring, read-only. */
static const struct lfk_ring *queue_ring(const struct lfk_queue *q)
{
	return (const struct lfk_ring *)(const void *)((const char *)q +
						       q->hdr.ring_off);
}

size_t lfk_queue_count(const struct lfk_queue *q)
{
	return q ? lfk_ring_count(queue_ring(q)) : 0;
}

size_t lfk_queue_capacity(const struct lfk_queue *q)
{
	return q ? lfk_ring_capacity(queue_ring(q)) : 0;
}

size_t lfk_queue_elem_size(const struct lfk_queue *q)
{
	return q ? (size_t)q->hdr.elem_words * 8 : 0;
}

enum lfk_ring_kind lfk_queue_kind(const struct lfk_queue *q)
{
	return q ? (enum lfk_ring_kind)q->hdr.kind : (enum lfk_ring_kind)0;
}
