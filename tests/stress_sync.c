/* SPDX-License-Identifier: MIT */
/* The sync objects' scenarios as a plain program (ThreadSanitizer, qemu). */
#include "sync_scenarios.h"

static const struct lfk_scenario table[] = { LFK_SYNC_SCENARIOS(
	LFK_SCENARIO_ENTRY){ NULL, NULL } };

int main(int argc, char **argv)
{
	return lfk_scenario_main("sync", table, argc, argv);
}
