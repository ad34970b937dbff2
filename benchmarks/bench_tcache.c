/* SPDX-License-Identifier: MIT */
/*
 * lfbench tcache: fixed-size object allocation, for
 *   lfk_tcache    per-thread magazines over a lock-free depot
 *   malloc        glibc malloc/free (which has a per-thread cache of its own)
 *   ref_freelist  the mutex twin (one free list behind one mutex)
 * Two shapes:
 *   tcache_pair     every thread allocates an object, writes it, reads it
 *                   back and frees it; 1, 2 and 8 threads.  One op = a pair.
 *   tcache_xthread  producers allocate, stamp a sequence number and pass the
 *                   object through an SPSC channel to their consumer, which
 *                   checks the sequence and frees it (so every object is
 *                   freed by a thread other than its allocator); 1, 2 and 4
 *                   producer/consumer pairs.  One op = an object moved.
 * Every run checks the data it wrote, the count of objects, and (for the
 * caches) that no object is left in use.
 */
#include <lfkit/atomic.h>
#include <lfkit/ref/tcache.h>
#include <lfkit/tcache.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfbench.h"
#include "tests/harness/lfk_threads.h"

const char lfb_tcache_help[] =
	"benches (64-byte objects):\n"
	"  tcache_pair     every thread allocates an object, writes it, reads it\n"
	"                  back and frees it; 1, 2 and 8 threads; one op = a pair\n"
	"  tcache_xthread  producers allocate, stamp a sequence number and pass\n"
	"                  the object through an SPSC channel to their consumer,\n"
	"                  which checks and frees it; 1, 2 and 4 pairs; one op =\n"
	"                  an object moved\n"
	"implementations (impl):\n"
	"  lfk_tcache    per-thread magazines over a lock-free depot\n"
	"  malloc        glibc malloc/free\n"
	"  ref_freelist  the mutex twin (one free list behind one mutex)\n"
	"Every run checks the data written, the count of objects and that no\n"
	"object is left in use.\n";

#define OBJ_SIZE 64
#define MAX_PAIRS 4

enum impl {
	LFK,
	MALLOC,
	REF,
	NIMPL
};

/* Passed on in place of an object that could not be allocated. */
static uint64_t failed[OBJ_SIZE / 8];

/* The benchmark's own SPSC channel (a bounded ring, Lamport style, with
 * each side caching the other's index): the ring module is separate work. */
#define CH_SIZE 1024

struct spsc {
	uint64_t head LFK_CACHE_ALIGNED; /* next to read: the consumer's */
	uint64_t tail_cache; /* the consumer's view of tail */
	uint64_t tail LFK_CACHE_ALIGNED; /* next to write: the producer's */
	uint64_t head_cache; /* the producer's view of head */
	void *slot[CH_SIZE] LFK_CACHE_ALIGNED;
};

static void spsc_put(struct spsc *q, void *p)
{
	uint64_t t = q->tail;
	unsigned spins = 0;
	while (t - q->head_cache >= CH_SIZE) {
		/* acquire: the consumer is done with the slot it released */
		q->head_cache = lfk_atomic_load_u64(&q->head, LFK_ACQUIRE);
		if (t - q->head_cache >= CH_SIZE)
			lfk_backoff(&spins);
	}
	q->slot[t % CH_SIZE] = p;
	/* release: the slot (and the object's contents) before the index */
	lfk_atomic_store_u64(&q->tail, t + 1, LFK_RELEASE);
}

static void *spsc_get(struct spsc *q)
{
	uint64_t h = q->head;
	unsigned spins = 0;
	void *p;
	while (h == q->tail_cache) {
		/* acquire: pairs with the producer's release of tail */
		q->tail_cache = lfk_atomic_load_u64(&q->tail, LFK_ACQUIRE);
		if (h == q->tail_cache)
			lfk_backoff(&spins);
	}
	p = q->slot[h % CH_SIZE];
	/* release: our read of the slot before the producer reuses it */
	lfk_atomic_store_u64(&q->head, h + 1, LFK_RELEASE);
	return p;
}

struct tcache_ctx {
	enum impl impl;
	int threads; /* pair: threads; xthread: producer/consumer pairs */
	uint64_t per_thread;
	struct lfk_tcache *lfk;
	struct lfk_ref_tcache *ref;
	struct spsc *ch; /* MAX_PAIRS channels */
	uint64_t bad[2 * MAX_PAIRS * 8] LFK_CACHE_ALIGNED; /* per thread */
};

/* The allocations as expressions (NULL on failure), for the loops below;
 * inline, so lfk_tcache_alloc's fast path still inlines into them. */
static inline void *lfk_alloc(struct lfk_tcache *tc)
{
	void *p;
	return lfk_tcache_alloc(tc, &p) == 0 ? p : NULL;
}

static inline void *ref_alloc(struct lfk_ref_tcache *tc)
{
	void *p;
	return lfk_ref_tcache_alloc(tc, &p) == 0 ? p : NULL;
}

/* One loop per implementation, the calls inlined where the API allows. */
#define PAIR_LOOP(ALLOC, FREE)                                                 \
	for (uint64_t i = 0; i < n; i++) {                                     \
		uint64_t *p = ALLOC;                                           \
		if (p == NULL) {                                               \
			bad++;                                                 \
			continue;                                              \
		}                                                              \
		p[0] = i;                                                      \
		p[OBJ_SIZE / 8 - 1] = ~i;                                      \
		lfk_compiler_barrier();                                        \
		bad += p[0] != i || p[OBJ_SIZE / 8 - 1] != ~i;                 \
		FREE;                                                          \
	}

static void pair_thread(void *arg, int me)
{
	struct tcache_ctx *c = arg;
	uint64_t n = c->per_thread, bad = 0;
	switch (c->impl) {
	case LFK:
		PAIR_LOOP(lfk_alloc(c->lfk), lfk_tcache_free(c->lfk, p))
		break;
	case MALLOC:
		PAIR_LOOP(malloc(OBJ_SIZE), free(p))
		break;
	default:
		PAIR_LOOP(ref_alloc(c->ref), lfk_ref_tcache_free(c->ref, p))
		break;
	}
	c->bad[me * 8] = bad;
}

static void producer(void *arg, int me)
{
	struct tcache_ctx *c = arg;
	uint64_t n = c->per_thread, bad = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t *p;
		switch (c->impl) {
		case LFK:
			p = lfk_alloc(c->lfk);
			break;
		case MALLOC:
			p = malloc(OBJ_SIZE);
			break;
		default:
			p = ref_alloc(c->ref);
			break;
		}
		if (p == NULL) {
			bad++;
			p = failed; /* the consumer still gets n items */
		} else {
			p[0] = i;
		}
		spsc_put(&c->ch[me], p);
	}
	c->bad[me * 8] = bad;
}

static void consumer(void *arg, int me)
{
	struct tcache_ctx *c = arg;
	uint64_t n = c->per_thread, bad = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t *p = spsc_get(&c->ch[me]);
		if (p == failed) {
			bad++;
			continue;
		}
		bad += p[0] != i; /* FIFO, and nobody else wrote it */
		switch (c->impl) {
		case LFK:
			lfk_tcache_free(c->lfk, p);
			break;
		case MALLOC:
			free(p);
			break;
		default:
			lfk_ref_tcache_free(c->ref, p);
			break;
		}
	}
	c->bad[(MAX_PAIRS + me) * 8] = bad;
}

/* After a run: nothing reported bad, nothing left in use. */
static bool tcache_verify(struct tcache_ctx *c)
{
	struct lfk_tcache_stats st = { 0 };
	for (size_t i = 0; i < sizeof(c->bad) / sizeof(c->bad[0]); i++)
		if (c->bad[i] != 0)
			return false;
	if (c->impl == LFK)
		lfk_tcache_stats(c->lfk, &st);
	else if (c->impl == REF)
		lfk_ref_tcache_stats(c->ref, &st);
	return st.in_use == 0;
}

static bool pair_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct tcache_ctx *c = arg;
	memset(c->bad, 0, sizeof(c->bad));
	c->per_thread = ops / (uint64_t)c->threads;
	*elapsed_ns = lfk_run_threads(c->threads, pair_thread, c);
	return tcache_verify(c);
}

static bool xthread_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct tcache_ctx *c = arg;
	memset(c->bad, 0, sizeof(c->bad));
	memset(c->ch, 0, MAX_PAIRS * sizeof(*c->ch));
	c->per_thread = ops / (uint64_t)c->threads;
	if (c->per_thread == 0)
		c->per_thread = 1;
	*elapsed_ns =
		lfk_run_threads2(c->threads, producer, c->threads, consumer, c);
	return tcache_verify(c);
}

static const char *const names[NIMPL] = { "lfk_tcache", "malloc",
					  "ref_freelist" };

/* Every implementation at 1, 2 and 8 threads (pair) or 1, 2 and 4
 * producer/consumer pairs (xthread); c[i] is implementation i's context. */
static void run_cases(const struct lfb_opts *o, struct tcache_ctx *c,
		      bool xthread, const uint64_t ops[NIMPL])
{
	static const int pair_threads[] = { 1, 2, 8 }, xpairs[] = { 1, 2, 4 };
	for (size_t t = 0; t < 3; t++) {
		int n = xthread ? xpairs[t] : pair_threads[t];
		struct lfb_case k[NIMPL];
		for (int i = 0; i < NIMPL; i++) {
			k[i] = (struct lfb_case){
				.bench = xthread ? "tcache_xthread"
						 : "tcache_pair",
				.impl = names[i],
				.producers = n,
				.consumers = xthread ? n : 0,
				.ops = ops[i] / (n > 1 && i ? 2 : 1),
				.run = xthread ? xthread_run : pair_run,
				.ctx = &c[i],
			};
			c[i].threads = n;
		}
		lfb_measure_cases(o, k, NIMPL, NULL);
	}
}

void lfb_bench_tcache(const struct lfb_opts *o)
{
	/* operations per run at 1 thread; a run takes about 0.1-0.3 s */
	static const uint64_t pair_ops[NIMPL] = { 100000000, 20000000,
						  10000000 };
	static const uint64_t xthread_ops[NIMPL] = { 8000000, 8000000,
						     8000000 };
	struct tcache_ctx c[NIMPL];
	struct lfk_tcache *lfk;
	struct lfk_ref_tcache *ref;
	struct spsc *ch = aligned_alloc(LFK_CACHELINE, MAX_PAIRS * sizeof(*ch));
	if (lfk_tcache_create(OBJ_SIZE, 0, 0, &lfk) != 0 ||
	    lfk_ref_tcache_create(OBJ_SIZE, 0, 0, &ref) != 0 || ch == NULL)
		abort();
	for (int i = 0; i < NIMPL; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].impl = (enum impl)i;
		c[i].lfk = lfk;
		c[i].ref = ref;
		c[i].ch = ch;
	}
	run_cases(o, c, false, pair_ops);
	run_cases(o, c, true, xthread_ops);
	lfk_tcache_destroy(lfk);
	lfk_ref_tcache_destroy(ref);
	free(ch);
}
