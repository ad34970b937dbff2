/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ring_lfmpmc.h - the lock-free multi-producer multi-consumer ring.
 * Include <lfkit/ring.h>; the inline bodies are in
 * <lfkit/impl/ring_lfmpmc.h>.
 *
 * Design: an array of n double-width entries {seq, value} whose producers
 * fill an entry and mark it filled in one double-width CAS, with head and
 * tail moved by CAS afterwards and helped along by whoever finds them
 * lagging.  This is the array queue of Shann, Huang and Chen ("A Practical
 * Nonblocking Queue Algorithm Using Compare-and-Swap", ICPADS 2000), with
 * Vyukov's per-entry sequence numbers for the lap (from lfkit's mpmc ring)
 * and the lazy index updates of Tsigas and Zhang (SPAA 2001): an index
 * moves once per 4 positions, and a burst moves it once, not per item.
 *
 * Chosen over SCQ (Nikolaev, DISC 2019), which lfkit used before in its
 * double-width form.  SCQ reserves positions by fetch-and-add, which lets
 * a stopped producer leave a hole that consumers must close and pass, and
 * needs a dequeue budget (a threshold) and a credit word for exact
 * capacity: six locked instructions and about 118 instructions per item
 * pair, and it ran at 0.4-0.5x the mutex twin.  Here reserving and
 * publishing are one step, so there are no holes, no threshold and no
 * credits: one locked instruction on each side for the entry, and a
 * quarter of one for the index, which only that side writes.
 *
 * The ring: position p lives in entry p mod n; the entry's seq says where
 * its lap stands, compared by signed difference (positions survive the
 * 64-bit wrap):
 *   seq == p          free for p (its previous item, p - n, was taken)
 *   seq == p + 1      filled with the item of p
 *   seq == p + n      the item of p was taken (free for p + n)
 *   seq == p - n + 1  still holds the item of p - n: the ring is full
 *   enqueue: from tail, pass the entries already filled (seq p + 1, or
 *            p + n and p + n + 1 once taken and refilled) by producers that
 *            have not moved tail yet; at the first free one, CAS {p, *} to
 *            {p + 1, value}; then CAS tail forward (lazily, see below).  A
 *            full entry: -EAGAIN.
 *   dequeue: from head, pass the entries already taken; at the first
 *            filled one, read the value and CAS seq from p + 1 to p + n;
 *            then CAS head forward (lazily).  An entry still free for p:
 *            -EAGAIN.
 * Positions are filled and taken strictly in order (a producer fills p
 * only after it has seen p - 1 filled), so FIFO holds.  An index lags by
 * at most a lap: a thread that has gone a lap past the index it read moves
 * the index before it goes on.  So an entry in any other state than those
 * above, with its index not moving, is a damaged (shared) region: the call
 * returns -EAGAIN rather than spin.  n >= 2, so that "filled for p" and
 * "free for p + 1" differ.
 *
 * Exact capacity: with capacity n (a power of two), the entries themselves
 * say full.  Below n, a producer also checks p - head < capacity, against
 * a copy of head on the producers' line, reading head (and passing entries
 * taken by consumers that have not moved it yet) only when the copy says
 * full.  Records wider than 8 bytes live in a data array of `capacity`
 * slots whose indices circulate through a second ring of the same kind
 * (the free ring, fq): put takes indices from fq, copies the records in
 * and appends the indices to the item ring (aq); get does the reverse.
 * Only `capacity` indices exist, so neither ring is ever short of room.
 *
 * Bursts fill (take) consecutive positions with one double-width CAS (CAS)
 * each and move the index once at the end, and once per lap on the way.
 * Single calls move it when they cross a multiple of 4 positions, so the
 * next call passes at most 3 done entries, on the line it reads anyway.
 *
 * Progress: LOCK-FREE.  Each CAS fails only because another thread's
 * succeeded.  A thread stopped at any instruction never prevents the others
 * from completing: a producer stopped after filling its entry has put its
 * item (consumers take it, producers pass it); a consumer stopped after
 * taking its item has freed its entry.  Neither holds a place, so the ring
 * keeps its exact capacity and reports full (empty) only when it is.  A
 * record ring's producer between taking free indices and appending them
 * to aq holds those slots, as does a consumer between taking indices and
 * returning them to fq: one per single call, up to LFK__LFQ_CHUNK (32) per
 * burst call.  While it holds k, enqueue reports full (-EAGAIN) at
 * capacity - k items, whether it is stopped there or only copying; so a
 * record ring's "full" is exact only when no record call is in flight.
 *
 * Memory order: an entry's filling CAS is a release and every load of seq
 * an acquire (the value travels with it); the consumer's CAS of seq is a
 * release (its read of the value before the entry is reused).  The index
 * CASes are releases and the index loads acquires, so a thread that starts
 * from an index sees the entries below it done: items keep their order
 * across threads.  On x86_64 these are the plain moves and locked
 * instructions either way; on aarch64 the acquire and release forms.
 *
 * count() reads head and tail, each carried past the positions done by a
 * thread that has not moved it yet: exact when quiescent, O(capacity) at
 * worst.
 */
#ifndef LFKIT_RING_LFMPMC_H
#define LFKIT_RING_LFMPMC_H

#ifndef LFKIT_RING_H
#error "include <lfkit/ring.h>"
#endif

LFK_BEGIN_DECLS

/*
 * lfk_ring_lfmpmc_size: the bytes a ring of `capacity` elements of
 * `elem_size` bytes needs (a multiple of LFK_RING_ALIGN), or 0 when
 * capacity is 0 or above LFK_RING_MAX_CAPACITY, or elem_size is 0, not a
 * multiple of 8 or above LFK_RING_MAX_ELEM_SIZE.  Wait-free.
 */
size_t lfk_ring_lfmpmc_size(size_t capacity, size_t elem_size);

/*
 * lfk_ring_lfmpmc_init: lays an empty ring out in mem (lfk_ring_lfmpmc_size
 * bytes, aligned to LFK_RING_ALIGN).  Returns 0, or -EINVAL for NULL or
 * misaligned mem or bad sizes (as lfk_ring_lfmpmc_size).  Not concurrent:
 * nobody may use mem yet; the pointer is handed on by whatever publishes
 * it.
 */
int lfk_ring_lfmpmc_init(void *mem, size_t capacity, size_t elem_size);

/*
 * lfk_ring_lfmpmc_init_at: lfk_ring_lfmpmc_init with the internal indices
 * starting at first_index (tests run rings through the 2^32 and 2^64 wrap-
 * around).  Errors as lfk_ring_lfmpmc_init.
 */
int lfk_ring_lfmpmc_init_at(void *mem, size_t capacity, size_t elem_size,
			    uint64_t first_index);

/*
 * lfk_ring_lfmpmc_create: allocates an aligned ring and lays it out; *out
 * gets it (NULL on error).  Returns 0; -EINVAL (out NULL, or bad sizes as
 * lfk_ring_lfmpmc_size); -ENOMEM.  Free it with lfk_ring_lfmpmc_destroy.
 */
int lfk_ring_lfmpmc_create(size_t capacity, size_t elem_size,
			   struct lfk_ring_lfmpmc **out);

/*
 * lfk_ring_lfmpmc_destroy: frees a ring from lfk_ring_lfmpmc_create (NULL
 * is ignored).  No thread may be using it.
 */
void lfk_ring_lfmpmc_destroy(struct lfk_ring_lfmpmc *r);

/*
 * lfk_ring_lfmpmc_enqueue: appends the 64-bit value v.  Returns 0; -EAGAIN
 * when the ring is full; -EINVAL for NULL or a ring whose elem_size is not
 * 8 (also for a ring of another kind, in the exported symbol and under
 * LFK_DEBUG; the inline call leaves that check out).  Lock-free.
 */
LFK__RING_API int lfk_ring_lfmpmc_enqueue(struct lfk_ring_lfmpmc *r,
					  uint64_t v);

/*
 * lfk_ring_lfmpmc_dequeue: takes the oldest value into *v.  Returns 0;
 * -EAGAIN when the ring is empty; -EINVAL for NULL r or v or a ring whose
 * elem_size is not 8 (also for a ring of another kind, in the exported
 * symbol and under LFK_DEBUG; the inline call leaves that check out).
 * Lock-free.
 */
LFK__RING_API int lfk_ring_lfmpmc_dequeue(struct lfk_ring_lfmpmc *r,
					  uint64_t *v);

/*
 * lfk_ring_lfmpmc_enqueue_burst: appends up to n values from v, in order,
 * as far as there is room.  Returns how many it appended: 0 when full, and
 * for NULL or a ring whose elem_size is not 8 (or of another kind, as
 * lfk_ring_lfmpmc_enqueue).  Lock-free.
 */
LFK__RING_API size_t lfk_ring_lfmpmc_enqueue_burst(struct lfk_ring_lfmpmc *r,
						   const uint64_t *v, size_t n);

/*
 * lfk_ring_lfmpmc_dequeue_burst: takes up to n of the oldest values into v,
 * in order.  Returns how many: 0 when empty, and for the bad arguments of
 * lfk_ring_lfmpmc_enqueue_burst.  Lock-free.
 */
LFK__RING_API size_t lfk_ring_lfmpmc_dequeue_burst(struct lfk_ring_lfmpmc *r,
						   uint64_t *v, size_t n);

/*
 * lfk_ring_lfmpmc_enqueue_rec: appends one record, elem_size bytes copied
 * from rec.  Returns 0; -EAGAIN when full; -EINVAL for NULL (or a ring of
 * another kind, as lfk_ring_lfmpmc_enqueue).  Lock-free.
 */
LFK__RING_API int lfk_ring_lfmpmc_enqueue_rec(struct lfk_ring_lfmpmc *r,
					      const void *rec);

/*
 * lfk_ring_lfmpmc_dequeue_rec: takes the oldest record into rec (elem_size
 * bytes).  Returns 0; -EAGAIN when empty; -EINVAL as
 * lfk_ring_lfmpmc_enqueue_rec.  Lock-free.
 */
LFK__RING_API int lfk_ring_lfmpmc_dequeue_rec(struct lfk_ring_lfmpmc *r,
					      void *rec);

/*
 * lfk_ring_lfmpmc_enqueue_burst_rec: appends up to n records from recs (n *
 * elem_size bytes), in order.  Returns how many: 0 when full or for NULL
 * (or a ring of another kind).  Lock-free.
 */
LFK__RING_API size_t lfk_ring_lfmpmc_enqueue_burst_rec(
	struct lfk_ring_lfmpmc *r, const void *recs, size_t n);

/*
 * lfk_ring_lfmpmc_dequeue_burst_rec: takes up to n of the oldest records
 * into recs.  Returns how many: 0 when empty or for NULL (or a ring of
 * another kind).  Lock-free.
 */
LFK__RING_API size_t lfk_ring_lfmpmc_dequeue_burst_rec(
	struct lfk_ring_lfmpmc *r, void *recs, size_t n);

/*
 * lfk_ring_lfmpmc_count: the items in the ring, 0 for NULL: approximate
 * while other threads work on it, exact when quiescent (also with threads
 * stopped mid-operation), never above the capacity.  Wait-free: O(1), and
 * O(capacity) at worst when an index lags.
 */
size_t lfk_ring_lfmpmc_count(const struct lfk_ring_lfmpmc *r);

/*
 * lfk_ring_lfmpmc_capacity: the capacity given at creation (0 for NULL).
 * Wait-free.
 */
LFK__RING_API size_t lfk_ring_lfmpmc_capacity(const struct lfk_ring_lfmpmc *r);

/*
 * lfk_ring_lfmpmc_elem_size: the element size given at creation (0 for
 * NULL).  Wait-free.
 */
LFK__RING_API size_t lfk_ring_lfmpmc_elem_size(const struct lfk_ring_lfmpmc *r);

#include <lfkit/impl/ring_lfmpmc.h>

LFK_END_DECLS

#endif
