/* SPDX-License-Identifier: MIT */
/*
 * lfbench atomic: the per-operation cost of the atomic layer, the configured
 * arch backend beside the generic (__atomic) one, single-threaded and with
 * two threads each hammering its own word, either in one shared cache line
 * (false sharing) or on separate lines.
 */
#include <lfkit/atomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfbench.h"
#include "tests/harness/lfk_threads.h"

const char lfb_atomic_help[] =
	"benches: atomic_<op>, atomic_<op>_shared, atomic_<op>_padded for op in\n"
	"  load_relaxed, load_acquire, store_release, faa, cas, cas_fail, exchange\n"
	"  (no suffix)  one thread, n operations on one word\n"
	"  _shared      two threads, each on its own word in one cache line\n"
	"               (false sharing)\n"
	"  _padded      two threads, their words a cache line apart\n"
	"implementations (impl):\n"
	"  arch         the configured arch backend (LFK__ARCH_OP)\n"
	"  generic      the generic backend (__atomic builtins)\n"
	"Every run checks that the word ends where the operations lead it.\n";

#define ARCH(op) LFK__ARCH_OP(op)
#define GEN(op) lfk__generic_##op

/*
 * One loop per operation and backend: n operations on *p, then a check that
 * the result adds up.  *p starts at 0.
 */
#define DEFINE_LOOPS(tag, FN)                                                  \
	static bool tag##_load_relaxed(uint64_t *p, uint64_t n)                \
	{                                                                      \
		uint64_t s = 0;                                                \
		FN(store_u64)(p, 1, LFK_RELAXED);                              \
		for (uint64_t i = 0; i < n; i++)                               \
			s += FN(load_u64)(p, LFK_RELAXED);                     \
		return s == n;                                                 \
	}                                                                      \
	static bool tag##_load_acquire(uint64_t *p, uint64_t n)                \
	{                                                                      \
		uint64_t s = 0;                                                \
		FN(store_u64)(p, 1, LFK_RELAXED);                              \
		for (uint64_t i = 0; i < n; i++)                               \
			s += FN(load_u64)(p, LFK_ACQUIRE);                     \
		return s == n;                                                 \
	}                                                                      \
	static bool tag##_store_release(uint64_t *p, uint64_t n)               \
	{                                                                      \
		for (uint64_t i = 1; i <= n; i++)                              \
			FN(store_u64)(p, i, LFK_RELEASE);                      \
		return FN(load_u64)(p, LFK_RELAXED) == n;                      \
	}                                                                      \
	static bool tag##_faa(uint64_t *p, uint64_t n)                         \
	{                                                                      \
		for (uint64_t i = 0; i < n; i++)                               \
			FN(fetch_add_u64)(p, 1, LFK_RELAXED);                  \
		return FN(load_u64)(p, LFK_RELAXED) == n;                      \
	}                                                                      \
	static bool tag##_cas(uint64_t *p, uint64_t n)                         \
	{                                                                      \
		uint64_t ok = 0;                                               \
		for (uint64_t i = 0; i < n; i++) {                             \
			uint64_t e = i;                                        \
			ok += FN(cas_u64)(p, &e, i + 1, LFK_ACQ_REL);          \
		}                                                              \
		return ok == n && FN(load_u64)(p, LFK_RELAXED) == n;           \
	}                                                                      \
	static bool tag##_cas_fail(uint64_t *p, uint64_t n)                    \
	{                                                                      \
		uint64_t failed = 0;                                           \
		FN(store_u64)(p, UINT64_MAX, LFK_RELAXED);                     \
		for (uint64_t i = 0; i < n; i++) {                             \
			uint64_t e = i;                                        \
			failed += !FN(cas_u64)(p, &e, i, LFK_ACQ_REL);         \
		}                                                              \
		return failed == n &&                                          \
		       FN(load_u64)(p, LFK_RELAXED) == UINT64_MAX;             \
	}                                                                      \
	static bool tag##_exchange(uint64_t *p, uint64_t n)                    \
	{                                                                      \
		uint64_t ok = 0;                                               \
		for (uint64_t i = 1; i <= n; i++)                              \
			ok += FN(exchange_u64)(p, i, LFK_ACQ_REL) == i - 1;    \
		return ok == n;                                                \
	}

DEFINE_LOOPS(arch, ARCH)
DEFINE_LOOPS(gen, GEN)

typedef bool (*op_loop)(uint64_t *p, uint64_t n);

struct op_row {
	const char *name;
	op_loop loop[2]; /* arch, generic */
	uint64_t ops;
};

static const struct op_row op_rows[] = {
	{ "load_relaxed", { arch_load_relaxed, gen_load_relaxed }, 200000000 },
	{ "load_acquire", { arch_load_acquire, gen_load_acquire }, 200000000 },
	{ "store_release",
	  { arch_store_release, gen_store_release },
	  200000000 },
	{ "faa", { arch_faa, gen_faa }, 20000000 },
	{ "cas", { arch_cas, gen_cas }, 20000000 },
	{ "cas_fail", { arch_cas_fail, gen_cas_fail }, 20000000 },
	{ "exchange", { arch_exchange, gen_exchange }, 20000000 },
};

/* Two words in one line (shared) or a line apart (padded). */
struct words {
	uint64_t w[2 * LFK_CACHELINE / sizeof(uint64_t)] LFK_CACHE_ALIGNED;
};

struct atomic_ctx {
	op_loop loop;
	int threads;
	int stride; /* in words: 1 = same line, a line's worth = separate */
	struct words *words;
	uint64_t per_thread;
	bool ok[2];
};

static void atomic_thread(void *arg, int index)
{
	struct atomic_ctx *c = arg;
	c->ok[index] = c->loop(&c->words->w[index * c->stride], c->per_thread);
}

static bool atomic_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct atomic_ctx *c = arg;
	memset(c->words, 0, sizeof(*c->words));
	c->per_thread = ops / (uint64_t)c->threads;
	c->ok[0] = c->ok[1] = false;
	*elapsed_ns = lfk_run_threads(c->threads, atomic_thread, c);
	return c->ok[0] && (c->threads < 2 || c->ok[1]);
}

void lfb_bench_atomic(const struct lfb_opts *o)
{
	static const char *impls[2] = { "arch", "generic" };
	static const struct {
		const char *suffix;
		int threads, stride;
	} layouts[] = {
		{ "", 1, 1 },
		{ "_shared", 2, 1 },
		{ "_padded", 2, LFK_CACHELINE / sizeof(uint64_t) },
	};
	struct words *words = aligned_alloc(LFK_CACHELINE, sizeof(*words));
	if (words == NULL)
		abort();
	for (size_t r = 0; r < sizeof(op_rows) / sizeof(op_rows[0]); r++) {
		for (size_t l = 0; l < 3; l++) {
			char bench[64];
			struct atomic_ctx ctx[2];
			struct lfb_case c[2];
			snprintf(bench, sizeof(bench), "atomic_%s%s",
				 op_rows[r].name, layouts[l].suffix);
			for (int b = 0; b < 2; b++) {
				ctx[b] = (struct atomic_ctx){
					.loop = op_rows[r].loop[b],
					.threads = layouts[l].threads,
					.stride = layouts[l].stride,
					.words = words,
				};
				c[b] = (struct lfb_case){
					.bench = bench,
					.impl = impls[b],
					.producers = layouts[l].threads,
					.consumers = 0,
					.ops = op_rows[r].ops / (l ? 4 : 1) *
					       (uint64_t)layouts[l].threads,
					.run = atomic_run,
					.ctx = &ctx[b],
				};
			}
			lfb_measure_cases(o, c, 2, NULL);
		}
	}
	free(words);
}
