/* SPDX-License-Identifier: MIT */
/* Criterion tests of the seqlock module: one test per scenario. */
#include "harness/lfk_criterion.h"
#include "seqlock_scenarios.h"

#define LFK_CR_SUITE seqlock
LFK_SEQLOCK_SCENARIOS(LFK_CR_TEST)
