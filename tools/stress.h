/* SPDX-License-Identifier: MIT */
/*
 * lfk-stress: runs the stress scenarios of every module on the machine at
 * hand (as rcutorture does for a kernel) and tables the results.
 *
 * The scenarios are the tests' own: each module's X-macro list builds a
 * plain program (stress_<module>, installed in lfkit's libexec directory),
 * and lfk-stress runs one scenario per child process through it.  A child
 * of its own per scenario means a crash or a hang costs that scenario only,
 * and everything the scenario forked can be found and killed afterwards.
 */
#ifndef LFK_TOOLS_STRESS_H
#define LFK_TOOLS_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- command line (stress_cli.c) ---------------------------------------- */
struct stress_options {
	double seconds; /* 0: the harness default */
	uint64_t items; /* 0: the harness default */
	int threads; /* 0: each scenario's own count */
	uint64_t seed; /* 0: from the clock */
	const char *only; /* comma-separated modules or module.scenario */
	bool list, verbose;
};

/* Parses argv into *o.  Returns 0 to go on, 1 when --help was printed
 * (exit 0), or -EINVAL after printing what is wrong (exit 2). */
int stress_parse_options(int argc, char **argv, struct stress_options *o);

/* ---- a child process per scenario (stress_child.c) ---------------------- */
struct stress_child {
	int exit_code; /* its exit status, or -1 when a signal ended it */
	int signal; /* the signal that ended it, or 0 */
	bool timed_out; /* killed at the deadline */
	bool interrupted; /* killed because lfk-stress was interrupted */
	int leftovers; /* processes it left running (killed) */
	double seconds;
	char *out; /* its stdout and stderr, NUL-terminated */
	size_t out_len;
};

/* Makes lfk-stress the reaper of every process its children orphan, and
 * routes SIGINT, SIGTERM and SIGHUP to stress_interrupted(). */
int stress_child_setup(void);
bool stress_interrupted(void);

/* Runs argv[0] (a path) with argv in a process group of its own, its stdout
 * and stderr captured, killed after timeout_s.  Once it ends, every process
 * of its group or orphaned to lfk-stress is killed and counted in
 * c->leftovers.  Returns 0, or a negative errno if it could not start. */
int stress_child_run(char *const argv[], double timeout_s,
		     struct stress_child *c);
void stress_child_free(struct stress_child *c);

/* ---- modules and scenarios (stress_catalog.c) --------------------------- */
struct stress_module {
	char *name; /* "ring" for stress_ring */
	char *program; /* its path */
	char **scenarios;
	size_t n;
};

struct stress_catalog {
	struct stress_module *mods;
	size_t n;
	const char *dir;
};

/* Finds the stress_<module> programs in LFK_STRESS_LIBEXEC (default: the
 * installed libexec directory) and asks each for its scenario list.
 * Returns 0 or prints why not and returns a negative errno. */
int stress_catalog_load(struct stress_catalog *cat);
void stress_catalog_free(struct stress_catalog *cat);

/* One scenario picked to run. */
struct stress_pick {
	const struct stress_module *mod;
	const char *scenario;
};

/* The scenarios --only names (every one when only is NULL), in catalog
 * order.  Returns how many, or -EINVAL after naming the unknown entry. */
long stress_catalog_select(const struct stress_catalog *cat, const char *only,
			   struct stress_pick **out);

/* ---- results (stress_report.c) ----------------------------------------- */
struct stress_result {
	const struct stress_pick *pick;
	char items[24], threads[16]; /* "-" where the scenario did not say */
	double seconds;
	char verdict[48]; /* PASS, FAIL, CRASH (SIGSEGV), ... */
	bool ok;
};

/* Fills r from a finished child: the verdict, and the items and threads of
 * its "[lfk-scenario]" line. */
void stress_result_from_child(struct stress_result *r,
			      const struct stress_pick *pick,
			      const struct stress_child *c);

/* Prints the table of n results and the totals line; returns the failures. */
size_t stress_report_table(const struct stress_result *r, size_t n,
			   uint64_t seed);

#endif
