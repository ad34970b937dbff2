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

/* ---- mutex pairs -------------------------------------------------------- */

struct pair_ctx {
	lfk_mutex_t lfk LFK_CACHE_ALIGNED;
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
	c->per_thread = ops / (uint64_t)c->threads ? ops / (uint64_t)c->threads : 1;
	c->counter = 0;
	*elapsed_ns = lfk_run_threads(c->threads, pair_thread, c);
	return c->counter == c->per_thread * (uint64_t)c->threads;
}

/* ---- ping-pong ---------------------------------------------------------- */

enum pp_kind { LFK_SEM, REF_SEM, LFK_EVENT, REF_EVENT, NPP };

struct pp_ctx {
	enum pp_kind kind;
	uint64_t rounds, answered;
	lfk_sem_t ls[2];
	lfk_ref_sem_t rs[2];
	lfk_event_t le[2];
	lfk_ref_event_t re[2];
};

/* Signals side `to`: a post, or a set. */
static void pp_signal(struct pp_ctx *c, int to)
{
	switch (c->kind) {
	case LFK_SEM:
		lfk_sem_post(&c->ls[to]);
		break;
	case REF_SEM:
		lfk_ref_sem_post(&c->rs[to]);
		break;
	case LFK_EVENT:
		lfk_event_set(&c->le[to]);
		break;
	default:
		lfk_ref_event_set(&c->re[to]);
		break;
	}
}

/* Waits for side `me`'s signal and consumes it; false on an error. */
static bool pp_await(struct pp_ctx *c, int me)
{
	switch (c->kind) {
	case LFK_SEM:
		return lfk_sem_wait(&c->ls[me], LFK_FOREVER) == 0;
	case REF_SEM:
		return lfk_ref_sem_wait(&c->rs[me], LFK_FOREVER) == 0;
	case LFK_EVENT:
		return lfk_event_wait(&c->le[me], LFK_FOREVER) == 0 &&
		       lfk_event_clear(&c->le[me]) == 0;
	default:
		return lfk_ref_event_wait(&c->re[me], LFK_FOREVER) == 0 &&
		       lfk_ref_event_clear(&c->re[me]) == 0;
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
		switch (c->kind) {
		case LFK_SEM:
			idle &= lfk_sem_value(&c->ls[i]) == 0;
			break;
		case REF_SEM:
			idle &= lfk_ref_sem_value(&c->rs[i]) == 0;
			break;
		case LFK_EVENT:
			idle &= lfk_event_is_set(&c->le[i]) == 0;
			break;
		default:
			idle &= lfk_ref_event_is_set(&c->re[i]) == 0;
			break;
		}
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

void lfb_bench_sync(const struct lfb_opts *o)
{
	static const int threads[] = { 1, 2, 8 };
	static const char *const pp_bench[NPP] = { "sem_pingpong", "sem_pingpong",
						   "event_pingpong",
						   "event_pingpong" };
	static const char *const pp_impl[NPP] = { "lfk_sem", "ref_sem",
						  "lfk_event", "ref_event" };
	struct pair_ctx *pc = aligned_alloc(LFK_CACHELINE, sizeof(*pc));
	struct pp_ctx *pp = calloc(1, sizeof(*pp));
	if (pc == NULL || pp == NULL)
		abort();
	lfk_mutex_init(&pc->lfk, 0);
	pthread_mutex_init(&pc->pth, NULL);
	for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		for (int i = 0; i < 2; i++) {
			struct lfb_case k = {
				.bench = "mutex_pair",
				.impl = i == 0 ? "lfk_mutex" : "pthread_mutex",
				.producers = threads[t],
				.consumers = 0,
				.ops = 40000000,
				.run = pair_run,
				.ctx = pc,
			};
			pc->use_lfk = i == 0;
			pc->threads = threads[t];
			lfb_measure(o, &k);
		}
	}
	for (int i = 0; i < 2; i++) {
		lfk_sem_init(&pp->ls[i], 0, 0);
		lfk_ref_sem_init(&pp->rs[i], 0, 0);
		lfk_event_init(&pp->le[i], 0);
		lfk_ref_event_init(&pp->re[i], 0);
	}
	for (int k = 0; k < NPP; k++) {
		struct lfb_case c = {
			.bench = pp_bench[k],
			.impl = pp_impl[k],
			.producers = 1,
			.consumers = 1,
			.ops = 40000,
			.run = pp_run,
			.ctx = pp,
		};
		pp->kind = (enum pp_kind)k;
		lfb_measure(o, &c);
	}
	for (int i = 0; i < 2; i++) {
		lfk_ref_sem_destroy(&pp->rs[i]);
		lfk_ref_event_destroy(&pp->re[i]);
	}
	pthread_mutex_destroy(&pc->pth);
	free(pc);
	free(pp);
}
