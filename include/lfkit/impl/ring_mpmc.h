/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/ring_mpmc.h - the inline bodies of <lfkit/ring_mpmc.h>, whose
 * header comment describes the design.  Internal: include <lfkit/ring.h>.
 */
#ifndef LFKIT_IMPL_RING_MPMC_H
#define LFKIT_IMPL_RING_MPMC_H

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
			LFK__RING_HOOK(LFK_HOOK_MPMC_ENQ_CAPACITY);
			/* Signed: pos may be stale, and head may have moved
			 * past it; then pos - head is negative (not 2^64-1),
			 * and the CAS below fails and reloads pos. */
			if (r->hdr.capacity != r->hdr.slots &&
			    lfk__ring_diff(pos,
					   lfk_atomic_load_u64(&r->head,
							       LFK_RELAXED)) >=
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
		LFK__RING_HOOK(LFK_HOOK_MPMC_ENQ_RESERVED);
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
		LFK__RING_HOOK(LFK_HOOK_MPMC_DEQ_RESERVED);
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
LFK__RING_API size_t lfk_ring_mpmc_count(const struct lfk_ring_mpmc *r)
{
	if (r == NULL)
		return 0;
	return lfk__ring_count(lfk_atomic_load_u64(&r->head, LFK_RELAXED),
			       lfk_atomic_load_u64(&r->tail, LFK_RELAXED),
			       r->hdr.capacity);
}

LFK_END_DECLS

#endif
