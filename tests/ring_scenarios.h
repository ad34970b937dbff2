/* SPDX-License-Identifier: MIT */
/* The rings' scenarios, listed once for Criterion and the plain runner. */
#ifndef LFK_TESTS_RING_SCENARIOS_H
#define LFK_TESTS_RING_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_RING_SCENARIOS(X)                                                  \
	X(bad_input)                                                           \
	X(capacity_exact)                                                      \
	X(lfmpmc_capacity_racing_producers)                                    \
	X(differential_spsc)                                                   \
	X(differential_mpmc)                                                   \
	X(differential_lfmpmc)                                                 \
	X(differential_records)                                                \
	X(wraparound_2e32)                                                     \
	X(wraparound_2e64)                                                     \
	X(never_spurious_1x1)                                                  \
	X(stress_spsc_1x1)                                                     \
	X(stress_mpmc_1x1)                                                     \
	X(stress_mpmc_2x2)                                                     \
	X(stress_mpmc_4x4)                                                     \
	X(stress_mpmc_8x8)                                                     \
	X(stress_lfmpmc_1x1)                                                   \
	X(stress_lfmpmc_2x2)                                                   \
	X(stress_lfmpmc_4x4)                                                   \
	X(stress_lfmpmc_8x8)                                                   \
	X(stress_lfmpmc_8x8_capacity1)                                         \
	X(stress_ref_8x8)                                                      \
	X(stress_records_4x4)                                                  \
	X(progress_lfmpmc_producer_parked)                                     \
	X(progress_lfmpmc_consumer_parked)                                     \
	X(lfmpmc_crowd_parked)                                                 \
	X(progress_mpmc_producer_parked)                                       \
	X(progress_mpmc_consumer_parked)                                       \
	X(mpmc_stale_tail_not_full)                                            \
	X(mpmc_damaged_slot_returns)                                           \
	X(lfmpmc_damaged_entry_returns)                                        \
	X(lfmpmc_burst_parked_midway)                                          \
	X(lfmpmc_room_stale_head_not_full)                                     \
	X(any_differential)                                                    \
	X(any_matches_typed)                                                   \
	X(any_bad_input)

LFK_RING_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
