/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET, getloadavg */
#include "bench_machine.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/harness/lfk_threads.h"

static cpu_set_t allowed; /* the CPUs allowed at start */
static int ncpus; /* how many */
static bool pinning;

void lfb_pin_self(int index)
{
	cpu_set_t one;
	int k, cpu;
	if (!pinning || ncpus == 0)
		return;
	k = index % ncpus;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &allowed) && k-- == 0)
			break;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	/* A CPU that went offline since the start: the run goes on unpinned. */
	(void)sched_setaffinity(0, sizeof(one), &one);
}

void lfb_machine_init(const struct lfb_opts *o)
{
	CPU_ZERO(&allowed);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
		ncpus = CPU_COUNT(&allowed);
	pinning = o->pin && ncpus > 0;
	lfk_threads_on_start(pinning ? lfb_pin_self : NULL);
}

/* The "model name" line of /proc/cpuinfo (first CPU), or "unknown". */
static void cpu_model(char *out, size_t size)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");
	snprintf(out, size, "unknown");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) != 0 || colon == NULL)
			continue;
		snprintf(out, size, "%s", colon + 2);
		out[strcspn(out, "\n")] = '\0';
		break;
	}
	if (f != NULL)
		fclose(f);
}

void lfb_machine_print(const struct lfb_opts *o)
{
	char model[128];
	double load[3] = { -1, -1, -1 };
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_model(model, sizeof(model));
	getloadavg(load, 3);
	printf("# lfbench: cpu %s; %ld cpus online, %d allowed; load average "
	       "%.2f %.2f %.2f\n",
	       model, online, ncpus, load[0], load[1], load[2]);
	printf("# lfbench: threads %s; %d rounds after a warm-up, scale %g\n",
	       pinning ? "pinned to cpus round-robin (--no-pin: unpinned)"
		       : "not pinned",
	       o->runs, o->scale);
	fflush(stdout);
	if (load[0] > (double)online / 2)
		fprintf(stderr,
			"lfbench: warning: load average %.2f is above "
			"half of the %ld cpus: other work shares the machine, "
			"figures will be noisy\n",
			load[0], online);
}
