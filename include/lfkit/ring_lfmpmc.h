/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ring_lfmpmc.h - the lock-free multi-producer multi-consumer ring.
 * Include <lfkit/ring.h>; the inline bodies are in
 * <lfkit/impl/ring_lfmpmc.h>.
 *
 * Design: SCQ with double-width entries (Nikolaev, "A Scalable, Portable,
 * and Memory-Efficient Lock-Free FIFO Queue", DISC 2019, section 5: the
 * variant that keeps the value itself in the entry).  Chosen over the
 * index-only SCQ that lfkit used before, which moves every item through two
 * index rings (free and allocated) at about 8 locked instructions and 9-10
 * cache lines per item: here an item costs one ring of 2n entries and
 * three locked instructions on each side.
 *
 * The ring: head and tail are positions moved by fetch-and-add, so every
 * thread gets a distinct position in one instruction.  Position p lives in
 * entry p mod 2n, a 16-byte pair {ctl, value}; ctl = cycle(p) | flags, where
 * cycle(p) = p rounded down to a multiple of 2n and the flags are OCC (an
 * item is in the entry) and UNSAFE (see below).  Cycles tell a stale entry
 * from a current one; they are compared by signed difference, so positions
 * survive the 64-bit wrap.
 *   enqueue: t = FAA(tail); if entry(t) is empty and of an older cycle,
 *            double-width CAS it to {cycle(t) | OCC, value}; otherwise the
 *            position is unusable: take a new one.
 *   dequeue: h = FAA(head); if entry(h) holds cycle(h) | OCC, it is our
 *            item: read the value, clear OCC.  Otherwise close the entry
 *            for this cycle (an empty entry gets cycle(h), so its late
 *            producer takes a new position) or, when it holds an older
 *            item whose consumer is late, set UNSAFE: producers reuse an
 *            UNSAFE entry only while head shows no consumer can have
 *            passed their position.
 * 2n entries for at most n items leave room for the skipped positions.
 * A consumer that fails at h and sees tail <= h + 1 found the ring empty:
 * it moves tail up to head (producers then skip no closed entries) and
 * reports it.  The threshold bounds the failed attempts consumers make while
 * producers are in flight (tail ahead of head), which is what keeps
 * consumers from closing producers' entries forever (a livelock); every
 * successful enqueue resets it.
 *
 * Improvements over the paper's pseudo-code, each from its authors' code or
 * a review of the old ring:
 *   - a consumer that finds its entry empty while its producer is in flight
 *     (tail past h) re-reads it up to LFK__LFMPMC_PATIENCE times before
 *     closing it, so at one producer and one consumer the consumer does not
 *     burn positions the producer is about to fill;
 *   - a CAS that would change nothing (UNSAFE already set) is skipped, and
 *     the threshold is stored only when it is not already full;
 *   - dequeue first checks for an empty ring with plain loads and returns
 *     without any locked instruction;
 *   - consumers keep a copy of tail on their own line (struct lfk__scq)
 *     and read tail itself only when the copy shows nothing;
 *   - with the budget spent, a dequeue still goes on when the entry at
 *     head holds its item: its producer may have stopped, or died, between
 *     publishing and resetting the budget, and would otherwise hide the
 *     item until the next enqueue.  (An item behind an unpublished head
 *     position stays hidden that way until the next enqueue.)
 *
 * Exact capacity, and the n items: SCQ needs at most n items in (or on the
 * way into) 2n entries.  u64 rings keep a credit word: a producer takes a
 * credit (one fetch-and-sub) before it takes a position, a consumer returns
 * it after it has freed the entry.  So the ring never holds more than
 * `capacity` items, n = capacity rounded up to a power of two, and a
 * producer that holds a credit always finds an entry (it retries, never
 * reports full, whatever positions it had to skip).  Counting positions
 * instead (tail - head against capacity) was tried and dropped: a skipped
 * position counts as taken until a consumer passes it, and a consumer that
 * passes it finds nothing, so a blocking queue's producers could sleep on
 * "full" with no get left to wake them.  Records wider than 8 bytes live
 * in a data array of `capacity` slots whose indices circulate through a
 * second ring of the same kind (the free ring, fq): put takes an index from
 * fq, copies the record in, enqueues the index in the item ring (aq); get
 * does the reverse.  Only `capacity` indices exist, so neither ring ever
 * holds more than n.
 *
 * Bursts: enqueue_burst takes k credits with one fetch-and-sub and k
 * positions with one fetch-and-add; dequeue_burst takes as many positions
 * as tail - head shows, at most k, with one fetch-and-add and returns their
 * credits with one fetch-and-add.  A position of the block that turns out
 * unusable costs what a failed single operation costs, except for the
 * budget: a block that found nothing is one failed attempt (the budget's
 * slack counts threads, one attempt each), a block that got items none.
 *
 * Progress: LOCK-FREE.  A thread stopped at any instruction never prevents
 * the others from completing: a stopped producer holds one credit (the ring
 * then accepts one item fewer until it resumes) and perhaps one position,
 * which consumers close and pass; a stopped consumer holds its item's
 * credit the same way, and until it has freed its entry one of the 2n
 * entries, which producers skip.  Nobody waits for either.
 *
 * Threads: the paper's threshold 3n - 1 assumes at most n threads in
 * flight (a consumer that fetched its position before the last enqueue may
 * spend one attempt of the new budget; with more such threads a dequeue
 * can report empty while an item is in the ring, and a blocking consumer
 * could sleep through it).  The budget here is 3n - 1 +
 * LFK_RING_LFMPMC_THREADS, 2^22 threads: PID_MAX_LIMIT, more threads than a
 * 64-bit Linux system can run at once; each charges at most one attempt
 * per call, bursts included, so the slack is one attempt per thread.
 * Kept as a constant rather than a parameter at init: a smaller bound
 * would be one more way to get "empty" wrong, for a saving that shows only
 * in the worst case.  What it costs: the budget is what ends a run of
 * failed dequeues while producers are in flight (consumers closing entries
 * that producers then retry past), so in that worst case consumers may
 * make up to 2^22 more failed attempts (each a fetch-and-add and a CAS)
 * before the producers are sure to get through.  That bound is still
 * finite (lock-free), and it costs nothing while the ring works: an empty
 * ring is reported by the plain-load check or by tail, never by running
 * the budget down.
 *
 * Memory order: every access to head, tail, threshold and an entry's ctl
 * word is seq_cst.  The correctness argument assumes one total order over
 * them: a producer moves tail and then reads an entry and head, while a
 * consumer moves head, updates the entry and then reads tail - a
 * store-then-load pattern on different words in both directions, which
 * acquire/release alone does not order.  On x86_64 the RMWs are locked
 * instructions and the loads plain moves either way; on aarch64 it costs the
 * acquire-release ("al") forms.  The edges, labelled in the code:
 *   E1 producer FAA(tail)     before E2/E3, its reads of the entry and head
 *   E4 producer CAS2 (publish, release: the value and a record's slot data
 *      before it) pairs with D2, the consumer's load of ctl (acquire)
 *   D1 consumer FAA(head)     before D2 and D5, its reads of entry and tail
 *   D3 consumer clears OCC (release: its read of the value before the
 *      entry can be reused) pairs with E2; a record's slot is handed back
 *      after the copy, by E4 on fq, and taken by D2 on fq
 *   D4 consumer closes / marks the entry, against E4 on the same word
 *   D5 consumer reads tail after D4: a producer that took a position
 *      below it either saw D4 (E2) or is visible here
 *   C1 credit taken (acquire) pairs with C2, a consumer's return (release,
 *      after D3): a producer that got a returned credit sees its entry free
 *
 * count() scans the 2n entries of aq: exact when quiescent, O(capacity).
 * It counts an entry whose item a consumer has read but not yet freed
 * (D3): a consumer stopped or dead there keeps count() one too high, per
 * stopped consumer.
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
LFK__RING_API size_t
lfk_ring_lfmpmc_enqueue_burst_rec(struct lfk_ring_lfmpmc *r, const void *recs,
				  size_t n);

/*
 * lfk_ring_lfmpmc_dequeue_burst_rec: takes up to n of the oldest records
 * into recs.  Returns how many: 0 when empty or for NULL (or a ring of
 * another kind).  Lock-free.
 */
LFK__RING_API size_t
lfk_ring_lfmpmc_dequeue_burst_rec(struct lfk_ring_lfmpmc *r, void *recs,
				  size_t n);

/*
 * lfk_ring_lfmpmc_count: the items in the ring, 0 for NULL: approximate
 * while other threads work on it, exact when quiescent, never above the
 * capacity.  Wait-free: a scan of the 2n entries, O(capacity).  An item a
 *  * consumer has read but not yet freed still counts (a stopped consumer
 *  * keeps it one too high).
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
