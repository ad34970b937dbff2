/* SPDX-License-Identifier: MIT */
/* The blocking queue's scenarios (lfk_queue on every ring kind, and its
 * mutex twin lfk_ref_queue, through tests/harness/queue_ops.h), listed once
 * for Criterion and the plain runner (see tests/harness/lfk_test.h). */
#ifndef LFK_TESTS_QUEUE_SCENARIOS_H
#define LFK_TESTS_QUEUE_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_QUEUE_SCENARIOS(X)                                                 \
	X(eventcount_basics)                                                   \
	X(eventcount_wakes_sleeper)                                            \
	X(bad_input)                                                           \
	X(timeout_get_empty)                                                   \
	X(timeout_put_full)                                                    \
	X(close_semantics)                                                     \
	X(close_wakes_getters)                                                 \
	X(close_wakes_putters)                                                 \
	X(task_done_join)                                                      \
	X(join_waits_for_consumers)                                            \
	X(differential_vs_twin)                                                \
	X(shared_across_fork)                                                  \
	X(close_race_inflight)                                                 \
	X(no_lost_wakeup_spsc_1x1)                                             \
	X(no_lost_wakeup_mpmc_2x2)                                             \
	X(no_lost_wakeup_mpmc_4x4)                                             \
	X(no_lost_wakeup_mpmc_8x8)                                             \
	X(no_lost_wakeup_lfmpmc_2x2)                                           \
	X(no_lost_wakeup_lfmpmc_4x4)                                           \
	X(no_lost_wakeup_lfmpmc_8x8)                                           \
	X(no_lost_wakeup_ref_8x8)                                              \
	X(baton_mpmc_8x8_cap4)                                                 \
	X(baton_lfmpmc_8x8_cap4)                                               \
	X(records_mpmc_4x4)                                                    \
	X(records_lfmpmc_4x4)                                                  \
	X(records_spsc_1x1)

LFK_QUEUE_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
