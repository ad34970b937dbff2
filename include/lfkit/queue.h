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
 * two RMWs on the caller's process record (registering in flight, then
 * done; puts and gets on lines of their own), for a put one load of the
 * closed word, one seq_cst fence and one relaxed load that finds whether
 * anyone sleeps.  On a shared queue, a call into the library finds the
 * process's record (a thread-local cache).  A futex wake-up system call is
 * made only when some thread is actually sleeping (<lfkit/eventcount.h>).
 *
 * Close and in-flight operations.  A put that races with close either
 * returns -EPIPE or has its item delivered; a get returns -EPIPE only when
 * the queue is closed, no item is left, and no put is in flight.  A put is
 * in flight only while it tries the ring: it registers (one RMW on its
 * process's record, below), reads the closed bit, tries the ring, and then
 * either marks its item delivered or unregisters, in one RMW each.  A put
 * that sleeps for room is not in flight, and re-registers before each try.
 * Registering and reading the closed bit are seq_cst, as are close and a
 * consumer's reads of the records (a store-buffering pair): a put that
 * missed the closed bit is seen in flight by every consumer that saw it, so
 * a consumer that sees the closed bit, no put in flight, and then an empty
 * ring knows nothing can arrive any more.
 *
 * task_done/join: unfinished = puts delivered or in flight - task_done
 * calls.  join waits for it to reach 0; task_done returns -EINVAL when it
 * would go below 0 (a put in flight counts as put, as in Python the item is
 * counted before it can be got).  A successful join makes the work done
 * before each task_done visible to the joiner.  The counts wrap modulo
 * 2^44: join and task_done are exact while fewer than 2^43 items are
 * unfinished.
 *
 * Processes that die (LFK_QUEUE_SHARED).  Each process using a shared queue
 * owns one of LFK_QUEUE_PROCS records in it, claimed on its first call and
 * holding its counts: puts delivered and in flight, gets done and in
 * flight, task_done calls.  A process killed while it is in flight leaves
 * its record counting it; lfk_queue_recover() finds such records whose
 * owner is gone and takes their share back (see there for how a dead owner
 * is recognised and what is assumed).  get after close and join run it
 * themselves while they wait, so they return although a process died in
 * the middle of a put or get.  What the survivors see then:
 *   - a put killed before its item was published: as if never called;
 *   - a put killed after publishing but before marking it delivered: the
 *     item is got as usual, but it is counted as never put (join does not
 *     wait for it, and its task_done may return -EINVAL), as with the
 *     mutex twin;
 *   - a get killed inside the ring operation: counted as having taken its
 *     item (whether it had or not), and every item its process took and
 *     had not task_done'd counts as done, so join returns.  This assumes
 *     that a process calls task_done for the items it got; an item taken by
 *     a process that died is lost with it;
 *   - a put or get killed while it slept: nothing to recover.
 * A process killed inside the ring operation itself also leaves the ring
 * in the state <lfkit/ring.h> describes for that kind (an mpmc ring stalls
 * at its slot; the queue's get then ends with -EPIPE after close).
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

/* The calls defined in this header are static inline; lib/queue_symbols.c
 * defines LFK__QUEUE_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__QUEUE_API
#define LFK__QUEUE_API static inline
#endif

/* lfk_queue_init flag: the queue lives in memory shared between processes. */
#define LFK_QUEUE_SHARED 1u

#define LFK_QUEUE_MAGIC 0x4c464b51u /* "LFKQ" */

/* The closed word's bit. */
#define LFK__QUEUE_CLOSED 1u

/* Records of processes using a shared queue (a private queue uses one). */
#define LFK_QUEUE_PROCS 32

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
		uint32_t kind;       /* enum lfk_ring_kind */
		uint32_t elem_words; /* elem_size / 8 */
		uint32_t flags;      /* LFK_QUEUE_SHARED */
		uint64_t ring_off;   /* byte offset of the ring from the queue */
		uint64_t bytes;      /* total size */
	} hdr __attribute__((aligned(LFK_RING_ALIGN)));
	/* LFK__QUEUE_CLOSED once closed. */
	uint64_t closed __attribute__((aligned(LFK_RING_ALIGN)));
	/* Records ever claimed: procs[0 .. procs_used) (read-mostly). */
	uint64_t procs_used;
	/* task_done calls, all processes together. */
	uint64_t tasks_done __attribute__((aligned(LFK_RING_ALIGN)));
	/* Consumers sleep here for an item (or the end after close). */
	struct lfk_eventcount not_empty __attribute__((aligned(LFK_RING_ALIGN)));
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
 * (puts in flight count as put; see above); -EUSERS (as put).  Lock-free
 * (a CAS loop).
 */
int lfk_queue_task_done(struct lfk_queue *q);

/*
 * Waits until every item put has been task_done'd (and no put is in
 * flight).  On a shared queue it takes back the share of processes that
 * died while it waits (lfk_queue_recover).  Returns 0; -EAGAIN when
 * timeout_ns is 0 and items are unfinished; -ETIMEDOUT after timeout_ns;
 * -EINVAL for NULL.  Blocking.
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

/*
 * Takes back the share of every process that died while using the shared
 * queue q (see "Processes that die" above): a dead process's puts in flight
 * are dropped, its gets in flight count as done, the items it took and had
 * not task_done'd are counted task_done, its record is freed for another
 * process, and every waiter is woken to re-check.
 *
 * A record's owner is dead when kill(pid, 0) says ESRCH, when
 * /proc/<pid>/stat shows a zombie, or when the process with that pid
 * started at another time than the owner did when a survivor first looked
 * (the pid was reused since).  Why a
 * pid and its start time, not a robust futex or a pidfd: the robust futex
 * list reports the death of a thread, not of a process, and only for a
 * lock it holds; a pidfd cannot be stored in shared memory.  So every
 * process using the queue must be in the caller's pid namespace and see
 * /proc (without /proc only ESRCH counts, so a zombie or a reused pid
 * keeps its record).
 *
 * get (once the queue is closed) and join call it every LFK_QUEUE_POLL_NS
 * while they wait; call it yourself to free the records of processes that
 * died, or before a non-blocking join.  Returns the number of records taken
 * back (0 for a private queue), or -EINVAL for NULL.  Lock-free apart from
 * its system calls (kill, and reading /proc for each record whose owner is
 * still there and owes something).
 */
int lfk_queue_recover(struct lfk_queue *q);

/* How often (ns) get after close and join look for dead processes while
 * they wait on a shared queue whose records show operations in flight. */
#define LFK_QUEUE_POLL_NS 10000000ull

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
			moved = lfk__ring_spsc_##OP(                           \
				(struct lfk_ring_spsc *)lfk__queue_ring(q),    \
				buf, 1, words);                                \
			break;                                                 \
		case LFK_RING_MPMC:                                            \
			moved = lfk__ring_mpmc_##OP(                           \
				(struct lfk_ring_mpmc *)lfk__queue_ring(q),    \
				buf, 1, words);                                \
			break;                                                 \
		case LFK_RING_LFMPMC:                                          \
			moved = lfk__ring_lfmpmc_##OP(                         \
				(struct lfk_ring_lfmpmc *)lfk__queue_ring(q),  \
				buf, 1, words);                                \
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
	LFK_RING_HOOK(LFK_HOOK_QUEUE_PUT_REGISTERED);
	rc = lfk__queue_try_put(q, src, words);
	if (rc != 0) {
		lfk__queue_put_unregister(q, me);
		return rc;
	}
	LFK_RING_HOOK(LFK_HOOK_QUEUE_PUT_PUBLISHED);
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
	LFK_RING_HOOK(LFK_HOOK_QUEUE_GET_REGISTERED);
	rc = lfk__queue_try_get(q, dst, words);
	if (rc != 0) {
		lfk_atomic_fetch_sub_u64(&me->gets, 1, LFK_RELAXED);
		return rc;
	}
	LFK_RING_HOOK(LFK_HOOK_QUEUE_GET_TAKEN);
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

static inline int lfk__queue_get(struct lfk_queue *q, void *dst,
				 uint32_t words, uint64_t timeout_ns)
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

/*
 * Puts one u64 item.  Waits up to timeout_ns for room (0: no wait,
 * LFK_FOREVER: no limit).  Returns 0; -EAGAIN (full, timeout 0);
 * -ETIMEDOUT; -EPIPE (closed, item not delivered); -EINVAL (NULL, or the
 * queue's elem_size is not 8); -EUSERS (a shared queue already has
 * LFK_QUEUE_PROCS live processes using it).  Progress: with timeout 0 the ring's (spsc
 * wait-free, mpmc blocking, lfmpmc lock-free); otherwise blocking.
 */
LFK__QUEUE_API int lfk_queue_put(struct lfk_queue *q, uint64_t item,
				uint64_t timeout_ns)
{
	if (q == NULL || q->hdr.elem_words != 1)
		return -EINVAL;
	return lfk__queue_put(q, &item, 1, timeout_ns);
}

/*
 * Takes the oldest item into *item.  Waits up to timeout_ns for one.
 * Returns 0; -EAGAIN (empty, timeout 0); -ETIMEDOUT; -EPIPE (closed and
 * drained); -EINVAL (NULL, or elem_size is not 8); -EUSERS (as put).
 * Progress as put.
 */
LFK__QUEUE_API int lfk_queue_get(struct lfk_queue *q, uint64_t *item,
				uint64_t timeout_ns)
{
	if (q == NULL || item == NULL || q->hdr.elem_words != 1)
		return -EINVAL;
	return lfk__queue_get(q, item, 1, timeout_ns);
}

/* put for records: copies elem_size bytes from rec.  Errors and progress as
 * lfk_queue_put (-EINVAL for NULL). */
LFK__QUEUE_API int lfk_queue_put_rec(struct lfk_queue *q, const void *rec,
				    uint64_t timeout_ns)
{
	if (q == NULL || rec == NULL)
		return -EINVAL;
	return lfk__queue_put(q, rec, q->hdr.elem_words, timeout_ns);
}

/* get for records: copies elem_size bytes into rec.  Errors and progress as
 * lfk_queue_get (-EINVAL for NULL). */
LFK__QUEUE_API int lfk_queue_get_rec(struct lfk_queue *q, void *rec,
				    uint64_t timeout_ns)
{
	if (q == NULL || rec == NULL)
		return -EINVAL;
	return lfk__queue_get(q, rec, q->hdr.elem_words, timeout_ns);
}

#endif
