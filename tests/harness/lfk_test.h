/* SPDX-License-Identifier: MIT */
/*
 * The lfkit test harness.
 *
 * Every test is a scenario: a function `int lfk_scn_<name>(void)` that returns
 * 0 when it passes.  A module lists its scenarios once in an X-macro; the same
 * list builds
 *   - a Criterion test per scenario (tests/test_<module>.c), for make check,
 *   - a plain program (tests/stress_<module>.c) that runs them all without
 *     Criterion, for ThreadSanitizer builds (Criterion aborts under TSan) and
 *     for cross-built binaries run under qemu; it is installed, and the
 *     installed lfk-stress tool (tools/) runs every such program's scenarios:
 *     a new module's program belongs in LFK_STRESS_PROGS (Makefile.am).
 *
 * Bounds come from the environment, so CI runs short and soak runs long:
 *   LFK_STRESS_SECONDS   seconds a stress loop may run (default 1)
 *   LFK_STRESS_ITEMS     items a stress loop moves at most (default 200000)
 *   LFK_SEED             seed of the random sequences (default: from the clock)
 *   LFK_STRESS_THREADS   threads of the scenarios whose count is free (see
 *                        lfk_stress_threads; default: each scenario's own)
 * A failing check prints the seed, so the run can be replayed.
 */
#ifndef LFK_TESTS_TEST_H
#define LFK_TESTS_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lfk_procs.h"
#include "lfk_threads.h"

double lfk_stress_seconds(void);
uint64_t lfk_stress_items(void);
uint64_t lfk_test_seed(void);

/* The thread count of a scenario whose count is free (the ones named after
 * their 8 threads, or 8 per side: ..._8, _8t, _8x8): LFK_STRESS_THREADS
 * when set, clamped to 1..LFK_STRESS_MAX_THREADS, else dflt.  lfk-stress
 * --threads sets it; the plain runner reports the count a scenario took. */
#define LFK_STRESS_MAX_THREADS 64
int lfk_stress_threads(int dflt);

/* Adds to the items the running scenario moved (thread-safe), for the
 * report of the plain runner and of lfk-stress. */
void lfk_stress_moved(uint64_t items);

/* A stress bound: stop after max_items or after the time budget, whichever
 * comes first.  lfk_bound_done() reads the clock every 64 calls only. */
struct lfk_bound {
	uint64_t max_items;
	uint64_t deadline_ns;
};
struct lfk_bound lfk_bound_default(void);
struct lfk_bound lfk_bound_scaled(uint64_t items_divisor);
/* lfk_bound_scaled with 1/parts of the time budget: for one of `parts`
 * runs in a row within one scenario. */
struct lfk_bound lfk_bound_part(uint64_t items_divisor, unsigned parts);
bool lfk_bound_done(const struct lfk_bound *b, uint64_t done);

/* xoshiro256** seeded through splitmix64: fast, good, reproducible. */
struct lfk_rng {
	uint64_t s[4];
};
void lfk_rng_seed(struct lfk_rng *r, uint64_t seed);
uint64_t lfk_rng_next(struct lfk_rng *r);
uint64_t lfk_rng_below(struct lfk_rng *r, uint64_t n);

/* Failure reporting: thread-safe, prints the scenario, the seed and the
 * message; the scenario's return value is the number of failures. */
void lfk_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int lfk_failures(void);
#define LFK_CHECK(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			lfk_fail_at(__FILE__, __LINE__, __VA_ARGS__);          \
	} while (0)

/*
 * ThreadSanitizer emulates 16-byte atomics under a lock private to each
 * process (and sees no other process's accesses at all), so a ring that
 * needs a 16-byte CAS (lfmpmc) loses updates when two processes use it at
 * once in a TSan build.  Scenarios that run such a ring in several
 * processes at the same time ask here and skip that ring kind in TSan
 * builds (the other builds, qemu-aarch64 included, run it); it prints the
 * skip once per scenario.  true: skip `kind` here.
 */
bool lfk_skip_between_processes(int kind, const char *scenario);

typedef int (*lfk_scenario_fn)(void);
struct lfk_scenario {
	const char *name;
	lfk_scenario_fn fn;
};

/* Runs one scenario with a fresh failure count; returns its failures. */
int lfk_scenario_run(const char *name, lfk_scenario_fn fn);

/* Declares lfk_scn_<name> for every scenario of a list. */
#define LFK_SCENARIO_DECLARE(name) int lfk_scn_##name(void);
#define LFK_SCENARIO_ENTRY(name) { #name, lfk_scn_##name },

/* The plain runner: runs the table (or the scenarios named on the command
 * line; an unknown name is an error), prints one line per scenario, a
 * "[lfk-scenario] <module>.<name> items=N threads=T" line (a "-" where the
 * scenario did not say) that lfk-stress reads, and a closing
 * "passed=N failed=M".  "--list" prints the scenario names, one a line. */
int lfk_scenario_main(const char *module, const struct lfk_scenario *table,
		      int argc, char **argv);

#endif
