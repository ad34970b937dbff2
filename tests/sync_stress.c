/* SPDX-License-Identifier: MIT */
/*
 * The sync objects under 8 threads: mutual exclusion (lock and timedlock),
 * a semaphore as a bound on concurrent holders, and an event releasing
 * every waiter, round after round.
 */
#include <lfkit/atomic.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "sync_ops.h"
#include "sync_scenarios.h"

/* ---- mutual exclusion under 8 threads ----------------------------------- */

struct excl_ctx {
	const struct mutex_ops *m;
	union any_sync obj;
	bool timed;
	struct lfk_bound bound;
	uint64_t counter; /* plain: only touched under the lock */
	uint64_t done[LFK_STRESS_MAX_THREADS];
};

static void excl_thread(void *arg, int me)
{
	struct excl_ctx *c = arg;
	uint64_t i = 0;
	while (!lfk_bound_done(&c->bound, i)) {
		int rc = c->timed ? c->m->timedlock(&c->obj, LONG_NS)
				  : c->m->lock(&c->obj);
		if (rc != 0) {
			LFK_CHECK(0, "%s: lock returned %d", c->m->name, rc);
			break;
		}
		c->counter++;
		c->m->unlock(&c->obj);
		i++;
	}
	c->done[me] = i;
}

static void exclusion(bool timed)
{
	const int n = lfk_stress_threads(NTHREADS);
	watch_begin();
	for (int i = 0; i < NIMPL; i++) {
		for (int f = 0; f < NFLAGS; f++) {
			struct excl_ctx *c = calloc(1, sizeof(*c));
			uint64_t total = 0;
			c->m = sync_mutexes[i];
			c->timed = timed;
			c->m->init(&c->obj, sync_flags[f]);
			c->bound = lfk_bound_part(n, NIMPL * NFLAGS);
			lfk_run_threads(n, excl_thread, c);
			for (int t = 0; t < n; t++)
				total += c->done[t];
			LFK_CHECK(c->counter == total && total > 0,
				  "%s flags %u: counter %llu after %llu locked "
				  "increments",
				  c->m->name, sync_flags[f],
				  (unsigned long long)c->counter,
				  (unsigned long long)total);
			lfk_stress_moved(total);
			free(c);
		}
	}
	watch_end();
}

int lfk_scn_mutex_exclusion_8t(void)
{
	exclusion(false);
	return 0;
}

int lfk_scn_mutex_exclusion_timedlock_8t(void)
{
	exclusion(true);
	return 0;
}

/* ---- a semaphore as a bound on concurrent holders ----------------------- */

#define SEM_UNITS 3

struct holders_ctx {
	const struct sem_ops *s;
	union any_sync obj;
	struct lfk_bound bound;
	uint64_t holders, most;
	uint64_t done[NTHREADS];
};

static void holders_thread(void *arg, int me)
{
	struct holders_ctx *c = arg;
	uint64_t i = 0, h, most;
	while (!lfk_bound_done(&c->bound, i)) {
		/* mostly blocking waits; every fourth a non-blocking try */
		int rc = (i & 3) == 3 ? c->s->trywait(&c->obj)
				      : c->s->wait(&c->obj, LONG_NS);
		if (rc == -EAGAIN) {
			sched_yield();
			continue;
		}
		if (rc != 0) {
			LFK_CHECK(0, "%s: wait returned %d", c->s->name, rc);
			break;
		}
		/* Relaxed: the count only needs to be exact, the semaphore
		 * orders the rest. */
		h = lfk_atomic_fetch_add_u64(&c->holders, 1, LFK_RELAXED) + 1;
		LFK_CHECK(h <= SEM_UNITS, "%s: %llu holders of %d units",
			  c->s->name, (unsigned long long)h, SEM_UNITS);
		most = lfk_atomic_load_u64(&c->most, LFK_RELAXED);
		while (h > most &&
		       !lfk_atomic_cas_u64(&c->most, &most, h, LFK_RELAXED))
			;
		if ((i & 7) == 0)
			sched_yield(); /* hold it across a reschedule */
		lfk_atomic_fetch_sub_u64(&c->holders, 1, LFK_RELAXED);
		c->s->post(&c->obj);
		i++;
	}
	c->done[me] = i;
}

int lfk_scn_sem_bounded_holders_8t(void)
{
	watch_begin();
	for (int i = 0; i < NIMPL; i++) {
		for (int f = 0; f < NFLAGS; f++) {
			struct holders_ctx *c = calloc(1, sizeof(*c));
			c->s = sync_sems[i];
			c->s->init(&c->obj, sync_flags[f], SEM_UNITS);
			c->bound = lfk_bound_part(NTHREADS * 4, NIMPL * NFLAGS);
			lfk_run_threads(NTHREADS, holders_thread, c);
			LFK_CHECK(c->s->value(&c->obj) == SEM_UNITS &&
					  c->holders == 0 && c->most >= 1,
				  "%s flags %u: value %d at the end (most "
				  "holders %llu)",
				  c->s->name, sync_flags[f],
				  c->s->value(&c->obj),
				  (unsigned long long)c->most);
			free(c);
		}
	}
	watch_end();
	return 0;
}

/* ---- an event releasing every waiter, round after round ----------------- */

struct rounds_ctx {
	const struct event_ops *e;
	union any_sync obj;
	struct lfk_bound bound;
	uint64_t arrived, passed, round, stop;
	uint64_t payload; /* plain: written before set, read after wait */
};

/* Waits until *word >= at_least; false if a check failed meanwhile (the
 * other side may have given up) or after LONG_NS / 2. */
static bool wait_for(uint64_t *word, uint64_t at_least)
{
	unsigned spins = 0;
	uint64_t giveup = lfk_now_ns() + LONG_NS / 2;
	/* Acquire: pairs with the release that published the count. */
	while (lfk_atomic_load_u64(word, LFK_ACQUIRE) < at_least) {
		if (lfk_failures() || lfk_now_ns() > giveup)
			return false;
		lfk_backoff(&spins);
	}
	return true;
}

static void rounds_coordinator(struct rounds_ctx *c)
{
	const uint64_t n = NTHREADS - 1;
	uint64_t r = 1;
	for (;; r++) {
		if (!wait_for(&c->arrived, n * r)) {
			LFK_CHECK(lfk_failures() > 0,
				  "%s: round %llu: the "
				  "waiters did not arrive",
				  c->e->name, (unsigned long long)r);
			break;
		}
		if ((r & 3) == 0)
			usleep(200); /* let the waiters fall asleep */
		LFK_CHECK(lfk_atomic_load_u64(&c->passed, LFK_RELAXED) ==
				  n * (r - 1),
			  "%s: a waiter passed a clear event", c->e->name);
		c->payload = r;
		c->e->set(&c->obj);
		if (!wait_for(&c->passed, n * r)) {
			/* the waiters' own timeout is twice as long */
			LFK_CHECK(0,
				  "%s: round %llu: set did not release the "
				  "waiters within %llu s",
				  c->e->name, (unsigned long long)r,
				  (unsigned long long)(LONG_NS / 2000000000u));
			break;
		}
		c->e->clear(&c->obj);
		if (r >= c->bound.max_items ||
		    lfk_now_ns() > c->bound.deadline_ns)
			break;
		/* Release: the clear and the payload come before round r. */
		lfk_atomic_store_u64(&c->round, r, LFK_RELEASE);
	}
	lfk_atomic_store_u64(&c->stop, 1, LFK_RELAXED);
	/* Release: as above, and the stop flag. */
	lfk_atomic_store_u64(&c->round, r, LFK_RELEASE);
}

static void rounds_thread(void *arg, int me)
{
	struct rounds_ctx *c = arg;
	if (me == 0) {
		rounds_coordinator(c);
		return;
	}
	for (uint64_t r = 1;; r++) {
		int rc;
		if (!wait_for(&c->round,
			      r - 1) || /* gave up: see the coordinator */
		    lfk_atomic_load_u64(&c->stop, LFK_RELAXED))
			break;
		/* Release: the coordinator counts the waiters in. */
		lfk_atomic_fetch_add_u64(&c->arrived, 1, LFK_RELEASE);
		rc = c->e->wait(&c->obj, LONG_NS);
		LFK_CHECK(rc == 0 && c->payload == r,
			  "%s: round %llu: wait returned %d, payload %llu",
			  c->e->name, (unsigned long long)r, rc,
			  (unsigned long long)c->payload);
		/* Release: orders the payload read before the next set. */
		lfk_atomic_fetch_add_u64(&c->passed, 1, LFK_RELEASE);
		if (rc != 0)
			break;
	}
}

int lfk_scn_event_wakes_all_8t(void)
{
	watch_begin();
	for (int i = 0; i < NIMPL; i++) {
		for (int f = 0; f < NFLAGS; f++) {
			struct rounds_ctx *c = calloc(1, sizeof(*c));
			c->e = sync_events[i];
			c->e->init(&c->obj, sync_flags[f]);
			c->bound = lfk_bound_part(200, NIMPL * NFLAGS);
			lfk_run_threads(NTHREADS, rounds_thread, c);
			LFK_CHECK(c->round > 1, "%s: only %llu rounds",
				  c->e->name, (unsigned long long)c->round);
			free(c);
		}
	}
	watch_end();
	return 0;
}
