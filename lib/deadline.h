/* SPDX-License-Identifier: MIT */
/*
 * lib/deadline.h - relative timeouts of the blocking calls turned into
 * absolute CLOCK_MONOTONIC deadlines (internal, not installed).  Shared by
 * the futex objects and their pthread twins, so both read a timeout alike.
 */
#ifndef LFKIT_LIB_DEADLINE_H
#define LFKIT_LIB_DEADLINE_H

#include <stdint.h>
#include <time.h>

/* The timeout that means "no deadline" (<lfkit/sync.h> defines it too). */
#ifndef LFK_FOREVER
#define LFK_FOREVER UINT64_MAX
#endif

/*
 * Fills *ts with now + timeout_ns on clock `clk` and returns ts, or returns
 * NULL for LFK_FOREVER and for timeouts beyond any reachable time (more
 * than 2^40 seconds).
 */
static inline const struct timespec *lfk__deadline_on(clockid_t clk,
						      uint64_t timeout_ns,
						      struct timespec *ts)
{
	uint64_t sec = timeout_ns / 1000000000u, nsec;
	if (timeout_ns == LFK_FOREVER || sec > (1ull << 40))
		return NULL;
	clock_gettime(clk, ts);
	nsec = (uint64_t)ts->tv_nsec + timeout_ns % 1000000000u;
	if (nsec >= 1000000000u) {
		sec++;
		nsec -= 1000000000u;
	}
	ts->tv_sec += (time_t)sec;
	ts->tv_nsec = (long)nsec;
	return ts;
}

/* The same on CLOCK_MONOTONIC, the clock of every lfkit timeout. */
static inline const struct timespec *lfk__deadline(uint64_t timeout_ns,
						   struct timespec *ts)
{
	return lfk__deadline_on(CLOCK_MONOTONIC, timeout_ns, ts);
}

#endif
