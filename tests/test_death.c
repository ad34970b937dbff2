/* SPDX-License-Identifier: MIT */
/* Criterion tests of process deaths: one test per scenario. */
#include "harness/lfk_criterion.h"
#include "death_scenarios.h"

#define LFK_CR_SUITE death
LFK_DEATH_SCENARIOS(LFK_CR_TEST)
