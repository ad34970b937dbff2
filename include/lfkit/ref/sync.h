/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ref/sync.h - the reference twins of <lfkit/sync.h>, on pthreads:
 *   lfk_ref_mutex_t  a pthread_mutex_t (error-checking); with
 *                    LFK_SYNC_SHARED it is PTHREAD_PROCESS_SHARED and
 *                    PTHREAD_MUTEX_ROBUST
 *   lfk_ref_sem_t    a POSIX sem_t (pshared with LFK_SYNC_SHARED)
 *   lfk_ref_event_t  a flag and a generation behind a pthread mutex and a
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

typedef struct lfk_ref_mutex {
	pthread_mutex_t m;
	uint32_t tag;
} lfk_ref_mutex_t;

typedef struct lfk_ref_sem {
	sem_t s;
	uint32_t tag;
} lfk_ref_sem_t;

typedef struct lfk_ref_event {
	pthread_mutex_t m;
	pthread_cond_t c;
	uint32_t set, gen; /* guarded by m */
	uint32_t tag;
} lfk_ref_event_t;

/* Each init: 0, -EINVAL (NULL, memory not aligned to the type's
 * _Alignof, unknown flags, a sem value above LFK_SEM_VALUE_MAX), or another
 * negative errno from the pthread or sem init call. */
int lfk_ref_mutex_init(lfk_ref_mutex_t *m, unsigned flags);
int lfk_ref_mutex_destroy(lfk_ref_mutex_t *m); /* 0, -EINVAL, -EBUSY */
/* 0, -EOWNERDEAD (see above), -EDEADLK, -EINVAL. */
int lfk_ref_mutex_lock(lfk_ref_mutex_t *m);
/* 0, -EAGAIN, -EOWNERDEAD, -EINVAL. */
int lfk_ref_mutex_trylock(lfk_ref_mutex_t *m);
/* 0, -ETIMEDOUT, -EOWNERDEAD, -EDEADLK, -EINVAL. */
int lfk_ref_mutex_timedlock(lfk_ref_mutex_t *m, uint64_t timeout_ns);
/* 0, -EPERM (not held by the caller), -EINVAL. */
int lfk_ref_mutex_unlock(lfk_ref_mutex_t *m);

/* value at most LFK_SEM_VALUE_MAX. */
int lfk_ref_sem_init(lfk_ref_sem_t *s, unsigned flags, uint32_t value);
int lfk_ref_sem_destroy(lfk_ref_sem_t *s);
int lfk_ref_sem_wait(lfk_ref_sem_t *s, uint64_t timeout_ns);
int lfk_ref_sem_trywait(lfk_ref_sem_t *s);
int lfk_ref_sem_post(lfk_ref_sem_t *s);
int lfk_ref_sem_value(lfk_ref_sem_t *s);

int lfk_ref_event_init(lfk_ref_event_t *e, unsigned flags);
int lfk_ref_event_destroy(lfk_ref_event_t *e);
int lfk_ref_event_set(lfk_ref_event_t *e);
int lfk_ref_event_clear(lfk_ref_event_t *e);
int lfk_ref_event_is_set(lfk_ref_event_t *e);
int lfk_ref_event_wait(lfk_ref_event_t *e, uint64_t timeout_ns);

LFK_END_DECLS

#endif
