/* SPDX-License-Identifier: MIT */
/* Scenarios over every init call of an object placed in caller memory,
 * listed once for Criterion and the plain runner. */
#ifndef LFK_TESTS_INIT_SCENARIOS_H
#define LFK_TESTS_INIT_SCENARIOS_H

#include "harness/lfk_test.h"

#define LFK_INIT_SCENARIOS(X) X(misaligned_memory_refused)

LFK_INIT_SCENARIOS(LFK_SCENARIO_DECLARE)

#endif
