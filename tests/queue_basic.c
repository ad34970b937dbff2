/* SPDX-License-Identifier: MIT */
/*
 * The queue one thread at a time, on every implementation: timeouts
 * honoured (lower bounds only), close semantics, task_done and join.
 */
#include "queue_scenarios.h"

#include <errno.h>

#include "queue_helpers.h"

static void get_empty_timeouts(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v, t0, dt;
	int rc;
	t0 = lfk_now_ns();
	rc = o->get(q, &v, 0);
	dt = lfk_now_ns() - t0;
	LFK_CHECK(rc == -EAGAIN, "%s get(0) rc=%d", o->name, rc);
	LFK_CHECK(dt < 2000 * MS, "%s get(0) blocked %llu ns", o->name,
		  (unsigned long long)dt);
	t0 = lfk_now_ns();
	rc = o->get(q, &v, 20 * MS);
	dt = lfk_now_ns() - t0;
	LFK_CHECK(rc == -ETIMEDOUT, "%s get(20ms) rc=%d", o->name, rc);
	LFK_CHECK(dt >= 20 * MS, "%s get(20ms) returned after %llu ns", o->name,
		  (unsigned long long)dt);
	rc = o->get(q, &v, 1);
	LFK_CHECK(rc == -ETIMEDOUT, "%s get(1ns) rc=%d", o->name, rc);
	/* Still usable. */
	LFK_CHECK(o->put(q, 7, 0) == 0 && o->get(q, &v, 20 * MS) == 0 && v == 7,
		  "%s after timeouts", o->name);
}

int lfk_scn_timeout_get_empty(void)
{
	return each_impl(2, get_empty_timeouts);
}

static void put_full_timeouts(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v, t0, dt;
	int rc;
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(o->put(q, i, 0) == 0, "%s fill", o->name);
	t0 = lfk_now_ns();
	rc = o->put(q, 99, 0);
	dt = lfk_now_ns() - t0;
	LFK_CHECK(rc == -EAGAIN, "%s put(0) full rc=%d", o->name, rc);
	LFK_CHECK(dt < 2000 * MS, "%s put(0) blocked", o->name);
	t0 = lfk_now_ns();
	rc = o->put(q, 99, 20 * MS);
	dt = lfk_now_ns() - t0;
	LFK_CHECK(rc == -ETIMEDOUT, "%s put(20ms) rc=%d", o->name, rc);
	LFK_CHECK(dt >= 20 * MS, "%s put(20ms) returned after %llu ns", o->name,
		  (unsigned long long)dt);
	LFK_CHECK(o->count(q) == 3, "%s count %zu", o->name, o->count(q));
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(o->get(q, &v, 0) == 0 && v == i, "%s drain", o->name);
	/* The failed puts do not count as put. */
	LFK_CHECK(o->join(q, 0) == -EAGAIN, "%s join(0)", o->name);
	for (int i = 0; i < 3; i++)
		LFK_CHECK(o->task_done(q) == 0, "%s task_done", o->name);
	LFK_CHECK(o->task_done(q) == -EINVAL, "%s extra task_done", o->name);
	LFK_CHECK(o->join(q, 0) == 0, "%s join", o->name);
}

int lfk_scn_timeout_put_full(void)
{
	return each_impl(3, put_full_timeouts);
}

static void close_then_drain(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v, t0;
	int rc;
	for (uint64_t i = 1; i <= 3; i++)
		LFK_CHECK(o->put(q, i, 0) == 0, "%s put", o->name);
	LFK_CHECK(o->close(q) == 0 && o->close(q) == 0, "%s close", o->name);
	t0 = lfk_now_ns();
	LFK_CHECK(o->put(q, 9, 0) == -EPIPE, "%s put(0) closed", o->name);
	LFK_CHECK(o->put(q, 9, LFK_FOREVER) == -EPIPE, "%s put(forever)",
		  o->name);
	LFK_CHECK(o->put(q, 9, 20 * MS) == -EPIPE, "%s put(20ms)", o->name);
	LFK_CHECK(o->count(q) == 3, "%s count", o->name);
	for (uint64_t i = 1; i <= 3; i++) {
		rc = o->get(q, &v, LFK_FOREVER);
		LFK_CHECK(rc == 0 && v == i, "%s drain %llu: rc=%d v=%llu",
			  o->name, (unsigned long long)i, rc,
			  (unsigned long long)v);
	}
	LFK_CHECK(o->get(q, &v, 0) == -EPIPE, "%s get(0) drained", o->name);
	LFK_CHECK(o->get(q, &v, LFK_FOREVER) == -EPIPE, "%s get(forever)",
		  o->name);
	LFK_CHECK(o->get(q, &v, 20 * MS) == -EPIPE, "%s get(20ms)", o->name);
	LFK_CHECK(lfk_now_ns() - t0 < 5000 * MS, "%s closed calls blocked",
		  o->name);
	/* task_done/join still work after close. */
	for (int i = 0; i < 3; i++)
		LFK_CHECK(o->task_done(q) == 0, "%s task_done", o->name);
	LFK_CHECK(o->join(q, LFK_FOREVER) == 0, "%s join", o->name);
}

/* A full queue: put after close is -EPIPE, not a wait. */
static void close_full(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v;
	LFK_CHECK(o->put(q, 5, 0) == 0, "%s put", o->name);
	o->close(q);
	LFK_CHECK(o->put(q, 6, LFK_FOREVER) == -EPIPE, "%s full+closed",
		  o->name);
	LFK_CHECK(o->get(q, &v, 0) == 0 && v == 5, "%s drain", o->name);
}

int lfk_scn_close_semantics(void)
{
	each_impl(4, close_then_drain);
	return each_impl(1, close_full);
}

static void task_done_and_join(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v, t0;
	int rc;
	LFK_CHECK(o->join(q, 0) == 0, "%s join(0) fresh", o->name);
	LFK_CHECK(o->join(q, LFK_FOREVER) == 0, "%s join fresh", o->name);
	LFK_CHECK(o->task_done(q) == -EINVAL, "%s task_done fresh", o->name);
	for (uint64_t i = 0; i < 3; i++)
		o->put(q, i, 0);
	LFK_CHECK(o->join(q, 0) == -EAGAIN, "%s join(0)", o->name);
	t0 = lfk_now_ns();
	rc = o->join(q, 20 * MS);
	LFK_CHECK(rc == -ETIMEDOUT, "%s join(20ms) rc=%d", o->name, rc);
	LFK_CHECK(lfk_now_ns() - t0 >= 20 * MS, "%s join woke early", o->name);
	/* task_done needs no get first (as in Python). */
	LFK_CHECK(o->task_done(q) == 0, "%s task_done 1", o->name);
	for (int i = 0; i < 3; i++)
		o->get(q, &v, 0);
	LFK_CHECK(o->task_done(q) == 0 && o->task_done(q) == 0,
		  "%s task_done 2,3", o->name);
	LFK_CHECK(o->task_done(q) == -EINVAL, "%s extra task_done", o->name);
	LFK_CHECK(o->join(q, 0) == 0, "%s join(0) done", o->name);
	LFK_CHECK(o->join(q, 20 * MS) == 0, "%s join(20ms) done", o->name);
	o->put(q, 4, 0);
	LFK_CHECK(o->join(q, 0) == -EAGAIN, "%s join after put", o->name);
	LFK_CHECK(o->task_done(q) == 0 && o->task_done(q) == -EINVAL,
		  "%s task_done again", o->name);
}

int lfk_scn_task_done_join(void)
{
	return each_impl(8, task_done_and_join);
}
