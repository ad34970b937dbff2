/* SPDX-License-Identifier: MIT */
/*
 * The queue under multi-threaded stress.  No lost wake-ups: blocking put
 * and get with LFK_FOREVER at capacity 1 (and 4), up to 8 producers x 8
 * consumers on a 2-core machine, items encoding (producer, seq), each
 * producer's order checked by every consumer, records checked whole, and
 * the totals (count, sum, xor) at the end; a watchdog turns a hang into a
 * failure.  And close racing with puts in flight: every put that succeeded
 * is delivered.
 */
#include "queue_scenarios.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_helpers.h"

struct stress {
	const struct lfk_queue_ops *o;
	void *q;
	size_t elem_size;
	int np, nc;
	struct lfk_bound bound; /* per producer */
	uint64_t producers_left;
	uint64_t progress;
	struct tally prod[MAX_THREADS], cons[MAX_THREADS];
};

static void make_rec(uint64_t *rec, size_t words, uint64_t v)
{
	rec[0] = v;
	for (size_t w = 1; w < words; w++)
		rec[w] = (v ^ ~(uint64_t)0) * (2 * w + 1);
}

static void stress_producer(void *arg, int p)
{
	struct stress *s = arg;
	struct tally *t = &s->prod[p];
	const size_t words = s->elem_size / 8;
	uint64_t rec[8];
	for (uint64_t seq = 0; !lfk_bound_done(&s->bound, seq); seq++) {
		uint64_t v = ((uint64_t)(p + 1) << SEQ_BITS) | seq;
		int rc;
		make_rec(rec, words, v);
		rc = words == 1 ? s->o->put(s->q, v, LFK_FOREVER)
				: s->o->put_rec(s->q, rec, LFK_FOREVER);
		if (rc != 0) {
			/* Only the watchdog closes early. */
			LFK_CHECK(rc == -EPIPE, "%s put rc=%d", s->o->name, rc);
			break;
		}
		tally_item(t, v);
	}
	/* The last producer closes: consumers drain, then get -EPIPE. */
	if (lfk_atomic_fetch_sub_u64(&s->producers_left, 1, LFK_ACQ_REL) == 1)
		s->o->close(s->q);
}

static void stress_consumer(void *arg, int c)
{
	struct stress *s = arg;
	struct tally *t = &s->cons[c];
	const size_t words = s->elem_size / 8;
	uint64_t rec[8], want[8], next[MAX_THREADS] = { 0 };
	int rc;
	for (;;) {
		rc = words == 1 ? s->o->get(s->q, rec, LFK_FOREVER)
				: s->o->get_rec(s->q, rec, LFK_FOREVER);
		if (rc != 0)
			break;
		uint64_t v = rec[0], p = (v >> SEQ_BITS) - 1;
		uint64_t seq = v & ((1ull << SEQ_BITS) - 1);
		if (p >= (uint64_t)s->np) {
			LFK_CHECK(0, "%s: bad item %llx", s->o->name,
				  (unsigned long long)v);
			continue;
		}
		/* FIFO per producer, seen by each consumer. */
		LFK_CHECK(seq >= next[p],
			  "%s: consumer %d got seq %llu of "
			  "producer %llu after %llu",
			  s->o->name, c, (unsigned long long)seq,
			  (unsigned long long)p, (unsigned long long)next[p]);
		next[p] = seq + 1;
		if (words > 1) {
			make_rec(want, words, v);
			LFK_CHECK(memcmp(rec, want, s->elem_size) == 0,
				  "%s: torn record %llx", s->o->name,
				  (unsigned long long)v);
		}
		tally_item(t, v);
		add(&s->progress, 1);
	}
	LFK_CHECK(rc == -EPIPE, "%s: get rc=%d", s->o->name, rc);
}

/* Checks what moved: nothing lost, duplicated or left behind.  Returns
 * how many items were put. */
static uint64_t stress_verify(const struct stress *s, size_t cap)
{
	struct tally in = { 0 }, out = { 0 };
	for (int i = 0; i < s->np; i++)
		tally_into(&in, &s->prod[i]);
	for (int i = 0; i < s->nc; i++)
		tally_into(&out, &s->cons[i]);
	LFK_CHECK(in.count == out.count && in.sum == out.sum &&
			  in.xor_ == out.xor_,
		  "%s %dx%d cap %zu: put %llu items, got %llu (sum/xor %s)",
		  s->o->name, s->np, s->nc, cap, (unsigned long long)in.count,
		  (unsigned long long)out.count,
		  in.sum == out.sum && in.xor_ == out.xor_ ? "match"
							   : "differ");
	LFK_CHECK(in.count > 0, "%s: no items moved", s->o->name);
	LFK_CHECK(s->o->count(s->q) == 0, "%s: items left", s->o->name);
	lfk_stress_moved(out.count);
	return in.count;
}

static int stress(const struct lfk_queue_ops *o, int np, int nc, size_t cap,
		  size_t elem_size)
{
	struct stress *s = zalloc_lines(sizeof(*s));
	struct watchdog w;
	uint64_t t0, put;
	if (s == NULL)
		return 1;
	s->o = o;
	s->np = np;
	s->nc = nc;
	s->elem_size = elem_size;
	s->producers_left = (uint64_t)np;
	s->q = must_create(o, cap, elem_size);
	if (s->q == NULL) {
		free(s);
		return 1;
	}
	s->bound = lfk_bound_scaled((uint64_t)np);
	t0 = lfk_now_ns();
	watchdog_start(&w, o, s->q, &s->progress);
	lfk_run_threads2(np, stress_producer, nc, stress_consumer, s);
	LFK_CHECK(!watchdog_stop(&w), "%s %dx%d cap %zu: watchdog fired",
		  o->name, np, nc, cap);
	put = stress_verify(s, cap);
	if (getenv("LFK_VERBOSE"))
		fprintf(stderr, "  %s %dx%d cap %zu: %llu items in %.2f s\n",
			o->name, np, nc, cap, (unsigned long long)put,
			(double)(lfk_now_ns() - t0) / 1e9);
	o->destroy(s->q);
	free(s);
	return 0;
}

int lfk_scn_no_lost_wakeup_spsc_1x1(void)
{
	return stress(&lfk_queue_ops_spsc, 1, 1, 1, 8);
}

int lfk_scn_no_lost_wakeup_mpmc_2x2(void)
{
	return stress(&lfk_queue_ops_mpmc, 2, 2, 1, 8);
}

int lfk_scn_no_lost_wakeup_mpmc_4x4(void)
{
	return stress(&lfk_queue_ops_mpmc, 4, 4, 1, 8);
}

int lfk_scn_no_lost_wakeup_mpmc_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_mpmc, t, t, 1, 8);
}

int lfk_scn_no_lost_wakeup_lfmpmc_2x2(void)
{
	return stress(&lfk_queue_ops_lfmpmc, 2, 2, 1, 8);
}

int lfk_scn_no_lost_wakeup_lfmpmc_4x4(void)
{
	return stress(&lfk_queue_ops_lfmpmc, 4, 4, 1, 8);
}

int lfk_scn_no_lost_wakeup_lfmpmc_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_lfmpmc, t, t, 1, 8);
}

int lfk_scn_no_lost_wakeup_ref_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_ref, t, t, 1, 8);
}

/* Capacity above 1: several items and several sleepers at once, where a
 * wake-up spent on a thread that cannot use it must be passed on. */
int lfk_scn_baton_mpmc_8x8_cap4(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_mpmc, t, t, 4, 8);
}

int lfk_scn_baton_lfmpmc_8x8_cap4(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_lfmpmc, t, t, 4, 8);
}

int lfk_scn_records_mpmc_4x4(void)
{
	return stress(&lfk_queue_ops_mpmc, 4, 4, 3, 24);
}

int lfk_scn_records_lfmpmc_4x4(void)
{
	return stress(&lfk_queue_ops_lfmpmc, 4, 4, 3, 24);
}

int lfk_scn_records_spsc_1x1(void)
{
	return stress(&lfk_queue_ops_spsc, 1, 1, 2, 40);
}

/* ---- close racing with puts in flight ------------------------------------ */

struct closerace {
	const struct lfk_queue_ops *o;
	void *q;
	int np;
	uint64_t delay_ns;
	uint64_t progress;
	struct tally prod[MAX_THREADS], cons[MAX_THREADS];
};

static void race_producer_or_closer(void *arg, int index)
{
	struct closerace *r = arg;
	if (index == r->np) {
		uint64_t until = lfk_now_ns() + r->delay_ns;
		while (lfk_now_ns() < until)
			lfk_cpu_relax();
		r->o->close(r->q);
		return;
	}
	struct tally *t = &r->prod[index];
	for (uint64_t seq = 0;; seq++) {
		uint64_t v = ((uint64_t)(index + 1) << SEQ_BITS) | seq;
		/* Alternate blocking and non-blocking puts. */
		int rc = r->o->put(r->q, v, seq % 3 == 2 ? 0 : LFK_FOREVER);
		if (rc == -EAGAIN)
			continue;
		if (rc != 0) {
			LFK_CHECK(rc == -EPIPE, "%s put rc=%d", r->o->name, rc);
			break;
		}
		tally_item(t, v);
	}
}

static void race_consumer(void *arg, int c)
{
	struct closerace *r = arg;
	struct tally *t = &r->cons[c];
	uint64_t v, next[MAX_THREADS] = { 0 };
	int rc;
	while ((rc = r->o->get(r->q, &v, c % 2 ? LFK_FOREVER : 50 * MS)) == 0 ||
	       rc == -ETIMEDOUT) {
		if (rc != 0)
			continue;
		uint64_t p = (v >> SEQ_BITS) - 1,
			 seq = v & ((1ull << SEQ_BITS) - 1);
		if (p < MAX_THREADS) {
			LFK_CHECK(seq >= next[p], "%s: order", r->o->name);
			next[p] = seq + 1;
		}
		tally_item(t, v);
		add(&r->progress, 1);
	}
	LFK_CHECK(rc == -EPIPE, "%s get rc=%d", r->o->name, rc);
}

/* One round: n producers (and a closer) against n consumers on a queue of
 * capacity 1 to 3, closed after a random delay; every put that succeeded
 * must have been got.  Nonzero if the round cannot run. */
static int close_race_round(const struct lfk_queue_ops *o, struct lfk_rng *rng,
			    int round)
{
	struct closerace *r = zalloc_lines(sizeof(*r));
	struct tally in = { 0 }, out = { 0 };
	struct watchdog w;
	int n = o->multi ? 3 : 1;
	if (r == NULL)
		return 1;
	r->o = o;
	r->np = n;
	r->delay_ns = lfk_rng_below(rng, 2000) * 1000;
	r->q = must_create(o, 1 + lfk_rng_below(rng, 3), 8);
	if (r->q == NULL) {
		free(r);
		return 1;
	}
	watchdog_start(&w, o, r->q, &r->progress);
	lfk_run_threads2(n + 1, race_producer_or_closer, n, race_consumer, r);
	LFK_CHECK(!watchdog_stop(&w), "%s: close race hung", o->name);
	for (int i = 0; i < n; i++) {
		tally_into(&in, &r->prod[i]);
		tally_into(&out, &r->cons[i]);
	}
	LFK_CHECK(in.count == out.count && in.sum == out.sum &&
			  in.xor_ == out.xor_,
		  "%s round %d: %llu puts succeeded, %llu items got", o->name,
		  round, (unsigned long long)in.count,
		  (unsigned long long)out.count);
	o->destroy(r->q);
	free(r);
	return 0;
}

int lfk_scn_close_race_inflight(void)
{
	struct lfk_rng rng;
	uint64_t deadline =
		lfk_now_ns() + (uint64_t)(lfk_stress_seconds() * 1e9);
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int round = 0; round < 200 && lfk_now_ns() < deadline; round++)
		if (close_race_round(lfk_queue_ops_all[round % 4], &rng,
				     round) != 0)
			return 1;
	return 0;
}
