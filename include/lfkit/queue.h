/*
 * lfkit/queue.h - a bounded blocking FIFO queue with the semantics of
 * Python's queue.Queue(maxsize), built on the lock-free rings.
 *
 *   Python                         lfkit
 *   q = Queue(maxsize=n)           lfk_queue_create(LFK_RING_MPMC, n, 8, &q)
 *   q.put(x)                       lfk_queue_put(q, x, LFK_FOREVER)
 *   q.put(x, timeout=t)            lfk_queue_put(q, x, t_ns)   -ETIMEDOUT
 *   q.put_nowait(x)                lfk_queue_put(q, x, 0)      -EAGAIN (Full)
 *   x = q.get() / get(timeout=t)   lfk_queue_get(q, &x, LFK_FOREVER / t_ns)
 *   q.get_nowait()                 lfk_queue_get(q, &x, 0)     -EAGAIN (Empty)
 *   q.task_done()                  lfk_queue_task_done(q)      -EINVAL (ValueError)
 *   q.join()                       lfk_queue_join(q, LFK_FOREVER)
 *   q.qsize() / q.maxsize          lfk_queue_count(q) / lfk_queue_capacity(q)
 *   q.shutdown() (3.13), or a      lfk_queue_close(q): put -> -EPIPE; get
 *   None sentinel per consumer     drains what is left, then -EPIPE
 *
 * Timeouts are in nanoseconds on CLOCK_MONOTONIC: 0 never blocks (-EAGAIN
 * when full/empty), LFK_FOREVER waits for ever, anything else gives up with
 * -ETIMEDOUT no sooner than that long after the call.
 *
 * The ring underneath is chosen at creation (enum lfk_ring_kind):
 *   LFK_RING_SPSC    only ONE thread may put and only ONE thread may get
 *                    (close, count, task_done and join from anywhere).  The
 *                    fastest.  put/get with timeout 0 are wait-free.
 *   LFK_RING_MPMC    any number of threads.  put/get with timeout 0 are
 *                    blocking in the ring's sense (see <lfkit/ring_mpmc.h>:
 *                    a preempted producer stalls the consumers of its slot).
 *   LFK_RING_LFMPMC  any number of threads.  put/get with timeout 0 are
 *                    lock-free (see <lfkit/ring_lfmpmc.h>).
 * With a non-zero timeout put/get are BLOCKING, whatever the ring: they
 * sleep (on a futex) until the queue has room / an item, it is closed, or
 * the timeout expires.  Before they sleep they spin briefly.
 *
 * Cost of the fast path (the ring has room / an item): the ring operation,
 * one RMW on a counter of the caller's side (puts: on the producers' line;
 * gets: on the consumers' line, a plain store for spsc), one seq_cst fence
 * and one (put) or two (get) relaxed loads that find whether anyone sleeps.  A futex wake-up system call is made only
 * when some thread is actually sleeping (<lfkit/eventcount.h>).
 *
 * Close and in-flight operations.  A put that races with close either
 * returns -EPIPE or has its item delivered; a get returns -EPIPE only when
 * the queue is closed, no item is left, and no put that could still succeed
 * is in flight.  How: the producers' word `put_state` holds the closed bit
 * and twice the number of puts started and not abandoned; a put adds 2 and
 * learns in the same RMW whether the queue is closed; a put that gives up
 * (timeout 0, timeout, closed while it waited) subtracts 2 again.  Consumers
 * count completed gets in `gets_done`.  A get says -EPIPE when the closed
 * bit is set and gets_done equals the number of puts counted: from then on
 * every new put sees the closed bit, so nothing more can arrive.
 *
 * task_done/join: unfinished = puts counted in put_state - task_done calls.
 * A put counts from the moment it starts until it fails, so join also waits
 * for puts in progress, and task_done returns -EINVAL only when it would
 * exceed the puts counted (puts in progress included).  A successful join
 * makes the work done before each task_done visible to the joiner.
 *
 * Memory: lfk_queue_size(kind, capacity, elem_size) bytes, aligned to
 * LFK_RING_ALIGN; lfk_queue_init() lays the queue out with its ring embedded
 * at an offset (no pointers inside).  With LFK_QUEUE_SHARED the waits use
 * non-private futexes, so a queue in memory shared between processes works
 * across them.  lfk_queue_create()/destroy() allocate and free.
 *
 * Items: u64 values with put/get (elem_size 8), or records of elem_size
 * bytes (a multiple of 8) with put_rec/get_rec.  The u64 calls on a queue
 * whose elem_size is not 8 return -EINVAL.
 */
#ifndef LFKIT_QUEUE_H
#define LFKIT_QUEUE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/atomic.h>
#include <lfkit/eventcount.h>
#include <lfkit/ring.h>

/* lfk_queue_init flag: the queue lives in memory shared between processes. */
#define LFK_QUEUE_SHARED 1u

#define LFK_QUEUE_MAGIC 0x4c464b51u /* "LFKQ" */

/* put_state: bit 0 closed, the rest counts puts (in units of 2). */
#define LFK__QUEUE_CLOSED 1u

struct lfk_queue {
	/* Read-mostly geometry. */
	struct {
		uint32_t magic;
		uint32_t kind;       /* enum lfk_ring_kind */
		uint32_t elem_words; /* elem_size / 8 */
		uint32_t flags;      /* LFK_QUEUE_SHARED */
		uint64_t ring_off;   /* byte offset of the ring from the queue */
		uint64_t bytes;      /* total size */
	} hdr __attribute__((aligned(LFK_RING_ALIGN)));
	/* Producers: closed bit + 2 * (puts started - puts abandoned). */
	uint64_t put_state __attribute__((aligned(LFK_RING_ALIGN)));
	/* Consumers: gets completed. */
	uint64_t gets_done __attribute__((aligned(LFK_RING_ALIGN)));
	/* task_done calls. */
	uint64_t tasks_done __attribute__((aligned(LFK_RING_ALIGN)));
	/* Consumers sleep here for an item (or the end after close). */
	struct lfk_eventcount not_empty __attribute__((aligned(LFK_RING_ALIGN)));
	/* Producers sleep here for room. */
	struct lfk_eventcount not_full __attribute__((aligned(LFK_RING_ALIGN)));
	/* join sleeps here. */
	struct lfk_eventcount all_done __attribute__((aligned(LFK_RING_ALIGN)));
	/* The ring follows at hdr.ring_off. */
};

/*
 * Bytes a queue needs, or 0 for invalid parameters (bad kind, capacity 0 or
 * above LFK_RING_MAX_CAPACITY, elem_size 0, not a multiple of 8 or above
 * LFK_RING_MAX_ELEM_SIZE).
 */
size_t lfk_queue_size(enum lfk_ring_kind kind, size_t capacity,
		      size_t elem_size);

/*
 * Lays an empty, open queue out in mem (lfk_queue_size bytes, aligned to
 * LFK_RING_ALIGN).  flags: 0 or LFK_QUEUE_SHARED.
 * Errors: -EINVAL for NULL or misaligned mem, bad parameters (as
 * lfk_queue_size) or unknown flags.  Not thread-safe (nobody else may use
 * the memory yet).
 */
int lfk_queue_init(void *mem, enum lfk_ring_kind kind, size_t capacity,
		   size_t elem_size, unsigned flags);

/* Allocates and initializes a queue (flags 0).  Errors: -EINVAL (as
 * lfk_queue_init, or out NULL), -ENOMEM. */
int lfk_queue_create(enum lfk_ring_kind kind, size_t capacity,
		     size_t elem_size, struct lfk_queue **out);

/* Frees a queue from lfk_queue_create (NULL is ignored).  No thread may be
 * using it. */
void lfk_queue_destroy(struct lfk_queue *q);

/*
 * Closes the queue and wakes every thread sleeping in put, get or join.
 * Afterwards put returns -EPIPE; get returns what is left, then -EPIPE.
 * Closing twice is harmless.  Errors: -EINVAL for NULL.  Wait-free apart
 * from the wake-up system calls.
 */
int lfk_queue_close(struct lfk_queue *q);

/* Whether close was called: 1 or 0 (0 for NULL). */
int lfk_queue_closed(const struct lfk_queue *q);

/*
 * Marks one item taken by get as processed (Python's task_done).
 * Errors: -EINVAL for NULL, or when called more times than items were put
 * (puts in progress count as put; see above).  Lock-free (a CAS loop).
 */
int lfk_queue_task_done(struct lfk_queue *q);

/*
 * Waits until every item put has been task_done'd (and no put is in
 * progress).  Returns 0; -EAGAIN when timeout_ns is 0 and items are
 * unfinished; -ETIMEDOUT after timeout_ns; -EINVAL for NULL.  Blocking.
 */
int lfk_queue_join(struct lfk_queue *q, uint64_t timeout_ns);

/* Items in the queue: approximate under concurrency, exact when quiescent
 * (O(capacity) on LFK_RING_LFMPMC, which scans).  0 for NULL. */
size_t lfk_queue_count(const struct lfk_queue *q);

/* The capacity given at creation (0 for NULL). */
size_t lfk_queue_capacity(const struct lfk_queue *q);

/* The element size given at creation (0 for NULL). */
size_t lfk_queue_elem_size(const struct lfk_queue *q);

/* The ring kind given at creation (0 for NULL). */
enum lfk_ring_kind lfk_queue_kind(const struct lfk_queue *q);

/* ---- inline fast paths; slow paths in lib/queue.c --------------------- */

static inline void *lfk__queue_ring(struct lfk_queue *q)
{
	return (char *)q + q->hdr.ring_off;
}

/*
 * One ring operation of one element: 0, -EAGAIN (full / empty), or -EINVAL
 * (corrupt kind).  The switch is on a read-mostly field and inlines to a
 * plain ring call:
 *   int lfk__queue_try_put(q, const void *src, uint32_t words)
 *   int lfk__queue_try_get(q, void *dst, uint32_t words)
 */
#define LFK__QUEUE_DEFINE_TRY(OP, BUF_T)                                       \
	static inline int lfk__queue_try_##OP(struct lfk_queue *q, BUF_T buf,  \
					      uint32_t words)                  \
	{                                                                      \
		size_t moved;                                                  \
		switch (q->hdr.kind) {                                         \
		case LFK_RING_SPSC:                                            \
			moved = lfk__ring_spsc_##OP(lfk__queue_ring(q), buf, 1, \
						    words);                    \
			break;                                                 \
		case LFK_RING_MPMC:                                            \
			moved = lfk__ring_mpmc_##OP(lfk__queue_ring(q), buf, 1, \
						    words);                    \
			break;                                                 \
		case LFK_RING_LFMPMC:                                          \
			moved = lfk__ring_lfmpmc_##OP(lfk__queue_ring(q), buf, \
						      1, words);               \
			break;                                                 \
		default:                                                       \
			return -EINVAL;                                        \
		}                                                              \
		return moved ? 0 : -EAGAIN;                                    \
	}

LFK__QUEUE_DEFINE_TRY(put, const void *)
LFK__QUEUE_DEFINE_TRY(get, void *)

/*
 * After a successful put: wake the consumers if any sleep.  Every sleeper
 * registered is woken (<lfkit/eventcount.h>), so a wake-up cannot be spent
 * on a consumer that finds nothing (an mpmc slot still being published by a
 * preempted producer) while another sleeps on: the producer of that slot
 * notifies again when it publishes.
 */
static inline void lfk__queue_after_put(struct lfk_queue *q)
{
	/* Fn of the eventcount's Dekker argument: our ring publish before
	 * the load of the consumers' waiter count. */
	lfk_atomic_fence(LFK_SEQ_CST);
	lfk_eventcount_notify_fenced(&q->not_empty);
}

/*
 * After a successful get (counted in gets_done): wake the producers if any
 * sleep, and the consumers too: after close, a consumer may sleep until the
 * last counted item is taken (gets_done reaching the put count), and this
 * get may be that one.  Consumers sleep on not_empty only when they found
 * nothing, so in the single-consumer case the second load finds no waiter.
 */
static inline void lfk__queue_after_get(struct lfk_queue *q)
{
	/* Fn of the Dekker argument: the ring release and the gets_done
	 * increment before the loads of both waiter counts; one fence serves
	 * both eventcounts. */
	lfk_atomic_fence(LFK_SEQ_CST);
	lfk_eventcount_notify_fenced(&q->not_full);
	lfk_eventcount_notify_fenced(&q->not_empty);
}

/* A put that registered in put_state and gives up: unregisters, wakes who
 * may care, and returns rc. */
int lfk__queue_put_abandon(struct lfk_queue *q, int rc);
int lfk__queue_put_slow(struct lfk_queue *q, const void *src, uint32_t words,
			uint64_t timeout_ns);
int lfk__queue_get_slow(struct lfk_queue *q, void *dst, uint32_t words,
			uint64_t timeout_ns);

static inline int lfk__queue_put(struct lfk_queue *q, const void *src,
				 uint32_t words, uint64_t timeout_ns)
{
	/* Relaxed: registering and reading the closed bit happen in one RMW
	 * on one word (coherence orders it against close); the item itself
	 * is ordered by the ring. */
	uint64_t old = lfk_atomic_fetch_add_u64(&q->put_state, 2, LFK_RELAXED);
	if (old & LFK__QUEUE_CLOSED)
		return lfk__queue_put_abandon(q, -EPIPE);
	if (lfk__queue_try_put(q, src, words) == 0) {
		lfk__queue_after_put(q);
		return 0;
	}
	return lfk__queue_put_slow(q, src, words, timeout_ns);
}

/* Counts a completed get. */
static inline void lfk__queue_count_get(struct lfk_queue *q)
{
	/* Relaxed: the fence in lfk__queue_after_get orders it before the
	 * waiter loads (a consumer waiting for the end after close must see
	 * it or be woken). */
	if (q->hdr.kind == LFK_RING_SPSC) /* one consumer: no RMW needed */
		lfk_atomic_store_u64(
			&q->gets_done,
			lfk_atomic_load_u64(&q->gets_done, LFK_RELAXED) + 1,
			LFK_RELAXED);
	else
		lfk_atomic_fetch_add_u64(&q->gets_done, 1, LFK_RELAXED);
}

static inline int lfk__queue_get(struct lfk_queue *q, void *dst,
				 uint32_t words, uint64_t timeout_ns)
{
	if (lfk__queue_try_get(q, dst, words) == 0) {
		lfk__queue_count_get(q);
		lfk__queue_after_get(q);
		return 0;
	}
	return lfk__queue_get_slow(q, dst, words, timeout_ns);
}

/*
 * Puts one u64 item.  Waits up to timeout_ns for room (0: no wait,
 * LFK_FOREVER: no limit).  Returns 0; -EAGAIN (full, timeout 0);
 * -ETIMEDOUT; -EPIPE (closed, item not delivered); -EINVAL (NULL, or the
 * queue's elem_size is not 8).  Progress: with timeout 0 the ring's (spsc
 * wait-free, mpmc blocking, lfmpmc lock-free); otherwise blocking.
 */
static inline int lfk_queue_put(struct lfk_queue *q, uint64_t item,
				uint64_t timeout_ns)
{
	if (q == NULL || q->hdr.elem_words != 1)
		return -EINVAL;
	return lfk__queue_put(q, &item, 1, timeout_ns);
}

/*
 * Takes the oldest item into *item.  Waits up to timeout_ns for one.
 * Returns 0; -EAGAIN (empty, timeout 0); -ETIMEDOUT; -EPIPE (closed and
 * drained); -EINVAL (NULL, or elem_size is not 8).  Progress as put.
 */
static inline int lfk_queue_get(struct lfk_queue *q, uint64_t *item,
				uint64_t timeout_ns)
{
	if (q == NULL || item == NULL || q->hdr.elem_words != 1)
		return -EINVAL;
	return lfk__queue_get(q, item, 1, timeout_ns);
}

/* put for records: copies elem_size bytes from rec.  Errors and progress as
 * lfk_queue_put (-EINVAL for NULL). */
static inline int lfk_queue_put_rec(struct lfk_queue *q, const void *rec,
				    uint64_t timeout_ns)
{
	if (q == NULL || rec == NULL)
		return -EINVAL;
	return lfk__queue_put(q, rec, q->hdr.elem_words, timeout_ns);
}

/* get for records: copies elem_size bytes into rec.  Errors and progress as
 * lfk_queue_get (-EINVAL for NULL). */
static inline int lfk_queue_get_rec(struct lfk_queue *q, void *rec,
				    uint64_t timeout_ns)
{
	if (q == NULL || rec == NULL)
		return -EINVAL;
	return lfk__queue_get(q, rec, q->hdr.elem_words, timeout_ns);
}

#endif
