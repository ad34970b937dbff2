/* SPDX-License-Identifier: MIT */
/* The per-thread family's scenarios as a plain program, for
 * ThreadSanitizer and qemu runs.  Arguments select scenarios. */
#include "tlocal_scenarios.h"

static const struct lfk_scenario table[] = { LFK_TLOCAL_SCENARIOS(
	LFK_SCENARIO_ENTRY){ NULL, NULL } };

int main(int argc, char **argv)
{
	return lfk_scenario_main("tlocal", table, argc, argv);
}
