/* SPDX-License-Identifier: MIT */
/*
 * Criterion glue: one Criterion test per scenario of a module's list.
 * Define LFK_CR_SUITE to the suite name, then expand the list with
 * LFK_CR_TEST.  The generous timeout turns a hang into a failure.
 */
#ifndef LFK_TESTS_CRITERION_H
#define LFK_TESTS_CRITERION_H

#include <criterion/criterion.h>

#include "lfk_test.h"

#define LFK_CR_TEST(name)                                                      \
	Test(LFK_CR_SUITE, name, .timeout = 300)                               \
	{                                                                      \
		int failures = lfk_scenario_run(#name, lfk_scn_##name);        \
		cr_assert_eq(failures, 0, "%s: %d failed checks (see stderr)", \
			     #name, failures);                                 \
	}

#endif
