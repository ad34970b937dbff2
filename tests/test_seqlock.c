/* SPDX-License-Identifier: MIT */
/* Criterion tests of the seqlock module: one test per scenario. */
#include "seqlock_scenarios.h"
#include "harness/lfk_criterion.h"

#define LFK_CR_SUITE seqlock
LFK_SEQLOCK_SCENARIOS(LFK_CR_TEST)
