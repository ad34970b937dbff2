/* SPDX-License-Identifier: MIT */
/*
 * Sleepers woken, on every implementation: close wakes every thread asleep
 * in get or put, and join waits for the consumers' last task_done and sees
 * their writes.  A watchdog turns a sleeper never woken into a failure.
 */
#include "queue_scenarios.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "queue_helpers.h"

/* N threads sleep in get on an empty queue (or put on a full one); a closer
 * closes after they have had time to fall asleep; all must return -EPIPE,
 * none before the close. */
struct sleepers {
	const struct lfk_queue_ops *o;
	void *q;
	bool put;
	int n;
	uint64_t started;
	uint64_t returned;
	uint64_t closed_at;
	uint64_t last_return;
	uint64_t bad;
};

static void sleepers_closer(void *arg, int index)
{
	struct sleepers *s = arg;
	(void)index;
	while (load(&s->started) < (uint64_t)s->n)
		sched_yield();
	sleep_ns(50 * MS); /* time to fall asleep */
	LFK_CHECK(load(&s->returned) == 0,
		  "%s: a sleeper returned before close", s->o->name);
	lfk_atomic_store_u64(&s->closed_at, lfk_now_ns(), LFK_RELEASE);
	s->o->close(s->q);
}

static void sleepers_sleeper(void *arg, int index)
{
	struct sleepers *s = arg;
	uint64_t v = 0, now;
	/* One sleeper waits with a long finite timeout, the others forever. */
	uint64_t timeout = index == 0 ? 60000 * MS : LFK_FOREVER;
	int rc;
	add(&s->started, 1);
	rc = s->put ? s->o->put(s->q, 1, timeout)
		    : s->o->get(s->q, &v, timeout);
	now = lfk_now_ns();
	if (rc != -EPIPE) {
		LFK_CHECK(0, "%s: sleeper %d got rc=%d, want -EPIPE",
			  s->o->name, index, rc);
		add(&s->bad, 1);
	}
	add(&s->returned, 1);
	/* Latest return time (a CAS max). */
	uint64_t last = load(&s->last_return);
	while (last < now &&
	       !lfk_atomic_cas_u64(&s->last_return, &last, now, LFK_ACQ_REL))
		;
}

static int close_wakes(bool put)
{
	for (const struct lfk_queue_ops *const *pp = lfk_queue_ops_all; *pp;
	     pp++) {
		const struct lfk_queue_ops *o = *pp;
		struct sleepers s;
		struct watchdog w;
		memset(&s, 0, sizeof(s));
		s.o = o;
		s.put = put;
		/* spsc: one putter or one getter at a time. */
		s.n = o->multi ? 6 : 1;
		s.q = must_create(o, 2, 8);
		if (s.q == NULL)
			continue;
		if (put)
			for (uint64_t i = 0; i < 2; i++)
				o->put(s.q, i, 0);
		watchdog_start(&w, o, s.q, &s.returned);
		lfk_run_threads2(1, sleepers_closer, s.n, sleepers_sleeper, &s);
		LFK_CHECK(!watchdog_stop(&w), "%s: close did not wake",
			  o->name);
		LFK_CHECK(s.returned == (uint64_t)s.n && s.bad == 0,
			  "%s: %llu of %d sleepers returned -EPIPE", o->name,
			  (unsigned long long)(s.returned - s.bad), s.n);
		/* Promptly: generous, this machine is oversubscribed. */
		LFK_CHECK(s.last_return - s.closed_at < 5000 * MS,
			  "%s: sleepers took %llu ms to leave after close",
			  o->name,
			  (unsigned long long)((s.last_return - s.closed_at) /
					       MS));
		o->destroy(s.q);
	}
	return 0;
}

int lfk_scn_close_wakes_getters(void)
{
	return close_wakes(false);
}

int lfk_scn_close_wakes_putters(void)
{
	return close_wakes(true);
}

/* A producer puts N items; a consumer takes them slowly, marks each one
 * processed (a plain write) and calls task_done; a joiner waits in join.
 * After join it must see every item processed: join blocks until the last
 * task_done, and makes the consumer's writes visible (TSan checks that
 * happens-before in the plain-program run). */
#define JOIN_ITEMS 500
struct joinrun {
	const struct lfk_queue_ops *o;
	void *q;
	uint64_t all_put;
	uint64_t done;
	unsigned char processed[JOIN_ITEMS];
};

static void join_producer_or_joiner(void *arg, int index)
{
	struct joinrun *j = arg;
	if (index == 0) {
		for (uint64_t i = 0; i < JOIN_ITEMS; i++)
			if (j->o->put(j->q, i, LFK_FOREVER) != 0) {
				LFK_CHECK(0, "%s put", j->o->name);
				break;
			}
		lfk_atomic_store_u64(&j->all_put, 1, LFK_RELEASE);
		return;
	}
	while (!load(&j->all_put))
		sched_yield();
	LFK_CHECK(j->o->join(j->q, LFK_FOREVER) == 0, "%s join", j->o->name);
	LFK_CHECK(load(&j->done) == JOIN_ITEMS,
		  "%s: join returned after %llu of %d task_done", j->o->name,
		  (unsigned long long)load(&j->done), JOIN_ITEMS);
	for (int i = 0; i < JOIN_ITEMS; i++)
		if (j->processed[i] != 1) {
			LFK_CHECK(0, "%s: item %d not processed at join",
				  j->o->name, i);
			break;
		}
}

static void join_consumer(void *arg, int index)
{
	struct joinrun *j = arg;
	(void)index;
	sleep_ns(5 * MS); /* let the joiner block */
	for (int i = 0; i < JOIN_ITEMS; i++) {
		uint64_t v = 0;
		if (j->o->get(j->q, &v, LFK_FOREVER) != 0 || v >= JOIN_ITEMS) {
			LFK_CHECK(0, "%s get", j->o->name);
			return;
		}
		if (i % 100 == 99)
			sleep_ns(MS);
		j->processed[v] = 1;
		lfk_atomic_store_u64(&j->done, load(&j->done) + 1, LFK_RELEASE);
		LFK_CHECK(j->o->task_done(j->q) == 0, "%s task_done",
			  j->o->name);
	}
}

int lfk_scn_join_waits_for_consumers(void)
{
	for (const struct lfk_queue_ops *const *pp = lfk_queue_ops_all; *pp;
	     pp++) {
		struct joinrun *j = calloc(1, sizeof(*j));
		struct watchdog w;
		if (j == NULL)
			return 1;
		j->o = *pp;
		j->q = must_create(j->o, 16, 8);
		if (j->q != NULL) {
			watchdog_start(&w, j->o, j->q, &j->done);
			lfk_run_threads2(2, join_producer_or_joiner, 1,
					 join_consumer, j);
			LFK_CHECK(!watchdog_stop(&w), "%s stuck", j->o->name);
			j->o->destroy(j->q);
		}
		free(j);
	}
	return 0;
}
