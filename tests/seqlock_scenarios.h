/* SPDX-License-Identifier: MIT */
/* The seqlock module's scenarios (lfk_seqlock, lfk_seqarray, lfk_latch and
 * their twins), listed once for Criterion and the plain runner (see
 * tests/harness/lfk_test.h).  They live in one file per kind:
 * seqlock_protocol.c, _progress.c, _bad_input.c (and _bad_seqarray.c),
 * _diff.c, _torn.c (over _torn_run.c) and _stress.c. */
#ifndef LFK_TESTS_SEQLOCK_SCENARIOS_H
#define LFK_TESTS_SEQLOCK_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_SEQLOCK_SCENARIOS(X)                                               \
	X(seqlock_protocol)                                                    \
	X(latch_reader_never_waits)                                            \
	X(bad_input)                                                           \
	X(differential_seqlock)                                                \
	X(differential_seqarray)                                               \
	X(differential_latch)                                                  \
	X(torn_seqlock_w1)                                                     \
	X(torn_seqlock_w2)                                                     \
	X(torn_seqarray_w1)                                                    \
	X(torn_seqarray_w2)                                                    \
	X(torn_latch_w1)                                                       \
	X(torn_latch_w2)                                                       \
	X(torn_twins)                                                          \
	X(snapshot_sum_w1)                                                     \
	X(snapshot_sum_w2)                                                     \
	X(update_counts_8)                                                     \
	X(snapshot_iriw)                                                       \
	X(read_timed_timeouts)

LFK_SEQLOCK_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
