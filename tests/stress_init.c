/* SPDX-License-Identifier: MIT */
/* The init calls' scenarios as a plain program (ThreadSanitizer, qemu). */
#include "init_scenarios.h"

static const struct lfk_scenario table[] = { LFK_INIT_SCENARIOS(
	LFK_SCENARIO_ENTRY){ NULL, NULL } };

int main(int argc, char **argv)
{
	return lfk_scenario_main("init", table, argc, argv);
}
