/* SPDX-License-Identifier: MIT */
#include "lfk_threads.h"

#include <lfkit/atomic.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t lfk_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct group {
	pthread_barrier_t start;
	lfk_thread_fn fn[2];
	int split;
	void *arg;
	uint64_t t0;
};

struct member {
	struct group *g;
	int index;
	pthread_t tid;
};

static void (*start_hook)(int index);

void lfk_threads_on_start(void (*hook)(int index))
{
	start_hook = hook;
}

static void *member_main(void *p)
{
	struct member *m = p;
	struct group *g = m->g;
	int role = m->index >= g->split;
	int index = role ? m->index - g->split : m->index;
	if (start_hook != NULL)
		start_hook(m->index);
	if (pthread_barrier_wait(&g->start) == PTHREAD_BARRIER_SERIAL_THREAD)
		g->t0 = lfk_now_ns();
	g->fn[role](g->arg, index);
	return NULL;
}

uint64_t lfk_run_threads2(int na, lfk_thread_fn fn_a, int nb,
			  lfk_thread_fn fn_b, void *arg)
{
	int n = na + nb;
	struct group g = { .fn = { fn_a, fn_b }, .split = na, .arg = arg };
	struct member *m = calloc((size_t)n, sizeof(*m));
	uint64_t t1;
	if (m == NULL || n <= 0) {
		free(m);
		return 0;
	}
	pthread_barrier_init(&g.start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		m[i].g = &g;
		m[i].index = i;
		int rc = pthread_create(&m[i].tid, NULL, member_main, &m[i]);
		if (rc != 0) {
			fprintf(stderr, "lfk_run_threads: pthread_create: %s\n",
				strerror(rc));
			abort(); /* the others would wait at the barrier */
		}
	}
	for (int i = 0; i < n; i++)
		pthread_join(m[i].tid, NULL);
	t1 = lfk_now_ns();
	pthread_barrier_destroy(&g.start);
	free(m);
	return t1 > g.t0 ? t1 - g.t0 : 1;
}

static void no_role(void *arg, int index)
{
	(void)arg;
	(void)index;
}

uint64_t lfk_run_threads(int n, lfk_thread_fn fn, void *arg)
{
	return lfk_run_threads2(n, fn, 0, no_role, arg);
}

void lfk_backoff(unsigned *spins)
{
	if (++*spins < 16)
		lfk_cpu_relax();
	else
		sched_yield();
}
