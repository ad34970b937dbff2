/*
 * lfkit/ring_lfmpmc.h - the lock-free multi-producer multi-consumer ring.
 * Include <lfkit/ring.h>, which documents the API.
 *
 * Design: SCQ (Nikolaev, DISC 2019).  The ring's n data slots are named by
 * indices 0..n-1 that circulate through two index rings of 2n entries each:
 * fq holds the free indices, aq the indices of published items.
 *   enqueue: take an index from fq (none: full), copy the item into its
 *            slot, put the index into aq.
 *   dequeue: take an index from aq (none: empty), copy the item out, put the
 *            index back into fq.
 * Only `capacity` indices exist, so the ring never holds more than that.
 *
 * An index ring: head and tail are moved by fetch-and-add, so every thread
 * gets a distinct position in one instruction; the entry at a position is a
 * 64-bit word {cycle, safe bit, index} updated by single-width CAS.  Each
 * lap of the ring is a new cycle, so a stale entry is told apart from a
 * current one by its cycle.  A consumer that finds its entry empty bumps the
 * entry's cycle so a late producer cannot fill it any more (the producer then
 * takes a new position); a consumer that finds an item of an older cycle
 * (its consumer is late) clears the safe bit, so producers reuse that entry
 * only once head shows no consumer can still be on its way to it.  2n
 * entries for at most n indices leave room for such skipped entries, and the
 * threshold (3n - 1 after an enqueue, decremented by every failed dequeue
 * attempt) bounds how long consumers keep searching an empty ring: after it
 * runs out they report empty instead of chasing producers forever.
 *
 * Progress: LOCK-FREE.  A thread stopped at any instruction never prevents
 * the others from completing: a stopped producer holds one free slot (the
 * ring then accepts one item fewer until it resumes), a stopped consumer
 * holds one taken slot the same way; nobody waits for either.
 *
 * Thread bound: SCQ's threshold argument needs the index rings' n to be at
 * least the number of threads operating on the ring at the same time
 * (every thread in flight can spend one failed attempt of the budget).
 * lfkit sizes n to max(capacity, LFK_RING_LFMPMC_THREADS) (128), so up to
 * that many threads at once are covered.  With more, a dequeue may report
 * empty while an item is in the ring, until the next enqueue: nothing is
 * ever lost or duplicated, and lock-freedom is kept.  (Found by the 8x8
 * stress test at capacity 1, when n was sized from the capacity alone.)
 *
 * Memory order: every access to head, tail, threshold and the entries is
 * seq_cst.  The algorithm's correctness argument assumes one total order
 * over all of them: a producer moves tail and then reads an entry and head,
 * while a consumer moves head, updates the entry and then reads tail - a
 * store-then-load pattern on different words in both directions, which
 * acquire/release alone does not order.  On x86_64 the RMWs are locked
 * instructions and the loads plain moves either way; on aarch64 it costs the
 * acquire-release ("al") forms.  The item data itself is ordered by the
 * entry CAS (release on publish) and the entry fetch-or (acquire on take).
 *
 * count() scans aq's 2n entries: exact when quiescent, O(capacity).
 */

/* The one order of every SCQ access: seq_cst, a single total order over
 * head, tail, threshold and the entries (see above).  Each use below says
 * which of the algorithm's steps it orders against. */
#define LFK__SCQ_SC LFK_SEQ_CST
#ifndef LFKIT_RING_LFMPMC_H
#define LFKIT_RING_LFMPMC_H

#ifndef LFKIT_RING_H
#error "include <lfkit/ring.h>"
#endif

/* One index ring's moving parts, each on lines of its own. */
struct lfk__scq {
	uint64_t tail __attribute__((aligned(LFK_RING_ALIGN)));
	uint64_t head __attribute__((aligned(LFK_RING_ALIGN)));
	uint64_t threshold __attribute__((aligned(LFK_RING_ALIGN))); /* int64 */
};

struct lfk_ring_lfmpmc {
	struct lfk_ring_hdr hdr; /* slots = n, order = log2(n) */
	struct lfk__scq aq;      /* indices of published items */
	struct lfk__scq fq;      /* free indices */
};

/* Entry word: index in bits [0, order+1), all ones meaning "no index"; the
 * safe bit at order+1; the cycle above.  n = 2^order. */
static inline uint64_t lfk__scq_bot(const struct lfk_ring_hdr *h)
{
	return 2 * h->slots - 1;
}

static inline uint64_t lfk__scq_safe(const struct lfk_ring_hdr *h)
{
	return 2 * h->slots;
}

/* The cycle of a position, in the entry's cycle bits: pos / 2n, shifted
 * left by order+2.  Compared by signed difference, so it survives the wrap
 * of the 64-bit position. */
static inline uint64_t lfk__scq_cycle(const struct lfk_ring_hdr *h,
				      uint64_t pos)
{
	return (pos << 1) & ~(4 * h->slots - 1);
}

/* Spreads consecutive positions over different cache lines (8 entries per
 * line), so that neighbouring operations do not contend on one line. */
static inline uint64_t lfk__scq_remap(const struct lfk_ring_hdr *h,
				      uint64_t pos)
{
	uint64_t j = pos & (2 * h->slots - 1);
	unsigned shift = h->order + 1; /* log2(2n) */
	if (shift <= 3)
		return j;
	return ((j & ((1ull << (shift - 3)) - 1)) << 3) | (j >> (shift - 3));
}

static inline uint64_t *lfk__scq_entries(struct lfk_ring_lfmpmc *r, int which)
{
	return (uint64_t *)((char *)r + r->hdr.aux_off[which]);
}

static inline int64_t lfk__scq_threshold_full(const struct lfk_ring_hdr *h)
{
	return (int64_t)(3 * h->slots - 1);
}

/* Puts index into the index ring q.  Always succeeds: at most n indices
 * live in 2n entries. */
static inline void lfk__scq_enqueue(const struct lfk_ring_hdr *h,
				    struct lfk__scq *q, uint64_t *entries,
				    uint64_t index)
{
	const uint64_t bot = lfk__scq_bot(h), safe = lfk__scq_safe(h);
	const uint64_t cmask = ~(4 * h->slots - 1);
	for (;;) {
		/* Our position, ordered before our reads of its entry and of
		 * head (a consumer that bumps the entry reads tail after). */
		uint64_t t = lfk_atomic_fetch_add_u64(&q->tail, 1, LFK__SCQ_SC);
		uint64_t *ent = &entries[lfk__scq_remap(h, t)];
		uint64_t tcycle = lfk__scq_cycle(h, t);
		/* After the tail bump: sees any consumer's mark on it. */
		uint64_t e = lfk_atomic_load_u64(ent, LFK__SCQ_SC);
		for (;;) {
			if (lfk__ring_diff(e & cmask, tcycle) >= 0 ||
			    (e & bot) != bot)
				break; /* entry in use or already passed */
			/* head after the entry: a consumer past t marked
			 * the entry unsafe before moving on. */
			if (!(e & safe) &&
			    lfk__ring_diff(lfk_atomic_load_u64(&q->head,
							       LFK__SCQ_SC),
					   t) > 0)
				break; /* unsafe and a consumer may be late */
			/* Publishes the index (release: the item's slot data
			 * before it) against consumers' marks on the entry. */
			if (lfk_atomic_cas_u64(ent, &e, tcycle | safe | index,
					       LFK__SCQ_SC)) {
				/* After the publish: a consumer that gave up
				 * on an empty ring sees the reset threshold
				 * only with the entry already in place. */
				if ((int64_t)lfk_atomic_load_u64(&q->threshold,
								 LFK__SCQ_SC) !=
				    lfk__scq_threshold_full(h))
					lfk_atomic_store_u64(
						&q->threshold,
						(uint64_t)lfk__scq_threshold_full(h),
						LFK__SCQ_SC);
				return;
			}
		}
	}
}

/* Moves tail forward to head after consumers overran an empty ring, so that
 * producers do not fill entries that consumers already passed. */
static inline void lfk__scq_catchup(struct lfk__scq *q, uint64_t tail,
				    uint64_t head)
{
	/* Tail against producers' tail bumps and consumers' head bumps. */
	while (!lfk_atomic_cas_u64(&q->tail, &tail, head, LFK__SCQ_SC)) {
		head = lfk_atomic_load_u64(&q->head, LFK__SCQ_SC);
		tail = lfk_atomic_load_u64(&q->tail, LFK__SCQ_SC);
		if (lfk__ring_diff(tail, head) >= 0)
			break;
	}
}

/* Takes an index from q: 0, or -EAGAIN when q is empty. */
static inline int lfk__scq_dequeue(const struct lfk_ring_hdr *h,
				   struct lfk__scq *q, uint64_t *entries,
				   uint64_t *index)
{
	const uint64_t bot = lfk__scq_bot(h), safe = lfk__scq_safe(h);
	const uint64_t cmask = ~(4 * h->slots - 1);
	/* Against the producers' threshold reset after a publish. */
	if ((int64_t)lfk_atomic_load_u64(&q->threshold, LFK__SCQ_SC) < 0)
		return -EAGAIN;
	for (;;) {
		/* Our position, ordered before our entry update and our read
		 * of tail (a producer at it reads head after its bump). */
		uint64_t hd = lfk_atomic_fetch_add_u64(&q->head, 1, LFK__SCQ_SC);
		uint64_t *ent = &entries[lfk__scq_remap(h, hd)];
		uint64_t hcycle = lfk__scq_cycle(h, hd);
		/* After the head bump: sees the producer's publish. */
		uint64_t e = lfk_atomic_load_u64(ent, LFK__SCQ_SC);
		for (;;) {
			uint64_t ecycle = e & cmask, next;
			if (ecycle == hcycle) {
				/* Ours: mark it consumed.  The acquire half
				 * makes the item's slot data visible. */
				lfk_atomic_fetch_or_u64(ent, bot, LFK__SCQ_SC);
				*index = e & bot;
				return 0;
			}
			if ((e & bot) == bot)
				next = hcycle | (e & safe) | bot; /* close it */
			else
				next = ecycle | (e & bot); /* late consumer:
							      unsafe */
			if (lfk__ring_diff(ecycle, hcycle) >= 0)
				break; /* a newer cycle: nothing for us */
			/* The mark, against a producer's publish CAS. */
			if (lfk_atomic_cas_u64(ent, &e, next, LFK__SCQ_SC))
				break;
		}
		/* After our mark: a producer that bumped tail past us
		 * either saw the mark or is visible here. */
		uint64_t t = lfk_atomic_load_u64(&q->tail, LFK__SCQ_SC);
		if (lfk__ring_diff(t, hd + 1) <= 0) {
			lfk__scq_catchup(q, t, hd + 1);
			/* One failed attempt, against producers' resets. */
			lfk_atomic_fetch_sub_u64(&q->threshold, 1, LFK__SCQ_SC);
			return -EAGAIN;
		}
		/* One failed attempt, against producers' resets. */
		if ((int64_t)lfk_atomic_fetch_sub_u64(&q->threshold, 1,
						      LFK__SCQ_SC) <= 0)
			return -EAGAIN;
	}
}

/* The data slot of index, for elements of `words` words (= elem_words). */
static inline void *lfk__ring_lfmpmc_data(struct lfk_ring_lfmpmc *r,
					  uint64_t index, uint32_t words)
{
	/* A valid index is always below capacity; the check keeps a damaged
	 * entry (a corrupted shared region) from pointing outside the data. */
	if (__builtin_expect(index >= r->hdr.capacity, 0))
		index = 0;
	return (char *)r + r->hdr.data_off + index * words * 8;
}

static inline size_t lfk__ring_lfmpmc_put(struct lfk_ring_lfmpmc *r,
					  const void *src, size_t n,
					  uint32_t words)
{
	size_t done;
	for (done = 0; done < n; done++) {
		uint64_t index;
		if (lfk__scq_dequeue(&r->hdr, &r->fq, lfk__scq_entries(r, 1),
				     &index) != 0)
			break;
		LFK_RING_HOOK(LFK_HOOK_LFMPMC_ENQ_SLOT);
		lfk__ring_copy(lfk__ring_lfmpmc_data(r, index, words),
			       (const char *)src + done * words * 8, words);
		lfk__scq_enqueue(&r->hdr, &r->aq, lfk__scq_entries(r, 0), index);
	}
	return done;
}

static inline size_t lfk__ring_lfmpmc_get(struct lfk_ring_lfmpmc *r,
					  void *dst, size_t n, uint32_t words)
{
	size_t done;
	for (done = 0; done < n; done++) {
		uint64_t index;
		if (lfk__scq_dequeue(&r->hdr, &r->aq, lfk__scq_entries(r, 0),
				     &index) != 0)
			break;
		LFK_RING_HOOK(LFK_HOOK_LFMPMC_DEQ_SLOT);
		lfk__ring_copy((char *)dst + done * words * 8,
			       lfk__ring_lfmpmc_data(r, index, words), words);
		lfk__scq_enqueue(&r->hdr, &r->fq, lfk__scq_entries(r, 1), index);
	}
	return done;
}

LFK__RING_DEFINE_API(lfmpmc)

/* Published items not yet taken: a scan of aq, exact when quiescent. */
size_t lfk_ring_lfmpmc_count(const struct lfk_ring_lfmpmc *r);

#endif
