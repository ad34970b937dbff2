/* SPDX-License-Identifier: MIT */
/* Criterion tests of the message ring: one test per scenario. */
#include "harness/lfk_criterion.h"
#include "msgring_scenarios.h"

#define LFK_CR_SUITE msgring
LFK_MSGRING_SCENARIOS(LFK_CR_TEST)
