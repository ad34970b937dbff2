/* SPDX-License-Identifier: MIT */
/*
 * lfbench counter: increments per second, the sharded lfk_counter against
 * one shared fetch-add and the mutex twin (lfb_counter_help below).
 */
#include <lfkit/atomic.h>
#include <lfkit/counter.h>
#include <lfkit/ref/counter.h>
#include <stdio.h>
#include <stdlib.h>

#include "lfbench.h"
#include "tests/harness/lfk_threads.h"

const char lfb_counter_help[] =
	"bench counter: increments per second at 1, 2 and 8 threads, every thread\n"
	"adding 1 in a loop (producers = threads).\n"
	"implementations (impl):\n"
	"  lfk_counter  the sharded counter (each thread on its own cache line)\n"
	"  atomic_faa   one shared word, lfk_atomic_fetch_add_u64 (relaxed)\n"
	"  ref_counter  the mutex twin\n"
	"Every run checks that the total read back is exactly the number of adds.\n";

enum impl {
	LFK,
	FAA,
	REF,
	NIMPL
};

struct counter_ctx {
	enum impl impl;
	int threads;
	uint64_t per_thread;
	struct lfk_counter *lfk;
	struct lfk_ref_counter *ref;
	uint64_t *shared; /* its own cache line */
};

static void counter_thread(void *arg, int me)
{
	struct counter_ctx *c = arg;
	uint64_t n = c->per_thread;
	(void)me;
	switch (c->impl) {
	case LFK:
		for (uint64_t i = 0; i < n; i++)
			lfk_counter_add(c->lfk, 1);
		break;
	case FAA:
		for (uint64_t i = 0; i < n; i++)
			lfk_atomic_fetch_add_u64(c->shared, 1, LFK_RELAXED);
		break;
	default:
		for (uint64_t i = 0; i < n; i++)
			lfk_ref_counter_add(c->ref, 1);
		break;
	}
}

static bool counter_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct counter_ctx *c = arg;
	uint64_t total;
	int64_t got;
	c->per_thread = ops / (uint64_t)c->threads;
	if (c->per_thread == 0)
		c->per_thread = 1;
	total = c->per_thread * (uint64_t)c->threads;
	lfk_counter_reset(c->lfk);
	lfk_ref_counter_reset(c->ref);
	lfk_atomic_store_u64(c->shared, 0, LFK_RELAXED);
	*elapsed_ns = lfk_run_threads(c->threads, counter_thread, c);
	switch (c->impl) {
	case LFK:
		lfk_counter_read(c->lfk, &got);
		break;
	case FAA:
		got = (int64_t)lfk_atomic_load_u64(c->shared, LFK_RELAXED);
		break;
	default:
		lfk_ref_counter_read(c->ref, &got);
		break;
	}
	/* elapsed is per the requested ops; the few rounded off are noise */
	return got == (int64_t)total;
}

void lfb_bench_counter(const struct lfb_opts *o)
{
	static const char *names[NIMPL] = { "lfk_counter", "atomic_faa",
					    "ref_counter" };
	/* operations per run at 1 thread; a run takes about 0.1-0.3 s */
	static const uint64_t base_ops[NIMPL] = { 200000000, 20000000,
						  8000000 };
	static const int threads[] = { 1, 2, 8 };
	struct counter_ctx c[NIMPL];
	struct lfk_counter *lfk;
	struct lfk_ref_counter *ref;
	uint64_t *shared = aligned_alloc(LFK_CACHELINE, LFK_CACHELINE);
	if (lfk_counter_create(&lfk) != 0 ||
	    lfk_ref_counter_create(&ref) != 0 || shared == NULL)
		abort();
	for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		struct lfb_case k[NIMPL];
		for (int i = 0; i < NIMPL; i++) {
			c[i] = (struct counter_ctx){
				.impl = (enum impl)i,
				.threads = threads[t],
				.lfk = lfk,
				.ref = ref,
				.shared = shared,
			};
			k[i] = (struct lfb_case){
				.bench = "counter",
				.impl = names[i],
				.producers = threads[t],
				.consumers = 0,
				.ops = base_ops[i] /
				       (threads[t] > 1 && i ? 2 : 1),
				.run = counter_run,
				.ctx = &c[i],
			};
		}
		lfb_measure_cases(o, k, NIMPL, NULL);
	}
	lfk_counter_destroy(lfk);
	lfk_ref_counter_destroy(ref);
	free(shared);
}
