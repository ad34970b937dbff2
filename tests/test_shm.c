/* SPDX-License-Identifier: MIT */
/* Criterion tests of shared-memory regions: one test per scenario. */
#include "harness/lfk_criterion.h"
#include "shm_scenarios.h"

#define LFK_CR_SUITE shm
LFK_SHM_SCENARIOS(LFK_CR_TEST)
