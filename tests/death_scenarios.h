/* Processes killed at every point of an operation on every object a shared
 * region holds (the table in docs/shm.md), listed once for Criterion and
 * the plain runner. */
#ifndef LFK_TESTS_DEATH_SCENARIOS_H
#define LFK_TESTS_DEATH_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_DEATH_SCENARIOS(X)                                                 \
	X(queue_producer_killed_while_blocked)                                 \
	X(queue_consumer_killed_while_blocked)                                 \
	X(queue_killed_at_each_step)                                           \
	X(queue_killed_at_random)                                              \
	X(queue_records_full_then_reclaimed)                                   \
	X(seqarray_writer_killed_mid_write)                                    \
	X(seqlock_writer_killed_mid_write)                                     \
	X(seqarray_writer_killed_at_random)                                    \
	X(seqarray_updater_killed_in_update)                                   \
	X(seqarray_snapshot_killed_in_fallback)                                \
	X(spsc_producer_killed_at_random)                                      \
	X(spsc_consumer_killed_at_random)                                      \
	X(mpmc_killed_then_repaired)                                           \
	X(mpmc_producer_killed_at_random)                                      \
	X(sync_waiters_killed)                                                 \
	X(sync_setter_killed_before_wake)                                      \
	X(ref_queue_sleepers_killed)

LFK_DEATH_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
