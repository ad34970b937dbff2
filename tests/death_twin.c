/* SPDX-License-Identifier: MIT */
/*
 * The blocking queue's mutex twin in a shared region with a process killed
 * while asleep in put, get or join (docs/shm.md, "Processes that die"): the
 * survivors' puts, gets and wake-ups go on as before.  With glibc's
 * pthread_cond_t the next put blocked for good in pthread_cond_signal; the
 * twin now sleeps on futex words (lib/ref/cond.h).
 */
#include "death_child.h"
#include "death_scenarios.h"

#include <errno.h>
#include <lfkit/ref/queue.h>
#include <unistd.h>

#define SECOND 1000000000ull

/* Forks fn(q), waits until it sleeps; kills it when `kill` is set.
 * Returns the pid (still asleep unless killed), or -1. */
static pid_t asleep_in(void (*fn)(void *), struct lfk_ref_queue *q, bool kill)
{
	pid_t pid = lfk_death_fork(fn, q);
	if (pid <= 0)
		return -1;
	if (!lfk_death_eventually(lfk_death_sleeping, &pid)) {
		lfk_death_kill(pid);
		return -1;
	}
	if (kill && !lfk_death_kill(pid))
		return -1;
	return pid;
}

static void get_forever(void *arg)
{
	uint64_t v;
	_exit(lfk_ref_queue_get(arg, &v, LFK_FOREVER) == 0 && v == 7 ? 0 : 1);
}

static void put_forever(void *arg)
{
	_exit(lfk_ref_queue_put(arg, 9, LFK_FOREVER) == 0 ? 0 : 1);
}

static void join_forever(void *arg)
{
	_exit(lfk_ref_queue_join(arg, LFK_FOREVER) == 0 ? 0 : 1);
}

/* A put with a timeout, in a child, so a put that blocks for good fails
 * the check instead of hanging the test. */
static void put_7(void *arg)
{
	_exit(lfk_ref_queue_put(arg, 7, SECOND) == 0 ? 0 : 1);
}

static void get_any(void *arg)
{
	uint64_t v;
	_exit(lfk_ref_queue_get(arg, &v, SECOND) == 0 ? 0 : 1);
}

/* Finishes every put, so a joiner asleep before is woken by the last. */
static void finish_all(void *arg)
{
	int rc = 0;
	while (rc == 0)
		rc = lfk_ref_queue_task_done(arg);
	_exit(rc == -EINVAL ? 0 : 1);
}

/* One item put and taken: unfinished, so a joiner sleeps. */
static void one_unfinished(struct lfk_ref_queue *q)
{
	uint64_t v;
	LFK_CHECK(lfk_ref_queue_put(q, 5, 0) == 0 &&
			  lfk_ref_queue_get(q, &v, 0) == 0,
		  "put and get one item");
}

/* Three rounds of: a live child sleeps in sleep_fn, another child's
 * wake_fn (which has a timeout) must return and wake it.  With glibc's
 * condition variable a signal after a sleeper's death blocked for good at
 * the second round (the dead waiter's group never drained). */
static void wakes_up(const char *what, void (*sleep_fn)(void *),
		     void (*wake_fn)(void *), struct lfk_ref_queue *q,
		     void (*prepare)(struct lfk_ref_queue *))
{
	for (int round = 0; round < 3; round++) {
		pid_t sleeper;
		if (prepare != NULL)
			prepare(q);
		sleeper = asleep_in(sleep_fn, q, false);
		LFK_CHECK(sleeper > 0, "%s: round %d: never slept", what,
			  round);
		LFK_CHECK(lfk_death_exits_ok(lfk_death_fork(wake_fn, q)),
			  "%s: round %d: the waking call did not return", what,
			  round);
		LFK_CHECK(lfk_death_exits_ok(sleeper),
			  "%s: round %d: the live sleeper was not woken", what,
			  round);
	}
}

int lfk_scn_ref_queue_sleepers_killed(void)
{
	char name[64];
	struct lfk_shm *shm;
	struct lfk_ref_queue *q;
	uint64_t v;
	lfk_death_region_name(name, sizeof(name));
	if (lfk_shm_create(name, 1 << 16, 0600, &shm) != 0 ||
	    lfk_shm_ref_queue_create(shm, "q", 2, 8, &q) != 0)
		return 1;

	/* A consumer killed asleep on the empty queue. */
	LFK_CHECK(asleep_in(get_forever, q, true) > 0,
		  "consumer never slept in get");
	wakes_up("get", get_forever, put_7, q, NULL);

	/* A producer killed asleep on the full queue. */
	LFK_CHECK(lfk_ref_queue_put(q, 1, 0) == 0 &&
			  lfk_ref_queue_put(q, 2, 0) == 0,
		  "fill");
	LFK_CHECK(asleep_in(put_forever, q, true) > 0,
		  "producer never slept in put");
	wakes_up("put", put_forever, get_any, q, NULL);

	/* A joiner killed asleep: task_done still wakes the live ones. */
	while (lfk_ref_queue_get(q, &v, 0) == 0)
		;
	LFK_CHECK(asleep_in(join_forever, q, true) > 0,
		  "joiner never slept in join");
	wakes_up("join", join_forever, finish_all, q, one_unfinished);
	lfk_shm_close(shm);
	lfk_shm_unlink(name);
	return 0;
}
