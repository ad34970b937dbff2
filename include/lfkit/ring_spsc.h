/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ring_spsc.h - the single-producer single-consumer ring.
 * Include <lfkit/ring.h>; the inline bodies are in
 * <lfkit/impl/ring_spsc.h>.
 *
 * Progress: every call is wait-free (a bounded number of its own steps).
 * Full and empty are never spurious: the producer alone moves tail, the
 * consumer alone moves head, and each side re-reads the other's index before
 * it reports full or empty.
 *
 * Layout: the producer's line holds tail and its limit (the head it last
 * saw plus the capacity); the consumer's line holds head and its cached
 * copy of tail (the technique of Lamport's ring with cached indices, as in
 * rte_ring's SP/SC paths; ck_ring's spsc ring reads the other side's index
 * on every call).  A side touches the other side's line only when its cache
 * says full (empty), so in steady state each line stays in its owner's
 * cache.  The slots follow the struct (lfk__ring_layout puts data_off
 * there, and attach checks it), so a slot address is one indexed access.
 */
#ifndef LFKIT_RING_SPSC_H
#define LFKIT_RING_SPSC_H

#ifndef LFKIT_RING_H
#error "include <lfkit/ring.h>"
#endif

LFK_BEGIN_DECLS

/*
 * lfk_ring_spsc_size: the bytes a ring of `capacity` elements of
 * `elem_size` bytes needs (a multiple of LFK_RING_ALIGN), or 0 when
 * capacity is 0 or above LFK_RING_MAX_CAPACITY, or elem_size is 0, not a
 * multiple of 8 or above LFK_RING_MAX_ELEM_SIZE.  Wait-free.
 */
size_t lfk_ring_spsc_size(size_t capacity, size_t elem_size);

/*
 * lfk_ring_spsc_init: lays an empty ring out in mem (lfk_ring_spsc_size
 * bytes, aligned to LFK_RING_ALIGN).  Returns 0, or -EINVAL for NULL or
 * misaligned mem or bad sizes (as lfk_ring_spsc_size).  Not concurrent:
 * nobody may use mem yet; the pointer is handed on by whatever publishes
 * it.
 */
int lfk_ring_spsc_init(void *mem, size_t capacity, size_t elem_size);

/*
 * lfk_ring_spsc_init_at: lfk_ring_spsc_init with the internal indices
 * starting at first_index (tests run rings through the 2^32 and 2^64 wrap-
 * around).  Errors as lfk_ring_spsc_init.
 */
int lfk_ring_spsc_init_at(void *mem, size_t capacity, size_t elem_size,
			  uint64_t first_index);

/*
 * lfk_ring_spsc_create: allocates an aligned ring and lays it out; *out
 * gets it (NULL on error).  Returns 0; -EINVAL (out NULL, or bad sizes as
 * lfk_ring_spsc_size); -ENOMEM.  Free it with lfk_ring_spsc_destroy.
 */
int lfk_ring_spsc_create(size_t capacity, size_t elem_size,
			 struct lfk_ring_spsc **out);

/*
 * lfk_ring_spsc_destroy: frees a ring from lfk_ring_spsc_create (NULL is
 * ignored).  No thread may be using it.
 */
void lfk_ring_spsc_destroy(struct lfk_ring_spsc *r);

/*
 * lfk_ring_spsc_enqueue: appends the 64-bit value v.  Returns 0; -EAGAIN
 * when the ring is full; -EINVAL for NULL or a ring whose elem_size is not
 * 8 (also for a ring of another kind, in the exported symbol and under
 * LFK_DEBUG; the inline call leaves that check out).  Wait-free.  Only one
 * thread may enqueue and only one may dequeue at a time.
 */
LFK__RING_API int lfk_ring_spsc_enqueue(struct lfk_ring_spsc *r, uint64_t v);

/*
 * lfk_ring_spsc_dequeue: takes the oldest value into *v.  Returns 0;
 * -EAGAIN when the ring is empty; -EINVAL for NULL r or v or a ring whose
 * elem_size is not 8 (also for a ring of another kind, in the exported
 * symbol and under LFK_DEBUG; the inline call leaves that check out).
 * Wait-free.  Only one thread may enqueue and only one may dequeue at a
 * time.
 */
LFK__RING_API int lfk_ring_spsc_dequeue(struct lfk_ring_spsc *r, uint64_t *v);

/*
 * lfk_ring_spsc_enqueue_burst: appends up to n values from v, in order, as
 * far as there is room.  Returns how many it appended: 0 when full, and for
 * NULL or a ring whose elem_size is not 8 (or of another kind, as
 * lfk_ring_spsc_enqueue).  Wait-free.  Only one thread may enqueue and only
 * one may dequeue at a time.
 */
LFK__RING_API size_t lfk_ring_spsc_enqueue_burst(struct lfk_ring_spsc *r,
						 const uint64_t *v, size_t n);

/*
 * lfk_ring_spsc_dequeue_burst: takes up to n of the oldest values into v,
 * in order.  Returns how many: 0 when empty, and for the bad arguments of
 * lfk_ring_spsc_enqueue_burst.  Wait-free.  Only one thread may enqueue and
 * only one may dequeue at a time.
 */
LFK__RING_API size_t lfk_ring_spsc_dequeue_burst(struct lfk_ring_spsc *r,
						 uint64_t *v, size_t n);

/*
 * lfk_ring_spsc_enqueue_rec: appends one record, elem_size bytes copied
 * from rec.  Returns 0; -EAGAIN when full; -EINVAL for NULL (or a ring of
 * another kind, as lfk_ring_spsc_enqueue).  Wait-free.  Only one thread may
 * enqueue and only one may dequeue at a time.
 */
LFK__RING_API int lfk_ring_spsc_enqueue_rec(struct lfk_ring_spsc *r,
					    const void *rec);

/*
 * lfk_ring_spsc_dequeue_rec: takes the oldest record into rec (elem_size
 * bytes).  Returns 0; -EAGAIN when empty; -EINVAL as
 * lfk_ring_spsc_enqueue_rec.  Wait-free.  Only one thread may enqueue and
 * only one may dequeue at a time.
 */
LFK__RING_API int lfk_ring_spsc_dequeue_rec(struct lfk_ring_spsc *r, void *rec);

/*
 * lfk_ring_spsc_enqueue_burst_rec: appends up to n records from recs (n *
 * elem_size bytes), in order.  Returns how many: 0 when full or for NULL
 * (or a ring of another kind).  Wait-free.  Only one thread may enqueue and
 * only one may dequeue at a time.
 */
LFK__RING_API size_t lfk_ring_spsc_enqueue_burst_rec(struct lfk_ring_spsc *r,
						     const void *recs,
						     size_t n);

/*
 * lfk_ring_spsc_dequeue_burst_rec: takes up to n of the oldest records into
 * recs.  Returns how many: 0 when empty or for NULL (or a ring of another
 * kind).  Wait-free.  Only one thread may enqueue and only one may dequeue
 * at a time.
 */
LFK__RING_API size_t lfk_ring_spsc_dequeue_burst_rec(struct lfk_ring_spsc *r,
						     void *recs, size_t n);

/*
 * lfk_ring_spsc_count: the items in the ring, 0 for NULL: approximate while
 * other threads work on it, exact when quiescent, never above the capacity.
 * Wait-free: two loads.
 */
LFK__RING_API size_t lfk_ring_spsc_count(const struct lfk_ring_spsc *r);

/*
 * lfk_ring_spsc_capacity: the capacity given at creation (0 for NULL).
 * Wait-free.
 */
LFK__RING_API size_t lfk_ring_spsc_capacity(const struct lfk_ring_spsc *r);

/*
 * lfk_ring_spsc_elem_size: the element size given at creation (0 for NULL).
 * Wait-free.
 */
LFK__RING_API size_t lfk_ring_spsc_elem_size(const struct lfk_ring_spsc *r);

#include <lfkit/impl/ring_spsc.h>

LFK_END_DECLS

#endif
