/* SPDX-License-Identifier: MIT */
/*
 * lib/ref/cond.h - the blocking twin's condition variable: one futex
 * sequence word beside the ring's robust mutex (internal, not installed).
 *
 * Why not pthread_cond_t: glibc's condition variable keeps its waiters'
 * bookkeeping inside the shared object, and a process killed while asleep
 * in it leaves that bookkeeping behind; glibc 2.36 then makes every later
 * pthread_cond_signal wait for the dead sleeper, for good.  Here a sleeper
 * holds nothing while it sleeps: the kernel drops a dead process from the
 * futex's wait queue, so a death costs at most one needless wake call.
 *
 * The protocol is the classic futex condition variable (Drepper, "Futexes
 * Are Tricky", 2011): every access to seq and sleepers is made under the
 * ring's mutex; a waiter reads seq, unlocks, and sleeps only while seq
 * still holds that value, so a signal sent between its unlock and its
 * sleep changes seq and the kernel refuses the sleep.
 */
#ifndef LFKIT_LIB_REF_COND_H
#define LFKIT_LIB_REF_COND_H

#include <lfkit/atomic.h>
#include <lfkit/ref/ring.h>
#include <stdbool.h>
#include <stdint.h>

#include "../deadline.h"
#include "../futex.h"

static inline bool lfk__ref_cond_shared(const struct lfk_ref_ring *r)
{
	return (r->flags & LFK_REF_SHARED) != 0;
}

/*
 * With r's lock held: sleeps on c until woken, or until `deadline`
 * (CLOCK_MONOTONIC ns, LFK_FOREVER for none), and returns with the lock
 * held again.  Returns false, without sleeping, once the deadline has
 * passed.  A wake-up may be spurious: callers re-check their condition.
 */
static inline bool lfk__ref_cond_wait(struct lfk__ref_cond *c,
				      struct lfk_ref_ring *r, uint64_t deadline)
{
	struct timespec ts, *abs = NULL;
	/* Relaxed: seq only changes under the lock we hold; the kernel's
	 * compare in the futex call is what orders a later change. */
	uint32_t seen = lfk_atomic_load_u32(&c->seq, LFK_RELAXED);
	if (deadline != LFK_FOREVER) {
		if (lfk_monotonic_ns() >= deadline)
			return false;
		ts.tv_sec = (time_t)(deadline / 1000000000u);
		ts.tv_nsec = (long)(deadline % 1000000000u);
		abs = &ts;
	}
	c->sleepers++;
	lfk__ref_ring_unlock(r);
	lfk__futex_wait(&c->seq, seen, abs, lfk__ref_cond_shared(r));
	lfk__ref_ring_lock(r);
	c->sleepers--;
	return true;
}

/* With r's lock held: wakes up to n sleepers of c (INT32_MAX: all).  No
 * system call when nobody sleeps. */
static inline void lfk__ref_cond_wake(struct lfk__ref_cond *c,
				      struct lfk_ref_ring *r, int n)
{
	if (c->sleepers == 0)
		return;
	/* Relaxed: under the lock, as every access to seq; a sleeper's
	 * kernel compare sees the new value or is already queued. */
	lfk_atomic_store_u32(&c->seq,
			     lfk_atomic_load_u32(&c->seq, LFK_RELAXED) + 1,
			     LFK_RELAXED);
	lfk__futex_wake(&c->seq, n, lfk__ref_cond_shared(r));
}

#endif
