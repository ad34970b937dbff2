/* SPDX-License-Identifier: MIT */
/*
 * Differential runs of the seqlock module: seeded random operation
 * sequences on a primary (lfk_seqlock, lfk_seqarray, lfk_latch) and on both
 * of its twins (rwlock and mutex), every return value and every byte read
 * compared.
 */
#include <lfkit/latch.h>
#include <lfkit/ref/seqlock.h>
#include <lfkit/seqarray.h>
#include <lfkit/seqlock.h>
#include <stdlib.h>
#include <string.h>

#include "seqlock_helpers.h"
#include "seqlock_scenarios.h"

/* ---- lfk_seqlock -------------------------------------------------------- */

struct sl_diff {
	struct lfk_seqlock l;
	struct lfk_ref_seqlock tw[2];
	uint64_t shared[3][72];
	unsigned char src[600], out[3][600];
};

/* One random read or write at offset off of `size` bytes, the private side
 * misaligned by mis, on the primary and both twins. */
static void sl_diff_step(struct sl_diff *d, struct lfk_rng *rng, size_t off,
			 size_t size, size_t mis, int rc[3])
{
	if (lfk_rng_below(rng, 2)) {
		fill_random(rng, d->src, sizeof(d->src));
		rc[0] = lfk_seqlock_write(&d->l, (char *)d->shared[0] + off,
					  d->src + mis, size);
		for (int k = 0; k < 2; k++)
			rc[k + 1] = lfk_ref_seqlock_write(
				&d->tw[k], (char *)d->shared[k + 1] + off,
				d->src + mis, size);
	} else {
		memset(d->out, 0, sizeof(d->out));
		rc[0] = lfk_seqlock_read(&d->l, d->out[0] + mis,
					 (char *)d->shared[0] + off, size);
		for (int k = 0; k < 2; k++)
			rc[k + 1] = lfk_ref_seqlock_read(
				&d->tw[k], d->out[k + 1] + mis,
				(char *)d->shared[k + 1] + off, size);
	}
}

static void sl_diff_compare(const struct sl_diff *d, int it, size_t off,
			    size_t size, const int rc[3])
{
	LFK_CHECK(rc[0] == rc[1] && rc[0] == rc[2],
		  "it %d off %zu size %zu: rc %d, twins %d %d", it, off, size,
		  rc[0], rc[1], rc[2]);
	LFK_CHECK(
		memcmp(d->shared[0], d->shared[1], sizeof(d->shared[0])) == 0 &&
			memcmp(d->shared[0], d->shared[2],
			       sizeof(d->shared[0])) == 0 &&
			memcmp(d->out[0], d->out[1], sizeof(d->out[0])) == 0 &&
			memcmp(d->out[0], d->out[2], sizeof(d->out[0])) == 0,
		"it %d off %zu size %zu: bytes differ from the twins", it, off,
		size);
}

int lfk_scn_differential_seqlock(void)
{
	struct lfk_rng rng;
	struct sl_diff *d = calloc(1, sizeof(*d));
	if (d == NULL)
		abort();
	lfk_seqlock_init(&d->l);
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int k = 0; k < 2; k++)
		if (lfk_ref_seqlock_init(&d->tw[k], k ? LFK_REF_MUTEX
						      : LFK_REF_RWLOCK) != 0)
			abort();
	for (int it = 0; it < 20000 && !lfk_failures(); it++) {
		/* mostly valid: 4-aligned offsets and sizes; sometimes not */
		size_t off = lfk_rng_below(&rng, 64) * 4 +
			     lfk_rng_below(&rng, 8) / 7;
		size_t size = lfk_rng_below(&rng, 72) * 4 +
			      lfk_rng_below(&rng, 16) / 15;
		size_t mis = lfk_rng_below(&rng, 8);
		int rc[3];
		if (off + size > sizeof(d->shared[0]))
			size = sizeof(d->shared[0]) - off;
		sl_diff_step(d, &rng, off, size, mis, rc);
		sl_diff_compare(d, it, off, size, rc);
	}
	for (int k = 0; k < 2; k++)
		lfk_ref_seqlock_fini(&d->tw[k]);
	free(d);
	return 0;
}

/* ---- lfk_seqarray ------------------------------------------------------- */

/* The update function of the differential runs: xor every word with a value
 * derived from arg, unless arg says to refuse. */
struct diff_update {
	uint64_t x;
	int refuse;
};

static int fn_xor(void *elems, size_t k, size_t es, void *arg)
{
	struct diff_update *u = arg;
	uint64_t *w = elems;
	if (u->refuse)
		return u->refuse;
	for (size_t j = 0; j < k * es / 8; j++)
		w[j] ^= u->x + j;
	return 0;
}

/* A primary (on the heap or, every other round, in caller-provided
 * memory), its two twins, and the buffers of one round. */
struct sa_diff {
	size_t n, es, total;
	struct lfk_seqarray *a;
	struct lfk_ref_seqarray *t[2];
	void *placed;
	unsigned char *src, *out[3];
};

static void sa_diff_open(struct sa_diff *d, size_t n, size_t es, bool placed)
{
	memset(d, 0, sizeof(*d));
	d->n = n;
	d->es = es;
	d->total = n * es;
	if (placed) { /* caller-provided memory */
		size_t need = lfk_seqarray_size(n, es);
		d->placed = aligned_alloc(LFK_CACHELINE, need);
		d->a = d->placed;
		if (d->placed == NULL ||
		    lfk_seqarray_init(d->a, need, n, es) != 0)
			abort();
	} else if (lfk_seqarray_create(n, es, &d->a) != 0) {
		abort();
	}
	for (int k = 0; k < 2; k++)
		if (lfk_ref_seqarray_create(n, es,
					    k ? LFK_REF_MUTEX : LFK_REF_RWLOCK,
					    &d->t[k]) != 0)
			abort();
	for (int k = 0; k < 3; k++)
		if ((d->out[k] = malloc(d->total)) == NULL)
			abort();
	if ((d->src = malloc(d->total)) == NULL)
		abort();
}

static void sa_diff_close(struct sa_diff *d)
{
	if (d->placed)
		free(d->placed);
	else
		lfk_seqarray_destroy(d->a);
	for (int x = 0; x < 2; x++)
		lfk_ref_seqarray_destroy(d->t[x]);
	for (int x = 0; x < 3; x++)
		free(d->out[x]);
	free(d->src);
}

/* The arguments of one random operation. */
struct sa_op {
	int op;
	size_t i, k, idx[8];
	struct diff_update u;
	unsigned tries;
};

static void sa_op_draw(struct sa_op *o, struct lfk_rng *rng, size_t n)
{
	o->op = (int)lfk_rng_below(rng, 5);
	o->i = lfk_rng_below(rng, n + n / 8 + 1); /* some out of range */
	o->k = 1 + lfk_rng_below(rng, 8);
	o->u.x = lfk_rng_next(rng);
	o->u.refuse = lfk_rng_below(rng, 6) == 0 ? 17 : 0;
	o->tries = (unsigned)lfk_rng_below(rng, 3);
	for (size_t j = 0; j < o->k; j++) /* mostly ascending */
		o->idx[j] = (j ? o->idx[j - 1] : 0) + lfk_rng_below(rng, 3);
}

/* The operation on twin x (0 or 1) or, for x == -1, on the primary. */
static int sa_op_apply(struct sa_diff *d, struct sa_op *o, int x)
{
	struct lfk_ref_seqarray *t = x < 0 ? NULL : d->t[x];
	unsigned char *out = d->out[x + 1];
	switch (o->op) {
	case 0:
		return t ? lfk_ref_seqarray_read(t, o->i, out)
			 : lfk_seqarray_read(d->a, o->i, out);
	case 1:
		return t ? lfk_ref_seqarray_write(t, o->i, d->src)
			 : lfk_seqarray_write(d->a, o->i, d->src);
	case 2:
		return t ? lfk_ref_seqarray_update(t, o->i, fn_xor, &o->u)
			 : lfk_seqarray_update(d->a, o->i, fn_xor, &o->u);
	case 3:
		return t ? lfk_ref_seqarray_update_n(t, o->idx, o->k, fn_xor,
						     &o->u)
			 : lfk_seqarray_update_n(d->a, o->idx, o->k, fn_xor,
						 &o->u);
	default: /* the mutex twin takes the plain snapshot */
		if (x == 1)
			return lfk_ref_seqarray_snapshot(t, out);
		return t ? lfk_ref_seqarray_snapshot_tries(t, out, o->tries)
			 : lfk_seqarray_snapshot_tries(d->a, out, o->tries);
	}
}

static void sa_diff_step(struct sa_diff *d, struct lfk_rng *rng)
{
	struct sa_op o;
	int rc[3];
	sa_op_draw(&o, rng, d->n);
	fill_random(rng, d->src, d->es);
	for (int x = 0; x < 3; x++)
		memset(d->out[x], 0, d->total);
	for (int x = -1; x < 2; x++)
		rc[x + 1] = sa_op_apply(d, &o, x);
	LFK_CHECK(rc[0] == rc[1] && rc[0] == rc[2],
		  "n %zu es %zu op %d i %zu k %zu: rc %d, twins %d %d", d->n,
		  d->es, o.op, o.i, o.k, rc[0], rc[1], rc[2]);
	LFK_CHECK(memcmp(d->out[0], d->out[1], d->total) == 0 &&
			  memcmp(d->out[0], d->out[2], d->total) == 0,
		  "n %zu es %zu op %d i %zu: output differs", d->n, d->es, o.op,
		  o.i);
}

/* The final contents, through the snapshot, and no element left locked. */
static void sa_diff_final(struct sa_diff *d)
{
	LFK_CHECK(lfk_seqarray_snapshot(d->a, d->out[0]) == 0 &&
			  lfk_ref_seqarray_snapshot(d->t[0], d->out[1]) == 0 &&
			  memcmp(d->out[0], d->out[1], d->total) == 0,
		  "n %zu es %zu: final contents differ", d->n, d->es);
	for (size_t i = 0; i < d->n; i++)
		LFK_CHECK(!(lfk_seqlock_sequence(
				    &lfk__seqarray_slot_at(d->a, i)->lock) &
			    1),
			  "element %zu left write-locked", i);
}

int lfk_scn_differential_seqarray(void)
{
	struct lfk_rng rng;
	struct sa_diff d;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int round = 0; round < 24 && !lfk_failures(); round++) {
		size_t n = 1 + lfk_rng_below(&rng, round % 4 == 3 ? 600 : 20);
		/* big element counts or big elements (not both): the heap
		 * paths of snapshot and update_n */
		size_t es =
			8 * (1 + lfk_rng_below(&rng, n <= 20 && round % 5 == 4
							     ? 700
							     : 24));
		sa_diff_open(&d, n, es, round % 2);
		for (int it = 0; it < 250 && !lfk_failures(); it++)
			sa_diff_step(&d, &rng);
		sa_diff_final(&d);
		sa_diff_close(&d);
	}
	return 0;
}

/* ---- lfk_latch ------------------------------------------------------------ */

static void latch_diff_round(struct lfk_rng *rng, size_t os)
{
	struct lfk_latch *l;
	struct lfk_ref_latch *t[2];
	unsigned char src[320], out[3][320];
	if (lfk_latch_create(os, &l) != 0)
		abort();
	for (int k = 0; k < 2; k++)
		if (lfk_ref_latch_create(os, k ? LFK_REF_MUTEX : LFK_REF_RWLOCK,
					 &t[k]) != 0)
			abort();
	for (int it = 0; it < 500 && !lfk_failures(); it++) {
		int rc[3];
		memset(out, 0, sizeof(out));
		if (lfk_rng_below(rng, 2)) {
			fill_random(rng, src, os);
			rc[0] = lfk_latch_write(l, src);
			rc[1] = lfk_ref_latch_write(t[0], src);
			rc[2] = lfk_ref_latch_write(t[1], src);
		} else {
			rc[0] = lfk_latch_read(l, out[0]);
			rc[1] = lfk_ref_latch_read(t[0], out[1]);
			rc[2] = lfk_ref_latch_read(t[1], out[2]);
		}
		LFK_CHECK(rc[0] == 0 && rc[1] == 0 && rc[2] == 0 &&
				  memcmp(out[0], out[1], os) == 0 &&
				  memcmp(out[0], out[2], os) == 0,
			  "latch os %zu it %d differs from the twins", os, it);
	}
	lfk_latch_destroy(l);
	for (int k = 0; k < 2; k++)
		lfk_ref_latch_destroy(t[k]);
}

int lfk_scn_differential_latch(void)
{
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int round = 0; round < 20 && !lfk_failures(); round++)
		latch_diff_round(&rng, 8 * (1 + lfk_rng_below(&rng, 40)));
	return 0;
}
