/* SPDX-License-Identifier: MIT */
/* Process-death scenarios as a plain program (ThreadSanitizer, qemu). */
#include "death_scenarios.h"

static const struct lfk_scenario table[] = { LFK_DEATH_SCENARIOS(
	LFK_SCENARIO_ENTRY){ NULL, NULL } };

int main(int argc, char **argv)
{
	return lfk_scenario_main("death", table, argc, argv);
}
