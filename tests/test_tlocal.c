/* SPDX-License-Identifier: MIT */
/* Criterion tests of lfk_tlocal, lfk_counter and lfk_tcache. */
#include "tlocal_scenarios.h"
#include "harness/lfk_criterion.h"

#define LFK_CR_SUITE tlocal
LFK_TLOCAL_SCENARIOS(LFK_CR_TEST)
