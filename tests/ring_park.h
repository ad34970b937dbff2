/* SPDX-License-Identifier: MIT */
/*
 * Parking a thread in the middle of a ring operation, for the progress
 * scenarios: the ring calls lfk_ring_test_hook() at the points where a
 * stopped thread matters (include/lfkit/impl/ring.h), and the hook
 * (ring_park.c) parks the calling thread there when that thread armed the
 * point, until the test releases it.  A file that parks threads defines
 * LFK_RING_TEST_HOOKS before it includes anything, so that the ring's
 * inline calls it makes reach the hook.
 */
#ifndef LFK_TESTS_RING_PARK_H
#define LFK_TESTS_RING_PARK_H

#ifndef LFK_RING_TEST_HOOKS
#error "define LFK_RING_TEST_HOOKS before the first include"
#endif

#include <lfkit/ring.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* The point this thread parks at (-1: none); a thread that parks more than
 * once lists its later points in park_then (ending with -1), and leaves
 * each when `park_released` reaches its gate (1, then 2, ...; a thread
 * may start from a later gate). */
extern _Thread_local int park_point;
extern _Thread_local const int *park_then;
extern _Thread_local uint64_t park_gate;
/* How many threads have parked; how far the test has released them. */
extern uint64_t park_parked;
extern uint64_t park_released;

/* Zeroes both counters: no thread parked, none released. */
void park_reset(void);
/* Lets the threads parked at gates up to g go on. */
void park_release(uint64_t g);
/* Waits until n threads have parked in all; false after the deadline. */
bool park_wait(uint64_t n, uint64_t deadline_ns);

/* A thread that runs one mpmc or lfmpmc operation, parked at `point`. */
struct victim {
	enum lfk_ring_hook_point point;
	void *ring;
	bool producer;
	bool lock_free; /* lfmpmc (else mpmc) */
	uint64_t item;
	int rc;
	const uint64_t *burst; /* lfmpmc producers: a burst of n instead */
	size_t n, moved;
};

/* Starts the victim on ring r and waits until it is parked; false (and a
 * failed check) if it never parks. */
bool victim_park(struct victim *v, void *r, pthread_t *tid);
/* Lets the parked victim finish its operation, and joins it. */
void victim_release(pthread_t tid);

#endif
