/* SPDX-License-Identifier: MIT */
/* Criterion tests of lfk_tlocal, lfk_counter and lfk_tcache. */
#include "harness/lfk_criterion.h"
#include "tlocal_scenarios.h"

#define LFK_CR_SUITE tlocal
LFK_TLOCAL_SCENARIOS(LFK_CR_TEST)
