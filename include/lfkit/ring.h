/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ring.h - bounded FIFO ring queues.
 *
 * Three rings share one API shape:
 *
 *   lfk_ring_spsc    one producer, one consumer.  Every operation is
 *                    wait-free.  Never reports full or empty spuriously.
 *   lfk_ring_mpmc    any number of producers and consumers; per-slot sequence
 *                    numbers (Vyukov's bounded MPMC queue).  BLOCKING: a
 *                    producer stopped between reserving a slot and publishing
 *                    it makes every consumer report empty at that slot until
 *                    it resumes (later items wait behind it: FIFO), and a
 *                    consumer stopped between reserving and releasing a slot
 *                    makes producers report full when they lap around to it.
 *   lfk_ring_lfmpmc  any number of producers and consumers, truly lock-free:
 *                    an array of 16-byte entries {sequence, value} that a
 *                    producer fills and marks filled in one double-width
 *                    CAS (Shann, Huang and Chen's array queue with
 *                    Vyukov's sequence numbers), head and tail moved by
 *                    CAS afterwards and helped along by whoever finds them
 *                    lagging.  A thread stopped at any instruction never
 *                    prevents the others from completing their operations.
 *                    Needs a 16-byte CAS (x86_64 cmpxchg16b, aarch64, or
 *                    the compiler's; where the compiler's may take a lock,
 *                    every update of an entry goes through it).
 *
 * When an operation may fail although the ring was not full (empty) at any
 * instant of the call:
 *   spsc    never.
 *   mpmc    enqueue reports full when its slot's previous item is still being
 *           copied out by a consumer that reserved it (the ring's count may be
 *           below capacity); dequeue reports empty when the next slot was
 *           reserved by a producer that has not published it yet, even if
 *           later slots are already published (count() > 0).  Both
 *           report -EAGAIN, rather than spin, at a slot whose sequence is
 *           ahead of the index that reaches it while that index does not
 *           move: only a damaged (shared) region looks like that.
 *   lfmpmc  never for u64 rings: a producer stopped after filling its
 *           entry has put its item, a consumer stopped after taking one has
 *           freed its entry.  Record rings: a producer holds data slots
 *           from taking free ones until it has appended them, a consumer
 *           from taking items until it has copied them out (up to 32 at a
 *           time, for a burst), so while a call holds k the ring accepts
 *           capacity - k records.  Both
 *           report -EAGAIN, rather than spin, at an entry in a state its
 *           position cannot be in while the index that reaches it does
 *           not move: only a damaged (shared) region looks like that.
 *
 * Items are fixed-size records of elem_size bytes (a multiple of 8, copied in
 * and out).  elem_size 8 is the main form: 64-bit values, uintptr_t or
 * pointers, through the plain enqueue/dequeue calls.  Records use the _rec
 * calls.  The u64 calls on a ring whose elem_size is not 8 return -EINVAL.
 *
 * Capacity is honoured exactly: a ring never holds more than the capacity it
 * was created with (1 up to LFK_RING_MAX_CAPACITY), although it rounds its
 * slot count up to a power of two internally (at least 2 for mpmc and
 * lfmpmc).
 *
 * Memory: lfk_ring_<kind>_size(capacity, elem_size) gives the bytes needed;
 * lfk_ring_<kind>_init() lays the ring out in caller-provided memory that is
 * aligned to LFK_RING_ALIGN (128 bytes).  Nothing inside is a pointer
 * (only offsets from the ring's start), so a ring can live in memory shared
 * between processes.
 * lfk_ring_<kind>_create()/_destroy() allocate and free aligned memory.
 *
 * Errors (negative errno): -EINVAL for NULL, misaligned memory, capacity 0 or
 * above LFK_RING_MAX_CAPACITY, elem_size 0 or not a multiple of 8 or above
 * LFK_RING_MAX_ELEM_SIZE, or a ring of the wrong kind; -EAGAIN when full
 * (enqueue) or empty (dequeue); -ENOMEM when create cannot allocate.
 *
 * Each kind's header declares its calls, one by one, with what each does,
 * the errors it returns and its progress guarantee:
 *   <lfkit/ring_spsc.h>, <lfkit/ring_mpmc.h>, <lfkit/ring_lfmpmc.h>
 * (all included by this one).  Below them, struct lfk_ring: one handle for
 * a ring of any kind, for code that supports all kinds.
 *
 * The hot calls are static inline, their bodies in <lfkit/impl/ring*.h>;
 * liblfkit also exports each as a symbol of the same name (for other
 * languages, or a stable ABI).
 */
#ifndef LFKIT_RING_H
#define LFKIT_RING_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lfkit/atomic.h>

LFK_BEGIN_DECLS

#define LFK_RING_MAX_CAPACITY ((size_t)1 << 30)
#define LFK_RING_MAX_ELEM_SIZE ((size_t)1 << 16)
/* Hot indices of different owners sit this far apart: two lines, because
 * x86's adjacent-line prefetcher fetches lines in 128-byte pairs. */
#define LFK_RING_ALIGN (2 * LFK_CACHELINE)

enum lfk_ring_kind {
	LFK_RING_SPSC = 1,
	LFK_RING_MPMC = 2,
	LFK_RING_LFMPMC = 3,
};

struct lfk_ring; /* any kind (see below) */
struct lfk_ring_spsc; /* <lfkit/ring_spsc.h> */
struct lfk_ring_mpmc; /* <lfkit/ring_mpmc.h> */
struct lfk_ring_lfmpmc; /* <lfkit/ring_lfmpmc.h> */

/*
 * The public calls are static inline by default, so they inline into the
 * caller; lib/ring_symbols.c defines LFK__RING_API empty before including
 * this header, which turns the same definitions into exported symbols of
 * liblfkit for callers that cannot use the inline versions (other
 * languages, a stable ABI).
 */
#ifndef LFK__RING_API
#define LFK__RING_API static inline
#endif

#include <lfkit/impl/ring.h>

#include <lfkit/ring_lfmpmc.h>
#include <lfkit/ring_mpmc.h>
#include <lfkit/ring_spsc.h>

/*
 * struct lfk_ring: one handle for a ring of any kind, for code that
 * supports all kinds (the blocking queue, shared regions, benchmarks).
 * Every typed ring is one: lfk_ring_from_<kind>(r) gives its handle, and
 * lfk_ring_to_<kind>(h) the typed ring back.  Each call behaves as the
 * typed call of the ring's kind, with the same errors and the same
 * progress guarantee (spsc wait-free, mpmc blocking, lfmpmc lock-free; an
 * spsc ring still takes one producer and one consumer), and checks the
 * kind in the ring's header on every call: a header that names no kind
 * (a damaged shared region) gives -EINVAL, or 0 moved.  The check and the
 * dispatch cost one switch on a read-mostly word that the call reads
 * anyway.
 */

/* lfk_ring_size: the bytes a ring of `kind` needs, as lfk_ring_<kind>_size;
 * 0 also for an unknown kind.  Wait-free. */
size_t lfk_ring_size(enum lfk_ring_kind kind, size_t capacity,
		     size_t elem_size);

/* lfk_ring_init: lays an empty ring of `kind` out in mem, as
 * lfk_ring_<kind>_init.  0, or -EINVAL (also for an unknown kind).  Not
 * concurrent: nobody may use mem yet. */
int lfk_ring_init(void *mem, enum lfk_ring_kind kind, size_t capacity,
		  size_t elem_size);

/* lfk_ring_create: allocates and lays out a ring of `kind`.  0; -EINVAL
 * (unknown kind, out NULL, bad sizes); -ENOMEM.  Free it with
 * lfk_ring_destroy. */
int lfk_ring_create(enum lfk_ring_kind kind, size_t capacity, size_t elem_size,
		    struct lfk_ring **out);

/* lfk_ring_destroy: frees a ring from lfk_ring_create or
 * lfk_ring_<kind>_create (NULL is ignored).  No thread may be using it. */
void lfk_ring_destroy(struct lfk_ring *r);

/* lfk_ring_kind_of: the ring's kind; 0 for NULL or a header that names no
 * kind.  Wait-free. */
LFK__RING_API enum lfk_ring_kind lfk_ring_kind_of(const struct lfk_ring *r);

/* lfk_ring_enqueue: as lfk_ring_<kind>_enqueue: 0; -EAGAIN when full;
 * -EINVAL for NULL, elem_size not 8, or an unknown kind. */
LFK__RING_API int lfk_ring_enqueue(struct lfk_ring *r, uint64_t v);

/* lfk_ring_dequeue: as lfk_ring_<kind>_dequeue: 0; -EAGAIN when empty;
 * -EINVAL for NULL r or v, elem_size not 8, or an unknown kind. */
LFK__RING_API int lfk_ring_dequeue(struct lfk_ring *r, uint64_t *v);

/* lfk_ring_enqueue_burst: as lfk_ring_<kind>_enqueue_burst: how many of
 * the n values moved; 0 also for NULL, elem_size not 8, an unknown kind. */
LFK__RING_API size_t lfk_ring_enqueue_burst(struct lfk_ring *r,
					    const uint64_t *v, size_t n);

/* lfk_ring_dequeue_burst: as lfk_ring_<kind>_dequeue_burst: how many
 * values moved; 0 also for NULL, elem_size not 8, an unknown kind. */
LFK__RING_API size_t lfk_ring_dequeue_burst(struct lfk_ring *r, uint64_t *v,
					    size_t n);

/* lfk_ring_enqueue_rec: as lfk_ring_<kind>_enqueue_rec: 0; -EAGAIN when
 * full; -EINVAL for NULL or an unknown kind. */
LFK__RING_API int lfk_ring_enqueue_rec(struct lfk_ring *r, const void *rec);

/* lfk_ring_dequeue_rec: as lfk_ring_<kind>_dequeue_rec: 0; -EAGAIN when
 * empty; -EINVAL for NULL or an unknown kind. */
LFK__RING_API int lfk_ring_dequeue_rec(struct lfk_ring *r, void *rec);

/* lfk_ring_enqueue_burst_rec: as lfk_ring_<kind>_enqueue_burst_rec: how
 * many of the n records moved; 0 also for NULL or an unknown kind. */
LFK__RING_API size_t lfk_ring_enqueue_burst_rec(struct lfk_ring *r,
						const void *recs, size_t n);

/* lfk_ring_dequeue_burst_rec: as lfk_ring_<kind>_dequeue_burst_rec: how
 * many records moved; 0 also for NULL or an unknown kind. */
LFK__RING_API size_t lfk_ring_dequeue_burst_rec(struct lfk_ring *r, void *recs,
						size_t n);

/* lfk_ring_count: as lfk_ring_<kind>_count (0 for NULL or an unknown
 * kind).  Wait-free (lfmpmc: O(capacity)). */
LFK__RING_API size_t lfk_ring_count(const struct lfk_ring *r);

/* lfk_ring_capacity, lfk_ring_elem_size: as given at creation (0 for NULL
 * or an unknown kind).  Wait-free. */
LFK__RING_API size_t lfk_ring_capacity(const struct lfk_ring *r);
LFK__RING_API size_t lfk_ring_elem_size(const struct lfk_ring *r);

/* lfk_ring_from_spsc, _from_mpmc, _from_lfmpmc: the handle of a typed
 * ring (NULL for NULL).  Wait-free. */
LFK__RING_API struct lfk_ring *lfk_ring_from_spsc(struct lfk_ring_spsc *r);
LFK__RING_API struct lfk_ring *lfk_ring_from_mpmc(struct lfk_ring_mpmc *r);
LFK__RING_API struct lfk_ring *lfk_ring_from_lfmpmc(struct lfk_ring_lfmpmc *r);

/* lfk_ring_to_spsc, _to_mpmc, _to_lfmpmc: the typed ring behind a handle,
 * or NULL when r is NULL or a ring of another kind.  Wait-free. */
LFK__RING_API struct lfk_ring_spsc *lfk_ring_to_spsc(struct lfk_ring *r);
LFK__RING_API struct lfk_ring_mpmc *lfk_ring_to_mpmc(struct lfk_ring *r);
LFK__RING_API struct lfk_ring_lfmpmc *lfk_ring_to_lfmpmc(struct lfk_ring *r);
#include <lfkit/impl/ring_any.h>

/* The generators have written every body above. */
#undef LFK__RING_DEFINE_API
#undef LFK__RING_WRONG_KIND
#undef LFK__RING_KIND_spsc
#undef LFK__RING_KIND_mpmc
#undef LFK__RING_KIND_lfmpmc

LFK_END_DECLS

#endif
