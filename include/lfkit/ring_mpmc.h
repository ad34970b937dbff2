/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ring_mpmc.h - the fast multi-producer multi-consumer ring.
 * Include <lfkit/ring.h>; the inline bodies are in
 * <lfkit/impl/ring_mpmc.h>.
 *
 * Design: per-slot sequence numbers (Vyukov's bounded MPMC queue).  Slot i
 * carries seq; for position p mapping to it, seq == p means "free for the
 * producer of p", seq == p + 1 means "holds the item of p", and the consumer
 * of p hands it to the next lap with seq = p + slots.  Producers reserve a
 * position with a CAS on tail, consumers with a CAS on head; the slot's
 * sequence then carries the ordering (release on publish, acquire on read)
 * between the one producer and the one consumer of that position.
 * We chose it over DPDK-style head/tail reservation because a stopped
 * producer there stalls every later producer (they wait to move the shared
 * tail in order); here it stalls only the consumers of its slot.
 *
 * Progress: BLOCKING.  A producer stopped between reserving and publishing
 * its slot makes every consumer report empty at that slot (FIFO: later
 * items wait behind it) until it resumes; producers carry on until the ring
 * is full.  A consumer stopped between reserving and releasing its slot
 * makes producers report full when they lap around to that slot.  Without
 * stopped threads, operations complete in a bounded number of CAS retries
 * per competing thread.  A damaged slot (its sequence ahead of an index
 * that nobody moves, as in a corrupted shared region) makes the call
 * return -EAGAIN after one re-read of the index, never spin.
 *
 * Capacity: slots is capacity rounded up to a power of two; when the two
 * differ, enqueue also compares tail with head so that no more than capacity
 * items are ever accepted.
 */
#ifndef LFKIT_RING_MPMC_H
#define LFKIT_RING_MPMC_H

#ifndef LFKIT_RING_H
#error "include <lfkit/ring.h>"
#endif

LFK_BEGIN_DECLS

/*
 * lfk_ring_mpmc_size: the bytes a ring of `capacity` elements of
 * `elem_size` bytes needs (a multiple of LFK_RING_ALIGN), or 0 when
 * capacity is 0 or above LFK_RING_MAX_CAPACITY, or elem_size is 0, not a
 * multiple of 8 or above LFK_RING_MAX_ELEM_SIZE.  Wait-free.
 */
size_t lfk_ring_mpmc_size(size_t capacity, size_t elem_size);

/*
 * lfk_ring_mpmc_init: lays an empty ring out in mem (lfk_ring_mpmc_size
 * bytes, aligned to LFK_RING_ALIGN).  Returns 0, or -EINVAL for NULL or
 * misaligned mem or bad sizes (as lfk_ring_mpmc_size).  Not concurrent:
 * nobody may use mem yet; the pointer is handed on by whatever publishes
 * it.
 */
int lfk_ring_mpmc_init(void *mem, size_t capacity, size_t elem_size);

/*
 * lfk_ring_mpmc_init_at: lfk_ring_mpmc_init with the internal indices
 * starting at first_index (tests run rings through the 2^32 and 2^64 wrap-
 * around).  Errors as lfk_ring_mpmc_init.
 */
int lfk_ring_mpmc_init_at(void *mem, size_t capacity, size_t elem_size,
			  uint64_t first_index);

/*
 * lfk_ring_mpmc_create: allocates an aligned ring and lays it out; *out
 * gets it (NULL on error).  Returns 0; -EINVAL (out NULL, or bad sizes as
 * lfk_ring_mpmc_size); -ENOMEM.  Free it with lfk_ring_mpmc_destroy.
 */
int lfk_ring_mpmc_create(size_t capacity, size_t elem_size,
			 struct lfk_ring_mpmc **out);

/*
 * lfk_ring_mpmc_destroy: frees a ring from lfk_ring_mpmc_create (NULL is
 * ignored).  No thread may be using it.
 */
void lfk_ring_mpmc_destroy(struct lfk_ring_mpmc *r);

/*
 * lfk_ring_mpmc_enqueue: appends the 64-bit value v.  Returns 0; -EAGAIN
 * when the ring is full; -EINVAL for NULL or a ring whose elem_size is not
 * 8 (also for a ring of another kind, in the exported symbol and under
 * LFK_DEBUG; the inline call leaves that check out).  Blocking (see above):
 * a thread stopped inside an operation makes the others report full or
 * empty at its slot; without one, bounded CAS retries.
 */
LFK__RING_API int lfk_ring_mpmc_enqueue(struct lfk_ring_mpmc *r, uint64_t v);

/*
 * lfk_ring_mpmc_dequeue: takes the oldest value into *v.  Returns 0;
 * -EAGAIN when the ring is empty; -EINVAL for NULL r or v or a ring whose
 * elem_size is not 8 (also for a ring of another kind, in the exported
 * symbol and under LFK_DEBUG; the inline call leaves that check out).
 * Blocking (see above): a thread stopped inside an operation makes the
 * others report full or empty at its slot; without one, bounded CAS
 * retries.
 */
LFK__RING_API int lfk_ring_mpmc_dequeue(struct lfk_ring_mpmc *r, uint64_t *v);

/*
 * lfk_ring_mpmc_enqueue_burst: appends up to n values from v, in order, as
 * far as there is room.  Returns how many it appended: 0 when full, and for
 * NULL or a ring whose elem_size is not 8 (or of another kind, as
 * lfk_ring_mpmc_enqueue).  Blocking (see above): a thread stopped inside an
 * operation makes the others report full or empty at its slot; without one,
 * bounded CAS retries.
 */
LFK__RING_API size_t lfk_ring_mpmc_enqueue_burst(struct lfk_ring_mpmc *r,
						 const uint64_t *v, size_t n);

/*
 * lfk_ring_mpmc_dequeue_burst: takes up to n of the oldest values into v,
 * in order.  Returns how many: 0 when empty, and for the bad arguments of
 * lfk_ring_mpmc_enqueue_burst.  Blocking (see above): a thread stopped
 * inside an operation makes the others report full or empty at its slot;
 * without one, bounded CAS retries.
 */
LFK__RING_API size_t lfk_ring_mpmc_dequeue_burst(struct lfk_ring_mpmc *r,
						 uint64_t *v, size_t n);

/*
 * lfk_ring_mpmc_enqueue_rec: appends one record, elem_size bytes copied
 * from rec.  Returns 0; -EAGAIN when full; -EINVAL for NULL (or a ring of
 * another kind, as lfk_ring_mpmc_enqueue).  Blocking (see above): a thread
 * stopped inside an operation makes the others report full or empty at its
 * slot; without one, bounded CAS retries.
 */
LFK__RING_API int lfk_ring_mpmc_enqueue_rec(struct lfk_ring_mpmc *r,
					    const void *rec);

/*
 * lfk_ring_mpmc_dequeue_rec: takes the oldest record into rec (elem_size
 * bytes).  Returns 0; -EAGAIN when empty; -EINVAL as
 * lfk_ring_mpmc_enqueue_rec.  Blocking (see above): a thread stopped inside
 * an operation makes the others report full or empty at its slot; without
 * one, bounded CAS retries.
 */
LFK__RING_API int lfk_ring_mpmc_dequeue_rec(struct lfk_ring_mpmc *r, void *rec);

/*
 * lfk_ring_mpmc_enqueue_burst_rec: appends up to n records from recs (n *
 * elem_size bytes), in order.  Returns how many: 0 when full or for NULL
 * (or a ring of another kind).  Blocking (see above): a thread stopped
 * inside an operation makes the others report full or empty at its slot;
 * without one, bounded CAS retries.
 */
LFK__RING_API size_t lfk_ring_mpmc_enqueue_burst_rec(struct lfk_ring_mpmc *r,
						     const void *recs,
						     size_t n);

/*
 * lfk_ring_mpmc_dequeue_burst_rec: takes up to n of the oldest records into
 * recs.  Returns how many: 0 when empty or for NULL (or a ring of another
 * kind).  Blocking (see above): a thread stopped inside an operation makes
 * the others report full or empty at its slot; without one, bounded CAS
 * retries.
 */
LFK__RING_API size_t lfk_ring_mpmc_dequeue_burst_rec(struct lfk_ring_mpmc *r,
						     void *recs, size_t n);

/*
 * lfk_ring_mpmc_count: the items in the ring, 0 for NULL: approximate while
 * other threads work on it, exact when quiescent, never above the capacity.
 * Wait-free: two loads.
 */
LFK__RING_API size_t lfk_ring_mpmc_count(const struct lfk_ring_mpmc *r);

/*
 * lfk_ring_mpmc_capacity: the capacity given at creation (0 for NULL).
 * Wait-free.
 */
LFK__RING_API size_t lfk_ring_mpmc_capacity(const struct lfk_ring_mpmc *r);

/*
 * lfk_ring_mpmc_elem_size: the element size given at creation (0 for NULL).
 * Wait-free.
 */
LFK__RING_API size_t lfk_ring_mpmc_elem_size(const struct lfk_ring_mpmc *r);

/* ---- a process that died between reserve and commit (out of line) ----- */

/* What lfk_ring_mpmc_stalled reports. */
/* the head slot is reserved, never published */
#define LFK_RING_STALL_PRODUCER 1
#define LFK_RING_STALL_CONSUMER                                                \
	2 /* the next slot to fill is reserved by a
				     consumer that never released it */

/*
 * Whether the ring is stalled at one slot, as it is for good when a process
 * dies between reserving a slot and publishing (producer) or releasing it
 * (consumer): returns LFK_RING_STALL_PRODUCER when consumers wait at the
 * head for a slot a producer reserved and has not published, or
 * LFK_RING_STALL_CONSUMER when producers wait at the tail for a slot a
 * consumer reserved and has not released; *pos gets that slot's position.
 * 0 when neither (then *pos is unchanged).  A live thread preempted in the
 * middle looks the same: only the caller can know that it died (it reaped
 * the process).  -EINVAL for NULL.  Wait-free: a snapshot of three words.
 */
int lfk_ring_mpmc_stalled(const struct lfk_ring_mpmc *r, uint64_t *pos);

/*
 * Frees the slot at position pos (as lfk_ring_mpmc_stalled reported it)
 * whose reserving process died: a producer's unpublished slot becomes a
 * hole that consumers skip (its item was never written), a consumer's
 * unreleased slot is handed to the producers of the next lap (its item
 * went with the consumer).  Never call it for a thread that may still run:
 * its late publish or release would then corrupt the slot.
 * Returns 0; -EAGAIN when the slot at pos is no longer in that state (the
 * thread finished after all, or another survivor repaired it); -EINVAL
 * for NULL.  Lock-free (CASes that fail only when the slot moved on).
 */
int lfk_ring_mpmc_repair(struct lfk_ring_mpmc *r, uint64_t pos);

#include <lfkit/impl/ring_mpmc.h>

LFK_END_DECLS

#endif
