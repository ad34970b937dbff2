/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ring_lfmpmc.h - the lock-free multi-producer multi-consumer ring.
 * Include <lfkit/ring.h>, which documents the API.
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

#if !defined(LFK_HAVE_CAS2)
#error "lfk_ring_lfmpmc needs a double-width CAS (LFK_HAVE_CAS2)"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* The ctl half of an entry is also accessed on its own (8-byte loads and
 * CAS); the generic backend's 16-byte value puts `lo` first only on a
 * little-endian machine. */
#error "lfk_ring_lfmpmc's entries assume a little-endian layout"
#endif

/*
 * An 8-byte CAS on an entry's ctl word may run beside the 16-byte CAS on
 * the whole entry only where that 16-byte CAS is one instruction: the arch
 * backends (cmpxchg16b; casp or ldaxp/stlxp), or the compiler's where it
 * has the instruction.  Emulated with a lock (libatomic on ISAs without
 * one, or a TSan build without -mcx16), the 16-byte CAS does not see an
 * 8-byte CAS that runs beside it, and one of the two updates is lost; there
 * every update of ctl is a 16-byte CAS (lfk__scq_ctl_cas).
 */
#if defined(LFK_X86_64_HAVE_CAS2) || defined(LFK_AARCH64_HAVE_CAS2) || \
	defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_16)
#define LFK__SCQ_CTL_NARROW 1
#else
#define LFK__SCQ_CTL_NARROW 0
#endif

/* The one order of every SCQ access to head, tail, threshold and ctl words:
 * seq_cst, a single total order over them (see above). */
#define LFK__SCQ_SC LFK_SEQ_CST

/* ctl flags: an item is in the entry; consumers may have passed it. */
#define LFK__LFMPMC_OCC 1ull
#define LFK__LFMPMC_UNSAFE 2ull
#define LFK__LFMPMC_FLAGS 3ull
/* Re-reads of an empty entry whose producer is in flight before it is
 * closed. */
#define LFK__LFMPMC_PATIENCE 16

/* One ring's moving parts, each on lines of its own.  Beside head, on the
 * consumers' line, a copy of tail as last seen: tail only grows, so a stale
 * copy is a lower bound, which is all the emptiness check needs from it
 * until it says "empty" (then it reads tail itself).  Consumers that keep
 * up with producers read tail about once per batch the copy covers. */
struct lfk__scq {
	uint64_t tail __attribute__((aligned(LFK_RING_ALIGN)));
	uint64_t head __attribute__((aligned(LFK_RING_ALIGN)));
	uint64_t tail_seen; /* consumers' copy of tail */
	uint64_t threshold __attribute__((aligned(LFK_RING_ALIGN))); /* int64 */
};

struct lfk_ring_lfmpmc {
	/* slots = n, order = log2(n); aux_off[0]: aq's 2n entries;
	 * aux_off[1]: fq's (record rings only, else 0). */
	struct lfk_ring_hdr hdr;
	/* u64 rings: places free for producers (int64; capacity when the
	 * ring is empty and nobody is in flight). */
	uint64_t credits __attribute__((aligned(LFK_RING_ALIGN)));
	struct lfk__scq aq; /* items (u64 rings) or their slot indices */
	struct lfk__scq fq; /* free slot indices (record rings) */
};

static inline uint64_t lfk__scq_cycle(const struct lfk_ring_hdr *h,
				      uint64_t pos)
{
	return pos & ~(2 * h->slots - 1);
}

/* Spreads consecutive positions over different cache lines (4 entries of
 * 16 bytes per 64-byte line), so that neighbouring operations do not
 * contend on one line. */
static inline uint64_t lfk__scq_remap(const struct lfk_ring_hdr *h,
				      uint64_t pos)
{
	uint64_t j = pos & (2 * h->slots - 1);
	unsigned shift = h->order + 1; /* log2(2n) */
	if (shift <= 2)
		return j;
	return ((j & ((1ull << (shift - 2)) - 1)) << 2) | (j >> (shift - 2));
}

static inline lfk_pair_t *lfk__scq_entry(struct lfk_ring_lfmpmc *r,
					 int which, uint64_t pos)
{
	return (lfk_pair_t *)((char *)r + r->hdr.aux_off[which]) +
	       lfk__scq_remap(&r->hdr, pos);
}

static inline struct lfk__scq *lfk__scq_ring(struct lfk_ring_lfmpmc *r,
					     int which)
{
	return which ? &r->fq : &r->aq;
}

static inline int64_t lfk__scq_threshold_full(const struct lfk_ring_hdr *h)
{
	return (int64_t)(3 * h->slots - 1) + (int64_t)LFK_RING_LFMPMC_THREADS;
}

/* Updates an entry's ctl word from *ctl to next, as a CAS: on failure
 * *ctl gets what the word holds (unchanged when only the value moved). */
static inline bool lfk__scq_ctl_cas(lfk_pair_t *ent, uint64_t *ctl,
				    uint64_t next)
{
#if LFK__SCQ_CTL_NARROW
	/* The callers say what this orders (D3, D4). */
	return lfk_atomic_cas_u64(&ent->lo, ctl, next, LFK__SCQ_SC);
#else
	/* Relaxed: the CAS below compares it too; it completes the pair. */
	lfk_pair_t want = { *ctl, lfk_atomic_load_u64(&ent->hi, LFK_RELAXED) };
	lfk_pair_t set = { next, want.hi };
	/* As the callers' 8-byte CAS (D3, D4), on the whole entry. */
	bool ok = lfk_atomic_cas2(ent, &want, set, LFK__SCQ_SC);
	*ctl = want.lo;
	return ok;
#endif
}

/* Tries to publish v at position t of ring `which`: true if it did, false
 * if the position is unusable (the caller takes another). */
static inline bool lfk__scq_publish(struct lfk_ring_lfmpmc *r, int which,
				    uint64_t t, uint64_t v)
{
	lfk_pair_t *ent = lfk__scq_entry(r, which, t);
	const uint64_t tcycle = lfk__scq_cycle(&r->hdr, t);
	/* E2: after E1, sees a consumer's close of this entry (D4) and the
	 * previous consumer's release of it (D3). */
	uint64_t ctl = lfk_atomic_load_u64(&ent->lo, LFK__SCQ_SC);
	for (;;) {
		if (lfk__ring_diff(ctl & ~LFK__LFMPMC_FLAGS, tcycle) >= 0 ||
		    (ctl & LFK__LFMPMC_OCC))
			return false; /* closed for us, or an item still in */
		/* E3: head after E1/E2: a consumer past t marked the entry
		 * UNSAFE (D4) before moving on. */
		if ((ctl & LFK__LFMPMC_UNSAFE) &&
		    lfk__ring_diff(lfk_atomic_load_u64(
					   &lfk__scq_ring(r, which)->head,
					   LFK__SCQ_SC),
				   t) > 0)
			return false; /* a consumer may be late for it */
		/* Relaxed: the CAS below compares it too; it only completes
		 * the expected pair. */
		lfk_pair_t want = { ctl, lfk_atomic_load_u64(&ent->hi,
							     LFK_RELAXED) };
		lfk_pair_t item = { tcycle | LFK__LFMPMC_OCC, v };
		/* E4: publishes the value (release) against D2, and against
		 * D4 on the same word. */
		if (lfk_atomic_cas2(ent, &want, item, LFK__SCQ_SC))
			return true;
		ctl = want.lo;
	}
}

/* After a publish on ring `which`: gives consumers their full budget. */
static inline void lfk__scq_reset_threshold(struct lfk_ring_lfmpmc *r,
					    int which)
{
	struct lfk__scq *q = lfk__scq_ring(r, which);
	const int64_t full = lfk__scq_threshold_full(&r->hdr);
	if (which == 0)
		LFK_RING_HOOK(LFK_HOOK_LFMPMC_ENQ_PUBLISHED);
	/* After E4: a consumer that sees the reset sees the item too; the
	 * store is skipped when it would change nothing. */
	if ((int64_t)lfk_atomic_load_u64(&q->threshold, LFK__SCQ_SC) != full)
		lfk_atomic_store_u64(&q->threshold, (uint64_t)full, LFK__SCQ_SC);
}

/* Enqueues v in ring `which`.  Always succeeds: the caller holds one of
 * the at most n slot indices. */
static inline void lfk__scq_enqueue(struct lfk_ring_lfmpmc *r, int which,
				    uint64_t v)
{
	/* E1: our position, before our reads of its entry and head. */
	while (!lfk__scq_publish(r, which,
				 lfk_atomic_fetch_add_u64(
					 &lfk__scq_ring(r, which)->tail, 1,
					 LFK__SCQ_SC),
				 v))
		;
}

/* Takes the item at position h of ring `which` into *v: true; or marks
 * the entry so that no producer fills it for position h or earlier: false. */
static inline bool lfk__scq_take(struct lfk_ring_lfmpmc *r, int which,
				 uint64_t h, uint64_t *v)
{
	lfk_pair_t *ent = lfk__scq_entry(r, which, h);
	const uint64_t hcycle = lfk__scq_cycle(&r->hdr, h);
	unsigned patience = 0;
	/* D2: after D1, pairs with the producer's publish E4. */
	uint64_t ctl = lfk_atomic_load_u64(&ent->lo, LFK__SCQ_SC), next;
	for (;;) {
		uint64_t ecycle = ctl & ~LFK__LFMPMC_FLAGS;
		if (ecycle == hcycle) {
			/* Ours (only the producer at h writes this cycle
			 * with OCC).  Relaxed: ordered after D2, which
			 * synchronized with the publish. */
			*v = lfk_atomic_load_u64(&ent->hi, LFK_RELAXED);
			if (which == 0) /* an item (or a record's index) */
				LFK_RING_HOOK(LFK_HOOK_LFMPMC_DEQ_SLOT);
			/* D3: frees the entry (release: our read of the
			 * value before it); a late consumer may have set
			 * UNSAFE meanwhile, so retry with what it saw.  A
			 * CAS, not the authors' fetch_and(~OCC): ctl must
			 * change by 16-byte CAS where that is emulated, and
			 * it always changes here (OCC is set). */
			while (!lfk__scq_ctl_cas(ent, &ctl,
						 ctl & ~LFK__LFMPMC_OCC))
				;
			return true;
		}
		if (lfk__ring_diff(ecycle, hcycle) > 0)
			return false; /* a newer cycle: nothing for us */
		if (ctl & LFK__LFMPMC_OCC) {
			/* An older item whose consumer is late. */
			if (ctl & LFK__LFMPMC_UNSAFE)
				return false; /* marked already */
			next = ctl | LFK__LFMPMC_UNSAFE;
		} else {
			/* Empty: if its producer is in flight (tail past h),
			 * give it a few reads before closing the entry. */
			if (patience == 0)
				/* After D1 and D2, like D5. */
				patience = lfk__ring_diff(
						   lfk_atomic_load_u64(
							   &lfk__scq_ring(r, which)
								    ->tail,
							   LFK__SCQ_SC),
						   h) > 0
						   ? LFK__LFMPMC_PATIENCE + 1
						   : 1;
			if (--patience > 0) {
				lfk_cpu_relax();
				/* D2 again. */
				ctl = lfk_atomic_load_u64(&ent->lo, LFK__SCQ_SC);
				continue;
			}
			next = hcycle | (ctl & LFK__LFMPMC_UNSAFE);
		}
		/* D4: the close or the mark, against the producer's E4. */
		if (lfk__scq_ctl_cas(ent, &ctl, next))
			return false;
	}
}

/* Moves tail up to head after consumers overran an empty ring, so that
 * producers do not try entries that consumers already closed. */
static inline void lfk__scq_catchup(struct lfk__scq *q, uint64_t tail,
				    uint64_t head)
{
	/* Tail against producers' E1 and consumers' D1. */
	while (!lfk_atomic_cas_u64(&q->tail, &tail, head, LFK__SCQ_SC)) {
		/* After the failed CAS: head against consumers' D1 (head
		 * first, so that tail >= head below means tail caught up). */
		head = lfk_atomic_load_u64(&q->head, LFK__SCQ_SC);
		/* Tail after that head, against producers' E1. */
		tail = lfk_atomic_load_u64(&q->tail, LFK__SCQ_SC);
		if (lfk__ring_diff(tail, head) >= 0)
			break;
	}
}

/* After a failed attempt whose positions end below `end`: true when the
 * caller should report empty (tail not past end, or budget spent).  The
 * attempt is charged to the budget (one unit, however many positions it
 * covered) when `charge` is set. */
static inline bool lfk__scq_missed(struct lfk__scq *q, uint64_t end,
				   bool charge)
{
	/* D5: after D4, sees every producer that did not see our marks. */
	uint64_t t = lfk_atomic_load_u64(&q->tail, LFK__SCQ_SC);
	if (lfk__ring_diff(t, end) <= 0) {
		LFK_RING_HOOK(LFK_HOOK_LFMPMC_DEQ_EMPTY);
		lfk__scq_catchup(q, t, end);
		if (charge)
			/* Spent attempt, against producers' resets. */
			lfk_atomic_fetch_sub_u64(&q->threshold, 1, LFK__SCQ_SC);
		return true;
	}
	/* Spent attempt, against producers' resets. */
	return charge && (int64_t)lfk_atomic_fetch_sub_u64(&q->threshold, 1,
							   LFK__SCQ_SC) <= 0;
}

/* How far tail is ahead of head on ring `which` (<= 0: every position a
 * producer took was already taken by a consumer), from loads alone; tail
 * is read only when the copy of it shows less than `want`. */
static inline int64_t lfk__scq_ahead(struct lfk_ring_lfmpmc *r, int which,
				     size_t want)
{
	struct lfk__scq *q = lfk__scq_ring(r, which);
	/* Head first: tail <= a head read earlier means tail <= head at the
	 * moment tail was read (head only grows).  Against D1 and E1. */
	uint64_t h = lfk_atomic_load_u64(&q->head, LFK__SCQ_SC), t;
	/* Relaxed: a lower bound of tail (see struct lfk__scq). */
	int64_t ahead = lfk__ring_diff(
		lfk_atomic_load_u64(&q->tail_seen, LFK_RELAXED), h);
	if (ahead >= (int64_t)want)
		return ahead;
	/* After the head load, as above. */
	t = lfk_atomic_load_u64(&q->tail, LFK__SCQ_SC);
	/* Relaxed: only a hint for the next look. */
	lfk_atomic_store_u64(&q->tail_seen, t, LFK_RELAXED);
	return lfk__ring_diff(t, h);
}

/* Whether the entry at head holds its item (published, perhaps by a
 * producer that stopped or died before it reset the budget).  A spent
 * budget is then no reason to report empty: the item would stay hidden
 * until the next enqueue.  Going on is bounded: if another consumer takes
 * the item first, our attempt fails and charges the spent budget. */
static inline bool lfk__scq_head_ready(struct lfk_ring_lfmpmc *r, int which)
{
	/* After the caller's threshold load; against D1. */
	uint64_t h = lfk_atomic_load_u64(&lfk__scq_ring(r, which)->head,
					 LFK__SCQ_SC);
	/* As D2: pairs with the producer's publish E4. */
	uint64_t ctl = lfk_atomic_load_u64(&lfk__scq_entry(r, which, h)->lo,
					   LFK__SCQ_SC);
	return (ctl & ~LFK__LFMPMC_UNSAFE) ==
	       (lfk__scq_cycle(&r->hdr, h) | LFK__LFMPMC_OCC);
}

/* Dequeues from ring `which` into *v: 0, or -EAGAIN when it is empty. */
static inline int lfk__scq_dequeue(struct lfk_ring_lfmpmc *r, int which,
				   uint64_t *v)
{
	struct lfk__scq *q = lfk__scq_ring(r, which);
	/* Against producers' resets: a spent budget means empty, unless an
	 * item waits at head. */
	if ((int64_t)lfk_atomic_load_u64(&q->threshold, LFK__SCQ_SC) < 0 &&
	    !lfk__scq_head_ready(r, which))
		return -EAGAIN;
	for (;;) {
		/* D1: our position, before D2 and D5. */
		uint64_t h = lfk_atomic_fetch_add_u64(&q->head, 1, LFK__SCQ_SC);
		if (lfk__scq_take(r, which, h, v))
			return 0;
		if (lfk__scq_missed(q, h + 1, true))
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

/* u64 rings: takes up to n credits (C1); how many it got. */
static inline size_t lfk__lfmpmc_take_credits(struct lfk_ring_lfmpmc *r,
					      size_t n)
{
	int64_t old;
	/* Relaxed: a look before the RMW, so a full ring costs no locked
	 * instruction; the RMW decides. */
	if ((int64_t)lfk_atomic_load_u64(&r->credits, LFK_RELAXED) <= 0)
		return 0;
	/* C1: pairs with C2 (acquire): the entries that the returned
	 * credits freed are seen free. */
	old = (int64_t)lfk_atomic_fetch_sub_u64(&r->credits, n, LFK_ACQ_REL);
	if (old >= (int64_t)n)
		return n;
	/* Relaxed: hands back what we could not have; it publishes
	 * nothing. */
	lfk_atomic_fetch_add_u64(&r->credits,
				 n - (uint64_t)(old > 0 ? old : 0), LFK_RELAXED);
	return old > 0 ? (size_t)old : 0;
}

/* u64 rings: up to n values in order: k credits, then k positions with one
 * fetch-and-add; items whose position turns out unusable take new ones. */
static inline size_t lfk__lfmpmc_put_values(struct lfk_ring_lfmpmc *r,
					    const uint64_t *src, size_t n)
{
	size_t k = lfk__lfmpmc_take_credits(r, n), done = 0;
	uint64_t t;
	if (k == 0)
		return 0;
	/* E1 for the block: positions t .. t + k - 1 are ours. */
	t = lfk_atomic_fetch_add_u64(&r->aq.tail, k, LFK__SCQ_SC);
	LFK_RING_HOOK(LFK_HOOK_LFMPMC_ENQ_SLOT);
	for (uint64_t i = 0; i < k; i++)
		if (lfk__scq_publish(r, 0, t + i, src[done]))
			done++;
	while (done < k)
		lfk__scq_enqueue(r, 0, src[done++]);
	lfk__scq_reset_threshold(r, 0);
	return k;
}

/* u64 rings: up to n values; as many positions as tail - head shows, at
 * most n, taken with one fetch-and-add. */
static inline size_t lfk__lfmpmc_get_values(struct lfk_ring_lfmpmc *r,
					    uint64_t *dst, size_t n)
{
	int64_t ahead = lfk__scq_ahead(r, 0, n);
	size_t got = 0, k = ahead > 0 ? lfk__ring_min(n, (size_t)ahead) : 0;
	uint64_t h;
	if (k == 0)
		return 0; /* no position a consumer has not taken */
	/* Against producers' resets: with a spent budget only the single
	 * dequeue below may go on (it looks for a published item first). */
	if (k > 1 && (int64_t)lfk_atomic_load_u64(&r->aq.threshold,
						  LFK__SCQ_SC) >= 0) {
		bool empty;
		LFK_RING_HOOK(LFK_HOOK_LFMPMC_DEQ_BLOCK);
		/* D1 for the block. */
		h = lfk_atomic_fetch_add_u64(&r->aq.head, k, LFK__SCQ_SC);
		for (uint64_t i = 0; i < k; i++)
			if (lfk__scq_take(r, 0, h + i, &dst[got]))
				got++;
		if (got < k) {
			LFK_RING_HOOK(LFK_HOOK_LFMPMC_DEQ_BLOCK_MISSED);
			/* A block that found nothing is one failed attempt,
			 * charged once like a single dequeue's: the budget's
			 * slack counts one attempt per thread in flight, not
			 * positions.  A block that got items charges nothing
			 * (the call succeeded); both catch tail up when the
			 * block overran it. */
			empty = lfk__scq_missed(&r->aq, h + k, got == 0);
			LFK_RING_HOOK(LFK_HOOK_LFMPMC_DEQ_BLOCK_CHARGED);
			if (empty && got == 0)
				return 0; /* no second look at an empty ring */
		}
	}
	/* A block that found nothing (its producers in flight) ends in one
	 * ordinary dequeue, which reports empty only for an empty ring. */
	if (got == 0 && lfk__scq_dequeue(r, 0, dst) == 0)
		got = 1;
	if (got == 0)
		return 0;
	/* C2: after D3 (release): the freed entries before the credits. */
	lfk_atomic_fetch_add_u64(&r->credits, got, LFK_RELEASE);
	return got;
}

/* Record rings: slot indices from fq, item indices through aq. */
static inline size_t lfk__lfmpmc_put_records(struct lfk_ring_lfmpmc *r,
					     const void *src, size_t n,
					     uint32_t words)
{
	size_t done;
	for (done = 0; done < n; done++) {
		uint64_t index;
		if (lfk__scq_ahead(r, 1, 1) <= 0 ||
		    lfk__scq_dequeue(r, 1, &index) != 0)
			break;
		LFK_RING_HOOK(LFK_HOOK_LFMPMC_ENQ_SLOT);
		lfk__ring_copy(lfk__ring_lfmpmc_data(r, index, words),
			       (const char *)src + done * words * 8, words);
		lfk__scq_enqueue(r, 0, index);
		lfk__scq_reset_threshold(r, 0);
	}
	return done;
}

static inline size_t lfk__lfmpmc_get_records(struct lfk_ring_lfmpmc *r,
					     void *dst, size_t n,
					     uint32_t words)
{
	size_t done;
	for (done = 0; done < n; done++) {
		uint64_t index;
		if (lfk__scq_ahead(r, 0, 1) <= 0 ||
		    lfk__scq_dequeue(r, 0, &index) != 0)
			break;
		lfk__ring_copy((char *)dst + done * words * 8,
			       lfk__ring_lfmpmc_data(r, index, words), words);
		lfk__scq_enqueue(r, 1, index);
		lfk__scq_reset_threshold(r, 1);
	}
	return done;
}

static inline size_t lfk__ring_lfmpmc_put(struct lfk_ring_lfmpmc *r,
					  const void *src, size_t n,
					  uint32_t words)
{
	return words == 1 ? lfk__lfmpmc_put_values(r, (const uint64_t *)src, n)
			  : lfk__lfmpmc_put_records(r, src, n, words);
}

static inline size_t lfk__ring_lfmpmc_get(struct lfk_ring_lfmpmc *r,
					  void *dst, size_t n, uint32_t words)
{
	return words == 1 ? lfk__lfmpmc_get_values(r, (uint64_t *)dst, n)
			  : lfk__lfmpmc_get_records(r, dst, n, words);
}

LFK__RING_DEFINE_API(lfmpmc)

/* Published items not yet taken: a scan of aq, exact when quiescent. */
size_t lfk_ring_lfmpmc_count(const struct lfk_ring_lfmpmc *r);

LFK_END_DECLS

#endif
