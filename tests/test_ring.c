/* SPDX-License-Identifier: MIT */
/* Criterion tests of the rings: one test per scenario. */
#include "harness/lfk_criterion.h"
#include "ring_scenarios.h"

#define LFK_CR_SUITE ring
LFK_RING_SCENARIOS(LFK_CR_TEST)
