/* SPDX-License-Identifier: MIT */
/*
 * lfbench harness: every benchmark case goes through lfb_measure_cases,
 * which takes the implementations of one case (one bench and
 * configuration), warms each up once, then runs them in interleaved rounds
 * (A B C, A B C, ... at least 5 rounds), verifies every run, and prints one
 * row per implementation: a human table by default, CSV with --csv.  CSV
 * columns, in order:
 *   bench,impl,producers,consumers,ops_per_run,runs,mops_median,mops_min,
 *   mops_max,verified
 * and, with --baseline IMPL, four more: baseline,ratio_median,ratio_min,
 * ratio_max (empty where the case has no such implementation).
 * A ratio is paired: round r's rate of the row divided by round r's rate of
 * the baseline, then the median, min and max over the rounds, so that a
 * slow phase of a shared machine hits both sides of a ratio alike.
 * A run whose result does not add up makes the row "verified=no" and the
 * process exit status non-zero: it is a failure, not a number.
 */
#ifndef LFB_BENCH_HARNESS_H
#define LFB_BENCH_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct lfb_opts {
	bool csv;
	bool pin; /* pin threads to CPUs round-robin (default) */
	int runs; /* measured rounds after the warm-up (>= 5) */
	double scale; /* multiplies every case's ops_per_run */
	const char *baseline; /* --baseline IMPL, or NULL */
	FILE *ratios; /* --ratios FILE, or NULL */
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

/* What one implementation did in the measured rounds of a case. */
struct lfb_series {
	uint64_t ops; /* the row's ops_per_run */
	const double *mops; /* one rate per round, in round order */
	bool verified;
};

/* The options of every subcommand: --csv, --runs N, --scale X, --no-pin,
 * --baseline IMPL, --ratios FILE (opened for writing, header included).
 * Returns -1 on a bad option. */
int lfb_parse_opts(struct lfb_opts *o, int argc, char **argv);

/* Closes what lfb_parse_opts opened. */
void lfb_close_opts(struct lfb_opts *o);

/* Measures the n implementations of one case in interleaved rounds and
 * prints their rows (and their ratios, see --baseline and --ratios); rows,
 * if not NULL, receives each implementation's row.  The cases share bench,
 * producers and consumers. */
void lfb_measure_cases(const struct lfb_opts *o, const struct lfb_case *c,
		       int n, struct lfb_row *rows);

/* Prints the rows of n implementations from rates measured elsewhere (a
 * second figure taken in the same rounds as lfb_measure_cases measured,
 * e.g. the writer's rate beside the readers'); c[i].run is not called. */
void lfb_report_cases(const struct lfb_opts *o, const struct lfb_case *c, int n,
		      const struct lfb_series *s, int rounds);

/* Whether an implementation is lfkit's own (impl "lfk_*", or "arch", the
 * atomic layer's configured backend): the numerator of the ratios written
 * by --ratios; every other implementation of the case is a denominator. */
bool lfb_is_lfkit(const char *impl);

/* Whether name is in the comma-separated list in environment variable var
 * (unset or empty: everything is): for selecting rows. */
bool lfb_selected(const char *var, const char *name);

/* Number of rows that failed verification so far (the exit status). */
int lfb_failed_rows(void);

#endif
