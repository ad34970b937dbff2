/* SPDX-License-Identifier: MIT */
/* Scenarios of the per-thread family (lfk_tlocal, lfk_counter, lfk_tcache
 * and their twins), listed once for Criterion and the plain runner (see
 * tests/harness/lfk_test.h). */
#ifndef LFK_TESTS_TLOCAL_SCENARIOS_H
#define LFK_TESTS_TLOCAL_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_TLOCAL_SCENARIOS(X)                                                \
	X(bad_input)                                                           \
	X(tlocal_basic)                                                        \
	X(tlocal_many_objects)                                                 \
	X(tlocal_threads_8)                                                    \
	X(tlocal_exit_vs_destroy)                                              \
	X(tlocal_differential)                                                 \
	X(counter_basic)                                                       \
	X(counter_last_used)                                                   \
	X(counter_differential)                                                \
	X(counter_threads_2)                                                   \
	X(counter_threads_8)                                                   \
	X(counter_read_vs_exit)                                                \
	X(tcache_basic)                                                        \
	X(tcache_max_objects)                                                  \
	X(tcache_differential)                                                 \
	X(tcache_unique_same_1)                                                \
	X(tcache_unique_same_2)                                                \
	X(tcache_unique_same_8)                                                \
	X(tcache_unique_xthread_1_1)                                           \
	X(tcache_unique_xthread_2_2)                                           \
	X(tcache_unique_xthread_4_4)                                           \
	X(tcache_exit_returns_magazines)                                       \
	X(thread_churn)

LFK_TLOCAL_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
