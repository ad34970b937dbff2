/* SPDX-License-Identifier: MIT */
/* The pthread twins of the futex mutex, semaphore and event
 * (<lfkit/ref/sync.h>). */
#define _GNU_SOURCE /* pthread_mutex_clocklock, sem_clockwait (glibc 2.30) */
#include <lfkit/ref/sync.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include <lfkit/atomic.h> /* LFK_TSAN */

#include "lib/deadline.h"

/*
 * Timed waits on CLOCK_MONOTONIC.  ThreadSanitizer (GCC 12's libtsan)
 * intercepts pthread_mutex_timedlock and sem_timedwait but not their
 * CLOCK_MONOTONIC forms: a lock taken by a call it cannot see looks like a
 * race and an "unlock of an unlocked mutex".  So TSan builds use the
 * CLOCK_REALTIME forms with the same relative timeout (a wall-clock step
 * during the wait would lengthen or shorten it there, and only there).
 */
#if defined(LFK_TSAN)
#define TIMED_CLOCK CLOCK_REALTIME
#define mutex_timedlock(m, abs) pthread_mutex_timedlock(m, abs)
#define sem_wait_until(s, abs) sem_timedwait(s, abs)
#else
#define TIMED_CLOCK CLOCK_MONOTONIC
#define mutex_timedlock(m, abs) pthread_mutex_clocklock(m, CLOCK_MONOTONIC, abs)
#define sem_wait_until(s, abs) sem_clockwait(s, CLOCK_MONOTONIC, abs)
#endif

#define TAG_REF 0x6c665200u /* "lfR": an initialized twin */

static bool ok(uint32_t tag)
{
	return (tag & ~LFK_SYNC_SHARED) == TAG_REF;
}

/* As the futex objects, the twins refuse misaligned memory at init (the
 * pthread and sem objects inside need their natural alignment). */
static bool misaligned(const void *obj, size_t align)
{
	return (uintptr_t)obj % align != 0;
}

static int pshared(unsigned flags)
{
	return (flags & LFK_SYNC_SHARED) ? PTHREAD_PROCESS_SHARED
					 : PTHREAD_PROCESS_PRIVATE;
}

/* ---- mutex -------------------------------------------------------------- */

int lfk_ref_mutex_init(struct lfk_ref_mutex *m, unsigned flags)
{
	pthread_mutexattr_t a;
	int rc;
	if (m == NULL || misaligned(m, _Alignof(struct lfk_ref_mutex)) ||
	    (flags & ~LFK_SYNC_SHARED) != 0)
		return -EINVAL;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutexattr_setpshared(&a, pshared(flags));
	if (flags & LFK_SYNC_SHARED)
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	rc = pthread_mutex_init(&m->m, &a);
	pthread_mutexattr_destroy(&a);
	m->tag = rc == 0 ? TAG_REF | flags : 0;
	return -rc;
}

int lfk_ref_mutex_destroy(struct lfk_ref_mutex *m)
{
	int rc;
	if (m == NULL || !ok(m->tag))
		return -EINVAL;
	rc = pthread_mutex_destroy(&m->m);
	if (rc == 0)
		m->tag = 0;
	return -rc;
}

/* Locks with the sync.h timeout rules; a dead owner's mutex is made
 * consistent and reported once as -EOWNERDEAD. */
static int ref_lock(struct lfk_ref_mutex *m, uint64_t timeout_ns)
{
	struct timespec ts;
	const struct timespec *deadline;
	int rc;
	if (m == NULL || !ok(m->tag))
		return -EINVAL;
	if (timeout_ns == 0) {
		rc = pthread_mutex_trylock(&m->m);
		if (rc == EBUSY ||
		    rc == EDEADLK) /* EDEADLK: robust, held by us */
			rc = EAGAIN; /* timeout 0 never blocks */
	} else if ((deadline = lfk__deadline_on(TIMED_CLOCK, timeout_ns,
						&ts)) == NULL) {
		rc = pthread_mutex_lock(&m->m);
	} else {
		rc = mutex_timedlock(&m->m, deadline);
	}
	if (rc == EOWNERDEAD)
		pthread_mutex_consistent(&m->m);
	return -rc;
}

int lfk_ref_mutex_lock(struct lfk_ref_mutex *m)
{
	return ref_lock(m, LFK_FOREVER);
}

int lfk_ref_mutex_trylock(struct lfk_ref_mutex *m)
{
	return ref_lock(m, 0);
}

int lfk_ref_mutex_timedlock(struct lfk_ref_mutex *m, uint64_t timeout_ns)
{
	return ref_lock(m, timeout_ns);
}

int lfk_ref_mutex_unlock(struct lfk_ref_mutex *m)
{
	if (m == NULL || !ok(m->tag))
		return -EINVAL;
	return -pthread_mutex_unlock(&m->m);
}

/* ---- semaphore ---------------------------------------------------------- */

int lfk_ref_sem_init(struct lfk_ref_sem *s, unsigned flags, uint32_t value)
{
	if (s == NULL || misaligned(s, _Alignof(struct lfk_ref_sem)) ||
	    (flags & ~LFK_SYNC_SHARED) != 0 || value > LFK_SEM_VALUE_MAX)
		return -EINVAL;
	if (sem_init(&s->s, (flags & LFK_SYNC_SHARED) != 0, value) != 0)
		return -errno;
	s->tag = TAG_REF | flags;
	return 0;
}

int lfk_ref_sem_destroy(struct lfk_ref_sem *s)
{
	if (s == NULL || !ok(s->tag))
		return -EINVAL;
	s->tag = 0;
	return sem_destroy(&s->s) == 0 ? 0 : -errno;
}

int lfk_ref_sem_wait(struct lfk_ref_sem *s, uint64_t timeout_ns)
{
	struct timespec ts;
	const struct timespec *deadline;
	int rc;
	if (s == NULL || !ok(s->tag))
		return -EINVAL;
	if (timeout_ns == 0)
		return sem_trywait(&s->s) == 0 ? 0 : -errno; /* -EAGAIN: none */
	deadline = lfk__deadline_on(TIMED_CLOCK, timeout_ns, &ts);
	do {
		rc = deadline == NULL ? sem_wait(&s->s)
				      : sem_wait_until(&s->s, deadline);
	} while (rc != 0 && errno == EINTR);
	return rc == 0 ? 0 : -errno;
}

int lfk_ref_sem_trywait(struct lfk_ref_sem *s)
{
	if (s == NULL || !ok(s->tag))
		return -EINVAL;
	return sem_trywait(&s->s) == 0 ? 0 : -errno;
}

int lfk_ref_sem_post(struct lfk_ref_sem *s)
{
	if (s == NULL || !ok(s->tag))
		return -EINVAL;
	return sem_post(&s->s) == 0 ? 0 : -errno;
}

int lfk_ref_sem_value(struct lfk_ref_sem *s, uint32_t *value)
{
	int v;
	if (s == NULL || value == NULL || !ok(s->tag))
		return -EINVAL;
	if (sem_getvalue(&s->s, &v) != 0)
		return -errno;
	*value = v < 0 ? 0 : (uint32_t)v; /* glibc never reports waiters < 0 */
	return 0;
}

/* ---- event -------------------------------------------------------------- */

int lfk_ref_event_init(struct lfk_ref_event *e, unsigned flags)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	int rc;
	if (e == NULL || misaligned(e, _Alignof(struct lfk_ref_event)) ||
	    (flags & ~LFK_SYNC_SHARED) != 0)
		return -EINVAL;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, pshared(flags));
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, pshared(flags));
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_mutex_init(&e->m, &ma);
	if (rc == 0) {
		rc = pthread_cond_init(&e->c, &ca);
		if (rc != 0)
			pthread_mutex_destroy(&e->m);
	}
	pthread_condattr_destroy(&ca);
	pthread_mutexattr_destroy(&ma);
	e->set = e->gen = 0;
	e->tag = rc == 0 ? TAG_REF | flags : 0;
	return -rc;
}

int lfk_ref_event_destroy(struct lfk_ref_event *e)
{
	if (e == NULL || !ok(e->tag))
		return -EINVAL;
	e->tag = 0;
	pthread_cond_destroy(&e->c);
	pthread_mutex_destroy(&e->m);
	return 0;
}

int lfk_ref_event_set(struct lfk_ref_event *e)
{
	if (e == NULL || !ok(e->tag))
		return -EINVAL;
	pthread_mutex_lock(&e->m);
	if (!e->set) {
		e->set = 1;
		e->gen++;
		pthread_cond_broadcast(&e->c);
	}
	pthread_mutex_unlock(&e->m);
	return 0;
}

int lfk_ref_event_clear(struct lfk_ref_event *e)
{
	if (e == NULL || !ok(e->tag))
		return -EINVAL;
	pthread_mutex_lock(&e->m);
	e->set = 0;
	pthread_mutex_unlock(&e->m);
	return 0;
}

int lfk_ref_event_is_set(struct lfk_ref_event *e, bool *set)
{
	if (e == NULL || set == NULL || !ok(e->tag))
		return -EINVAL;
	pthread_mutex_lock(&e->m);
	*set = e->set != 0;
	pthread_mutex_unlock(&e->m);
	return 0;
}

int lfk_ref_event_wait(struct lfk_ref_event *e, uint64_t timeout_ns)
{
	struct timespec ts;
	const struct timespec *deadline = NULL;
	uint32_t gen;
	int rc = 0;
	if (e == NULL || !ok(e->tag))
		return -EINVAL;
	if (timeout_ns != 0)
		deadline = lfk__deadline(timeout_ns, &ts);
	pthread_mutex_lock(&e->m);
	gen = e->gen;
	while (!e->set && e->gen == gen && rc != ETIMEDOUT && timeout_ns != 0) {
		if (deadline == NULL)
			pthread_cond_wait(&e->c, &e->m);
		else
			rc = pthread_cond_timedwait(&e->c, &e->m, deadline);
	}
	/* timeout 0 never blocks: -EAGAIN, as every other call */
	rc = (e->set || e->gen != gen) ? 0 : timeout_ns ? -ETIMEDOUT : -EAGAIN;
	pthread_mutex_unlock(&e->m);
	return rc;
}
