/* SPDX-License-Identifier: MIT */
/* The blocking queue's scenarios as a plain program, for ThreadSanitizer
 * and qemu runs where Criterion cannot be used.  Arguments select
 * scenarios. */
#include "queue_scenarios.h"

static const struct lfk_scenario table[] = { LFK_QUEUE_SCENARIOS(
	LFK_SCENARIO_ENTRY){ NULL, NULL } };

int main(int argc, char **argv)
{
	return lfk_scenario_main("queue", table, argc, argv);
}
