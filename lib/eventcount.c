/* SPDX-License-Identifier: MIT */
/* The eventcount's slow paths: the futex wait and wake.  The protocol and
 * its argument are in <lfkit/eventcount.h>. */
#include <lfkit/eventcount.h>

#include "futex.h"

int lfk_eventcount_init(struct lfk_eventcount *ec, unsigned flags)
{
	/* Misaligned, the 64-bit word's atomics may tear and its futex half
	 * fails FUTEX_WAIT: refused here rather than at the first wait. */
	if (ec == NULL ||
	    (uintptr_t)ec % _Alignof(struct lfk_eventcount) != 0 ||
	    (flags & ~LFK_EVENTCOUNT_SHARED) != 0)
		return -EINVAL;
	ec->word = 0;
	ec->flags = flags;
	ec->reserved = 0;
	/* Handed to other threads (or processes) by whatever publishes the
	 * memory: plain writes suffice. */
	return 0;
}

uint64_t lfk_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t lfk_deadline_ns(uint64_t timeout_ns)
{
	uint64_t now;
	if (timeout_ns == LFK_FOREVER)
		return LFK_FOREVER;
	now = lfk_monotonic_ns();
	return timeout_ns >= LFK_FOREVER - now ? LFK_FOREVER : now + timeout_ns;
}

int lfk_eventcount_wait(struct lfk_eventcount *ec, uint32_t key,
			uint64_t deadline_ns)
{
	struct timespec ts, *abs = NULL;
	bool shared = (ec->flags & LFK_EVENTCOUNT_SHARED) != 0;
	int rc = 0;
	if (deadline_ns != LFK_FOREVER) {
		ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
		ts.tv_nsec = (long)(deadline_ns % 1000000000u);
		abs = &ts;
	}
	/* Relaxed: only a fast exit; the kernel compares the word itself. */
	if (lfk__ec_epoch(lfk_atomic_load_u64(&ec->word, LFK_RELAXED)) == key) {
		rc = lfk__futex_wait(lfk__ec_futex(ec), key, abs, shared);
		/* Woken, changed (-EAGAIN), or a signal: the caller
		 * re-checks. */
		rc = rc == -ETIMEDOUT ? -ETIMEDOUT : 0;
	}
	/* Claimed (the epoch moved): nothing to undo; otherwise leave. */
	lfk_eventcount_cancel_wait(ec, key);
	return rc;
}

int lfk_eventcount_wait_timeout(struct lfk_eventcount *ec, uint32_t key,
				uint64_t timeout_ns)
{
	int rc;
	if (timeout_ns != 0)
		return lfk_eventcount_wait(ec, key,
					   lfk_deadline_ns(timeout_ns));
	/* Never blocks.  Relaxed: a look, as the fast exit of wait; the
	 * epoch moved past the key means a notify already claimed us. */
	rc = lfk__ec_epoch(lfk_atomic_load_u64(&ec->word, LFK_RELAXED)) == key
		     ? -EAGAIN
		     : 0;
	lfk_eventcount_cancel_wait(ec, key);
	return rc;
}

void lfk__eventcount_wake(struct lfk_eventcount *ec, uint64_t w)
{
	/* Claim everyone registered in w: the next epoch, no waiters.  Relaxed
	 * (see the argument in the header: the fences carry the order). */
	do {
		if (lfk__ec_waiters(w) == 0)
			return; /* another notifier claimed them */
	} while (!lfk_atomic_cas_weak_u64(
		&ec->word, &w, (uint64_t)(lfk__ec_epoch(w) + 1u) << 32,
		LFK_RELAXED));
	lfk__futex_wake(lfk__ec_futex(ec), INT32_MAX,
			(ec->flags & LFK_EVENTCOUNT_SHARED) != 0);
}
