/* SPDX-License-Identifier: MIT */
/* Criterion tests of process deaths: one test per scenario. */
#include "death_scenarios.h"
#include "harness/lfk_criterion.h"

#define LFK_CR_SUITE death
LFK_DEATH_SCENARIOS(LFK_CR_TEST)
