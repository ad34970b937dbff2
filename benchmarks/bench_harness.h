/*
 * lfbench harness: every benchmark case goes through lfb_measure, which
 * warms up, repeats (at least 5 runs), verifies every run, and prints one
 * row: a human table by default, CSV with --csv.  CSV columns, in order:
 *   bench,impl,producers,consumers,ops_per_run,runs,mops_median,mops_min,
 *   mops_max,verified
 * A run whose result does not add up makes the row "verified=no" and the
 * process exit status non-zero: it is a failure, not a number.
 */
#ifndef LFB_BENCH_HARNESS_H
#define LFB_BENCH_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

struct lfb_opts {
	bool csv;
	int runs;     /* measured runs after the warm-up (>= 5) */
	double scale; /* multiplies every case's ops_per_run */
};

struct lfb_case {
	const char *bench;
	const char *impl;
	int producers;
	int consumers;
	uint64_t ops; /* operations per run, all threads together */
	/* Performs ops operations, stores the elapsed nanoseconds of the
	 * measured part, returns whether the run's result verified. */
	bool (*run)(void *ctx, uint64_t ops, uint64_t *elapsed_ns);
	void *ctx;
	/* Optional, for runs that a time budget may cut short: the operations
	 * the last run really performed.  Throughput is computed from it, and
	 * the row's ops_per_run is the median over the measured runs. */
	uint64_t (*ops_done)(void *ctx);
};

struct lfb_row {
	double mops_median, mops_min, mops_max;
	bool verified;
};

/* Parses --csv, --runs N, --scale X; returns -1 on a bad option. */
int lfb_parse_opts(struct lfb_opts *o, int argc, char **argv);

/* Measures and prints one case; returns its row. */
struct lfb_row lfb_measure(const struct lfb_opts *o, const struct lfb_case *c);

/* Prints a row from rates measured elsewhere (n >= 1 runs of ops each,
 * mops[] in any order; sorted in place): for a second figure taken in the
 * same runs as an lfb_measure case, e.g. the writer's rate beside the
 * readers'.  c->run is not called. */
struct lfb_row lfb_report(const struct lfb_opts *o, const struct lfb_case *c,
			  uint64_t ops, double *mops, int n, bool verified);

/* Whether name is in the comma-separated list in environment variable var
 * (unset or empty: everything is): for selecting rows. */
bool lfb_selected(const char *var, const char *name);

/* Number of rows that failed verification so far (the exit status). */
int lfb_failed_rows(void);

#endif
