/* SPDX-License-Identifier: MIT */
/*
 * lib/futex.h - the two futex calls lfkit's blocking paths use (internal,
 * not installed).  Linux only.
 *
 * Waits use FUTEX_WAIT_BITSET with FUTEX_BITSET_MATCH_ANY because, unlike
 * FUTEX_WAIT, it takes an absolute deadline, on CLOCK_MONOTONIC (no
 * FUTEX_CLOCK_REALTIME): a loop that wakes up early and waits again keeps
 * its original deadline instead of restarting a relative timeout.
 * FUTEX_PRIVATE_FLAG is set unless the word lives in memory shared between
 * processes.
 */
#ifndef LFKIT_LIB_FUTEX_H
#define LFKIT_LIB_FUTEX_H

#include <errno.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * Sleeps while *word == expected, until woken or until *abs_mono (NULL: no
 * deadline).  Returns 0 when woken, -EAGAIN when *word != expected, -EINTR,
 * or -ETIMEDOUT.
 */
static inline int lfk__futex_wait(uint32_t *word, uint32_t expected,
				  const struct timespec *abs_mono, bool shared)
{
	int op = FUTEX_WAIT_BITSET | (shared ? 0 : FUTEX_PRIVATE_FLAG);
	long rc = syscall(SYS_futex, word, op, expected, abs_mono, NULL,
			  FUTEX_BITSET_MATCH_ANY);
	return rc == 0 ? 0 : -errno;
}

/* Wakes up to n threads sleeping on word; returns how many woke. */
static inline int lfk__futex_wake(uint32_t *word, int n, bool shared)
{
	int op = FUTEX_WAKE | (shared ? 0 : FUTEX_PRIVATE_FLAG);
	long rc = syscall(SYS_futex, word, op, n, NULL, NULL, 0);
	return rc < 0 ? -errno : (int)rc;
}

#endif
