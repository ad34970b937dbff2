/* SPDX-License-Identifier: MIT */
/*
 * The timeouts of the blocking calls: a call that must wait times out no
 * sooner than asked, timeout 0 never blocks (-EAGAIN, as every lfkit
 * call), LFK_FOREVER on an object that needs no waiting returns at once.
 */
#include "sync_ops.h"
#include "sync_scenarios.h"

struct timed_ctx {
	const struct mutex_ops *m;
	void *obj;
	uint64_t timeout_ns;
};

/* On another thread than the holder: the pthread twin refuses a timed lock
 * of a mutex the caller holds. */
static void timed_lock_thread(void *arg, int me)
{
	struct timed_ctx *c = arg;
	uint64_t t0 = lfk_now_ns(), dt;
	int rc = c->m->timedlock(c->obj, c->timeout_ns);
	dt = lfk_now_ns() - t0;
	(void)me;
	LFK_CHECK(rc == -ETIMEDOUT && dt >= c->timeout_ns,
		  "%s: timedlock(%llu ns) of a held mutex: %d after %llu ns",
		  c->m->name, (unsigned long long)c->timeout_ns, rc,
		  (unsigned long long)dt);
}

/* Each object of implementation i and flags made to wait t ns: the timed
 * lock of a held mutex, the wait on an empty semaphore and on a clear
 * event time out; the timed lock of a free mutex does not wait. */
static void timeouts_of(int i, unsigned flags, uint64_t t)
{
	const struct mutex_ops *m = sync_mutexes[i];
	const struct sem_ops *s = sync_sems[i];
	const struct event_ops *e = sync_events[i];
	union any_sync o;
	struct timed_ctx c = { m, &o, t };
	m->init(&o, flags);
	m->lock(&o);
	lfk_run_threads(1, timed_lock_thread, &c);
	m->unlock(&o);
	LFK_CHECK(m->timedlock(&o, t) == 0 && m->unlock(&o) == 0,
		  "%s: timedlock of a free mutex", m->name);
	m->destroy(&o);
	s->init(&o, flags, 0);
	EXPECT_TIMEOUT(s->name, s->wait(&o, t), t);
	s->destroy(&o);
	e->init(&o, flags);
	EXPECT_TIMEOUT(e->name, e->wait(&o, t), t);
	e->destroy(&o);
}

/* LFK_FOREVER on objects that need no waiting; 0 never blocks: -EAGAIN, as
 * every lfkit call. */
static void zero_and_forever(int i, unsigned flags)
{
	const struct mutex_ops *m = sync_mutexes[i];
	const struct sem_ops *s = sync_sems[i];
	const struct event_ops *e = sync_events[i];
	union any_sync o;
	m->init(&o, flags);
	LFK_CHECK(m->timedlock(&o, LFK_FOREVER) == 0 &&
			  m->timedlock(&o, 0) == -EAGAIN &&
			  m->trylock(&o) == -EAGAIN && m->unlock(&o) == 0 &&
			  m->destroy(&o) == 0,
		  "%s: timeouts 0 and forever", m->name);
	s->init(&o, flags, 1);
	LFK_CHECK(s->wait(&o, LFK_FOREVER) == 0 && s->wait(&o, 0) == -EAGAIN &&
			  s->trywait(&o) == -EAGAIN && s->destroy(&o) == 0,
		  "%s: timeouts 0 and forever", s->name);
	e->init(&o, flags);
	LFK_CHECK(e->wait(&o, 0) == -EAGAIN && e->set(&o) == 0 &&
			  e->wait(&o, 0) == 0 &&
			  e->wait(&o, LFK_FOREVER) == 0 && e->destroy(&o) == 0,
		  "%s: timeouts 0 and forever", e->name);
}

int lfk_scn_timeouts_honoured(void)
{
	static const uint64_t timeouts[] = { 1, 1000, 1000000, 20000000 };
	for (int i = 0; i < NIMPL; i++) {
		for (int f = 0; f < NFLAGS; f++) {
			for (size_t k = 0;
			     k < sizeof(timeouts) / sizeof(timeouts[0]); k++)
				timeouts_of(i, sync_flags[f], timeouts[k]);
			zero_and_forever(i, sync_flags[f]);
		}
	}
	return 0;
}
