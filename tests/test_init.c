/* SPDX-License-Identifier: MIT */
/* Criterion tests of the init calls: one test per scenario. */
#include "harness/lfk_criterion.h"
#include "init_scenarios.h"

#define LFK_CR_SUITE init
LFK_INIT_SCENARIOS(LFK_CR_TEST)
