/* SPDX-License-Identifier: MIT */
/*
 * lfkit/eventcount.h - an eventcount on a futex: lets a thread sleep until a
 * condition it polls without a lock may have become true, while the thread
 * that makes it true pays only a fence and a load when nobody sleeps.
 *
 * The technique is folly's EventCount (and Vyukov's eventcount), with the
 * futex rules of Drepper, "Futexes Are Tricky".  One 64-bit word holds a
 * 32-bit epoch (the futex word: its high half) and a 32-bit count of
 * registered waiters (its low half).  A waiter:
 *
 *     for (;;) {
 *             if (try_op() == 0) break;            // fast path, no eventcount
 *             uint32_t key = lfk_eventcount_prepare_wait(&ec);
 *             if (try_op() == 0) {
 *                     lfk_eventcount_cancel_wait(&ec, key);
 *                     break;
 *             }
 *             lfk_eventcount_wait(&ec, key, deadline);
 *     }
 *
 * A notifier, after it made the condition true (a store or RMW of its own):
 *
 *     lfk_eventcount_notify(&ec);   // seq_cst fence, a relaxed load, and a
 *                                   // futex wake only if someone registered
 *
 * A notify that finds waiters CLAIMS them all in one CAS: epoch + 1, count
 * 0, then FUTEX_WAKE for everyone.  Later notifies find the count at 0 and
 * make no system call until a waiter registers again: a notifier does not
 * pay a syscall per operation while the sleepers it woke are still getting
 * up.  Every registered waiter is woken, so no wake-up is spent on a thread
 * that cannot use it while another sleeps on.  A waiter that leaves without
 * being claimed (cancel, timeout, signal) takes itself out of the count, by
 * CAS and only while the epoch is still its key: once the epoch moved, a
 * notifier has already removed it.
 *
 * Why no wake-up is lost (the Dekker argument).  The waiter registers (RMW
 * on the word, which also reads the epoch: its key) and then issues a
 * seq_cst fence Fw before it re-checks the condition; the notifier makes
 * the condition true and then issues a seq_cst fence Fn before it loads the
 * word.  The two fences are totally ordered (C11 7.17.3: one total order S
 * over seq_cst operations, fences included; and its rule for two fences: if
 * A is sequenced before fence X, fence Y is sequenced before B, and X
 * precedes Y in S, then B observes A or a later modification):
 *   - Fn before Fw: the waiter's re-check comes after Fw, so it sees the
 *     notifier's write: it does not sleep.
 *   - Fw before Fn: the notifier's load comes after Fn, so it sees the
 *     registration, or a later value in which a notifier already claimed
 *     the waiter (the epoch moved past its key).  Either way the epoch
 *     moves past the key and FUTEX_WAKE follows.  FUTEX_WAIT compares the
 *     futex word with the key atomically with queueing the waiter in the
 *     kernel, so the waiter either finds the word changed (returns at once)
 *     or is queued before the wake and is woken.
 * Both fences are needed: without Fw the registration could be reordered
 * after the re-check (store->load, which even x86 reorders), without Fn the
 * condition write after the load of the word; either way both sides miss.
 * Every access to the word can be relaxed: the argument uses only the
 * fences and the modification order of the word (an epoch bump that
 * precedes a registration in that order was made by a notifier whose load
 * came before the registration, so Fn preceded Fw: the first case).
 *
 * The epoch is 32 bits: a waiter that stays between prepare_wait and its
 * futex call while exactly 2^32 notifies claim waiters would miss its wake;
 * a deadline bounds even that.
 *
 * ThreadSanitizer does not model the fences, but every access here is
 * atomic, so it cannot report a race on them; the data a user passes through
 * is ordered by the user's own acquire/release (the ring's), not by these.
 *
 * The structure is 16 bytes, holds no pointers, and works in memory shared
 * between processes when initialized with LFK_EVENTCOUNT_SHARED (non-private
 * futexes); otherwise FUTEX_PRIVATE_FLAG is used (faster, one process only).
 * Place it on a cache line of its own when it sits beside hot data.
 */
#ifndef LFKIT_EVENTCOUNT_H
#define LFKIT_EVENTCOUNT_H

#include <errno.h>
#include <stdint.h>

#include <lfkit/atomic.h>

/* The calls defined in this header are static inline; lib/eventcount_symbols.c
 * defines LFK__EVENTCOUNT_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__EVENTCOUNT_API
#define LFK__EVENTCOUNT_API static inline
#endif

LFK_BEGIN_DECLS

/* "Wait forever": a timeout or deadline that never expires. */
#define LFK_FOREVER UINT64_MAX

/* lfk_eventcount_init flag: the eventcount lives in memory shared between
 * processes (the futex calls then omit FUTEX_PRIVATE_FLAG). */
#define LFK_EVENTCOUNT_SHARED 1u

struct lfk_eventcount {
	uint64_t word; /* epoch << 32 | waiters; the futex is the epoch half */
	uint32_t flags; /* LFK_EVENTCOUNT_SHARED */
	uint32_t reserved;
};

#include <lfkit/impl/eventcount.h>

/*
 * Initializes ec (no waiters).  flags: 0 or LFK_EVENTCOUNT_SHARED.
 * Errors: -EINVAL for NULL, ec not aligned to 8 bytes
 * (_Alignof(struct lfk_eventcount)), or unknown flags.  Wait-free.
 */
int lfk_eventcount_init(struct lfk_eventcount *ec, unsigned flags);

/*
 * Registers the caller as a waiter and returns the key for
 * lfk_eventcount_wait.  The caller then re-checks its condition and either
 * waits with the key or calls lfk_eventcount_cancel_wait: exactly one of
 * the two ends the registration.  Wait-free (one RMW and one fence).
 */
LFK__EVENTCOUNT_API uint32_t
lfk_eventcount_prepare_wait(struct lfk_eventcount *ec)
{
	/* Relaxed: registers and reads the key in one RMW; the fence below
	 * orders it before the re-check (see the argument above). */
	uint64_t old = lfk_atomic_fetch_add_u64(&ec->word, 1, LFK_RELAXED);
	/* Fw of the Dekker argument: the registration before the caller's
	 * re-check of its condition. */
	lfk_atomic_fence(LFK_SEQ_CST);
	return lfk__ec_epoch(old);
}

/*
 * Ends a registration without waiting (or after a wait that was not
 * claimed).  Lock-free: a CAS loop that stops as soon as a notifier has
 * claimed the caller.
 */
LFK__EVENTCOUNT_API void lfk_eventcount_cancel_wait(struct lfk_eventcount *ec,
						    uint32_t key)
{
	/* Relaxed: leaving only makes notifiers skip a wake-up we no longer
	 * need; it orders nothing. */
	uint64_t w = lfk_atomic_load_u64(&ec->word, LFK_RELAXED);
	while (lfk__ec_epoch(w) == key)
		/* Relaxed, as above. */
		if (lfk_atomic_cas_weak_u64(&ec->word, &w, w - 1, LFK_RELAXED))
			return;
}

/*
 * Sleeps until a notify after the key was taken, or until deadline_ns (an
 * absolute CLOCK_MONOTONIC time in nanoseconds, LFK_FOREVER for none), and
 * ends the registration.  May return early (a signal, a spurious wake-up, a
 * notify meant for another condition): callers re-check their condition.
 * Returns 0, or -ETIMEDOUT when the deadline passed.  Blocking.
 */
int lfk_eventcount_wait(struct lfk_eventcount *ec, uint32_t key,
			uint64_t deadline_ns);

/* The same with a timeout relative to now (LFK_FOREVER: none).  Timeout 0
 * never blocks: it ends the registration and returns 0 if a notify already
 * claimed the caller, else -EAGAIN.  Blocking (wait-free for timeout 0). */
int lfk_eventcount_wait_timeout(struct lfk_eventcount *ec, uint32_t key,
				uint64_t timeout_ns);

/* The number of registered waiters (a snapshot, for tests and tuning).
 * Cannot fail (ec must be valid).  Wait-free. */
LFK__EVENTCOUNT_API uint32_t
lfk_eventcount_waiters(const struct lfk_eventcount *ec)
{
	/* Relaxed: a snapshot. */
	return lfk__ec_waiters(lfk_atomic_load_u64(&ec->word, LFK_RELAXED));
}

/*
 * notify without its fence, for a caller that has just issued
 * lfk_atomic_fence(LFK_SEQ_CST) after its condition write itself (one fence
 * can serve several eventcounts).  Cannot fail.  Wait-free without a system
 * call when nobody is registered; otherwise as lfk_eventcount_notify.
 */
LFK__EVENTCOUNT_API void lfk_eventcount_notify_fenced(struct lfk_eventcount *ec)
{
	/* Relaxed: the caller's fence (Fn) orders it after the condition
	 * write. */
	uint64_t w = lfk_atomic_load_u64(&ec->word, LFK_RELAXED);
	if (lfk__ec_waiters(w) != 0)
		lfk__eventcount_wake(ec, w);
}

/*
 * Wakes every waiter registered before the call.  Call it after making the
 * condition true.  Wait-free and without a system call when nobody is
 * registered; otherwise one CAS (lock-free) and one FUTEX_WAKE.
 * There is no wake-one form: waking one would leave the others registered,
 * and every later notify would pay a system call for them.
 */
LFK__EVENTCOUNT_API void lfk_eventcount_notify(struct lfk_eventcount *ec)
{
	/* Fn of the Dekker argument: the caller's condition write before our
	 * load of the word. */
	lfk_atomic_fence(LFK_SEQ_CST);
	lfk_eventcount_notify_fenced(ec);
}

/* The same as lfk_eventcount_notify (which already wakes every waiter);
 * the name says so at call sites where that is the point.  Progress as
 * lfk_eventcount_notify. */
LFK__EVENTCOUNT_API void lfk_eventcount_notify_all(struct lfk_eventcount *ec)
{
	lfk_eventcount_notify(ec);
}

/* CLOCK_MONOTONIC now, in nanoseconds.  Cannot fail.  Wait-free (one
 * clock_gettime, a vDSO call). */
uint64_t lfk_monotonic_ns(void);

/* The absolute deadline of a timeout starting now: LFK_FOREVER stays
 * LFK_FOREVER, and a sum that would overflow saturates to it.  Cannot
 * fail.  Wait-free. */
uint64_t lfk_deadline_ns(uint64_t timeout_ns);

LFK_END_DECLS

#endif
