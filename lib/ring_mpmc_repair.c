/* SPDX-License-Identifier: MIT */
/*
 * The mpmc (Vyukov) ring after a process died between reserving a slot and
 * committing it: a report of the stalled slot, and a repair that frees it.
 * Slot states (<lfkit/ring_mpmc.h>): for position p, seq == p "free for the
 * producer of p", p + 1 "holds the item of p", p + slots "free for the
 * next lap".  A producer that reserved p (tail > p) and died leaves seq ==
 * p at the head for good; a consumer that reserved p (head > p) and died
 * leaves p + 1 where the producers of the next lap wait.
 */
#include <lfkit/ring.h>

static uint64_t *slot_of(const struct lfk_ring_mpmc *r, uint64_t pos)
{
	return lfk__ring_mpmc_slot((struct lfk_ring_mpmc *)r, pos,
				   r->hdr.elem_words);
}

static uint64_t load_seq(const struct lfk_ring_mpmc *r, uint64_t pos)
{
	/* Acquire: as the ring's own reads of a slot (pairs with the
	 * publishing or releasing store that set it). */
	return lfk_atomic_load_u64(slot_of(r, pos), LFK_ACQUIRE);
}

int lfk_ring_mpmc_stalled(const struct lfk_ring_mpmc *r, uint64_t *pos)
{
	uint64_t head, tail;
	if (r == NULL || pos == NULL)
		return -EINVAL;
	/* Relaxed, both: a snapshot; the slot's sequence decides. */
	head = lfk_atomic_load_u64(&r->head, LFK_RELAXED);
	tail = lfk_atomic_load_u64(&r->tail, LFK_RELAXED);
	if (lfk__ring_diff(tail, head) > 0 && load_seq(r, head) == head) {
		*pos = head;
		return LFK_RING_STALL_PRODUCER;
	}
	/* The slot the producers wait for still holds the item of the lap
	 * before, which a consumer has reserved (head is past it). */
	if (lfk__ring_diff(head, tail - r->hdr.slots) > 0 &&
	    load_seq(r, tail) == tail - r->hdr.slots + 1) {
		*pos = tail - r->hdr.slots;
		return LFK_RING_STALL_CONSUMER;
	}
	return 0;
}

/* A producer reserved pos and died: the slot becomes a hole, consumed as
 * if empty.  The sequence first (pos -> pos + slots, for the next lap), so
 * that no consumer can take pos any more; then the head past it, which
 * only we can move from pos now (consumers move it only from seq pos + 1). */
static int repair_hole(struct lfk_ring_mpmc *r, uint64_t pos)
{
	uint64_t seq = pos, head = pos;
	/* Release: the slot handed to the next lap's producer, as a
	 * consumer's release; nothing was read from it. */
	if (!lfk_atomic_cas_u64(slot_of(r, pos), &seq, pos + r->hdr.slots,
				LFK_RELEASE))
		return -EAGAIN;
	/* Relaxed: as the consumers' CAS on head (the slot orders data). */
	lfk_atomic_cas_u64(&r->head, &head, pos + 1, LFK_RELAXED);
	return 0;
}

/* A consumer reserved pos and died: release the slot as it would have. */
static int repair_release(struct lfk_ring_mpmc *r, uint64_t pos)
{
	uint64_t seq = pos + 1;
	/* Release: as the consumer's own release of the slot. */
	if (!lfk_atomic_cas_u64(slot_of(r, pos), &seq, pos + r->hdr.slots,
				LFK_RELEASE))
		return -EAGAIN;
	return 0;
}

int lfk_ring_mpmc_repair(struct lfk_ring_mpmc *r, uint64_t pos)
{
	uint64_t head, tail, seq;
	if (r == NULL)
		return -EINVAL;
	/* Relaxed, both: re-checked by the CAS on the slot. */
	head = lfk_atomic_load_u64(&r->head, LFK_RELAXED);
	tail = lfk_atomic_load_u64(&r->tail, LFK_RELAXED);
	seq = load_seq(r, pos);
	if (head == pos && lfk__ring_diff(tail, pos) > 0 && seq == pos)
		return repair_hole(r, pos);
	if (lfk__ring_diff(head, pos) > 0 && seq == pos + 1)
		return repair_release(r, pos);
	return -EAGAIN;
}
