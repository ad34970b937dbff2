/* SPDX-License-Identifier: MIT */
/* Criterion tests of the atomic layer: one test per scenario. */
#include "atomic_scenarios.h"
#include "harness/lfk_criterion.h"

#define LFK_CR_SUITE atomic
LFK_ATOMIC_SCENARIOS(LFK_CR_TEST)
