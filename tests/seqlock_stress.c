/* SPDX-License-Identifier: MIT */
/*
 * Stress of the seqlock module's arrays, with results that must add up:
 *   - snapshot sums: writers move amounts between elements (update_n), so
 *     every linearizable snapshot shows the same total;
 *   - update counts: concurrent read-modify-writes lose nothing;
 *   - IRIW: snapshots agree on the order of independent writes.
 */
#include <lfkit/seqarray.h>
#include <stdlib.h>
#include <string.h>

#include "seqlock_helpers.h"
#include "seqlock_scenarios.h"

/* ---- snapshot sums ----------------------------------------------------- */

#define SUM_N 16
#define SUM_START 1000

/* An account: its balance and a check word, so a torn element shows. */
struct account {
	uint64_t balance;
	uint64_t check;
};
#define ACCOUNT_CHECK(b) ((b) ^ 0x5555aaaa5555aaaaull)

struct sum_run {
	struct lfk_seqarray *a;
	struct overlap ov;
	uint64_t snaps[8];
};

static int fn_transfer(void *elems, size_t k, size_t es, void *arg)
{
	struct account *acc = elems;
	uint64_t amount = *(uint64_t *)arg;
	(void)es;
	if (k != 2)
		return -EINVAL;
	if (amount == 0)
		return 1; /* refused: nothing may change */
	acc[0].balance -= amount;
	acc[0].check = ACCOUNT_CHECK(acc[0].balance);
	acc[1].balance += amount;
	acc[1].check = ACCOUNT_CHECK(acc[1].balance);
	return 0;
}

static void sum_writer(void *arg, int me)
{
	struct sum_run *r = arg;
	struct lfk_rng rng;
	uint64_t n = 0, t0 = 0;
	lfk_rng_seed(&rng, lfk_test_seed() + 77 + (uint64_t)me);
	while (overlap_writer_continue(&r->ov, n, &t0)) {
		size_t idx[2];
		idx[0] = lfk_rng_below(&rng, SUM_N - 1);
		idx[1] = idx[0] + 1 + lfk_rng_below(&rng, SUM_N - 1 - idx[0]);
		uint64_t amount = lfk_rng_below(&rng, 101) - 50; /* wraps */
		int rc = lfk_seqarray_update_n(r->a, idx, 2, fn_transfer,
					       &amount);
		LFK_CHECK(rc == (amount == 0 ? 1 : 0), "transfer rc %d", rc);
		n++;
	}
	overlap_writer_done(&r->ov);
}

static void sum_reader(void *arg, int me)
{
	struct sum_run *r = arg;
	struct account snap[SUM_N], one;
	static const unsigned tries[3] = { LFK_SEQARRAY_SNAPSHOT_TRIES, 0, 1 };
	uint64_t snaps = 0;
	do {
		uint64_t sum = 0;
		LFK_CHECK(lfk_seqarray_snapshot_tries(r->a, snap,
						      tries[me % 3]) == 0,
			  "snapshot");
		for (int i = 0; i < SUM_N; i++) {
			LFK_CHECK(snap[i].check ==
					  ACCOUNT_CHECK(snap[i].balance),
				  "torn account %d in a snapshot", i);
			sum += snap[i].balance;
		}
		LFK_CHECK(sum == (uint64_t)SUM_N * SUM_START,
			  "snapshot (tries %u) sums to %lld, not %d",
			  tries[me % 3], (long long)sum, SUM_N * SUM_START);
		LFK_CHECK(lfk_seqarray_read(r->a, snaps % SUM_N, &one) == 0 &&
				  one.check == ACCOUNT_CHECK(one.balance),
			  "torn account read");
		snaps++;
	} while (!overlap_reader_stop(&r->ov, snaps));
	r->snaps[me] = snaps;
}

static int snapshot_sum(int writers)
{
	static const int readers[] = { 1, 3, 7 };
	for (size_t c = 0; c < COUNT(readers) && !lfk_failures(); c++) {
		struct sum_run r = { .a = NULL };
		struct account acc = { SUM_START, ACCOUNT_CHECK(SUM_START) };
		uint64_t snaps = 0;
		if (lfk_seqarray_create(SUM_N, sizeof(struct account), &r.a) !=
		    0)
			abort();
		for (size_t i = 0; i < SUM_N; i++)
			lfk_seqarray_write(r.a, i, &acc);
		overlap_init(&r.ov, writers, readers[c], (int)COUNT(readers));
		lfk_run_threads2(writers, sum_writer, readers[c], sum_reader,
				 &r);
		for (int k = 0; k < readers[c]; k++)
			snaps += r.snaps[k];
		LFK_CHECK(snaps > 0, "no snapshot was taken");
		lfk_seqarray_destroy(r.a);
	}
	return 0;
}

int lfk_scn_snapshot_sum_w1(void)
{
	return snapshot_sum(1);
}

int lfk_scn_snapshot_sum_w2(void)
{
	return snapshot_sum(2);
}

/* ---- update counts -------------------------------------------------------- */

#define CNT_N 8
#define CNT_THREADS 8

struct count_run {
	struct lfk_seqarray *a;
	struct lfk_bound bound;
	uint64_t added[LFK_STRESS_MAX_THREADS][CNT_N];
};

static int fn_increment(void *elems, size_t k, size_t es, void *arg)
{
	uint64_t *w = elems;
	(void)es, (void)arg;
	for (size_t j = 0; j < k; j++)
		w[j]++;
	return 0;
}

static void count_worker(void *arg, int me)
{
	struct count_run *r = arg;
	struct lfk_rng rng;
	uint64_t n = 0, snap[CNT_N], last[CNT_N] = { 0 };
	lfk_rng_seed(&rng, lfk_test_seed() + 500 + (uint64_t)me);
	while (!lfk_bound_done(&r->bound, n)) {
		uint64_t x = lfk_rng_next(&rng);
		size_t i = (size_t)(x % CNT_N), j = (size_t)((x >> 8) % CNT_N);
		if (me == 0) { /* one thread watches: counters never go back */
			LFK_CHECK(lfk_seqarray_snapshot(r->a, snap) == 0,
				  "snapshot");
			for (size_t e = 0; e < CNT_N; e++) {
				LFK_CHECK(snap[e] >= last[e],
					  "counter %zu went back", e);
				last[e] = snap[e];
			}
		} else if (i == j || x & (1ull << 40)) {
			LFK_CHECK(lfk_seqarray_update(r->a, i, fn_increment,
						      NULL) == 0,
				  "update");
			r->added[me][i]++;
		} else {
			size_t idx[2] = { i < j ? i : j, i < j ? j : i };
			LFK_CHECK(lfk_seqarray_update_n(r->a, idx, 2,
							fn_increment,
							NULL) == 0,
				  "update_n");
			r->added[me][i]++;
			r->added[me][j]++;
		}
		n++;
	}
}

int lfk_scn_update_counts_8(void)
{
	struct count_run *r = calloc(1, sizeof(*r));
	const int n = lfk_stress_threads(CNT_THREADS);
	uint64_t snap[CNT_N];
	if (r == NULL ||
	    lfk_seqarray_create(CNT_N, sizeof(uint64_t), &r->a) != 0)
		abort();
	/* ten times the usual items (each is a few nanoseconds): lost updates
	 * need two cores inside one element's update at once */
	r->bound = lfk_bound_default();
	r->bound.max_items = 10 * lfk_stress_items();
	lfk_run_threads(n, count_worker, r);
	LFK_CHECK(lfk_seqarray_snapshot(r->a, snap) == 0, "final snapshot");
	for (size_t e = 0; e < CNT_N; e++) {
		uint64_t want = 0;
		for (int t = 0; t < n; t++)
			want += r->added[t][e];
		LFK_CHECK(snap[e] == want,
			  "counter %zu is %llu, %llu increments", e,
			  (unsigned long long)snap[e],
			  (unsigned long long)want);
	}
	lfk_seqarray_destroy(r->a);
	free(r);
	return 0;
}

/* ---- snapshots agree on the order of independent writes (IRIW) ----------- */

/*
 * Two writers each count up one element of their own; two threads take
 * snapshots.  Linearizable snapshots of counters that only grow form one
 * chain: of any two, one is <= the other in both elements.  Two snapshots
 * (x new, y old) and (x old, y new) would order the writers' independent
 * writes oppositely: the IRIW outcome that the seq_cst fence between the
 * two collects forbids.  Only a machine that is not multi-copy atomic
 * (POWER, some ARM cores) can show it; on x86 and under qemu this checks
 * the behaviour but cannot fail without the fence.
 */
#define IRIW_SNAPS 8192

struct iriw_run {
	struct lfk_seqarray *a;
	struct lfk_bound bound;
	uint64_t readers_done;
	uint64_t taken[2];
	uint64_t snaps[2][IRIW_SNAPS][2];
};

static void iriw_writer(void *arg, int me)
{
	struct iriw_run *r = arg;
	/* Relaxed: only a stop signal; the results are read after the join. */
	for (uint64_t v = 1;
	     lfk_atomic_load_u64(&r->readers_done, LFK_RELAXED) < 2; v++)
		LFK_CHECK(lfk_seqarray_write(r->a, (size_t)me, &v) == 0,
			  "write");
}

static void iriw_reader(void *arg, int me)
{
	struct iriw_run *r = arg;
	uint64_t n;
	for (n = 0; !lfk_bound_done(&r->bound, n); n++)
		LFK_CHECK(lfk_seqarray_snapshot(r->a, r->snaps[me][n]) == 0,
			  "snapshot");
	r->taken[me] = n;
	lfk_atomic_fetch_add_u64(&r->readers_done, 1, LFK_RELAXED);
}

static int snap_order(const void *pa, const void *pb)
{
	const uint64_t *a = pa, *b = pb;
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

int lfk_scn_snapshot_iriw(void)
{
	struct iriw_run *r = calloc(1, sizeof(*r));
	uint64_t(*all)[2];
	size_t n;
	if (r == NULL || lfk_seqarray_create(2, 8, &r->a) != 0)
		abort();
	/* Both bounds, and no more snapshots than the arrays hold. */
	r->bound = lfk_bound_default();
	if (r->bound.max_items > IRIW_SNAPS)
		r->bound.max_items = IRIW_SNAPS;
	lfk_run_threads2(2, iriw_writer, 2, iriw_reader, r);
	n = (size_t)(r->taken[0] + r->taken[1]);
	all = malloc((n ? n : 1) * sizeof(*all));
	if (all == NULL)
		abort();
	memcpy(all, r->snaps[0], (size_t)r->taken[0] * sizeof(*all));
	memcpy(all + r->taken[0], r->snaps[1],
	       (size_t)r->taken[1] * sizeof(*all));
	/* Sorted by the first element, a chain has its second non-decreasing. */
	qsort(all, n, sizeof(*all), snap_order);
	for (size_t i = 1; i < n; i++)
		LFK_CHECK(all[i][1] >= all[i - 1][1],
			  "snapshots (%llu, %llu) and (%llu, %llu) order two "
			  "independent writes oppositely",
			  (unsigned long long)all[i - 1][0],
			  (unsigned long long)all[i - 1][1],
			  (unsigned long long)all[i][0],
			  (unsigned long long)all[i][1]);
	LFK_CHECK(n > 0, "no snapshot was taken");
	free(all);
	lfk_seqarray_destroy(r->a);
	free(r);
	return 0;
}
