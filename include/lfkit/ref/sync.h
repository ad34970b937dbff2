/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ref/sync.h - the reference twins of <lfkit/sync.h>, on pthreads:
 *   struct lfk_ref_mutex  a pthread_mutex_t (error-checking); with
 *                    LFK_SYNC_SHARED it is PTHREAD_PROCESS_SHARED and
 *                    PTHREAD_MUTEX_ROBUST
 *   struct lfk_ref_sem    a POSIX sem_t (pshared with LFK_SYNC_SHARED)
 *   struct lfk_ref_event  a flag and a generation behind a pthread mutex and a
 *                    condition variable on CLOCK_MONOTONIC (both
 *                    process-shared with LFK_SYNC_SHARED)
 * Same API shape, flags, timeouts and error codes as the futex objects, so
 * the tests hold one against the other and the benchmarks race them.  Every
 * operation is blocking (each takes a pthread mutex or enters the kernel),
 * except that sem post and trywait are whatever glibc makes them.
 *
 * Differences that are the point of having a twin:
 *  - Process death: the shared mutex is robust.  When its owner dies
 *    holding it, the next lock, trylock or timedlock takes it and returns
 *    -EOWNERDEAD (once); the twin has already marked it consistent, so the
 *    caller holds a working mutex and must repair the data it protects
 *    before unlocking.  (The private mutex has no such need: a thread that
 *    dies takes its process with it.)  Recovery needs the kernel's robust
 *    futex list; under qemu-user, which does not emulate it, a dead
 *    owner's robust mutex stays locked like lfk_mutex.
 *  - Ownership is checked: unlocking a mutex the caller does not hold is
 *    -EPERM, and locking one it holds is -EDEADLK (lfk_mutex deadlocks).
 * The objects contain pthread types, so they are plain memory only as far
 * as glibc's process-shared objects are: fit for a shared-memory region
 * mapped by processes of the same architecture and C library.
 */
#ifndef LFKIT_REF_SYNC_H
#define LFKIT_REF_SYNC_H

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

#include <lfkit/sync.h>

LFK_BEGIN_DECLS

struct lfk_ref_mutex {
	pthread_mutex_t m;
	uint32_t tag;
};

struct lfk_ref_sem {
	sem_t s;
	uint32_t tag;
};

struct lfk_ref_event {
	pthread_mutex_t m;
	pthread_cond_t c;
	uint32_t set, gen; /* guarded by m */
	uint32_t tag;
};

/* Each init: 0, -EINVAL (NULL, memory not aligned to the type's
 * _Alignof, unknown flags, a sem value above LFK_SEM_VALUE_MAX), or another
 * negative errno from the pthread or sem init call. */
int lfk_ref_mutex_init(struct lfk_ref_mutex *m, unsigned flags);
int lfk_ref_mutex_destroy(struct lfk_ref_mutex *m); /* 0, -EINVAL, -EBUSY */
/* 0, -EOWNERDEAD (see above), -EDEADLK, -EINVAL. */
int lfk_ref_mutex_lock(struct lfk_ref_mutex *m);
/* 0, -EAGAIN, -EOWNERDEAD, -EINVAL. */
int lfk_ref_mutex_trylock(struct lfk_ref_mutex *m);
/* 0, -EAGAIN (timeout 0), -ETIMEDOUT, -EOWNERDEAD, -EDEADLK, -EINVAL. */
int lfk_ref_mutex_timedlock(struct lfk_ref_mutex *m, uint64_t timeout_ns);
/* 0, -EPERM (not held by the caller), -EINVAL. */
int lfk_ref_mutex_unlock(struct lfk_ref_mutex *m);

/* value at most LFK_SEM_VALUE_MAX. */
int lfk_ref_sem_init(struct lfk_ref_sem *s, unsigned flags, uint32_t value);
int lfk_ref_sem_destroy(struct lfk_ref_sem *s);
/* 0, -EAGAIN (timeout 0), -ETIMEDOUT, -EINVAL. */
int lfk_ref_sem_wait(struct lfk_ref_sem *s, uint64_t timeout_ns);
int lfk_ref_sem_trywait(struct lfk_ref_sem *s);
int lfk_ref_sem_post(struct lfk_ref_sem *s);
/* As lfk_sem_value: 0, -EINVAL, or sem_getvalue's error. */
int lfk_ref_sem_value(struct lfk_ref_sem *s, uint32_t *value);

int lfk_ref_event_init(struct lfk_ref_event *e, unsigned flags);
int lfk_ref_event_destroy(struct lfk_ref_event *e);
int lfk_ref_event_set(struct lfk_ref_event *e);
int lfk_ref_event_clear(struct lfk_ref_event *e);
/* As lfk_event_is_set: 0 or -EINVAL. */
int lfk_ref_event_is_set(struct lfk_ref_event *e, bool *set);
/* 0, -EAGAIN (timeout 0), -ETIMEDOUT, -EINVAL. */
int lfk_ref_event_wait(struct lfk_ref_event *e, uint64_t timeout_ns);

LFK_END_DECLS

#endif
