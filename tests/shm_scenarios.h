/* SPDX-License-Identifier: MIT */
/* Shared-memory regions' scenarios, listed once for Criterion and the plain
 * runner. */
#ifndef LFK_TESTS_SHM_SCENARIOS_H
#define LFK_TESTS_SHM_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_SHM_SCENARIOS(X)                                                   \
	X(lifecycle)                                                           \
	X(bad_input)                                                           \
	X(directory)                                                           \
	X(two_mappings_share_rings)                                            \
	X(validation_rejects_damage)                                           \
	X(truncated_file)                                                      \
	X(fork_producers_consumers)                                            \
	X(killed_producer_loses_nothing_published)                             \
	X(killed_mid_operation)                                                \
	X(queue_between_processes)                                             \
	X(ref_queue_between_processes)                                         \
	X(ref_queue_owner_killed)                                              \
	X(event_and_semaphore_between_processes)                               \
	X(sizes_that_wrap_are_refused)                                         \
	X(create_reserves_backing_store)                                       \
	X(attach_after_truncate)                                               \
	X(open_racing_create)                                                  \
	X(creator_killed_mid_create)                                           \
	X(queue_attach_rejects_damage)                                         \
	X(ring_of_wrong_kind_refused)

LFK_SHM_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
