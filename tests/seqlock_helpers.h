/* SPDX-License-Identifier: MIT */
/*
 * What several of the seqlock module's scenario files share: record
 * patterns that show a torn read, random bytes, and the overlap of writer
 * and reader threads in the multi-threaded runs.
 */
#ifndef LFK_TESTS_SEQLOCK_HELPERS_H
#define LFK_TESTS_SEQLOCK_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/lfk_test.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define WORDS 8 /* 64-byte records in the torn-read tests */
#define LATCH_WORDS 256 /* the latch's: a long copy, so writers lap readers */
#define MAX_ELEMS 16
#define MAX_WRITERS 2

/* ---- record patterns ---------------------------------------------------- */

static inline uint64_t seq_mix(uint64_t v)
{
	v ^= v >> 31;
	v *= 0x7fb5d329728ea185ull;
	v ^= v >> 27;
	return v * 0x81dadef4bc2dd44dull + 1;
}

/* words-1 copies of v, then the checksum. */
static inline void pattern_fill(uint64_t *w, size_t words, uint64_t v)
{
	for (size_t j = 0; j + 1 < words; j++)
		w[j] = v;
	w[words - 1] = seq_mix(v);
}

static inline bool pattern_ok(const uint64_t *w, size_t words)
{
	for (size_t j = 1; j + 1 < words; j++)
		if (w[j] != w[0])
			return false;
	return w[words - 1] == seq_mix(w[0]);
}

/* Versions: (writer + 1) << 40 | count; 0 is the initial one. */
#define VER_WRITER(v) ((int)((v) >> 40) - 1)
#define VER_COUNT(v) ((v) & ((1ull << 40) - 1))

static inline void fill_random(struct lfk_rng *r, unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)lfk_rng_next(r);
}

/* ---- writers and readers that really overlap ---------------------------- */

/*
 * Writers write until their bound is done and every reader has done a few
 * operations (or twice the time budget passed, so a starved reader cannot
 * hang the test); readers read until the last writer is done.
 */
struct overlap {
	uint64_t max_items, budget_ns; /* per writer, from its own start */
	int writers, readers;
	uint32_t readers_warm;
	uint32_t writers_done;
	uint32_t stop;
};

/* A 1/parts share of the scenario's item and time budget. */
void overlap_init(struct overlap *ov, int writers, int readers, int parts);
/* A writer's loop condition; *t0 is 0 before its first call. */
bool overlap_writer_continue(struct overlap *ov, uint64_t done, uint64_t *t0);
void overlap_writer_done(struct overlap *ov);
/* Called by a reader after each operation; true when it should stop. */
bool overlap_reader_stop(struct overlap *ov, uint64_t done);

/* ---- torn reads ----------------------------------------------------------- */

/* One implementation under test, as records of `words` words (WORDS, or
 * LATCH_WORDS for single records) numbered 0..n-1. */
struct torn_impl {
	const char *name;
	size_t n, words;
	int (*read)(void *obj, size_t i, uint64_t *dst, uint64_t choice);
	int (*write)(void *obj, size_t i, const uint64_t *src);
	int (*snapshot)(void *obj, uint64_t *dst, unsigned tries); /* or NULL */
	void *obj;
};

/* Runs readers at 1, 3 and 7 threads against `writers` writers, in a
 * 1/parts share of the scenario's time and item budget: no read or
 * snapshot is torn, no writer's versions go back, and each element ends at
 * one writer's last write. */
void torn(const struct torn_impl *im, int writers, int parts);

#endif
