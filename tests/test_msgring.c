/* SPDX-License-Identifier: MIT */
/* Criterion tests of the message ring: one test per scenario. */
#include "msgring_scenarios.h"
#include "harness/lfk_criterion.h"

#define LFK_CR_SUITE msgring
LFK_MSGRING_SCENARIOS(LFK_CR_TEST)
