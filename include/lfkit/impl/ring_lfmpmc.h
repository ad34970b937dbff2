/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/ring_lfmpmc.h - the inline bodies of <lfkit/ring_lfmpmc.h>, whose
 * header comment describes the design.  Internal: include <lfkit/ring.h>.
 */
#ifndef LFKIT_IMPL_RING_LFMPMC_H
#define LFKIT_IMPL_RING_LFMPMC_H

#ifndef LFKIT_RING_H
#error "include <lfkit/ring.h>"
#endif

#if !defined(LFK_HAVE_CAS2)
#error "lfk_ring_lfmpmc needs a double-width CAS (LFK_HAVE_CAS2)"
#endif
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* The ctl half of an entry is also accessed on its own (8-byte loads and
 * CAS); the generic backend's 16-byte value puts `lo` first only on a
 * little-endian machine. */
#error "lfk_ring_lfmpmc's entries assume a little-endian layout"
#endif

LFK_BEGIN_DECLS

/*
 * An 8-byte CAS on an entry's ctl word may run beside the 16-byte CAS on
 * the whole entry only where that 16-byte CAS is one instruction: the arch
 * backends (cmpxchg16b; casp or ldaxp/stlxp), or the compiler's where it
 * has the instruction.  Emulated with a lock (libatomic on ISAs without
 * one, or a TSan build without -mcx16), the 16-byte CAS does not see an
 * 8-byte CAS that runs beside it, and one of the two updates is lost; there
 * every update of ctl is a 16-byte CAS (lfk__scq_ctl_cas).
 */
#if defined(LFK__X86_64_HAVE_CAS2) || defined(LFK__AARCH64_HAVE_CAS2) ||       \
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
		LFK__RING_HOOK(LFK_HOOK_LFMPMC_ENQ_PUBLISHED);
	/* After E4: a consumer that sees the reset sees the item too; the
	 * store is skipped when it would change nothing. */
	if ((int64_t)lfk_atomic_load_u64(&q->threshold, LFK__SCQ_SC) != full)
		lfk_atomic_store_u64(&q->threshold, (uint64_t)full,
				     LFK__SCQ_SC);
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
				LFK__RING_HOOK(LFK_HOOK_LFMPMC_DEQ_SLOT);
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
			if (patience == 0) {
				/* After D1 and D2, like D5. */
				uint64_t t = lfk_atomic_load_u64(
					&lfk__scq_ring(r, which)->tail,
					LFK__SCQ_SC);
				patience = lfk__ring_diff(t, h) > 0
						   ? LFK__LFMPMC_PATIENCE + 1
						   : 1;
			}
			if (--patience > 0) {
				lfk_cpu_relax();
				/* D2 again. */
				ctl = lfk_atomic_load_u64(&ent->lo,
							  LFK__SCQ_SC);
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
		LFK__RING_HOOK(LFK_HOOK_LFMPMC_DEQ_EMPTY);
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
				 n - (uint64_t)(old > 0 ? old : 0),
				 LFK_RELAXED);
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
	LFK__RING_HOOK(LFK_HOOK_LFMPMC_ENQ_SLOT);
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
		LFK__RING_HOOK(LFK_HOOK_LFMPMC_DEQ_BLOCK);
		/* D1 for the block. */
		h = lfk_atomic_fetch_add_u64(&r->aq.head, k, LFK__SCQ_SC);
		for (uint64_t i = 0; i < k; i++)
			if (lfk__scq_take(r, 0, h + i, &dst[got]))
				got++;
		if (got < k) {
			LFK__RING_HOOK(LFK_HOOK_LFMPMC_DEQ_BLOCK_MISSED);
			/* A block that found nothing is one failed attempt,
			 * charged once like a single dequeue's: the budget's
			 * slack counts one attempt per thread in flight, not
			 * positions.  A block that got items charges nothing
			 * (the call succeeded); both catch tail up when the
			 * block overran it. */
			empty = lfk__scq_missed(&r->aq, h + k, got == 0);
			LFK__RING_HOOK(LFK_HOOK_LFMPMC_DEQ_BLOCK_CHARGED);
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
		LFK__RING_HOOK(LFK_HOOK_LFMPMC_ENQ_SLOT);
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

LFK_END_DECLS

#endif
