/* SPDX-License-Identifier: MIT */
/* Criterion tests of the blocking queue: one test per scenario.  A lost
 * wake-up shows as a hang: the stress scenarios carry their own watchdog,
 * and LFK_CR_TEST gives every test a timeout besides. */
#include "harness/lfk_criterion.h"
#include "queue_scenarios.h"

#define LFK_CR_SUITE queue
LFK_QUEUE_SCENARIOS(LFK_CR_TEST)
