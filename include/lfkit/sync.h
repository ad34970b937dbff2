/* SPDX-License-Identifier: MIT */
/*
 * lfkit/sync.h - futex-based mutex, counting semaphore and event: Python's
 * threading.Lock, threading.Semaphore and threading.Event, for threads of
 * one process or for processes sharing memory.
 *
 *   struct lfk_mutex  a lock: lock, trylock, timedlock, unlock
 *   struct lfk_sem    a counting semaphore: wait(timeout), trywait, post,
 *                     value
 *   struct lfk_event  a flag threads wait for: set, clear, is_set,
 *                     wait(timeout)
 *
 * Each object is a few 32-bit words and no pointers, so it may live in a
 * shared-memory region (see <lfkit/shm.h>, e.g. inside lfk_shm_bytes_create
 * memory) and be used by every process that maps it, at any address.  The
 * flags given to init choose the futex kind once for all users:
 *   0                 private futexes: the object is used within one process
 *                     (cheaper: the kernel keys the wait queue on the
 *                     process's own address space)
 *   LFK_SYNC_SHARED   shared futexes: the object lives in memory shared
 *                     between processes (shm_open + mmap, or MAP_SHARED)
 * Initialize an object once, before any other process or thread uses it
 * (e.g. the creator of the region, before it forks or publishes the region);
 * an object that was never initialized (all zero bytes) is refused with
 * -EINVAL rather than used.
 *
 * Timeouts are relative, in nanoseconds, measured on CLOCK_MONOTONIC (wall
 * clock changes do not shorten or lengthen them):
 *   0              do not block: try once; -EAGAIN if it would block (as
 *                  the try forms lfk_mutex_trylock, lfk_sem_trywait)
 *   LFK_FOREVER    block until it succeeds
 *   otherwise      -ETIMEDOUT after at least timeout_ns, never sooner
 * A signal handler interrupting a wait does not end it (EINTR is retried
 * against the original deadline).
 *
 * Errors are negative errno values: -EINVAL (NULL, unknown flags, an object
 * that was not initialized), -EAGAIN (would block: try forms, timeout 0),
 * -ETIMEDOUT,
 * -EPERM (unlocking a mutex that is not locked), -EOVERFLOW (semaphore at
 * LFK_SEM_VALUE_MAX), -EBUSY (destroying a locked mutex).
 *
 * Process death: these futex objects keep no owner, so they are not robust.
 * A process that dies holding an lfk_mutex leaves it locked for good: every
 * later lfk_mutex_lock blocks forever, lfk_mutex_timedlock returns
 * -ETIMEDOUT, lfk_mutex_trylock -EAGAIN.  Likewise a semaphore unit taken by
 * a process that dies is never posted back.  When a process may die holding
 * the lock and the others must carry on, use the robust twin
 * struct lfk_ref_mutex (<lfkit/ref/sync.h>) with LFK_SYNC_SHARED: the next
 * locker gets -EOWNERDEAD, holds the lock, and repairs the protected data.
 *
 * A process killed inside lfk_sem_post or lfk_event_set, after its update
 * and before its wake-up, leaves the unit or the flag in place but wakes
 * nobody.  So that shared waiters never sleep through that for good, a
 * waiter on an LFK_SYNC_SHARED semaphore or event sleeps at most
 * LFK_SYNC_POLL_NS at a time and then looks again: it sees such an update
 * at most that late (private objects die with their whole process and
 * sleep undivided).
 *
 * Memory ordering: a successful lock, wait or trywait is an acquire, unlock
 * and post are releases; an event wait that returns 0 (and is_set finding
 * the flag set) acquires what the setter did before set.  So data
 * protected by these objects may be plain memory.
 *
 * The design, after Ulrich Drepper, "Futexes Are Tricky" (2011):
 *   mutex  one word: 0 unlocked, 1 locked, 2 locked and maybe waiters.
 *          lock: CAS 0 -> 1; if that fails, exchange in 2 and sleep on the
 *          word while it is 2, exchanging 2 in again on each wake-up (a
 *          thread that may have sleepers behind it must leave 2 behind).
 *          unlock: exchange in 0; a futex wake only if the old value was 2.
 *          An uncontended lock/unlock pair is two atomic RMWs, no syscall.
 *   sem    value word (the futex) plus a count of sleepers; post adds one
 *          and wakes one sleeper only if the count says there are any.
 *   event  one word: bit 0 set, bit 1 somebody sleeps, the rest a
 *          generation that every set advances; wait returns 0 once the flag
 *          is set or the generation moved, so a set followed at once by a
 *          clear still releases every thread that was waiting (as Python's
 *          Event does).  set wakes all sleepers, only if bit 1 says so.
 */
#ifndef LFKIT_SYNC_H
#define LFKIT_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include <lfkit/config.h>

LFK_BEGIN_DECLS

/* Blocks without a deadline (the same definition as the blocking queue's). */
#ifndef LFK_FOREVER
#define LFK_FOREVER UINT64_MAX
#endif

/* init flag: the object is shared between processes (shared futexes). */
#define LFK_SYNC_SHARED 1u

/* The longest single sleep of a waiter on a shared semaphore or event (see
 * "Process death" above), in nanoseconds: 100 ms, ten extra wake-ups a
 * second per sleeper, paid only by shared objects. */
#define LFK_SYNC_POLL_NS 100000000ull

/* The largest value a semaphore holds (as POSIX's SEM_VALUE_MAX). */
#define LFK_SEM_VALUE_MAX 0x7fffffffu

/* Fields are internal; the layout is fixed (plain 32-bit words) so that
 * processes built from the same lfkit agree on it. */
struct lfk_mutex {
	uint32_t state; /* 0 unlocked, 1 locked, 2 locked and maybe waiters */
	uint32_t tag; /* set by init: kind and LFK_SYNC_SHARED */
};

struct lfk_sem {
	uint32_t value; /* units available; the futex word */
	uint32_t sleepers; /* threads inside a blocking wait */
	uint32_t tag;
	uint32_t pad;
};

struct lfk_event {
	uint32_t state; /* bit 0 set, bit 1 sleepers, bits 2.. generation */
	uint32_t tag;
};

/* ---- mutex ------------------------------------------------------------ */

/* Initializes m unlocked.  flags: 0 or LFK_SYNC_SHARED.  0 or -EINVAL
 * (NULL, m not aligned to _Alignof(struct lfk_mutex), unknown flags).
 * Not thread-safe (nothing may use m during init).  Wait-free. */
int lfk_mutex_init(struct lfk_mutex *m, unsigned flags);

/* Marks m uninitialized: 0, -EINVAL, or -EBUSY if it is locked (m is then
 * left as it was).  Wait-free. */
int lfk_mutex_destroy(struct lfk_mutex *m);

/* Takes the lock, sleeping as long as it takes.  0 or -EINVAL.
 * Blocking.  Not recursive: locking a mutex the caller holds deadlocks. */
int lfk_mutex_lock(struct lfk_mutex *m);

/* Takes the lock if it is free: 0, -EAGAIN (held), -EINVAL.  Wait-free
 * (one compare-and-swap; an LL/SC loop on aarch64 armv8.0, lock-free). */
int lfk_mutex_trylock(struct lfk_mutex *m);

/* lfk_mutex_lock with a timeout (see above): 0, -EAGAIN (timeout 0 and
 * the lock is held), -ETIMEDOUT, -EINVAL.
 * Blocking, for at most about timeout_ns. */
int lfk_mutex_timedlock(struct lfk_mutex *m, uint64_t timeout_ns);

/* Releases the lock and wakes one sleeper if there may be any.
 * 0, -EINVAL, -EPERM if m was not locked (m stays unlocked).  Ownership is
 * not recorded: a thread or process may unlock what another locked (as a
 * binary semaphore), although the pthread twin forbids it.  Wait-free in
 * user space (one exchange), plus one FUTEX_WAKE system call when there
 * were waiters; it never waits for another thread. */
int lfk_mutex_unlock(struct lfk_mutex *m);

/* ---- semaphore -------------------------------------------------------- */

/* Initializes s with `value` units (at most LFK_SEM_VALUE_MAX).  flags: 0
 * or LFK_SYNC_SHARED.  0 or -EINVAL (NULL, s not aligned to
 * _Alignof(struct lfk_sem), value too large, unknown flags).  Not thread-safe.
 * Wait-free. */
int lfk_sem_init(struct lfk_sem *s, unsigned flags, uint32_t value);

/* Marks s uninitialized: 0 or -EINVAL.  No thread may be waiting.
 * Wait-free. */
int lfk_sem_destroy(struct lfk_sem *s);

/* Takes one unit, sleeping while there is none, for at most timeout_ns:
 * 0, -EAGAIN (timeout 0: none available now), -ETIMEDOUT, -EINVAL.
 * Blocking. */
int lfk_sem_wait(struct lfk_sem *s, uint64_t timeout_ns);

/* Takes one unit if there is one: 0, -EAGAIN, -EINVAL.  Lock-free (a CAS
 * loop that retries only when another thread changed the value). */
int lfk_sem_trywait(struct lfk_sem *s);

/* Adds one unit and wakes one sleeper if there are any.  0, -EINVAL,
 * -EOVERFLOW (already LFK_SEM_VALUE_MAX; nothing changes).  Lock-free in
 * user space (CAS loop), plus one FUTEX_WAKE system call when a thread
 * sleeps; it never waits for another thread. */
int lfk_sem_post(struct lfk_sem *s);

/* Stores the units available now (a snapshot) in *value: 0, or -EINVAL
 * (s or value NULL, s not initialized).  Wait-free. */
int lfk_sem_value(const struct lfk_sem *s, uint32_t *value);

/* ---- event ------------------------------------------------------------ */

/* Initializes e cleared.  flags: 0 or LFK_SYNC_SHARED.  0 or -EINVAL
 * (NULL, e not aligned to _Alignof(struct lfk_event), unknown flags).
 * Not thread-safe.  Wait-free. */
int lfk_event_init(struct lfk_event *e, unsigned flags);

/* Marks e uninitialized: 0 or -EINVAL.  No thread may be waiting.
 * Wait-free. */
int lfk_event_destroy(struct lfk_event *e);

/* Sets the flag and wakes every thread waiting (threading.Event.set).
 * 0 or -EINVAL.  Setting a set event changes nothing.  Lock-free in user
 * space (CAS loop), plus one FUTEX_WAKE system call when a thread sleeps. */
int lfk_event_set(struct lfk_event *e);

/* Clears the flag (threading.Event.clear): 0 or -EINVAL.  Lock-free (one
 * atomic AND; a CAS or LL/SC loop on some ISAs). */
int lfk_event_clear(struct lfk_event *e);

/* Stores whether the flag is set in *set (threading.Event.is_set): 0, or
 * -EINVAL (e or set NULL, e not initialized).  Wait-free (one load). */
int lfk_event_is_set(const struct lfk_event *e, bool *set);

/* Returns 0 once the flag is set (at once if it is), -EAGAIN (timeout 0:
 * the flag is clear now), -ETIMEDOUT after timeout_ns, -EINVAL.  A set that is
 * cleared again before a waiter runs still releases it with 0, as long as
 * the waiter was already waiting (generations wrap after 2^30 sets during
 * one wait: do not count on that many).  Blocking. */
int lfk_event_wait(struct lfk_event *e, uint64_t timeout_ns);

LFK_END_DECLS

#endif
