/* SPDX-License-Identifier: MIT */
/* Shared-memory scenarios as a plain program (ThreadSanitizer, qemu). */
#include "shm_scenarios.h"

static const struct lfk_scenario table[] = { LFK_SHM_SCENARIOS(
	LFK_SCENARIO_ENTRY){ NULL, NULL } };

int main(int argc, char **argv)
{
	return lfk_scenario_main("shm", table, argc, argv);
}
