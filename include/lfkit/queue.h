/* SPDX-License-Identifier: MIT */
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
 *   q.task_done()                  lfk_queue_task_done(q)      -EINVAL
 *                                                              (ValueError)
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

LFK_BEGIN_DECLS

/* lfk_queue_init flag: the queue lives in memory shared between processes. */
#define LFK_QUEUE_SHARED 1u

/* Records of processes using a shared queue (a private queue uses one). */
#define LFK_QUEUE_PROCS 32

struct lfk_queue; /* <lfkit/impl/queue.h> */

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
int lfk_queue_create(enum lfk_ring_kind kind, size_t capacity, size_t elem_size,
		     struct lfk_queue **out);

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

/*
 * The put and get calls are static inline, so they inline into the caller;
 * liblfkit exports the same definitions as symbols too (lib/queue_symbols.c
 * defines LFK__QUEUE_API empty), for other languages.
 */
#ifndef LFK__QUEUE_API
#define LFK__QUEUE_API static inline
#endif

/*
 * Puts one u64 item.  Waits up to timeout_ns for room (0: no wait,
 * LFK_FOREVER: no limit).  Returns 0; -EAGAIN (full, timeout 0);
 * -ETIMEDOUT; -EPIPE (closed, item not delivered); -EINVAL (NULL, or the
 * queue's elem_size is not 8); -EUSERS (a shared queue already has
 * LFK_QUEUE_PROCS live processes using it).  Progress: with timeout 0 the
 * ring's (spsc wait-free, mpmc blocking, lfmpmc lock-free); otherwise
 * blocking.
 */
LFK__QUEUE_API int lfk_queue_put(struct lfk_queue *q, uint64_t item,
				 uint64_t timeout_ns);

/*
 * Takes the oldest item into *item.  Waits up to timeout_ns for one.
 * Returns 0; -EAGAIN (empty, timeout 0); -ETIMEDOUT; -EPIPE (closed and
 * drained); -EINVAL (NULL, or elem_size is not 8); -EUSERS (as put).
 * Progress as put.
 */
LFK__QUEUE_API int lfk_queue_get(struct lfk_queue *q, uint64_t *item,
				 uint64_t timeout_ns);

/* put for records: copies elem_size bytes from rec.  Errors and progress as
 * lfk_queue_put (-EINVAL for NULL). */
LFK__QUEUE_API int lfk_queue_put_rec(struct lfk_queue *q, const void *rec,
				     uint64_t timeout_ns);

/* get for records: copies elem_size bytes into rec.  Errors and progress as
 * lfk_queue_get (-EINVAL for NULL). */
LFK__QUEUE_API int lfk_queue_get_rec(struct lfk_queue *q, void *rec,
				     uint64_t timeout_ns);

#include <lfkit/impl/queue.h>

LFK_END_DECLS

#endif
