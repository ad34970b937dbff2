/* SPDX-License-Identifier: MIT */
/*
 * lfkit/tcache.h - a fixed-size object cache with per-thread magazines.
 *
 * The pattern it replaces: a free list behind a lock (or malloc/free) for
 * objects of one size that threads allocate and free at a high rate.  After
 * Bonwick and Adams, "Magazines and Vmem" (USENIX 2001): each thread keeps
 * two magazines (arrays of free objects), `loaded` and `previous`; alloc pops
 * from the loaded one and free pushes onto it, with no atomic instruction at
 * all.  Only when both are empty (alloc) or full (free) does the thread trade
 * a whole magazine with the global depot, so shared state is touched once
 * per magazine, not once per object.
 *
 *     struct lfk_tcache *tc;
 *     lfk_tcache_create(sizeof(struct msg), 0, 0, &tc);
 *     void *m;
 *     lfk_tcache_alloc(tc, &m);              // -ENOMEM at max_objects
 *     ...                                    // hand m to any thread
 *     lfk_tcache_free(tc, m);                // from any thread
 *     lfk_tcache_destroy(tc);                // frees every object
 *
 * The depot is two lock-free Treiber stacks (R. K. Treiber, IBM RJ 5118,
 * 1986) of magazines, one of non-empty and one of empty magazines.  Only
 * when no magazine can be allocated (out of memory) do freed objects go to
 * a mutex-guarded list of loose objects instead.
 * ABA safety: each stack head is a (pointer, tag) pair changed by a
 * double-width CAS (lfk_atomic_cas2) that increments the tag on every push
 * and pop; magazines are only freed by lfk_tcache_destroy, so a stale pop
 * reads memory that is still a magazine and then fails its CAS.  A push or
 * pop is one locked instruction (the CAS) when uncontended: the head is
 * read with two plain loads (the argument is in lib/tcache.c).  Requires
 * LFK_HAVE_CAS2 (x86_64, aarch64, and the generic backend on 64-bit
 * compilers with 128-bit atomics).
 *
 * New objects are carved from slabs of one magazine's worth each (malloc),
 * counted against max_objects; slabs are freed by lfk_tcache_destroy only.
 * A thread's magazines go back to the depot when the thread exits.
 *
 * Objects are aligned to 16 bytes.  An object may be freed by any thread,
 * not only by the one that allocated it.
 */
#ifndef LFKIT_TCACHE_H
#define LFKIT_TCACHE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/atomic.h>
#include <lfkit/tlocal.h>

/* The calls defined in this header are static inline; lib/tcache_symbols.c
 * defines LFK__TCACHE_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__TCACHE_API
#define LFK__TCACHE_API static inline
#endif

LFK_BEGIN_DECLS

#define LFK_TCACHE_MAG_DEFAULT 64u
#define LFK_TCACHE_MAG_MAX 4096u
#define LFK_TCACHE_OBJ_MAX (1u << 24)

struct lfk_tcache;

/*
 * Creates a cache of objects of obj_size bytes (1 .. 16 MiB).  At most
 * max_objects objects exist at once (0: no limit but memory).  mag_size is
 * the number of objects per magazine (0: LFK_TCACHE_MAG_DEFAULT; at most
 * LFK_TCACHE_MAG_MAX).
 * Stores the cache in *out (NULL on failure).
 * Returns 0, -EINVAL (out NULL, a bad size) or -ENOMEM.  Blocking.
 */
int lfk_tcache_create(size_t obj_size, size_t max_objects, unsigned mag_size,
		      struct lfk_tcache **out);

/*
 * Frees every object (those still in use included), every magazine and the
 * cache.  No thread may use the cache any more; NULL is ignored.  Blocking.
 */
void lfk_tcache_destroy(struct lfk_tcache *tc);

struct lfk_tcache_stats {
	size_t created; /* objects carved from slabs so far */
	size_t in_use; /* handed out and not freed yet */
	size_t in_magazines; /* free, in threads' magazines */
	size_t in_depot; /* free, in the depot's magazines and loose */
	size_t max_objects; /* the configured maximum (0: none) */
};

/*
 * Fills *st.  in_use + in_magazines + in_depot == created when no thread is
 * allocating, freeing or exiting; otherwise an approximation (objects moving
 * between a thread and the depot may be missed or seen twice; in_use is
 * clamped at 0).  Returns 0, or -EINVAL if tc or st is NULL.
 * Blocking (walks the threads' caches under the registry lock).
 */
int lfk_tcache_stats(struct lfk_tcache *tc, struct lfk_tcache_stats *st);

#include <lfkit/impl/tcache.h>

/*
 * lfk_tcache_alloc: stores a free object in *obj.  Returns 0; -ENOMEM
 * (max_objects reached with no free object in this thread's magazines or in
 * the depot, or out of memory; *obj is then NULL); -EINVAL (tc or obj
 * NULL).  Free objects parked in other threads'
 * magazines are not taken, so with max_objects set, ENOMEM can come while
 * up to 2 * mag_size objects per other thread are free.
 * Fast path (the thread's loaded magazine is not empty): wait-free, no
 * atomic instruction.  A magazine exchange with the depot is lock-free; a
 * new slab or the thread's first use is blocking (malloc, registry lock).
 */
LFK__TCACHE_API int lfk_tcache_alloc(struct lfk_tcache *tc, void **obj)
{
	if (__builtin_expect(tc != NULL && obj != NULL, 1)) {
		const struct lfk__tcache_hdr *h =
			(const struct lfk__tcache_hdr *)(const void *)tc;
		void *slot;
		if (__builtin_expect(lfk_tlocal_get(h->threads, &slot) == 0,
				     1)) {
			struct lfk__tcache_thread *c =
				(struct lfk__tcache_thread *)slot;
			uint32_t n = c->loaded_n;
			if (__builtin_expect(n > 0, 1)) {
				/* relaxed: only stats reads it (a snapshot) */
				lfk_atomic_store_u32(&c->loaded_n, n - 1,
						     LFK_RELAXED);
				*obj = c->loaded->obj[n - 1];
				return 0;
			}
		}
	}
	return lfk__tcache_alloc_slow(tc, obj);
}

/*
 * lfk_tcache_free: returns obj, which must come from lfk_tcache_alloc on
 * the same cache and not be freed already (not checked), to the cache.
 * Any thread may free.
 * Returns 0, or -EINVAL if tc or obj is NULL.
 * Fast path (the thread's loaded magazine is not full): wait-free, no
 * atomic instruction.  A magazine exchange with the depot is lock-free;
 * allocating a new magazine or the thread's first use is blocking.  Never
 * fails for lack of memory: without a magazine, obj goes to the loose-object
 * list (blocking, a mutex).
 */
LFK__TCACHE_API int lfk_tcache_free(struct lfk_tcache *tc, void *obj)
{
	if (__builtin_expect(tc != NULL && obj != NULL, 1)) {
		const struct lfk__tcache_hdr *h =
			(const struct lfk__tcache_hdr *)(const void *)tc;
		void *slot;
		if (__builtin_expect(lfk_tlocal_get(h->threads, &slot) == 0,
				     1)) {
			struct lfk__tcache_thread *c =
				(struct lfk__tcache_thread *)slot;
			uint32_t n = c->loaded_n;
			if (__builtin_expect(n < h->mag_size, 1)) {
				c->loaded->obj[n] = obj;
				lfk_atomic_store_u32(&c->loaded_n, n + 1,
						     LFK_RELAXED);
				return 0;
			}
		}
	}
	return lfk__tcache_free_slow(tc, obj);
}

LFK_END_DECLS

#endif
