/* SPDX-License-Identifier: MIT */
/* The rings' scenarios as a plain program (ThreadSanitizer, qemu). */
#include "ring_scenarios.h"

static const struct lfk_scenario table[] = { LFK_RING_SCENARIOS(
	LFK_SCENARIO_ENTRY){ NULL, NULL } };

int main(int argc, char **argv)
{
	return lfk_scenario_main("ring", table, argc, argv);
}
