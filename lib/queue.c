/*
 * The blocking queue's out-of-line parts: layout, close, task_done/join, and
 * the slow paths of put and get (spin briefly, then sleep on an eventcount).
 * The protocol is described in <lfkit/queue.h>, the wake-up argument in
 * <lfkit/eventcount.h>.
 */
#include <lfkit/queue.h>
#include <stdlib.h>

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

static size_t ring_size(enum lfk_ring_kind kind, size_t capacity,
			size_t elem_size)
{
	switch (kind) {
	case LFK_RING_SPSC:
		return lfk_ring_spsc_size(capacity, elem_size);
	case LFK_RING_MPMC:
		return lfk_ring_mpmc_size(capacity, elem_size);
	case LFK_RING_LFMPMC:
		return lfk_ring_lfmpmc_size(capacity, elem_size);
	default:
		return 0;
	}
}

size_t lfk_queue_size(enum lfk_ring_kind kind, size_t capacity,
		      size_t elem_size)
{
	size_t rb = ring_size(kind, capacity, elem_size);
	if (rb == 0 || rb > SIZE_MAX - sizeof(struct lfk_queue))
		return 0;
	return sizeof(struct lfk_queue) + rb;
}

int lfk_queue_init(void *mem, enum lfk_ring_kind kind, size_t capacity,
		   size_t elem_size, unsigned flags)
{
	struct lfk_queue *q = mem;
	unsigned ec_flags = (flags & LFK_QUEUE_SHARED) ? LFK_EVENTCOUNT_SHARED : 0;
	size_t bytes = lfk_queue_size(kind, capacity, elem_size);
	void *ring;
	int rc = -EINVAL;
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
	switch (kind) {
	case LFK_RING_SPSC:
		rc = lfk_ring_spsc_init(ring, capacity, elem_size);
		break;
	case LFK_RING_MPMC:
		rc = lfk_ring_mpmc_init(ring, capacity, elem_size);
		break;
	case LFK_RING_LFMPMC:
		rc = lfk_ring_lfmpmc_init(ring, capacity, elem_size);
		break;
	}
	if (rc != 0)
		return rc;
	lfk_eventcount_init(&q->not_empty, ec_flags);
	lfk_eventcount_init(&q->not_full, ec_flags);
	lfk_eventcount_init(&q->all_done, ec_flags);
	/* Last, so a half-built queue is never recognized; the memory is
	 * handed to other threads by whatever publishes it. */
	q->hdr.magic = LFK_QUEUE_MAGIC;
	return 0;
}

int lfk_queue_create(enum lfk_ring_kind kind, size_t capacity,
		     size_t elem_size, struct lfk_queue **out)
{
	size_t bytes;
	void *mem;
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	bytes = lfk_queue_size(kind, capacity, elem_size);
	if (bytes == 0)
		return -EINVAL;
	/* Both parts are multiples of LFK_RING_ALIGN, as aligned_alloc wants. */
	mem = aligned_alloc(LFK_RING_ALIGN, bytes);
	if (mem == NULL)
		return -ENOMEM;
	rc = lfk_queue_init(mem, kind, capacity, elem_size, 0);
	if (rc != 0) {
		free(mem);
		return rc;
	}
	*out = mem;
	return 0;
}

void lfk_queue_destroy(struct lfk_queue *q)
{
	free(q);
}

static bool valid_kind(const struct lfk_queue *q)
{
	return q->hdr.kind >= LFK_RING_SPSC && q->hdr.kind <= LFK_RING_LFMPMC;
}

static bool deadline_passed(uint64_t deadline)
{
	return deadline != LFK_FOREVER && lfk_monotonic_ns() >= deadline;
}

static bool is_closed(struct lfk_queue *q)
{
	/* Relaxed: only the bit matters; waiters re-read it after their
	 * eventcount fence, and close notifies after setting it. */
	return (lfk_atomic_load_u64(&q->put_state, LFK_RELAXED) &
		LFK__QUEUE_CLOSED) != 0;
}

int lfk_queue_close(struct lfk_queue *q)
{
	if (q == NULL)
		return -EINVAL;
	/* Relaxed: the closed bit and the put count share this word, so
	 * every put's registering RMW is ordered before or after it by
	 * coherence alone; nothing else is published with it. */
	lfk_atomic_fetch_or_u64(&q->put_state, LFK__QUEUE_CLOSED, LFK_RELAXED);
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
	return (lfk_atomic_load_u64(&q->put_state, LFK_RELAXED) &
		LFK__QUEUE_CLOSED) != 0;
}

int lfk__queue_put_abandon(struct lfk_queue *q, int rc)
{
	/* Relaxed: as the registering RMW; the fence below orders it before
	 * the waiter loads. */
	uint64_t old = lfk_atomic_fetch_sub_u64(&q->put_state, 2, LFK_RELAXED);
	/* Fn of the Dekker argument for the two conditions we may have made
	 * true: "closed and every counted put consumed" (consumers waiting
	 * for the end) and "nothing unfinished" (join). */
	lfk_atomic_fence(LFK_SEQ_CST);
	if (old & LFK__QUEUE_CLOSED)
		lfk_eventcount_notify_fenced(&q->not_empty);
	lfk_eventcount_notify_fenced(&q->all_done);
	return rc;
}

int lfk__queue_put_slow(struct lfk_queue *q, const void *src, uint32_t words,
			uint64_t timeout_ns)
{
	uint64_t deadline;
	int rc;
	if (!valid_kind(q))
		return lfk__queue_put_abandon(q, -EINVAL);
	if (timeout_ns == 0)
		return lfk__queue_put_abandon(q, -EAGAIN);
	deadline = lfk_deadline_ns(timeout_ns);
	for (int i = 0; i < LFK__QUEUE_SPINS; i++) {
		lfk_cpu_relax();
		if (is_closed(q))
			return lfk__queue_put_abandon(q, -EPIPE);
		if (lfk__queue_try_put(q, src, words) == 0)
			goto done;
	}
	for (;;) {
		uint32_t key = lfk_eventcount_prepare_wait(&q->not_full);
		/* Closed first: a put that waited is not delivered after
		 * close (close wakes it to say -EPIPE). */
		if (is_closed(q)) {
			lfk_eventcount_cancel_wait(&q->not_full, key);
			return lfk__queue_put_abandon(q, -EPIPE);
		}
		if (lfk__queue_try_put(q, src, words) == 0) {
			lfk_eventcount_cancel_wait(&q->not_full, key);
			goto done;
		}
		/* After the retry: a waiter woken for room as its deadline
		 * passes still takes the room. */
		if (deadline_passed(deadline)) {
			lfk_eventcount_cancel_wait(&q->not_full, key);
			return lfk__queue_put_abandon(q, -ETIMEDOUT);
		}
		rc = lfk_eventcount_wait(&q->not_full, key, deadline);
		(void)rc; /* the loop re-checks everything, the clock too */
	}
done:
	lfk__queue_after_put(q);
	return 0;
}

/* Closed, and every counted put has been consumed: nothing can arrive any
 * more.  Proof sketch: once the closed bit is set every new put sees it in
 * its registering RMW and abandons, so every item ever delivered comes from
 * a put counted in any closed put_state value we read (puts that deliver
 * never abandon); gets_done <= items delivered <= puts counted, with
 * equality only when no counted put is still in flight and every item was
 * taken.  Consumers sleeping for this condition are woken by whoever makes
 * it true: the last get (lfk__queue_after_get) or an abandoning put. */
static bool drained(struct lfk_queue *q)
{
	/* Relaxed both: the argument above needs only coherence of each
	 * word; the caller's eventcount fence orders them after its
	 * registration. */
	uint64_t ps = lfk_atomic_load_u64(&q->put_state, LFK_RELAXED);
	if (!(ps & LFK__QUEUE_CLOSED))
		return false;
	return lfk_atomic_load_u64(&q->gets_done, LFK_RELAXED) == ps >> 1;
}

int lfk__queue_get_slow(struct lfk_queue *q, void *dst, uint32_t words,
			uint64_t timeout_ns)
{
	uint64_t deadline;
	int rc;
	if (!valid_kind(q))
		return -EINVAL;
	if (drained(q))
		return -EPIPE;
	if (timeout_ns == 0)
		return -EAGAIN;
	deadline = lfk_deadline_ns(timeout_ns);
	for (int i = 0; i < LFK__QUEUE_SPINS; i++) {
		lfk_cpu_relax();
		if (lfk__queue_try_get(q, dst, words) == 0)
			goto done;
	}
	for (;;) {
		uint32_t key = lfk_eventcount_prepare_wait(&q->not_empty);
		if (lfk__queue_try_get(q, dst, words) == 0) {
			lfk_eventcount_cancel_wait(&q->not_empty, key);
			goto done;
		}
		if (drained(q)) {
			lfk_eventcount_cancel_wait(&q->not_empty, key);
			return -EPIPE;
		}
		/* After the retry, as in put. */
		if (deadline_passed(deadline)) {
			lfk_eventcount_cancel_wait(&q->not_empty, key);
			return -ETIMEDOUT;
		}
		rc = lfk_eventcount_wait(&q->not_empty, key, deadline);
		(void)rc;
	}
done:
	lfk__queue_count_get(q);
	lfk__queue_after_get(q);
	return 0;
}

/* Puts counted minus task_done calls, never below 0. */
static uint64_t unfinished(struct lfk_queue *q)
{
	/* Acquire: pairs with task_done's release, so the work done before
	 * each counted task_done is visible to a join that returns.  It also
	 * keeps the put_state load after it: reading tasks_done first means
	 * that tasks >= puts proves an instant (the put_state read) at which
	 * nothing was unfinished, since tasks_done only grows. */
	uint64_t t = lfk_atomic_load_u64(&q->tasks_done, LFK_ACQUIRE);
	/* Relaxed: ordered by the acquire above. */
	uint64_t p = lfk_atomic_load_u64(&q->put_state, LFK_RELAXED) >> 1;
	return p > t ? p - t : 0;
}

int lfk_queue_task_done(struct lfk_queue *q)
{
	uint64_t t;
	if (q == NULL)
		return -EINVAL;
	/* Relaxed: the CAS below validates it. */
	t = lfk_atomic_load_u64(&q->tasks_done, LFK_RELAXED);
	for (;;) {
		/* Relaxed: a count to compare with (see queue.h for what
		 * counts as put). */
		uint64_t p = lfk_atomic_load_u64(&q->put_state, LFK_RELAXED) >> 1;
		if (t >= p)
			return -EINVAL;
		/* Release: the caller's processing of the item before the
		 * count a joiner acquires. */
		if (lfk_atomic_cas_weak_u64(&q->tasks_done, &t, t + 1,
					    LFK_RELEASE))
			break;
	}
	lfk_eventcount_notify_all(&q->all_done);
	return 0;
}

int lfk_queue_join(struct lfk_queue *q, uint64_t timeout_ns)
{
	uint64_t deadline;
	if (q == NULL)
		return -EINVAL;
	if (unfinished(q) == 0)
		return 0;
	if (timeout_ns == 0)
		return -EAGAIN;
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
		lfk_eventcount_wait(&q->all_done, key, deadline);
	}
}

size_t lfk_queue_count(const struct lfk_queue *q)
{
	const void *ring;
	if (q == NULL)
		return 0;
	ring = (const char *)q + q->hdr.ring_off;
	switch (q->hdr.kind) {
	case LFK_RING_SPSC:
		return lfk_ring_spsc_count(ring);
	case LFK_RING_MPMC:
		return lfk_ring_mpmc_count(ring);
	case LFK_RING_LFMPMC:
		return lfk_ring_lfmpmc_count(ring);
	default:
		return 0;
	}
}

size_t lfk_queue_capacity(const struct lfk_queue *q)
{
	const struct lfk_ring_hdr *h;
	if (q == NULL)
		return 0;
	h = (const void *)((const char *)q + q->hdr.ring_off);
	return (size_t)h->capacity;
}

size_t lfk_queue_elem_size(const struct lfk_queue *q)
{
	return q ? (size_t)q->hdr.elem_words * 8 : 0;
}

enum lfk_ring_kind lfk_queue_kind(const struct lfk_queue *q)
{
	return q ? (enum lfk_ring_kind)q->hdr.kind : (enum lfk_ring_kind)0;
}
