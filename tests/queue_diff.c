/* SPDX-License-Identifier: MIT */
/*
 * lfk_queue on each ring kind held against its mutex twin lfk_ref_queue: a
 * seeded run of non-blocking put, get, count, task_done, join and (late)
 * close on both, every result and every item compared, at several
 * capacities, for u64 items and records.
 */
#include "queue_scenarios.h"

#include <string.h>

#include "queue_helpers.h"

#define STEPS 3000

/* The queue under test (a) and the twin (b), fed the same operations. */
struct diff {
	const struct lfk_queue_ops *o, *t;
	void *a, *b;
	size_t cap, es;
	uint64_t next; /* numbers the items put */
};

/* Results x (the queue) and y (the twin) of `what` must agree; returns 1
 * when they do not. */
static int diff_same(const struct diff *d, int step, const char *what, long x,
		     long y)
{
	if (x == y)
		return 0;
	LFK_CHECK(0, "%s cap %zu es %zu step %d: %s %ld, twin %ld", d->o->name,
		  d->cap, d->es, step, what, x, y);
	return 1;
}

static int diff_put(struct diff *d, int step)
{
	uint64_t rec[8];
	int x, y;
	for (size_t w = 0; w < d->es / 8; w++)
		rec[w] = d->next * 0x9e3779b97f4a7c15ull + w;
	d->next++;
	x = d->es == 8 ? d->o->put(d->a, rec[0], 0)
		       : d->o->put_rec(d->a, rec, 0);
	y = d->es == 8 ? d->t->put(d->b, rec[0], 0)
		       : d->t->put_rec(d->b, rec, 0);
	return diff_same(d, step, "put", x, y);
}

static int diff_get(struct diff *d, int step)
{
	uint64_t ra[8] = { 0 }, rb[8] = { 0 };
	int x = d->es == 8 ? d->o->get(d->a, ra, 0)
			   : d->o->get_rec(d->a, ra, 0);
	int y = d->es == 8 ? d->t->get(d->b, rb, 0)
			   : d->t->get_rec(d->b, rb, 0);
	if (x == y && memcmp(ra, rb, d->es) == 0)
		return 0;
	LFK_CHECK(0, "%s cap %zu es %zu step %d: get %d (%llx), twin %d (%llx)",
		  d->o->name, d->cap, d->es, step, x, (unsigned long long)ra[0],
		  y, (unsigned long long)rb[0]);
	return 1;
}

/* One seeded step; returns 1 on a mismatch. */
static int diff_step(struct diff *d, int step, uint64_t dice)
{
	/* Phases bias toward filling or draining, so both the full and the
	 * empty boundary are visited at every capacity. */
	bool filling = (step / 64) % 2 == 0;
	if (dice < (filling ? 500u : 250u))
		return diff_put(d, step);
	if (dice < 750)
		return diff_get(d, step);
	if (dice < 850)
		return diff_same(d, step, "count", (long)d->o->count(d->a),
				 (long)d->t->count(d->b));
	if (dice < 950)
		return diff_same(d, step, "task_done", d->o->task_done(d->a),
				 d->t->task_done(d->b));
	if (dice < 999)
		return diff_same(d, step, "join", d->o->join(d->a, 0),
				 d->t->join(d->b, 0));
	if (step > STEPS / 2) {
		int x = d->o->close(d->a), y = d->t->close(d->b);
		LFK_CHECK(x == 0 && y == 0, "close");
	}
	return 0;
}

static void differential(const struct lfk_queue_ops *o, size_t cap, size_t es,
			 uint64_t seed)
{
	struct diff d = { o, &lfk_queue_ops_ref, NULL, NULL, cap, es, 1 };
	struct lfk_rng rng;
	int bad = 0;
	d.a = must_create(d.o, cap, es);
	d.b = must_create(d.t, cap, es);
	if (d.a != NULL && d.b != NULL) {
		lfk_rng_seed(&rng, seed);
		for (int step = 0; step < STEPS && bad < 5; step++)
			bad += diff_step(&d, step, lfk_rng_below(&rng, 1000));
		LFK_CHECK(d.o->capacity(d.a) == cap &&
				  d.t->capacity(d.b) == cap,
			  "capacity");
	}
	if (d.a)
		d.o->destroy(d.a);
	if (d.b)
		d.t->destroy(d.b);
}

int lfk_scn_differential_vs_twin(void)
{
	static const size_t caps[] = { 1, 2, 3, 7, 1024 };
	static const size_t sizes[] = { 8, 24 };
	const struct lfk_queue_ops *impls[] = { &lfk_queue_ops_spsc,
						&lfk_queue_ops_mpmc,
						&lfk_queue_ops_lfmpmc };
	uint64_t seed = lfk_test_seed();
	for (size_t i = 0; i < COUNT(impls); i++)
		for (size_t c = 0; c < COUNT(caps); c++)
			for (size_t e = 0; e < COUNT(sizes); e++)
				differential(impls[i], caps[c], sizes[e],
					     seed + i * 100 + c * 10 + e);
	return 0;
}
