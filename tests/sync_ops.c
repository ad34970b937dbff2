/* SPDX-License-Identifier: MIT */
/*
 * The futex mutex, semaphore and event and their pthread twins behind one
 * table of operations each (see sync_ops.h), and the scenarios' watchdog.
 */
#include <lfkit/atomic.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "sync_ops.h"

#define WATCHDOG_NS 120000000000ull

/* Wrappers taking void * and answering int.  Each ends in a repeat of its
 * declaration, so that a use ends in ';' as a declaration does. */
#define W0(pre, T, op)                                                         \
	static int w_##pre##_##op(void *p)                                     \
	{                                                                      \
		return pre##_##op((T *)p);                                     \
	}                                                                      \
	static int w_##pre##_##op(void *p)
#define WU(pre, T, op, U)                                                      \
	static int w_##pre##_##op(void *p, U u)                                \
	{                                                                      \
		return pre##_##op((T *)p, u);                                  \
	}                                                                      \
	static int w_##pre##_##op(void *p, U u)
/* A query with an out-pointer, as one int: the answer or the negative errno
 * (the form the differential tests compare). */
#define WQ(pre, T, op, V)                                                      \
	static int w_##pre##_##op(void *p)                                     \
	{                                                                      \
		V v;                                                           \
		int rc = pre##_##op((T *)p, &v);                               \
		return rc ? rc : (int)v;                                       \
	}                                                                      \
	static int w_##pre##_##op(void *p)

/* The table of one implementation's operations, and its wrappers. */
#define MUTEX_OPS(pre, T)                                                      \
	WU(pre, T, init, unsigned);                                            \
	W0(pre, T, destroy);                                                   \
	W0(pre, T, lock);                                                      \
	W0(pre, T, trylock);                                                   \
	WU(pre, T, timedlock, uint64_t);                                       \
	W0(pre, T, unlock);                                                    \
	static const struct mutex_ops pre##_ops = { #pre,                      \
						    w_##pre##_init,            \
						    w_##pre##_destroy,         \
						    w_##pre##_lock,            \
						    w_##pre##_trylock,         \
						    w_##pre##_timedlock,       \
						    w_##pre##_unlock }
#define SEM_OPS(pre, T)                                                        \
	static int w_##pre##_init(void *p, unsigned f, uint32_t v)             \
	{                                                                      \
		return pre##_init((T *)p, f, v);                               \
	}                                                                      \
	W0(pre, T, destroy);                                                   \
	WU(pre, T, wait, uint64_t);                                            \
	W0(pre, T, trywait);                                                   \
	W0(pre, T, post);                                                      \
	WQ(pre, T, value, uint32_t);                                           \
	static const struct sem_ops pre##_ops = {                              \
		#pre,		w_##pre##_init,	   w_##pre##_destroy,          \
		w_##pre##_wait, w_##pre##_trywait, w_##pre##_post,             \
		w_##pre##_value                                                \
	}
#define EVENT_OPS(pre, T)                                                      \
	WU(pre, T, init, unsigned);                                            \
	W0(pre, T, destroy);                                                   \
	W0(pre, T, set);                                                       \
	W0(pre, T, clear);                                                     \
	WQ(pre, T, is_set, bool);                                              \
	WU(pre, T, wait, uint64_t);                                            \
	static const struct event_ops pre##_ops = {                            \
		#pre,	       w_##pre##_init,	w_##pre##_destroy,             \
		w_##pre##_set, w_##pre##_clear, w_##pre##_is_set,              \
		w_##pre##_wait                                                 \
	}

MUTEX_OPS(lfk_mutex, struct lfk_mutex);
MUTEX_OPS(lfk_ref_mutex, struct lfk_ref_mutex);
SEM_OPS(lfk_sem, struct lfk_sem);
SEM_OPS(lfk_ref_sem, struct lfk_ref_sem);
EVENT_OPS(lfk_event, struct lfk_event);
EVENT_OPS(lfk_ref_event, struct lfk_ref_event);

const struct mutex_ops *const sync_mutexes[NIMPL] = { &lfk_mutex_ops,
						      &lfk_ref_mutex_ops };
const struct sem_ops *const sync_sems[NIMPL] = { &lfk_sem_ops,
						 &lfk_ref_sem_ops };
const struct event_ops *const sync_events[NIMPL] = { &lfk_event_ops,
						     &lfk_ref_event_ops };
const unsigned sync_flags[NFLAGS] = { 0, LFK_SYNC_SHARED };

/* ---- watchdog ----------------------------------------------------------- */

static uint32_t watch_gen;

static void *watchdog(void *arg)
{
	uint32_t gen = (uint32_t)(uintptr_t)arg;
	uint64_t end = lfk_now_ns() + WATCHDOG_NS;
	while (lfk_now_ns() < end) {
		usleep(20000);
		/* Relaxed: only the flag's value matters. */
		if (lfk_atomic_load_u32(&watch_gen, LFK_RELAXED) != gen)
			return NULL;
	}
	fprintf(stderr, "sync scenario hung for %llu s (lost wake-up?)\n",
		(unsigned long long)(WATCHDOG_NS / 1000000000u));
	fflush(NULL); /* the runner's report so far */
	_exit(99);
}

void watch_begin(void)
{
	pthread_t t;
	uint32_t gen = lfk_atomic_load_u32(&watch_gen, LFK_RELAXED);
	if (pthread_create(&t, NULL, watchdog, (void *)(uintptr_t)gen) == 0)
		pthread_detach(t);
}

void watch_end(void)
{
	lfk_atomic_fetch_add_u32(&watch_gen, 1, LFK_RELAXED);
}
