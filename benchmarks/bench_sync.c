/* SPDX-License-Identifier: MIT */
/*
 * lfbench sync: the futex objects against their pthread counterparts.
 *   mutex_pair       lock/unlock pairs per second at 1, 2 and 8 threads,
 *                    lfk_mutex vs pthread_mutex (default attributes); each
 *                    pair increments a plain counter under the lock, and
 *                    the run verifies when the counter equals the pairs
 *   sem_pingpong     round trips per second between two threads, each
 *                    blocked in a wait until the other posts: lfk_sem vs
 *                    ref_sem (sem_t)
 *   event_pingpong   the same with two events (set, wait, clear): lfk_event
 *                    vs ref_event (mutex + condvar)
 * A ping-pong run verifies when the responder counted every round trip and
 * no unit or set flag is left over.  On two cores a round trip is mostly two
 * futex wake-ups and two context switches: it measures wake-up latency.
 */
#include <lfkit/atomic.h>
#include <lfkit/ref/sync.h>
#include <lfkit/sync.h>
#include <pthread.h>
#include <stdlib.h>

#include "lfbench.h"
#include "tests/harness/lfk_threads.h"

const char lfb_sync_help[] =
	"benches:\n"
	"  mutex_pair      lock/unlock pairs per second at 1, 2 and 8 threads, each\n"
	"                  incrementing a plain counter under the lock: lfk_mutex vs\n"
	"                  pthread_mutex; verified when the counter equals the pairs\n"
	"  sem_pingpong    round trips per second between two threads, each blocked\n"
	"                  in a wait until the other posts: lfk_sem vs ref_sem (sem_t)\n"
	"  event_pingpong  the same with two events (set, wait, clear): lfk_event vs\n"
	"                  ref_event (mutex + condvar)\n"
	"A ping-pong run verifies when every round trip was answered and nothing is\n"
	"left posted or set.\n";

/* ---- mutex pairs -------------------------------------------------------- */

struct pair_ctx {
	struct lfk_mutex lfk LFK_CACHE_ALIGNED;
	pthread_mutex_t pth LFK_CACHE_ALIGNED;
	uint64_t counter LFK_CACHE_ALIGNED;
	bool use_lfk;
	int threads;
	uint64_t per_thread;
};

static void pair_thread(void *arg, int me)
{
	struct pair_ctx *c = arg;
	uint64_t n = c->per_thread;
	(void)me;
	if (c->use_lfk) {
		for (uint64_t i = 0; i < n; i++) {
			lfk_mutex_lock(&c->lfk);
			c->counter++;
			lfk_mutex_unlock(&c->lfk);
		}
	} else {
		for (uint64_t i = 0; i < n; i++) {
			pthread_mutex_lock(&c->pth);
			c->counter++;
			pthread_mutex_unlock(&c->pth);
		}
	}
}

static bool pair_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct pair_ctx *c = arg;
	c->per_thread =
		ops / (uint64_t)c->threads ? ops / (uint64_t)c->threads : 1;
	c->counter = 0;
	*elapsed_ns = lfk_run_threads(c->threads, pair_thread, c);
	return c->counter == c->per_thread * (uint64_t)c->threads;
}

/* ---- ping-pong ---------------------------------------------------------- */

enum pp_kind {
	LFK_SEM,
	REF_SEM,
	LFK_EVENT,
	REF_EVENT,
	NPP
};

/* The two sides' objects of every kind. */
struct pp_objs {
	struct lfk_sem ls[2];
	struct lfk_ref_sem rs[2];
	struct lfk_event le[2];
	struct lfk_ref_event re[2];
};

/* One implementation's context. */
struct pp_ctx {
	enum pp_kind kind;
	uint64_t rounds, answered;
	struct pp_objs *o;
};

/* Signals side `to`: a post, or a set. */
static void pp_signal(struct pp_ctx *c, int to)
{
	switch (c->kind) {
	case LFK_SEM:
		lfk_sem_post(&c->o->ls[to]);
		break;
	case REF_SEM:
		lfk_ref_sem_post(&c->o->rs[to]);
		break;
	case LFK_EVENT:
		lfk_event_set(&c->o->le[to]);
		break;
	default:
		lfk_ref_event_set(&c->o->re[to]);
		break;
	}
}

/* Waits for side `me`'s signal and consumes it; false on an error. */
static bool pp_await(struct pp_ctx *c, int me)
{
	switch (c->kind) {
	case LFK_SEM:
		return lfk_sem_wait(&c->o->ls[me], LFK_FOREVER) == 0;
	case REF_SEM:
		return lfk_ref_sem_wait(&c->o->rs[me], LFK_FOREVER) == 0;
	case LFK_EVENT:
		return lfk_event_wait(&c->o->le[me], LFK_FOREVER) == 0 &&
		       lfk_event_clear(&c->o->le[me]) == 0;
	default:
		return lfk_ref_event_wait(&c->o->re[me], LFK_FOREVER) == 0 &&
		       lfk_ref_event_clear(&c->o->re[me]) == 0;
	}
}

/* Thread 0 signals side 1 and awaits side 0; thread 1 answers. */
static void pp_thread(void *arg, int me)
{
	struct pp_ctx *c = arg;
	for (uint64_t i = 0; i < c->rounds; i++) {
		if (me == 0) {
			pp_signal(c, 1);
			if (!pp_await(c, 0))
				return;
		} else {
			if (!pp_await(c, 1))
				return;
			c->answered++; /* ordered by the signals */
			pp_signal(c, 0);
		}
	}
}

/* True when nothing is left to take on either side. */
static bool pp_idle(struct pp_ctx *c)
{
	bool idle = true;
	for (int i = 0; i < 2; i++) {
		uint32_t units = 0;
		bool set = false;
		switch (c->kind) {
		case LFK_SEM:
			lfk_sem_value(&c->o->ls[i], &units);
			break;
		case REF_SEM:
			lfk_ref_sem_value(&c->o->rs[i], &units);
			break;
		case LFK_EVENT:
			lfk_event_is_set(&c->o->le[i], &set);
			break;
		default:
			lfk_ref_event_is_set(&c->o->re[i], &set);
			break;
		}
		idle &= units == 0 && !set;
	}
	return idle;
}

static bool pp_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct pp_ctx *c = arg;
	c->rounds = ops ? ops : 1;
	c->answered = 0;
	*elapsed_ns = lfk_run_threads(2, pp_thread, c);
	return c->answered == c->rounds && pp_idle(c);
}

static void bench_mutex_pairs(const struct lfb_opts *o)
{
	static const int threads[] = { 1, 2, 8 };
	struct pair_ctx *pc = aligned_alloc(LFK_CACHELINE, 2 * sizeof(*pc));
	if (pc == NULL)
		abort();
	for (int i = 0; i < 2; i++) {
		lfk_mutex_init(&pc[i].lfk, 0);
		pthread_mutex_init(&pc[i].pth, NULL);
		pc[i].use_lfk = i == 0;
	}
	for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		struct lfb_case k[2];
		for (int i = 0; i < 2; i++) {
			k[i] = (struct lfb_case){
				.bench = "mutex_pair",
				.impl = i == 0 ? "lfk_mutex" : "pthread_mutex",
				.producers = threads[t],
				.consumers = 0,
				.ops = 40000000,
				.run = pair_run,
				.ctx = &pc[i],
			};
			pc[i].threads = threads[t];
		}
		lfb_measure_cases(o, k, 2, NULL);
	}
	for (int i = 0; i < 2; i++)
		pthread_mutex_destroy(&pc[i].pth);
	free(pc);
}

/* sem_pingpong (lfk_sem, ref_sem), then event_pingpong (lfk_event,
 * ref_event): kinds 2b and 2b + 1 race each other. */
static void bench_pingpong(const struct lfb_opts *o)
{
	static const char *const pp_bench[NPP / 2] = { "sem_pingpong",
						       "event_pingpong" };
	static const char *const pp_impl[NPP] = { "lfk_sem", "ref_sem",
						  "lfk_event", "ref_event" };
	struct pp_objs *objs = calloc(1, sizeof(*objs));
	struct pp_ctx pp[NPP];
	if (objs == NULL)
		abort();
	for (int i = 0; i < 2; i++) {
		lfk_sem_init(&objs->ls[i], 0, 0);
		lfk_ref_sem_init(&objs->rs[i], 0, 0);
		lfk_event_init(&objs->le[i], 0);
		lfk_ref_event_init(&objs->re[i], 0);
	}
	for (int b = 0; b < NPP / 2; b++) {
		struct lfb_case c[2];
		for (int i = 0; i < 2; i++) {
			int k = 2 * b + i;
			pp[k] = (struct pp_ctx){ .kind = (enum pp_kind)k,
						 .o = objs };
			c[i] = (struct lfb_case){
				.bench = pp_bench[b],
				.impl = pp_impl[k],
				.producers = 1,
				.consumers = 1,
				.ops = 40000,
				.run = pp_run,
				.ctx = &pp[k],
			};
		}
		lfb_measure_cases(o, c, 2, NULL);
	}
	for (int i = 0; i < 2; i++) {
		lfk_ref_sem_destroy(&objs->rs[i]);
		lfk_ref_event_destroy(&objs->re[i]);
	}
	free(objs);
}

void lfb_bench_sync(const struct lfb_opts *o)
{
	bench_mutex_pairs(o);
	bench_pingpong(o);
}
