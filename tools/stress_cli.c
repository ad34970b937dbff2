/* SPDX-License-Identifier: MIT */
/* lfk-stress's command line: options, their checks, and --help. */
#include "stress.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/lfk_test.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: lfk-stress [OPTION]...\n"
		"Runs lfkit's stress scenarios (rings, queue, seqlocks, per-thread state,\n"
		"sync objects, processes over a shared region, the atomic layer) on this\n"
		"machine, each in a process of its own, and tables the results.  Exits 0\n"
		"when every scenario passed, 1 when one failed, 2 on a usage error and\n"
		"130 when interrupted.  See the manual page: man lfk-stress.\n"
		"\n"
		"  --seconds S   time bound of each scenario's stress loops (default 1)\n"
		"  --items N     items each stress loop moves at most (default 200000);\n"
		"                a loop stops at whichever bound it reaches first\n"
		"  --threads T   threads (per side for producers and consumers) of the\n"
		"                scenarios whose count is free, the ones named after their\n"
		"                8 threads (_8, _8t, _8x8); 1 to %d (default: 8)\n"
		"  --only LIST   run only these modules or scenarios, comma-separated:\n"
		"                --only ring,queue  or  --only ring.stress_mpmc_8x8\n"
		"  --seed N      seed of the random sequences; every run prints its seed,\n"
		"                and --seed with it repeats the run's choices\n"
		"  --list        print module.scenario for every scenario and exit\n"
		"  --verbose     print every scenario's output, not only a failing one's\n"
		"  --help        print this help and exit\n"
		"\n"
		"The defaults of --seconds, --items, --threads and --seed come from\n"
		"LFK_STRESS_SECONDS, LFK_STRESS_ITEMS, LFK_STRESS_THREADS and LFK_SEED.\n"
		"LFK_STRESS_LIBEXEC names the directory of the stress_<module> programs\n"
		"(default %s).\n",
		LFK_STRESS_MAX_THREADS, LFK_STRESS_LIBEXEC_DIR);
}

#define STR_(x) #x
#define STR(x) STR_(x)

static int bad(const char *opt, const char *arg, const char *want)
{
	fprintf(stderr, "lfk-stress: %s '%s': %s (see --help)\n", opt, arg,
		want);
	return -EINVAL;
}

/* A positive number, whole if `whole`, at most max. */
static bool number(const char *s, double max, bool whole, double *out)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v > 0) || v > max ||
	    (whole && v != (double)(uint64_t)v))
		return false;
	*out = v;
	return true;
}

static int seed_arg(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || *end != '\0' || errno != 0 || v == 0 || *s == '-')
		return bad("--seed", s, "want a number from 1 to 2^64-1");
	*out = v;
	return 0;
}

int stress_parse_options(int argc, char **argv, struct stress_options *o)
{
	enum {
		SECONDS = 256,
		ITEMS,
		THREADS,
		ONLY,
		SEED,
		LIST,
		VERBOSE,
		HELP
	};
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, SECONDS },
		{ "items", required_argument, NULL, ITEMS },
		{ "threads", required_argument, NULL, THREADS },
		{ "only", required_argument, NULL, ONLY },
		{ "seed", required_argument, NULL, SEED },
		{ "list", no_argument, NULL, LIST },
		{ "verbose", no_argument, NULL, VERBOSE },
		{ "help", no_argument, NULL, HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	double v;
	memset(o, 0, sizeof(*o));
	opterr = 0; /* our own messages, below */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case SECONDS:
			if (!number(optarg, 1e6, false, &v))
				return bad("--seconds", optarg,
					   "want seconds above 0");
			o->seconds = v;
			break;
		case ITEMS:
			if (!number(optarg, 9.2e18, true, &v))
				return bad("--items", optarg,
					   "want a whole number above 0");
			o->items = (uint64_t)v;
			break;
		case THREADS:
			if (!number(optarg, LFK_STRESS_MAX_THREADS, true, &v))
				return bad("--threads", optarg,
					   "want a whole number from 1 to " STR(
						   LFK_STRESS_MAX_THREADS));
			o->threads = (int)v;
			break;
		case ONLY:
			o->only = optarg;
			break;
		case SEED:
			if (seed_arg(optarg, &o->seed) != 0)
				return -EINVAL;
			break;
		case LIST:
			o->list = true;
			break;
		case VERBOSE:
			o->verbose = true;
			break;
		case HELP:
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr,
				"lfk-stress: %s needs a value (see "
				"--help)\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr,
				"lfk-stress: unknown option '%s' (see "
				"--help)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"lfk-stress: unexpected argument '%s' (see "
			"--help)\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}
