/* SPDX-License-Identifier: MIT */
/*
 * The rings hold exactly their capacity, in FIFO order: one thread filling
 * and draining every kind, and producers racing to fill an lfmpmc ring.
 */
#include "ring_scenarios.h"

#include <lfkit/ring.h>

#include "ring_helpers.h"

/* Three laps of filling r (capacity cap) until full, then draining it. */
static void fill_drain_laps(const struct lfk_ring_ops *ops, void *r, size_t cap)
{
	uint64_t v, i;
	for (int lap = 0; lap < 3; lap++) {
		for (i = 0; ops->enqueue(r, i * 3 + 1) == 0; i++)
			;
		LFK_CHECK(i == cap && ops->count(r) == cap,
			  "%s: capacity %zu held %llu (count %zu)", ops->name,
			  cap, (unsigned long long)i, ops->count(r));
		for (i = 0; ops->dequeue(r, &v) == 0; i++)
			LFK_CHECK(v == i * 3 + 1, "%s: FIFO", ops->name);
		LFK_CHECK(i == cap && ops->count(r) == 0,
			  "%s: drained %llu of %zu", ops->name,
			  (unsigned long long)i, cap);
	}
}

int lfk_scn_capacity_exact(void)
{
	static const size_t caps[] = { 1, 2, 3, 7, 8, 1000, 1024 };
	for (size_t k = 0; k < RING_NKINDS; k++) {
		const struct lfk_ring_ops *ops = ring_kinds[k];
		for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			void *r;
			if (ops->create(caps[c], 8, &r) != 0) {
				LFK_CHECK(0, "%s: create %zu", ops->name,
					  caps[c]);
				continue;
			}
			LFK_CHECK(ops->capacity(r) == caps[c], "%s: capacity",
				  ops->name);
			fill_drain_laps(ops, r, caps[c]);
			ops->destroy(r);
		}
	}
	return 0;
}

/*
 * Exact capacity with producers racing: 4 threads fill an lfmpmc ring (no
 * consumer) until each sees it full; together they must have put exactly
 * the capacity, whatever the interleaving.  An unchecked fetch-and-add
 * reservation (the SCQ paper's) would let them overshoot.
 */
struct racing_fill {
	struct lfk_ring_lfmpmc *ring;
	uint64_t accepted;
};

static void racing_filler(void *arg, int me)
{
	struct racing_fill *f = arg;
	uint64_t n = 0, items[3] = { 1, 2, 3 };
	size_t moved;
	/* Odd threads put bursts: their reservations take several places. */
	do {
		moved = me % 2 ? lfk_ring_lfmpmc_enqueue_burst(f->ring, items,
							       3)
			       : (size_t)(lfk_ring_lfmpmc_enqueue(f->ring, 1) ==
					  0);
		n += moved;
	} while (moved > 0);
	/* Relaxed: read after the threads are joined. */
	lfk_atomic_fetch_add_u64(&f->accepted, n, LFK_RELAXED);
}

int lfk_scn_lfmpmc_capacity_racing_producers(void)
{
	static const size_t caps[] = { 1, 3, 7, 64 };
	struct lfk_bound bound = lfk_bound_scaled(1000);
	uint64_t rounds = 0;
	for (; !lfk_bound_done(&bound, rounds); rounds++) {
		size_t cap = caps[rounds % 4];
		struct racing_fill f = { NULL, 0 };
		uint64_t v, drained = 0;
		if (lfk_ring_lfmpmc_create(cap, 8, &f.ring) != 0)
			return 1;
		lfk_run_threads(4, racing_filler, &f);
		while (lfk_ring_lfmpmc_dequeue(f.ring, &v) == 0)
			drained++;
		LFK_CHECK(drained == cap && f.accepted == cap,
			  "capacity %zu: %llu accepted, %llu in the ring after "
			  "racing producers",
			  cap, (unsigned long long)f.accepted,
			  (unsigned long long)drained);
		lfk_ring_lfmpmc_destroy(f.ring);
	}
	return 0;
}
