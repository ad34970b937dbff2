/* SPDX-License-Identifier: MIT */
/*
 * lfbench ring: lfkit's rings against their mutex twin and the peers
 * (ConcurrencyKit ck_ring, liburcu cds_wfcq), all in one run.  The benches,
 * implementations, run lengths and row selection are described for users
 * in lfb_ring_help below (lfbench ring --help) and docs/ring-bench.md.
 * Items and checksums: ring_pump.h.  A case's implementations exist side
 * by side and run in interleaved rounds (bench_harness.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_ring.h"
#include "lfbench.h"

const char lfb_ring_help[] =
	"benches:\n"
	"  ring          P producers and P consumers (1p1c, 2p2c, 4p4c, 8p8c), one\n"
	"                item per call; single-producer/single-consumer queues at\n"
	"                1p1c only\n"
	"  ring_burst32  the same with up to 32 items per call (queues without a\n"
	"                burst call: 32 single calls)\n"
	"  ring_pair     one thread, enqueue then dequeue of the same item\n"
	"                (producers=1, consumers=0): the uncontended cost\n"
	"implementations (impl):\n"
	"  lfk_spsc, lfk_mpmc, lfk_lfmpmc  lfkit's rings (spsc 1p1c only)\n"
	"  ref_ring      the mutex twin\n"
	"  lfk_queue     the blocking queue (put LFK_FOREVER, get with a 1 ms\n"
	"                timeout; spsc ring at 1p1c, lfmpmc otherwise)\n"
	"  lfk_queue_mpmc  the same queue over the mpmc ring everywhere\n"
	"  ref_queue     its mutex + condition-variable twin\n"
	"  ck_spsc, ck_mpmc  ConcurrencyKit ck_ring (when built with ck)\n"
	"  urcu_wfcq     liburcu's cds_wfcq (when built with liburcu)\n"
	"Every bounded queue holds 1024 items (ck_ring 1023).  A run moves its\n"
	"items (12 M at 1p1c down to 4 M at 8p8c, twice that with bursts, 20 M\n"
	"pairs; times --scale) or stops at its time budget (200 ms times --scale,\n"
	"at least 5 ms), whichever comes first; ops_per_run is the median of the\n"
	"items the runs moved.  Every run checks count, sum and xor of the items.\n"
	"Select rows with LFB_RING_BENCHES and LFB_RING_IMPLS, e.g.\n"
	"  LFB_RING_BENCHES=ring_pair LFB_RING_IMPLS=lfk_spsc,ck_spsc lfbench ring\n"
	"See docs/ring-bench.md.\n";

#define RING_CAPACITY 1024
#define MAX_SIDE 8
#define MAX_IMPLS 16
/* Time budget of one run at --scale 1 (scaled with it, at least 5 ms). */
#define RUN_BUDGET_NS 200000000ull

/* The implementations, lfkit's first; the blocking queues, lfk_queue and
 * ref_queue, come right after (bench_queue_rows.c), then the peers. */
static const struct lfb_ring_impl lfk_impls[] = {
	{ .name = "lfk_spsc", .ops = &lfk_ring_ops_spsc },
	{ .name = "lfk_mpmc", .ops = &lfk_ring_ops_mpmc },
	{ .name = "lfk_lfmpmc", .ops = &lfk_ring_ops_lfmpmc },
	{ .name = "ref_ring", .ops = &lfk_ring_ops_ref },
	{ .name = NULL },
};

static const struct lfb_ring_impl *const impl_tables[] = { lfk_impls,
							   lfb_queue_impls,
							   lfb_ring_peers };
#define NTABLES (sizeof(impl_tables) / sizeof(impl_tables[0]))

static bool impl_multi(const struct lfb_ring_impl *im)
{
	return im->ops ? im->ops->multi : im->multi;
}

static const struct lfk_ring_pump *impl_pump(const struct lfb_ring_impl *im)
{
	return im->ops ? im->ops->pump : im->pump;
}

static int impl_create(const struct lfb_ring_impl *im,
		       const struct lfb_ring_geom *g, void **q)
{
	return im->ops ? im->ops->create(g->capacity, 8, q) : im->create(g, q);
}

static void impl_destroy(const struct lfb_ring_impl *im, void *q)
{
	if (im->ops)
		im->ops->destroy(q);
	else
		im->destroy(q);
}

/* One thread's tally, on a line of its own. */
struct slot_tally {
	struct lfk_pump_tally t;
} LFK_CACHE_ALIGNED;

struct ring_ctx {
	struct lfk_pump_run run;
	const struct lfk_ring_pump *pump;
	void *q;
	int producers, consumers;
	uint32_t burst;
	uint64_t budget_ns;
	uint64_t pairs; /* the pair loop's run length */
	uint64_t moved; /* items the last run moved */
	struct slot_tally put[MAX_SIDE], taken[MAX_SIDE];
};

static void producer_thread(void *arg, int index)
{
	struct ring_ctx *c = arg;
	c->pump->produce(c->q, &c->run, index, &c->put[index].t);
}

static void consumer_thread(void *arg, int index)
{
	struct ring_ctx *c = arg;
	c->pump->consume(c->q, &c->run, &c->taken[index].t);
}

static bool threads_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct ring_ctx *c = arg;
	struct lfk_pump_tally put = { 0, 0, 0 }, taken = { 0, 0, 0 };
	uint64_t per = ops / (uint64_t)c->producers;
	lfk_pump_run_init(&c->run, c->producers, per ? per : 1, c->burst,
			  c->budget_ns);
	*elapsed_ns = lfk_run_threads2(c->producers, producer_thread,
				       c->consumers, consumer_thread, c);
	for (int i = 0; i < c->producers; i++)
		lfk_pump_add(&put, &c->put[i].t);
	for (int i = 0; i < c->consumers; i++)
		lfk_pump_add(&taken, &c->taken[i].t);
	c->moved = taken.count;
	return lfk_pump_verify(&c->run, &put, &taken);
}

static void pair_thread(void *arg, int index)
{
	struct ring_ctx *c = arg;
	(void)index;
	c->pump->pair(c->q, c->pairs, &c->taken[0].t);
}

/* The pair loop runs on a one-thread group: pinned like every other. */
static bool pair_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct ring_ctx *c = arg;
	struct lfk_pump_tally *got = &c->taken[0].t,
			      want = lfk_pump_expected(0, ops);
	c->pairs = ops;
	*elapsed_ns = lfk_run_threads(1, pair_thread, c);
	c->moved = got->count;
	return got->count == want.count && got->sum == want.sum &&
	       got->xor == want.xor
		;
}

static uint64_t ring_moved(void *arg)
{
	return ((struct ring_ctx *)arg)->moved;
}

/* Sets up implementation im's queue and context for one case; NULL when
 * the rows are not selected.  A queue that cannot be created is a broken
 * machine, not a result. */
static struct ring_ctx *ring_ctx_create(const struct lfb_opts *o,
					const struct lfb_ring_impl *im,
					const struct lfb_ring_geom *g,
					uint32_t burst)
{
	const double budget = (double)RUN_BUDGET_NS * o->scale;
	struct ring_ctx *c;
	c = aligned_alloc(LFK_CACHELINE, (sizeof(*c) + LFK_CACHELINE - 1) /
						 LFK_CACHELINE * LFK_CACHELINE);
	if (c == NULL)
		abort();
	memset(c, 0, sizeof(*c));
	c->pump = impl_pump(im);
	c->producers = g->producers;
	c->consumers = g->consumers;
	c->burst = burst;
	c->budget_ns = budget < 5e6 ? 5000000u : (uint64_t)budget;
	if (impl_create(im, g, &c->q) != 0) {
		fprintf(stderr, "lfbench ring: cannot create %s\n", im->name);
		abort();
	}
	return c;
}

/* Measures one case: every selected implementation that fits the
 * configuration (side producers and consumers; side 0: the pair loop), in
 * interleaved rounds. */
static void ring_case(const struct lfb_opts *o, const char *bench, int side,
		      uint32_t burst, uint64_t ops)
{
	const bool pairs = side == 0;
	struct lfb_ring_geom g = {
		.capacity = RING_CAPACITY,
		.producers = pairs ? 1 : side,
		.consumers = pairs ? 1 : side,
		.per_producer = pairs ? 0
				      : (uint64_t)((double)ops * o->scale) /
							(uint64_t)side +
						1,
	};
	struct lfb_case lc[MAX_IMPLS];
	const struct lfb_ring_impl *ims[MAX_IMPLS];
	int n = 0;

	if (!lfb_selected("LFB_RING_BENCHES", bench))
		return;
	for (size_t t = 0; t < NTABLES; t++) {
		for (const struct lfb_ring_impl *im = impl_tables[t];
		     im->name != NULL && n < MAX_IMPLS; im++) {
			if ((side > 1 && !impl_multi(im)) ||
			    !lfb_selected("LFB_RING_IMPLS", im->name))
				continue;
			ims[n] = im;
			lc[n] = (struct lfb_case){
				.bench = bench,
				.impl = im->name,
				.producers = g.producers,
				.consumers = pairs ? 0 : side,
				.ops = ops,
				.run = pairs ? pair_run : threads_run,
				.ctx = ring_ctx_create(o, im, &g, burst),
				.ops_done = ring_moved,
			};
			n++;
		}
	}
	if (n > 0)
		lfb_measure_cases(o, lc, n, NULL);
	for (int i = 0; i < n; i++) {
		struct ring_ctx *c = lc[i].ctx;
		impl_destroy(ims[i], c->q);
		free(c);
	}
}

/* Configurations: P producers and P consumers, items per run (all
 * producers together) at --scale 1. */
static const struct {
	int side;
	uint64_t items, items_burst;
} configs[] = {
	{ 1, 12000000, 24000000 },
	{ 2, 8000000, 16000000 },
	{ 4, 4000000, 8000000 },
	{ 8, 4000000, 8000000 },
};

#define PAIRS_PER_RUN 20000000

void lfb_bench_ring(const struct lfb_opts *o)
{
	static const struct {
		const char *bench;
		uint32_t burst;
	} modes[] = { { "ring", 1 }, { "ring_burst32", 32 } };

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		for (size_t k = 0; k < sizeof(configs) / sizeof(configs[0]);
		     k++)
			ring_case(o, modes[m].bench, configs[k].side,
				  modes[m].burst,
				  modes[m].burst > 1 ? configs[k].items_burst
						     : configs[k].items);
	ring_case(o, "ring_pair", 0, 1, PAIRS_PER_RUN);
}
