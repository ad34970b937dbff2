/* SPDX-License-Identifier: MIT */
/*
 * The rings under multi-threaded stress: producers and consumers moving
 * single items, bursts and records, each consumer checking every
 * producer's order and nothing torn, the totals (count, sum, xor) matching
 * at the end; and at one producer and one consumer, full and empty never
 * reported while the other side's counts prove otherwise.
 */
#include "ring_scenarios.h"

#include <lfkit/ring.h>
#include <stdlib.h>
#include <string.h>

#include "ring_helpers.h"

#define MAX_SIDE LFK_STRESS_MAX_THREADS
#define MAX_BURST 32 /* items of a burst; records of up to 8 words */

/*
 * Items encode (producer, seq).  Each consumer checks that it sees every
 * producer's items in increasing seq order (FIFO) and keeps count, sum and
 * xor; at the end the consumers' totals must equal the producers'.
 * Records carry the item in every word, so a torn copy shows.
 */
struct stress {
	const struct lfk_ring_ops *ops;
	void *ring;
	size_t words;
	size_t burst;
	int np, nc;
	struct lfk_bound bound;
	uint64_t producers_done LFK_CACHE_ALIGNED;
	struct side {
		uint64_t count, sum, xor;
	} prod[MAX_SIDE], cons[MAX_SIDE];
};

static void side_add(struct side *acc, uint64_t item)
{
	acc->count++;
	acc->sum += item;
	acc->xor ^= item;
}

/* Puts want items (records) from buf; returns how many went in. */
static size_t stress_put(struct stress *s, const uint64_t *buf, size_t want)
{
	if (s->words != 1)
		return s->ops->enqueue_burst_rec(s->ring, buf, want);
	if (want == 1)
		return (size_t)(s->ops->enqueue(s->ring, buf[0]) == 0);
	return s->ops->enqueue_burst(s->ring, buf, want);
}

/* Takes up to s->burst items (records) into buf; returns how many. */
static size_t stress_take(struct stress *s, uint64_t *buf)
{
	if (s->words != 1)
		return s->ops->dequeue_burst_rec(s->ring, buf, s->burst);
	if (s->burst == 1)
		return (size_t)(s->ops->dequeue(s->ring, buf) == 0);
	return s->ops->dequeue_burst(s->ring, buf, s->burst);
}

static void stress_producer(void *arg, int me)
{
	struct stress *s = arg;
	struct side acc = { 0, 0, 0 };
	uint64_t seq = 0, buf[MAX_BURST * 8];
	unsigned spins = 0;
	while (!lfk_bound_done(&s->bound, seq)) {
		/* alternate single items and bursts of up to s->burst */
		size_t want = (seq / 7) % 2 ? s->burst : 1, moved;
		for (size_t i = 0; i < want; i++)
			for (size_t w = 0; w < s->words; w++)
				buf[i * s->words + w] = RING_ITEM(me, seq + i);
		moved = stress_put(s, buf, want);
		if (moved == 0) {
			lfk_backoff(&spins);
			continue;
		}
		spins = 0;
		for (size_t i = 0; i < moved; i++)
			side_add(&acc, RING_ITEM(me, seq + i));
		seq += moved;
	}
	s->prod[me] = acc;
	/* Publishes "no more items from me" after all my enqueues. */
	lfk_atomic_fetch_add_u64(&s->producers_done, 1, LFK_RELEASE);
}

/* Checks one record taken (whole, from a producer, in its order) and
 * counts it; last[p] is producer p's last seq seen. */
static void stress_check(struct stress *s, const uint64_t *rec, uint64_t *last,
			 struct side *acc)
{
	uint64_t item = rec[0], seq = item & ((1ull << 48) - 1);
	int p = (int)(item >> 48);
	for (size_t w = 1; w < s->words; w++)
		LFK_CHECK(rec[w] == item, "torn record %#llx/%#llx",
			  (unsigned long long)item, (unsigned long long)rec[w]);
	LFK_CHECK(p < s->np, "bogus item %#llx", (unsigned long long)item);
	if (p >= s->np)
		return;
	LFK_CHECK(last[p] == UINT64_MAX || seq > last[p],
		  "%s: producer %d seq %llu after %llu", s->ops->name, p,
		  (unsigned long long)seq, (unsigned long long)last[p]);
	last[p] = seq;
	side_add(acc, item);
}

static void stress_consumer(void *arg, int me)
{
	struct stress *s = arg;
	struct side acc = { 0, 0, 0 };
	uint64_t last[MAX_SIDE], buf[MAX_BURST * 8];
	unsigned spins = 0;
	bool done_seen = false;
	for (int p = 0; p < MAX_SIDE; p++)
		last[p] = UINT64_MAX;
	for (;;) {
		size_t moved = stress_take(s, buf);
		if (moved == 0) {
			if (done_seen)
				break; /* all producers finished, ring drained */
			/* Pairs with the producers' release: once all are done,
			 * every item they enqueued is visible to a dequeue. */
			done_seen = lfk_atomic_load_u64(&s->producers_done,
							LFK_ACQUIRE) ==
				    (uint64_t)s->np;
			lfk_backoff(&spins);
			continue;
		}
		spins = 0;
		for (size_t i = 0; i < moved; i++)
			stress_check(s, buf + i * s->words, last, &acc);
	}
	s->cons[me] = acc;
}

/* The totals of n sides. */
static struct side side_total(const struct side *sides, int n)
{
	struct side t = { 0, 0, 0 };
	for (int i = 0; i < n; i++) {
		t.count += sides[i].count;
		t.sum += sides[i].sum;
		t.xor ^= sides[i].xor ;
	}
	return t;
}

/* Checks what moved: nothing lost, duplicated or left behind. */
static void stress_verify(const struct stress *s, size_t capacity)
{
	struct side in = side_total(s->prod, s->np);
	struct side out = side_total(s->cons, s->nc);
	LFK_CHECK(
		in.count == out.count && in.sum == out.sum && in.xor == out.xor,
		"%s %dx%d cap %zu: produced %llu (sum %#llx xor %#llx), "
		"consumed %llu (sum %#llx xor %#llx)",
		s->ops->name, s->np, s->nc, capacity,
		(unsigned long long)in.count, (unsigned long long)in.sum,
		(unsigned long long)in.xor, (unsigned long long)out.count,
		(unsigned long long)out.sum, (unsigned long long)out.xor);
	LFK_CHECK(in.count > 0, "%s: nothing moved", s->ops->name);
	LFK_CHECK(s->ops->count(s->ring) == 0, "%s: items left", s->ops->name);
	lfk_stress_moved(out.count);
}

static int stress_run(const struct lfk_ring_ops *ops, int np, int nc,
		      size_t capacity, size_t elem_size, size_t burst)
{
	struct stress *s = aligned_alloc(LFK_CACHELINE, sizeof(*s));
	if (s == NULL)
		return 1;
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->words = elem_size / 8;
	s->burst = burst;
	s->np = np;
	s->nc = nc;
	s->bound = lfk_bound_scaled((uint64_t)np);
	if (ops->create(capacity, elem_size, &s->ring) != 0) {
		free(s);
		return 1;
	}
	lfk_run_threads2(np, stress_producer, nc, stress_consumer, s);
	stress_verify(s, capacity);
	ops->destroy(s->ring);
	free(s);
	return 0;
}
int lfk_scn_stress_spsc_1x1(void)
{
	return stress_run(&lfk_ring_ops_spsc, 1, 1, 64, 8, 8);
}

int lfk_scn_stress_mpmc_1x1(void)
{
	return stress_run(&lfk_ring_ops_mpmc, 1, 1, 64, 8, 8);
}

int lfk_scn_stress_mpmc_2x2(void)
{
	return stress_run(&lfk_ring_ops_mpmc, 2, 2, 64, 8, 1);
}

int lfk_scn_stress_mpmc_4x4(void)
{
	return stress_run(&lfk_ring_ops_mpmc, 4, 4, 7, 8, 4);
}

int lfk_scn_stress_mpmc_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress_run(&lfk_ring_ops_mpmc, t, t, 16, 8, 1);
}

int lfk_scn_stress_lfmpmc_1x1(void)
{
	return stress_run(&lfk_ring_ops_lfmpmc, 1, 1, 64, 8, 8);
}

int lfk_scn_stress_lfmpmc_2x2(void)
{
	return stress_run(&lfk_ring_ops_lfmpmc, 2, 2, 64, 8, 1);
}

int lfk_scn_stress_lfmpmc_4x4(void)
{
	return stress_run(&lfk_ring_ops_lfmpmc, 4, 4, 7, 8, 4);
}

int lfk_scn_stress_lfmpmc_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress_run(&lfk_ring_ops_lfmpmc, t, t, 16, 8, 1);
}

int lfk_scn_stress_lfmpmc_8x8_capacity1(void)
{
	int t = lfk_stress_threads(8);
	return stress_run(&lfk_ring_ops_lfmpmc, t, t, 1, 8, 2);
}

int lfk_scn_stress_ref_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress_run(&lfk_ring_ops_ref, t, t, 16, 8, 4);
}

int lfk_scn_stress_records_4x4(void)
{
	stress_run(&lfk_ring_ops_spsc, 1, 1, 5, 40, 3);
	stress_run(&lfk_ring_ops_mpmc, 4, 4, 5, 40, 3);
	stress_run(&lfk_ring_ops_lfmpmc, 4, 4, 5, 40, 3);
	return 0;
}
