/* SPDX-License-Identifier: MIT */
/* The atomic layer's scenarios as a plain program, for ThreadSanitizer and
 * qemu runs where Criterion cannot be used.  Arguments select scenarios. */
#include "atomic_scenarios.h"

static const struct lfk_scenario table[] = { LFK_ATOMIC_SCENARIOS(
	LFK_SCENARIO_ENTRY){ NULL, NULL } };

int main(int argc, char **argv)
{
	return lfk_scenario_main("atomic", table, argc, argv);
}
