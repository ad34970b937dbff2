/* SPDX-License-Identifier: MIT */
/*
 * The sync objects shared by forked processes, each mapping the region at
 * its own address: a mutex-protected counter, a semaphore ping-pong, and
 * an event that starts waiting workers.
 */
#include <lfkit/atomic.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sync_region.h"
#include "sync_scenarios.h"

void child_counter(const char *name, int me)
{
	struct area *a = child_attach(name);
	const struct mutex_ops *m = sync_mutexes[a->impl];
	struct lfk_bound b = lfk_bound_part(2, 2 * NIMPL);
	uint64_t i = 0;
	while (!lfk_bound_done(&b, i)) {
		if (m->timedlock(&a->a, LONG_NS) != 0)
			_exit(5);
		a->counter++;
		m->unlock(&a->a);
		i++;
	}
	a->done[me] = i;
}

int lfk_scn_process_mutex_counter(void)
{
	for (int i = 0; i < NIMPL; i++) {
		struct region r;
		if (region_create(&r) != 0)
			return 1;
		r.area->impl = i;
		sync_mutexes[i]->init(&r.area->a, LFK_SYNC_SHARED);
		fork_children(&r, 2, child_counter);
		LFK_CHECK(
			r.area->counter == r.area->done[0] + r.area->done[1] &&
				r.area->done[0] > 0 && r.area->done[1] > 0,
			"%s: counter %llu after %llu + %llu locked increments",
			sync_mutexes[i]->name,
			(unsigned long long)r.area->counter,
			(unsigned long long)r.area->done[0],
			(unsigned long long)r.area->done[1]);
		region_destroy(&r);
	}
	return 0;
}

/* Rounds of one ping-pong: items/100 (100 to 2000), and its share of the
 * time budget; whichever ends first. */
static struct lfk_bound pingpong_bound(void)
{
	struct lfk_bound b = lfk_bound_part(100, NIMPL);
	if (b.max_items < 100)
		b.max_items = 100;
	if (b.max_items > 2000)
		b.max_items = 2000;
	return b;
}

/* The child answers each odd number in data with the next even one, until
 * the parent sends 0 (stop). */
static void child_pong(const char *name, int me)
{
	struct area *a = child_attach(name);
	const struct sem_ops *s = sync_sems[a->impl];
	(void)me;
	for (uint64_t i = 0;; i++) {
		if (s->wait(&a->a, LONG_NS) != 0)
			_exit(5);
		if (a->data == 0)
			return;
		if (a->data != 2 * i + 1)
			_exit(5);
		a->data = 2 * i + 2;
		s->post(&a->b);
	}
}

/* The parent's side: rounds until the bound, each checked; false if one
 * failed (the child is killed then). */
static bool pingpong_rounds(const struct sem_ops *s, struct region *r,
			    pid_t pid)
{
	struct lfk_bound b = pingpong_bound();
	for (uint64_t k = 0; !lfk_bound_done(&b, k); k++) {
		int rc;
		r->area->data = 2 * k + 1;
		s->post(&r->area->a);
		rc = s->wait(&r->area->b, LONG_NS);
		if (rc != 0 || r->area->data != 2 * k + 2) {
			LFK_CHECK(0, "%s: round %llu: wait %d, data %llu",
				  s->name, (unsigned long long)k, rc,
				  (unsigned long long)r->area->data);
			kill(pid, SIGKILL);
			return false;
		}
	}
	return true;
}

int lfk_scn_process_sem_pingpong(void)
{
	for (int i = 0; i < NIMPL; i++) {
		const struct sem_ops *s = sync_sems[i];
		struct region r;
		pid_t pid;
		int st = 0;
		if (region_create(&r) != 0)
			return 1;
		r.area->impl = i;
		s->init(&r.area->a, LFK_SYNC_SHARED, 0);
		s->init(&r.area->b, LFK_SYNC_SHARED, 0);
		pid = lfk_fork();
		if (pid == 0) {
			child_pong(r.name, 0);
			_exit(0);
		}
		if (pingpong_rounds(s, &r, pid)) {
			/* Stop; the semaphore orders the store before the
			 * child's read. */
			r.area->data = 0;
			s->post(&r.area->a);
		}
		waitpid(pid, &st, 0);
		LFK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "%s: child ended with status %#x", s->name, st);
		LFK_CHECK(s->value(&r.area->a) == 0 &&
				  s->value(&r.area->b) == 0,
			  "%s: units left over", s->name);
		region_destroy(&r);
	}
	return 0;
}

/* Each worker announces itself, waits for the start event, and checks
 * that what the starter wrote before set is visible. */
static void child_worker(const char *name, int me)
{
	struct area *a = child_attach(name);
	const struct event_ops *e = sync_events[a->impl];
	uint64_t t0 = lfk_now_ns();
	(void)me;
	/* Release: the starter counts the workers in. */
	lfk_atomic_fetch_add_u64(&a->ready, 1, LFK_RELEASE);
	if (e->wait(&a->a, LONG_NS) != 0 || a->go != 1)
		_exit(5);
	/* a wait that only ended at its timeout, finding the flag set, was
	 * never woken by set: the generous bound is half the timeout */
	if (lfk_now_ns() - t0 > LONG_NS / 2)
		_exit(6);
	lfk_atomic_fetch_add_u64(&a->started, 1, LFK_RELAXED);
}

static void *event_starter(void *arg)
{
	struct region *r = arg;
	unsigned spins = 0;
	uint64_t giveup = lfk_now_ns() + LONG_NS;
	/* Acquire: pairs with the workers' release. */
	while (lfk_atomic_load_u64(&r->area->ready, LFK_ACQUIRE) < NCHILD &&
	       lfk_now_ns() < giveup)
		lfk_backoff(&spins);
	usleep(20000); /* the workers are (most likely) asleep by now */
	LFK_CHECK(lfk_atomic_load_u64(&r->area->started, LFK_RELAXED) == 0,
		  "a worker started before the event was set");
	r->area->go = 1;
	sync_events[r->area->impl]->set(&r->area->a);
	return NULL;
}

int lfk_scn_process_event_starts_workers(void)
{
	for (int i = 0; i < NIMPL; i++) {
		struct region r;
		pthread_t t;
		if (region_create(&r) != 0)
			return 1;
		r.area->impl = i;
		sync_events[i]->init(&r.area->a, LFK_SYNC_SHARED);
		/* the starter is a thread, so that fork_children's waitpid
		 * runs meanwhile */
		if (pthread_create(&t, NULL, event_starter, &r) != 0)
			return 1;
		fork_children(&r, NCHILD, child_worker);
		pthread_join(t, NULL);
		LFK_CHECK(r.area->started == NCHILD,
			  "%s: %llu of %d workers started",
			  sync_events[i]->name,
			  (unsigned long long)r.area->started, NCHILD);
		region_destroy(&r);
	}
	return 0;
}
