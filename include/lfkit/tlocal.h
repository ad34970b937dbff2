/* SPDX-License-Identifier: MIT */
/*
 * lfkit/tlocal.h - per-object thread-local storage.
 *
 * What Python calls threading.local(): every lfk_tlocal object has its own
 * slot in every thread that uses it (unlike a static _Thread_local variable,
 * which exists once per thread for the whole program).  A slot is created on
 * the thread's first lfk_tlocal_get(); later calls return the same slot with
 * two plain loads: no lock, no atomic read-modify-write.
 *
 *     static void add_one(void *slot, void *arg) { ... }
 *     struct lfk_tlocal *t;
 *     lfk_tlocal_create(sizeof(struct stats), NULL, NULL, NULL, &t);
 *     void *p;
 *     if (lfk_tlocal_get(t, &p) == 0)        // this thread's, zeroed
 *             ((struct stats *)p)->hits++;   // nobody else writes it
 *
 * How it works.  Each object gets a small integer id (ids are reused after
 * lfk_tlocal_destroy).  Each thread has a vector, indexed by id, of pointers
 * to its slots, reached through one initial-exec TLS variable: the fast path
 * is "load vector, load vector[id]".  The slow paths (first use, thread exit,
 * destroy, for_each) take two small mutexes: the object's registry lock
 * (every slot of the object) and the thread's lock (every slot of the
 * thread), always in that order.  One pthread key, created once for the whole
 * library, runs the thread-exit walk: there is no per-object pthread key, so
 * the number of objects is bounded by memory only.
 *
 * Thread exit racing with lfk_tlocal_destroy is safe: each slot is claimed
 * exactly once, under both locks, by whichever side gets there first, and
 * destroy waits for exiting threads that are still running the destructor of
 * a slot of the object.  Each slot's destructor runs exactly once.
 *
 * Slots are aligned to LFK_CACHELINE and padded to whole lines, so two
 * threads' slots never share a cache line.
 *
 * Not allowed (undefined): using an object (get, for_each) while, or after,
 * it is destroyed; calling lfk_tlocal_destroy twice.
 */
#ifndef LFKIT_TLOCAL_H
#define LFKIT_TLOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <lfkit/atomic.h>

/* The calls defined in this header are static inline; lib/tlocal_symbols.c
 * defines LFK__TLOCAL_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__TLOCAL_API
#define LFK__TLOCAL_API static inline
#endif

LFK_BEGIN_DECLS

struct lfk_tlocal;

/*
 * Slot constructor, run by the thread that creates the slot, on zeroed
 * memory, before the slot becomes visible to for_each.  Returns 0, or a
 * negative errno that makes lfk_tlocal_get fail with that error.
 */
typedef int (*lfk_tlocal_ctor_fn)(void *slot, void *arg);

/*
 * Slot destructor.  Runs exactly once per slot: on the slot's thread when
 * that thread exits, or on the thread calling lfk_tlocal_destroy.  It runs
 * with no lfkit lock held (it may use other lfk_tlocal objects), but must not
 * call lfk_tlocal_get on the object being destroyed.
 */
typedef void (*lfk_tlocal_dtor_fn)(void *slot, void *arg);

/*
 * lfk_tlocal_create: creates an object whose slots are `size` bytes
 * (1 .. 1 MiB) into *out.  ctor and dtor may be NULL; arg is passed to both.
 * Returns 0; -EINVAL (out NULL, bad size); -ENOMEM; -EAGAIN (the library's
 * one pthread key could not be created).  *out is NULL on failure.
 * Blocking (a global mutex guards the id allocator).
 */
int lfk_tlocal_create(size_t size, lfk_tlocal_ctor_fn ctor,
		      lfk_tlocal_dtor_fn dtor, void *arg,
		      struct lfk_tlocal **out);

/*
 * Destroys the object: runs the destructor of every live slot (on the
 * calling thread, for slots of threads that are still running), frees every
 * slot and the object.  Waits until threads exiting concurrently have
 * finished the destructors of their slots of this object.  No thread may use
 * the object any more.  NULL is ignored.
 * Blocking.
 */
void lfk_tlocal_destroy(struct lfk_tlocal *t);

/* The visitor of lfk_tlocal_for_each: one live slot, and for_each's arg. */
typedef void (*lfk_tlocal_visit_fn)(void *slot, void *arg);

/*
 * lfk_tlocal_for_each: calls fn(slot, arg) for every live slot of the
 * object, under the object's registry lock: slots are neither created nor
 * destroyed meanwhile, but their owners keep running, so fn must read
 * fields their owners write with atomic loads.  fn must not call
 * get/destroy/for_each on the same object (count slots in fn if needed).
 * Returns 0, or -EINVAL if t or fn is NULL.  Blocking (registry lock).
 */
int lfk_tlocal_for_each(struct lfk_tlocal *t, lfk_tlocal_visit_fn fn,
			void *arg);

#include <lfkit/impl/tlocal.h>

/*
 * lfk_tlocal_get: stores the calling thread's slot of t in *slot, creating
 * it (zeroed, then ctor) on the thread's first call.  Returns 0; -EINVAL (t
 * or slot NULL); -ENOMEM; or the ctor's error (*slot is then NULL).
 * Wait-free after the thread's first call for t (two loads and a compare);
 * the first call is blocking (registry locks, malloc).
 */
LFK__TLOCAL_API int lfk_tlocal_get(struct lfk_tlocal *t, void **slot)
{
	if (__builtin_expect(t != NULL && slot != NULL, 1)) {
		uint32_t id =
			((const struct lfk__tlocal_hdr *)(const void *)t)->id;
		struct lfk__tlocal_tls *tls = &lfk__tlocal_tls;
		if (__builtin_expect(id < tls->cap, 1)) {
			/* relaxed: only this thread stores non-NULL entries */
			*slot = lfk_atomic_load_ptr(&tls->vec[id], LFK_RELAXED);
			if (__builtin_expect(*slot != NULL, 1))
				return 0;
		}
	}
	return lfk__tlocal_get_slow(t, slot);
}

LFK_END_DECLS

#endif
