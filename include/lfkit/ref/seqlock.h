/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ref/seqlock.h - reference twins of lfk_seqlock, lfk_seqarray and
 * lfk_latch: the same operations, the same arguments and the same errors,
 * over one lock that is either a pthread_rwlock (readers share it) or a
 * plain pthread mutex, chosen at init.  They are the yardstick the tests
 * and the benchmarks hold the lock-free versions against: obviously
 * correct, and as fast as a lock allows.
 *
 * Differences, all in the nature of a lock:
 *   - every operation is blocking (readers take the lock too: a reader can
 *     wait for a writer and, with the mutex, for other readers; a writer
 *     waits for readers);
 *   - read_begin takes the lock and read_retry releases it and returns
 *     false, so the seqlock read loop runs once;
 *   - protected data may be accessed with plain loads and stores inside the
 *     sections (the lock orders them), though the lfk_seqlock helpers work;
 *   - the objects hold a pthread lock: they are not process-shared, and
 *     ones placed with init must be finished with fini (create/destroy do
 *     both).
 */
#ifndef LFKIT_REF_SEQLOCK_H
#define LFKIT_REF_SEQLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/seqarray.h> /* lfk_seqarray_update_fn */

LFK_BEGIN_DECLS

enum lfk_ref_kind {
	LFK_REF_RWLOCK = 0, /* pthread_rwlock_t */
	LFK_REF_MUTEX = 1, /* pthread_mutex_t */
};

struct lfk__ref_lock {
	int kind;
	uint32_t writer; /* 1 while a writer holds the lock */
	union {
		pthread_rwlock_t rw;
		pthread_mutex_t mu;
	} u;
};

/* ---- the seqlock twin ---------------------------------------------------- */

struct lfk_ref_seqlock {
	struct lfk__ref_lock lk;
};

/* 0, or -EINVAL (NULL, l not aligned to _Alignof(struct lfk_ref_seqlock),
 * unknown kind), or the pthread init error. */
int lfk_ref_seqlock_init(struct lfk_ref_seqlock *l, int kind);
void lfk_ref_seqlock_fini(struct lfk_ref_seqlock *l);

/* Takes the lock shared (rwlock) or exclusive (mutex); returns 0. */
uint64_t lfk_ref_seqlock_read_begin(struct lfk_ref_seqlock *l);
/* Releases it; returns false (nothing to retry). */
bool lfk_ref_seqlock_read_retry(struct lfk_ref_seqlock *l, uint64_t start);
/* As lfk_seqlock_read: 0 or -EINVAL (same argument rules). */
int lfk_ref_seqlock_read(struct lfk_ref_seqlock *l, void *dst, const void *src,
			 size_t size);

void lfk_ref_seqlock_write_begin(struct lfk_ref_seqlock *l);
void lfk_ref_seqlock_write_begin_single(struct lfk_ref_seqlock *l);
/* 0, or -EAGAIN when the lock is taken (by a writer, or by readers). */
int lfk_ref_seqlock_write_try_begin(struct lfk_ref_seqlock *l);
/* 0, or -EINVAL when no writer holds the lock. */
int lfk_ref_seqlock_write_end(struct lfk_ref_seqlock *l);
int lfk_ref_seqlock_write_abort(struct lfk_ref_seqlock *l);
/* As lfk_seqlock_write: 0 or -EINVAL. */
int lfk_ref_seqlock_write(struct lfk_ref_seqlock *l, void *dst, const void *src,
			  size_t size);

/* ---- the seqarray twin --------------------------------------------------- */

struct lfk_ref_seqarray {
	struct lfk__ref_lock lk;
	uint64_t n;
	uint64_t elem_size;
	uint64_t data[]; /* n * elem_size bytes */
};

/* As lfk_seqarray_size / init / create (plus the lock kind; init also
 * refuses memory not aligned to LFK_CACHELINE with -EINVAL); fini releases
 * the lock of an array placed with init. */
size_t lfk_ref_seqarray_size(size_t n, size_t elem_size);
int lfk_ref_seqarray_init(struct lfk_ref_seqarray *mem, size_t mem_size,
			  size_t n, size_t elem_size, int kind);
int lfk_ref_seqarray_create(size_t n, size_t elem_size, int kind,
			    struct lfk_ref_seqarray **out);
void lfk_ref_seqarray_fini(struct lfk_ref_seqarray *a);
void lfk_ref_seqarray_destroy(struct lfk_ref_seqarray *a);
size_t lfk_ref_seqarray_length(const struct lfk_ref_seqarray *a);
size_t lfk_ref_seqarray_elem_size(const struct lfk_ref_seqarray *a);

int lfk_ref_seqarray_read(struct lfk_ref_seqarray *a, size_t i, void *dst);
int lfk_ref_seqarray_write(struct lfk_ref_seqarray *a, size_t i,
			   const void *src);
int lfk_ref_seqarray_update(struct lfk_ref_seqarray *a, size_t i,
			    lfk_seqarray_update_fn fn, void *arg);
int lfk_ref_seqarray_update_n(struct lfk_ref_seqarray *a, const size_t *idx,
			      size_t k, lfk_seqarray_update_fn fn, void *arg);
int lfk_ref_seqarray_snapshot(struct lfk_ref_seqarray *a, void *dst);
/* tries is accepted for the same API and ignored: the lock always works. */
int lfk_ref_seqarray_snapshot_tries(struct lfk_ref_seqarray *a, void *dst,
				    unsigned tries);

/* ---- the latch twin ------------------------------------------------------ */

struct lfk_ref_latch {
	struct lfk__ref_lock lk;
	uint64_t obj_size;
	uint64_t data[]; /* obj_size bytes: one copy is enough under a lock */
};

/* As lfk_latch_size / init / create (plus the lock kind; init refuses
 * memory not aligned to LFK_CACHELINE with -EINVAL). */
size_t lfk_ref_latch_size(size_t obj_size);
int lfk_ref_latch_init(struct lfk_ref_latch *mem, size_t mem_size,
		       size_t obj_size, int kind);
int lfk_ref_latch_create(size_t obj_size, int kind, struct lfk_ref_latch **out);
void lfk_ref_latch_fini(struct lfk_ref_latch *l);
void lfk_ref_latch_destroy(struct lfk_ref_latch *l);
size_t lfk_ref_latch_obj_size(const struct lfk_ref_latch *l);
int lfk_ref_latch_read(struct lfk_ref_latch *l, void *dst);
int lfk_ref_latch_write(struct lfk_ref_latch *l, const void *src);

LFK_END_DECLS

#endif
