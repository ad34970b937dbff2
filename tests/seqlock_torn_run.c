/* SPDX-License-Identifier: MIT */
/*
 * The torn-read run of the seqlock module: every record holds a pattern
 * derived from its version (all words equal, then a checksum word);
 * readers at 1, 3 and 7 threads against 1 or 2 writers check every read
 * and snapshot, and that each writer's versions never go backwards.
 */
#include <stdlib.h>
#include <string.h>

#include <lfkit/seqarray.h>

#include "seqlock_helpers.h"

struct torn_run {
	const struct torn_impl *impl;
	struct overlap ov;
	int writers;
	uint64_t base; /* versions count on from the previous configuration's */
	uint64_t last[MAX_WRITERS][MAX_ELEMS]; /* each writer's last version */
	uint64_t reads[8], snapshots[8];
};

/* Checks one record read by a reader; last[i][w] is the newest count of
 * writer w the reader has seen in element i. */
static void check_record(const struct torn_run *r, const uint64_t *rec,
			 size_t i, uint64_t last[][MAX_WRITERS],
			 const char *how)
{
	size_t words = r->impl->words;
	if (!pattern_ok(rec, words)) {
		LFK_CHECK(0,
			  "%s: torn %s of element %zu: words %#llx %#llx .. "
			  "%#llx",
			  r->impl->name, how, i, (unsigned long long)rec[0],
			  (unsigned long long)rec[1],
			  (unsigned long long)rec[words - 1]);
		return;
	}
	if (rec[0] == 0)
		return; /* the initial value */
	int w = VER_WRITER(rec[0]);
	if (w < 0 || w >= r->writers) {
		LFK_CHECK(0, "%s: element %zu holds an unknown writer %d",
			  r->impl->name, i, w);
		return;
	}
	LFK_CHECK(VER_COUNT(rec[0]) >= last[i][w],
		  "%s: %s of element %zu went back in writer %d's versions: "
		  "%llu after %llu",
		  r->impl->name, how, i, w,
		  (unsigned long long)VER_COUNT(rec[0]),
		  (unsigned long long)last[i][w]);
	last[i][w] = VER_COUNT(rec[0]);
}

/* A snapshot: every element checked as a read of it would be. */
static void check_snapshot(const struct torn_run *r, const uint64_t *snap,
			   uint64_t last[][MAX_WRITERS])
{
	const struct torn_impl *im = r->impl;
	for (size_t i = 0; i < im->n; i++)
		check_record(r, snap + i * WORDS, i, last, "snapshot");
}

static void torn_reader(void *arg, int me)
{
	struct torn_run *r = arg;
	const struct torn_impl *im = r->impl;
	struct lfk_rng rng;
	uint64_t rec[LATCH_WORDS], snap[MAX_ELEMS * WORDS];
	uint64_t last[MAX_ELEMS][MAX_WRITERS];
	uint64_t reads = 0, snaps = 0;
	/* Readers take turns: default tries, straight to the fallback, one
	 * double collect then the fallback. */
	static const unsigned tries[3] = { LFK_SEQARRAY_SNAPSHOT_TRIES, 0, 1 };
	memset(last, 0, sizeof(last));
	lfk_rng_seed(&rng, lfk_test_seed() + 1000 + (uint64_t)me);
	do {
		uint64_t x = lfk_rng_next(&rng);
		if (im->snapshot && x % 8 == 0) {
			int rc = im->snapshot(im->obj, snap, tries[me % 3]);
			LFK_CHECK(rc == 0, "%s: snapshot rc %d", im->name, rc);
			check_snapshot(r, snap, last);
			snaps++;
		} else {
			size_t i = (size_t)(x >> 8) % im->n;
			int rc = im->read(im->obj, i, rec, x >> 32);
			LFK_CHECK(rc == 0, "%s: read rc %d", im->name, rc);
			check_record(r, rec, i, last, "read");
			reads++;
		}
	} while (!overlap_reader_stop(&r->ov, reads + snaps));
	r->reads[me] = reads;
	r->snapshots[me] = snaps;
}

static void torn_writer(void *arg, int me)
{
	struct torn_run *r = arg;
	const struct torn_impl *im = r->impl;
	struct lfk_rng rng;
	uint64_t rec[LATCH_WORDS], count = 0, t0 = 0;
	lfk_rng_seed(&rng, lfk_test_seed() + (uint64_t)me);
	while (overlap_writer_continue(&r->ov, count, &t0)) {
		size_t i = lfk_rng_below(&rng, im->n);
		uint64_t v = ((uint64_t)(me + 1) << 40) | (r->base + ++count);
		pattern_fill(rec, im->words, v);
		int rc = im->write(im->obj, i, rec);
		LFK_CHECK(rc == 0, "%s: write rc %d", im->name, rc);
		r->last[me][i] = v;
	}
	overlap_writer_done(&r->ov);
}

/* Quiescent after a run: every element holds one writer's last version,
 * or, if no writer wrote it, the version it had before. */
static void check_final(const struct torn_run *r, const uint64_t *before)
{
	const struct torn_impl *im = r->impl;
	uint64_t rec[LATCH_WORDS];
	for (size_t i = 0; i < im->n; i++) {
		bool found = false, written = false;
		LFK_CHECK(im->read(im->obj, i, rec, 1) == 0 &&
				  pattern_ok(rec, im->words),
			  "%s: final element %zu", im->name, i);
		for (int w = 0; w < r->writers; w++) {
			found |= rec[0] == r->last[w][i];
			written |= r->last[w][i] != 0;
		}
		LFK_CHECK(found || (!written && rec[0] == before[i]),
			  "%s: element %zu ends at %#llx, no writer's last "
			  "write (%#llx, %#llx)",
			  im->name, i, (unsigned long long)rec[0],
			  (unsigned long long)r->last[0][i],
			  (unsigned long long)r->last[r->writers - 1][i]);
	}
}

static void report(const struct torn_run *r, int readers)
{
	uint64_t reads = 0, snaps = 0;
	for (int k = 0; k < readers; k++) {
		reads += r->reads[k];
		snaps += r->snapshots[k];
	}
	if (lfk_stress_seconds() >= 1 && getenv("LFK_VERBOSE"))
		fprintf(stderr, "  %s %dw %dr: %llu reads, %llu snapshots\n",
			r->impl->name, r->writers, readers,
			(unsigned long long)reads, (unsigned long long)snaps);
}

void torn(const struct torn_impl *im, int writers, int parts)
{
	static const int readers[] = { 1, 3, 7 };
	uint64_t rec[LATCH_WORDS], before[MAX_ELEMS];
	for (size_t c = 0; c < COUNT(readers) && !lfk_failures(); c++) {
		struct torn_run *r = calloc(1, sizeof(*r));
		if (r == NULL)
			abort();
		r->impl = im;
		r->writers = writers;
		r->base = (uint64_t)c << 36;
		overlap_init(&r->ov, writers, readers[c],
			     (int)COUNT(readers) * parts);
		for (size_t i = 0; i < im->n;
		     i++) { /* versions before the run */
			LFK_CHECK(im->read(im->obj, i, rec, 1) == 0, "read");
			before[i] = rec[0];
		}
		lfk_run_threads2(writers, torn_writer, readers[c], torn_reader,
				 r);
		check_final(r, before);
		report(r, readers[c]);
		free(r);
	}
}
