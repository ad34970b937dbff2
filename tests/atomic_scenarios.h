/* SPDX-License-Identifier: MIT */
/* The atomic layer's scenarios, listed once for Criterion and the plain
 * runner (see tests/harness/lfk_test.h). */
#ifndef LFK_TESTS_ATOMIC_SCENARIOS_H
#define LFK_TESTS_ATOMIC_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_ATOMIC_SCENARIOS(X)                                                \
	X(semantics_arch_u32)                                                  \
	X(semantics_arch_u64)                                                  \
	X(semantics_generic_u32)                                               \
	X(semantics_generic_u64)                                               \
	X(semantics_ptr)                                                       \
	X(semantics_narrow)                                                    \
	X(semantics_cas2)                                                      \
	X(differential_u32)                                                    \
	X(differential_u64)                                                    \
	X(differential_cas2)                                                   \
	X(load_bytes_every_size)                                               \
	X(fences_compile_and_run)                                              \
	X(faa_total_2)                                                         \
	X(faa_total_8)                                                         \
	X(cas_increment_2)                                                     \
	X(cas_increment_8)                                                     \
	X(bits_and_or_8)                                                       \
	X(exchange_handoff_2)                                                  \
	X(exchange_handoff_8)                                                  \
	X(cas2_tagged_counter_2)                                               \
	X(cas2_tagged_counter_8)                                               \
	X(message_passing_2)                                                   \
	X(message_passing_8)

LFK_ATOMIC_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
