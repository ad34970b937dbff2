/* SPDX-License-Identifier: MIT */
/* Criterion tests of the sync objects: one test per scenario. */
#include "harness/lfk_criterion.h"
#include "sync_scenarios.h"

#define LFK_CR_SUITE sync
LFK_SYNC_SCENARIOS(LFK_CR_TEST)
