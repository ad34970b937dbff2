/* SPDX-License-Identifier: MIT */
/*
 * The rings held against their mutex twin: seeded random enqueue, dequeue,
 * bursts and count on the ring under test and on lfk_ref_ring, every return
 * value and every item compared; for u64 items and records, through the
 * generic handle too, and with the internal indices starting just below
 * the 32- and 64-bit wrap.
 */
#include "ring_scenarios.h"

#include <lfkit/ref/ring.h>
#include <lfkit/ring.h>
#include <stdlib.h>
#include <string.h>

#include "ring_helpers.h"

/* One ring under test and its twin, fed the same operations. */
struct diff_run {
	const struct lfk_ring_ops *ops;
	void *r, *t;
	size_t cap;
	size_t words; /* per element */
	size_t maxn; /* items per burst, at most */
	uint64_t *in, *out_r, *out_t;
};

#define TWIN lfk_ring_ops_ref

/* The single-item calls: op 0 enqueue, 1 dequeue, 2 enqueue_rec,
 * 3 dequeue_rec.  Returns how many items came out (to compare). */
static size_t diff_single(struct diff_run *d, unsigned op, long *a, long *b)
{
	switch (op) {
	case 0:
		*a = d->ops->enqueue(d->r, d->in[0]);
		*b = TWIN.enqueue(d->t, d->in[0]);
		return 0;
	case 1:
		*a = d->ops->dequeue(d->r, d->out_r);
		*b = TWIN.dequeue(d->t, d->out_t);
		return *a == 0;
	case 2:
		*a = d->ops->enqueue_rec(d->r, d->in);
		*b = TWIN.enqueue_rec(d->t, d->in);
		return 0;
	default:
		*a = d->ops->dequeue_rec(d->r, d->out_r);
		*b = TWIN.dequeue_rec(d->t, d->out_t);
		return *a == 0;
	}
}

/* The bursts of n items (op 4 enqueue, 5 dequeue) and count (6).  Returns
 * how many items came out. */
static size_t diff_burst(struct diff_run *d, unsigned op, size_t n, long *a,
			 long *b)
{
	const bool u64 = d->words == 1;
	if (op == 4) {
		*a = (long)(u64 ? d->ops->enqueue_burst(d->r, d->in, n)
				: d->ops->enqueue_burst_rec(d->r, d->in, n));
		*b = (long)TWIN.enqueue_burst_rec(d->t, d->in, n);
		return 0;
	}
	if (op == 5) {
		*a = (long)(u64 ? d->ops->dequeue_burst(d->r, d->out_r, n)
				: d->ops->dequeue_burst_rec(d->r, d->out_r, n));
		*b = (long)TWIN.dequeue_burst_rec(d->t, d->out_t, n);
		return (size_t)*a;
	}
	*a = (long)d->ops->count(d->r);
	*b = (long)TWIN.count(d->t);
	return 0;
}

/* One seeded step: a random operation on both, results and items compared.
 * `next` numbers the items put. */
static void diff_step(struct diff_run *d, struct lfk_rng *rng, uint64_t *next,
		      uint64_t first, int s)
{
	size_t n = (size_t)lfk_rng_below(rng, d->maxn + 1);
	unsigned op = (unsigned)lfk_rng_below(rng, 7);
	long a = 0, b = 0;
	for (size_t i = 0; i < n * d->words; i++)
		d->in[i] = (*next)++;
	memset(d->out_r, 0, d->maxn * d->words * 8);
	memset(d->out_t, 0, d->maxn * d->words * 8);
	if (d->words != 1 && op < 2)
		op += 2; /* the u64 calls need 8-byte elements */
	n = op < 4 ? diff_single(d, op, &a, &b) : diff_burst(d, op, n, &a, &b);
	LFK_CHECK(a == b,
		  "%s elem %zu cap %zu first %#llx step %d op %u: returned "
		  "%ld, twin %ld",
		  d->ops->name, d->words * 8, d->cap, (unsigned long long)first,
		  s, op, a, b);
	LFK_CHECK(memcmp(d->out_r, d->out_t, n * d->words * 8) == 0,
		  "%s elem %zu cap %zu step %d op %u: items differ",
		  d->ops->name, d->words * 8, d->cap, s, op);
}

/* `steps` seeded steps on a ring of capacity cap whose internal indices
 * start at `first`, and on the twin. */
static void diff_capacity(const struct lfk_ring_ops *ops, size_t elem_size,
			  size_t cap, uint64_t first, int steps,
			  struct lfk_rng *rng)
{
	struct diff_run d = { ops,     NULL, NULL, cap, elem_size / 8,
			      cap + 3, NULL, NULL, NULL };
	const size_t len = d.maxn * d.words; /* u64 words of one buffer */
	uint64_t next = 1, *bufs = calloc(3 * len, 8);
	if (bufs == NULL || ops->create_at(cap, elem_size, first, &d.r) != 0 ||
	    TWIN.create(cap, elem_size, &d.t) != 0) {
		LFK_CHECK(0, "%s: create", ops->name);
		free(bufs);
		return;
	}
	d.in = bufs;
	d.out_r = bufs + len;
	d.out_t = bufs + 2 * len;
	for (int s = 0; s < steps && !lfk_failures(); s++)
		diff_step(&d, rng, &next, first, s);
	ops->destroy(d.r);
	TWIN.destroy(d.t);
	free(bufs);
}

/* The differential run at each capacity. */
static void differential(const struct lfk_ring_ops *ops, size_t elem_size,
			 uint64_t first, int steps)
{
	static const size_t caps[] = { 1, 2, 3, 7, 1024 };
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed() ^ (uint64_t)elem_size ^ first);
	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++)
		diff_capacity(ops, elem_size, caps[c], first, steps, &rng);
}

int lfk_scn_differential_spsc(void)
{
	differential(&lfk_ring_ops_spsc, 8, 0, 4000);
	return 0;
}

int lfk_scn_differential_mpmc(void)
{
	differential(&lfk_ring_ops_mpmc, 8, 0, 4000);
	return 0;
}

int lfk_scn_differential_lfmpmc(void)
{
	differential(&lfk_ring_ops_lfmpmc, 8, 0, 4000);
	return 0;
}

/* The generic handle over each kind, held against the twin like the
 * typed rings (u64 and records). */
int lfk_scn_any_differential(void)
{
	static const struct lfk_ring_ops *const any[] = {
		&lfk_ring_ops_any_spsc,
		&lfk_ring_ops_any_mpmc,
		&lfk_ring_ops_any_lfmpmc,
	};
	for (size_t k = 0; k < 3; k++) {
		differential(any[k], 8, 0, 2000);
		differential(any[k], 24, 0, 1000);
	}
	return 0;
}

int lfk_scn_differential_records(void)
{
	for (size_t k = 0; k < RING_NRINGS; k++) {
		differential(ring_kinds[k], 24, 0, 2000);
		differential(ring_kinds[k], 64, 0, 1000);
	}
	return 0;
}

/* The internal indices start just below the wrap, so every ring runs
 * through it several times over the sequence. */
int lfk_scn_wraparound_2e32(void)
{
	for (size_t k = 0; k < RING_NRINGS; k++)
		differential(ring_kinds[k], 8, (1ull << 32) - 5, 3000);
	return 0;
}

int lfk_scn_wraparound_2e64(void)
{
	for (size_t k = 0; k < RING_NRINGS; k++) {
		differential(ring_kinds[k], 8, (uint64_t)0 - 5, 3000);
		differential(ring_kinds[k], 16, (uint64_t)0 - 3000, 3000);
	}
	return 0;
}
