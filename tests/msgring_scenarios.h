/* SPDX-License-Identifier: MIT */
/* The message ring's scenarios (lfk_msgring and its mutex twin
 * lfk_ref_msgring), listed once for Criterion and the plain runner (see
 * tests/harness/lfk_test.h). */
#ifndef LFK_TESTS_MSGRING_SCENARIOS_H
#define LFK_TESTS_MSGRING_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_MSGRING_SCENARIOS(X)                                               \
	X(msg_sizes)                                                           \
	X(msg_bad_input)                                                       \
	X(msg_roundtrip_every_length)                                          \
	X(msg_zero_copy_in_place)                                              \
	X(msg_wrap_pads_and_max_fits)                                          \
	X(msg_recv_cap_too_small)                                              \
	X(msg_burst)                                                           \
	X(msg_close_semantics)                                                 \
	X(msg_close_wakes_sleepers)                                            \
	X(msg_timeouts)                                                        \
	X(msg_differential_vs_twin_sp)                                         \
	X(msg_differential_vs_twin_mp)                                         \
	X(msg_stress_sp_1x1)                                                   \
	X(msg_stress_zero_copy_1x1)                                            \
	X(msg_stress_mp_4x1)                                                   \
	X(msg_stress_mp_8x1)                                                   \
	X(msg_stress_twin_4x1)                                                 \
	X(msg_close_race)                                                      \
	X(msg_shared_across_fork)                                              \
	X(msg_shm_attach_validates)                                            \
	X(msg_producer_killed_then_repaired)                                   \
	X(msg_live_producer_not_repaired)                                      \
	X(msg_producer_killed_at_random)

LFK_MSGRING_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
