/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ring_mpmc.h - the fast multi-producer multi-consumer ring.
 * Include <lfkit/ring.h>, which documents the API.
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

struct lfk_ring_mpmc {
	struct lfk_ring_hdr hdr;
	uint64_t tail __attribute__((aligned(LFK_RING_ALIGN))); /* producers */
	uint64_t head __attribute__((aligned(LFK_RING_ALIGN))); /* consumers */
};

/* A slot: its sequence word, then the element of `words` words (=
 * hdr.elem_words; the callers pass it so that a compile-time 1 spares the
 * multiply). */
static inline uint64_t *lfk__ring_mpmc_slot(struct lfk_ring_mpmc *r,
					    uint64_t pos, uint32_t words)
{
	return (uint64_t *)((char *)r + r->hdr.data_off +
			    (pos & r->hdr.mask) * (words + 1) * 8);
}

/*
 * A slot whose sequence is ahead of position *pos: another thread of our
 * side took *pos, so the index (tail or head) has moved past it; re-reads
 * it into *pos.  True when it has not moved: the slot is damaged (a
 * corrupt shared region) and nobody will ever move the index, so the
 * caller reports -EAGAIN instead of spinning for good.  In a sound ring
 * the re-read always sees the move: the slot's sequence was loaded with
 * acquire, and it was stored (release) after the index was moved past
 * *pos, by the thread that moved it or one that acquired from it.  (A
 * survivor repairing a dead producer's hole moves the sequence before
 * head: a consumer between the two reports empty once.)
 */
static inline bool lfk__ring_mpmc_stuck(uint64_t *index, uint64_t *pos)
{
	const uint64_t seen = *pos;
	/* Relaxed: ordered after the caller's acquire load of the slot. */
	*pos = lfk_atomic_load_u64(index, LFK_RELAXED);
	return *pos == seen;
}

/* Reserves the next position for a producer: 0, or -EAGAIN when full
 * (or the slot at tail is damaged). */
static inline int lfk__ring_mpmc_reserve_put(struct lfk_ring_mpmc *r,
					     uint64_t *pos_out, uint32_t words)
{
	uint64_t pos = lfk_atomic_load_u64(&r->tail, LFK_RELAXED);
	for (;;) {
		uint64_t *slot = lfk__ring_mpmc_slot(r, pos, words);
		/* Pairs with the release by this slot's previous consumer: its
		 * read of the old item is done before we overwrite it. */
		uint64_t seq = lfk_atomic_load_u64(slot, LFK_ACQUIRE);
		int64_t dif = lfk__ring_diff(seq, pos);
		if (dif == 0) {
			LFK_RING_HOOK(LFK_HOOK_MPMC_ENQ_CAPACITY);
			/* Signed: pos may be stale, and head may have moved
			 * past it; then pos - head is negative (not 2^64-1),
			 * and the CAS below fails and reloads pos. */
			if (r->hdr.capacity != r->hdr.slots &&
			    lfk__ring_diff(pos, lfk_atomic_load_u64(
							&r->head, LFK_RELAXED)) >=
				    (int64_t)r->hdr.capacity)
				return -EAGAIN;
			/* Relaxed: the slot's sequence orders the data. */
			if (lfk_atomic_cas_weak_u64(&r->tail, &pos, pos + 1,
						    LFK_RELAXED)) {
				*pos_out = pos;
				return 0;
			}
		} else if (dif < 0) {
			return -EAGAIN;
		} else if (lfk__ring_mpmc_stuck(&r->tail, &pos)) {
			return -EAGAIN; /* a damaged slot (see above) */
		}
	}
}

/* Reserves the next position for a consumer: 0, or -EAGAIN when empty
 * (or the slot at head is damaged). */
static inline int lfk__ring_mpmc_reserve_get(struct lfk_ring_mpmc *r,
					     uint64_t *pos_out, uint32_t words)
{
	uint64_t pos = lfk_atomic_load_u64(&r->head, LFK_RELAXED);
	for (;;) {
		uint64_t *slot = lfk__ring_mpmc_slot(r, pos, words);
		/* Pairs with the producer's release: the item is written. */
		uint64_t seq = lfk_atomic_load_u64(slot, LFK_ACQUIRE);
		int64_t dif = lfk__ring_diff(seq, pos + 1);
		if (dif == 0) {
			/* Relaxed: the slot's sequence orders the data. */
			if (lfk_atomic_cas_weak_u64(&r->head, &pos, pos + 1,
						    LFK_RELAXED)) {
				*pos_out = pos;
				return 0;
			}
		} else if (dif < 0) {
			return -EAGAIN;
		} else if (lfk__ring_mpmc_stuck(&r->head, &pos)) {
			return -EAGAIN; /* a damaged slot (see above) */
		}
	}
}

static inline size_t lfk__ring_mpmc_put(struct lfk_ring_mpmc *r,
					const void *src, size_t n,
					uint32_t words)
{
	size_t done;
	for (done = 0; done < n; done++) {
		uint64_t pos, *slot;
		if (lfk__ring_mpmc_reserve_put(r, &pos, words) != 0)
			break;
		LFK_RING_HOOK(LFK_HOOK_MPMC_ENQ_RESERVED);
		slot = lfk__ring_mpmc_slot(r, pos, words);
		lfk__ring_copy(slot + 1, (const char *)src + done * words * 8,
			       words);
		/* Publishes the item to the consumer of pos. */
		lfk_atomic_store_u64(slot, pos + 1, LFK_RELEASE);
	}
	return done;
}

static inline size_t lfk__ring_mpmc_get(struct lfk_ring_mpmc *r, void *dst,
					size_t n, uint32_t words)
{
	size_t done;
	for (done = 0; done < n; done++) {
		uint64_t pos, *slot;
		if (lfk__ring_mpmc_reserve_get(r, &pos, words) != 0)
			break;
		LFK_RING_HOOK(LFK_HOOK_MPMC_DEQ_RESERVED);
		slot = lfk__ring_mpmc_slot(r, pos, words);
		lfk__ring_copy((char *)dst + done * words * 8, slot + 1, words);
		/* Hands the slot to the producer of the next lap, after our
		 * read of the item. */
		lfk_atomic_store_u64(slot, pos + r->hdr.slots, LFK_RELEASE);
	}
	return done;
}

LFK__RING_DEFINE_API(mpmc)

/* Reserved positions not yet drained: exact when quiescent. */
LFK_RING_API size_t lfk_ring_mpmc_count(const struct lfk_ring_mpmc *r)
{
	if (r == NULL)
		return 0;
	return lfk__ring_count(lfk_atomic_load_u64(&r->head, LFK_RELAXED),
			       lfk_atomic_load_u64(&r->tail, LFK_RELAXED),
			       r->hdr.capacity);
}


/* ---- a process that died between reserve and commit (out of line) ----- */

/* What lfk_ring_mpmc_stalled reports. */
#define LFK_RING_STALL_PRODUCER 1 /* the head slot is reserved, never published */
#define LFK_RING_STALL_CONSUMER 2 /* the next slot to fill is reserved by a
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

LFK_END_DECLS

#endif
