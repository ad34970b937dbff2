/* SPDX-License-Identifier: MIT */
/* The futex mutex, semaphore and event's scenarios, listed once for
 * Criterion and the plain runner.  They live in one file per kind:
 * sync_bad_input.c, _diff.c, _timeouts.c, _stress.c, _procs.c and
 * _death.c, over sync_ops.h (and sync_region.h for processes). */
#ifndef LFK_TESTS_SYNC_SCENARIOS_H
#define LFK_TESTS_SYNC_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_SYNC_SCENARIOS(X)                                                  \
	X(bad_input)                                                           \
	X(differential_mutex)                                                  \
	X(differential_sem)                                                    \
	X(differential_event)                                                  \
	X(timeouts_honoured)                                                   \
	X(mutex_exclusion_8t)                                                  \
	X(mutex_exclusion_timedlock_8t)                                        \
	X(sem_bounded_holders_8t)                                              \
	X(event_wakes_all_8t)                                                  \
	X(process_mutex_counter)                                               \
	X(process_sem_pingpong)                                                \
	X(process_event_starts_workers)                                        \
	X(process_death_mutex_stays_locked)                                    \
	X(process_death_ref_mutex_recovers)

LFK_SYNC_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
