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
/* The seq half of an entry is also accessed on its own (8-byte loads and
 * CAS); the generic backend's 16-byte value puts `lo` first only on a
 * little-endian machine. */
#error "lfk_ring_lfmpmc's entries assume a little-endian layout"
#endif

LFK_BEGIN_DECLS

/*
 * A consumer's 8-byte CAS on an entry's seq word may run beside a
 * producer's 16-byte CAS on the whole entry only where that 16-byte CAS is
 * one instruction: the arch backends (cmpxchg16b; casp or ldaxp/stlxp), or
 * the compiler's where it has the instruction.  Emulated with a lock
 * (libatomic on ISAs without one, and every TSan build: TSan runs each
 * 16-byte atomic under a lock of its own, -mcx16 or not), the 8-byte
 * accesses beside it do not take that lock, and can see the seq half
 * written before the value half; there every update of seq is a 16-byte
 * CAS, which checks the value the consumer read (lfk__lfq_seq_cas).
 */
#if defined(LFK__X86_64_HAVE_CAS2) || defined(LFK__AARCH64_HAVE_CAS2) ||       \
	(defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_16) && !defined(LFK_TSAN))
#define LFK__LFQ_SEQ_NARROW 1
#else
#define LFK__LFQ_SEQ_NARROW 0
#endif

/* One index ring's moving parts: tail on the producers' lines, head on the
 * consumers'.  Beside tail, the producers' copy of how far consumers have
 * got: it only grows, so a stale copy is a lower bound, which is all the
 * capacity check needs from it until it says "full". */
struct lfk__lfq {
	uint64_t tail __attribute__((aligned(LFK_RING_ALIGN)));
	uint64_t head_seen; /* producers' copy of the consumed frontier */
	uint64_t head __attribute__((aligned(LFK_RING_ALIGN)));
};

struct lfk_ring_lfmpmc {
	/* slots = n >= 2, order = log2(n); aux_off[0]: aq's n entries;
	 * aux_off[1]: fq's (record rings only, else 0). */
	struct lfk_ring_hdr hdr;
	struct lfk__lfq aq; /* items (u64 rings) or their slot indices */
	struct lfk__lfq fq; /* free slot indices (record rings) */
};

static inline lfk_pair_t *lfk__lfq_entry(struct lfk_ring_lfmpmc *r, int which,
					 uint64_t pos)
{
	/* Consecutive positions share a line (4 entries of 16 bytes per 64
	 * bytes), so a consumer that trails the producers gets 4 items per
	 * line it pulls over.  SCQ's cache remap, which spreads neighbours
	 * over different lines to spare them false sharing, ran this ring at
	 * a fifth of the speed (1p1c, 2-core EPYC, the two builds run
	 * alternately: 3.7-4.0 against 17.8-30.3 M items/s): the transfers,
	 * not the sharing, are the cost here. */
	return (lfk_pair_t *)((char *)r + r->hdr.aux_off[which]) +
	       (pos & r->hdr.mask);
}

static inline struct lfk__lfq *lfk__lfq_ring(struct lfk_ring_lfmpmc *r,
					     int which)
{
	return which ? &r->fq : &r->aq;
}

/* Moves an index (tail or head) forward from `seen` to `to` unless another
 * thread moved it there or past: every position below `to` is done. */
static inline void lfk__lfq_advance(uint64_t *index, uint64_t seen, uint64_t to)
{
	/* Release: our entry updates below `to` before the move, for the
	 * thread that loads the index (acquire) and works on the positions
	 * after it; that keeps the order of items across threads (FIFO). */
	while (lfk__ring_diff(seen, to) < 0 &&
	       !lfk_atomic_cas_u64(index, &seen, to, LFK_RELEASE))
		;
}

/* Indices move lazily (Tsigas and Zhang): only when a call's last position
 * crosses a multiple of LFK__LFQ_LAZY, so three single calls in four move
 * none, and the next call passes the few entries done since, on the line
 * it reads anyway.  Measured against 1 and 2 here: 4 was ahead at 4p4c
 * and 8p8c and level elsewhere. */
#define LFK__LFQ_LAZY 4

static inline bool lfk__lfq_due(uint64_t known, uint64_t p)
{
	return (known & ~(uint64_t)(LFK__LFQ_LAZY - 1)) !=
	       (p & ~(uint64_t)(LFK__LFQ_LAZY - 1));
}

/* The index's current value when the entry at `pos` is neither what the
 * caller can use nor a state its position can legitimately be in from the
 * caller's view: the index has moved past pos (the caller was stale), or,
 * when it has not, the entry is damaged (a corrupt shared region) and the
 * caller gives up with -EAGAIN instead of spinning.  *pos gets the index. */
static inline bool lfk__lfq_moved(uint64_t *index, uint64_t *pos)
{
	/* Acquire: as the caller's first load of the index. */
	uint64_t now = lfk_atomic_load_u64(index, LFK_ACQUIRE);
	if (lfk__ring_diff(now, *pos) <= 0)
		return false;
	*pos = now;
	return true;
}

/* Consumers: the entry's seq word from *seq to next, the entry holding
 * the value v the caller read; on failure *seq gets what the word holds. */
static inline bool lfk__lfq_seq_cas(lfk_pair_t *ent, uint64_t *seq, uint64_t v,
				    uint64_t next)
{
#if LFK__LFQ_SEQ_NARROW
	/* Release: the caller's read of the value before the entry is handed
	 * to the next lap's producer (its acquire load of seq).  v needs no
	 * check: the 16-byte CAS that wrote seq wrote the value with it. */
	(void)v;
	return lfk_atomic_cas_u64(&ent->lo, seq, next, LFK_RELEASE);
#else
	/* The pair compared is the one the caller read: with the 16-byte CAS
	 * emulated under a lock, the 8-byte loads beside it can see seq new
	 * and the value old, and a second load of the value could see the
	 * new one, pass the CAS and return the old one. */
	lfk_pair_t want = { *seq, v };
	lfk_pair_t set = { next, v };
	/* Release, as the 8-byte form above. */
	bool ok = lfk_atomic_cas2(ent, &want, set, LFK_RELEASE);
	*seq = want.lo;
	return ok;
#endif
}

/* Whether a position in a state `d` = seq - pos was filled by another
 * producer (and perhaps taken since): the states a position at or past
 * tail can be in once filled (see <lfkit/ring_lfmpmc.h>). */
static inline bool lfk__lfq_filled(int64_t d, uint64_t slots)
{
	return d == 1 || d == (int64_t)slots || d == (int64_t)slots + 1;
}

/* Whether a position in state `d` = seq - pos was taken by a consumer
 * (and perhaps refilled for the next lap). */
static inline bool lfk__lfq_taken(int64_t d, uint64_t slots)
{
	return d == (int64_t)slots || d == (int64_t)slots + 1;
}

/*
 * Where one side (the consumers, or the producers) has got from `at`, a
 * value of its index, on: past the positions taken (filled) already while
 * the index lags, because a thread stopped before moving it.  At most a lap
 * past the index, and exact when it returns: the entry it stops at was not
 * yet done when it read it.  An entry done a lap later than its position
 * (seq - at >= 2n) means the scan fell behind (the caller stopped after
 * reading the index): the index has moved past `at` then, and with `chase`
 * the scan goes on from it (a stop there would return a frontier a lap
 * low, and the capacity check would report full a ring that is not).
 * Lock-free: each restart follows a move of the index.  Without `chase`
 * (count()): one lap at most, a lower bound.
 */
static inline uint64_t lfk__lfq_frontier(struct lfk_ring_lfmpmc *r, int which,
					 bool consumers, uint64_t at,
					 bool chase)
{
	struct lfk__lfq *q = lfk__lfq_ring(r, which);
	uint64_t *index = consumers ? &q->head : &q->tail;
	const uint64_t slots = r->hdr.slots;
	uint64_t i = 0;
	for (;;) {
		uint64_t seq;
		int64_t d;
		if (i == slots) { /* a lap past the index we started from */
			if (!chase || !lfk__lfq_moved(index, &at))
				break;
			i = 0;
			continue;
		}
		/* Acquire: pairs with the release of the entry by the thread
		 * that took (filled) it. */
		seq = lfk_atomic_load_u64(&lfk__lfq_entry(r, which, at)->lo,
					  LFK_ACQUIRE);
		d = lfk__ring_diff(seq, at);
		if (consumers ? lfk__lfq_taken(d, slots)
			      : lfk__lfq_filled(d, slots)) {
			i++;
			at++;
		} else if (d > (int64_t)slots + 1 && chase &&
			   lfk__lfq_moved(index, &at)) {
			i = 0; /* we fell a lap behind: on from the index */
		} else {
			break; /* not done yet (or damaged) */
		}
	}
	return at;
}

/* Whether position p may be filled without the ring holding more than
 * capacity items (rings whose capacity is below the slot count). */
static inline bool lfk__lfq_room(struct lfk_ring_lfmpmc *r, struct lfk__lfq *q,
				 uint64_t p)
{
	const int64_t cap = (int64_t)r->hdr.capacity;
	/* Relaxed: a lower bound of the consumed frontier (see struct). */
	uint64_t h = lfk_atomic_load_u64(&q->head_seen, LFK_RELAXED);
	if (lfk__ring_diff(p, h) < cap)
		return true;
	/* Acquire: pairs with the consumers' release of head; their entries
	 * are free before it. */
	h = lfk_atomic_load_u64(&q->head, LFK_ACQUIRE);
	LFK__RING_HOOK(LFK_HOOK_LFMPMC_ENQ_ROOM);
	h = lfk__lfq_frontier(r, 0, true, h, true);
	/* Relaxed: only a hint for the next look. */
	lfk_atomic_store_u64(&q->head_seen, h, LFK_RELAXED);
	return lfk__ring_diff(p, h) < cap;
}

/*
 * Appends src[0..n-1] to ring `which`, in order, as far as there is room;
 * how many.  Fills the first position not yet filled, from tail on, with
 * one double-width CAS that writes the value and marks the entry filled
 * at once; tail moves at the end when the call crossed a multiple of
 * LFK__LFQ_LAZY (and after each lap of a long burst), and a producer that
 * finds tail lagging passes the filled positions itself.  `capped`: check
 * the capacity (ring aq of a u64 ring whose capacity is below the slot
 * count).
 */
static inline size_t lfk__lfq_put(struct lfk_ring_lfmpmc *r, int which,
				  const uint64_t *src, size_t n, bool capped)
{
	struct lfk__lfq *q = lfk__lfq_ring(r, which);
	const uint64_t slots = r->hdr.slots;
	/* Acquire: pairs with the release that moved tail: the positions
	 * below it are filled, so ours comes after them. */
	uint64_t known = lfk_atomic_load_u64(&q->tail, LFK_ACQUIRE), p = known;
	size_t done = 0;
	while (done < n) {
		lfk_pair_t *ent = lfk__lfq_entry(r, which, p);
		uint64_t seq;
		int64_t d;
		if (p - known >= slots) { /* a lap ahead of tail: move it */
			lfk__lfq_advance(&q->tail, known, p);
			known = p;
		}
		/* Acquire: pairs with the release by the entry's previous
		 * consumer (its read of the old value is done) or, for a
		 * filled entry, with its producer's publish. */
		seq = lfk_atomic_load_u64(&ent->lo, LFK_ACQUIRE);
		d = lfk__ring_diff(seq, p);
		if (d == 0) { /* free for p */
			if (capped && !lfk__lfq_room(r, q, p))
				break;
			/* Relaxed: the CAS compares it too; it only
			 * completes the expected pair. */
			lfk_pair_t want = {
				seq, lfk_atomic_load_u64(&ent->hi, LFK_RELAXED)
			};
			lfk_pair_t item = { p + 1, src[done] };
			/* Release: publishes the value to the consumer of p
			 * (its acquire load of seq). */
			if (lfk_atomic_cas2(ent, &want, item, LFK_RELEASE)) {
				done++;
				p++;
				if (which == 0)
					LFK__RING_HOOK(
						LFK_HOOK_LFMPMC_ENQ_SLOT);
			}
		} else if (lfk__lfq_filled(d, slots)) {
			p++; /* filled by a producer that has not moved tail */
		} else if (d < 0 || !lfk__lfq_moved(&q->tail, &p)) {
			break; /* full: p - slots not yet taken (or damaged) */
		} else {
			known = p; /* we were stale; tail moved past p */
		}
	}
	if (lfk__lfq_due(known, p))
		lfk__lfq_advance(&q->tail, known, p);
	return done;
}

/*
 * Takes up to n of the oldest values of ring `which` into dst, in order;
 * how many.  Takes the first position not yet taken, from head on, with
 * one CAS of its seq word (the value read before it); head moves as tail
 * does in lfk__lfq_put.
 */
static inline size_t lfk__lfq_get(struct lfk_ring_lfmpmc *r, int which,
				  uint64_t *dst, size_t n)
{
	struct lfk__lfq *q = lfk__lfq_ring(r, which);
	const uint64_t slots = r->hdr.slots;
	/* Acquire: pairs with the release that moved head: the positions
	 * below it are taken, so ours comes after them. */
	uint64_t known = lfk_atomic_load_u64(&q->head, LFK_ACQUIRE), p = known;
	size_t done = 0;
	while (done < n) {
		lfk_pair_t *ent = lfk__lfq_entry(r, which, p);
		uint64_t seq;
		int64_t d;
		if (p - known >= slots) { /* a lap ahead of head: move it */
			lfk__lfq_advance(&q->head, known, p);
			known = p;
		}
		/* Acquire: pairs with the producer's publish (the value is
		 * written) or, for a taken entry, its consumer's release. */
		seq = lfk_atomic_load_u64(&ent->lo, LFK_ACQUIRE);
		d = lfk__ring_diff(seq, p + 1);
		if (d == 0) { /* holds the item of p */
			/* Relaxed: ordered after the acquire load of seq. */
			uint64_t v = lfk_atomic_load_u64(&ent->hi, LFK_RELAXED);
			if (lfk__lfq_seq_cas(ent, &seq, v, p + slots)) {
				dst[done++] = v;
				p++;
				if (which == 0)
					LFK__RING_HOOK(
						LFK_HOOK_LFMPMC_DEQ_SLOT);
			}
		} else if (lfk__lfq_taken(d + 1, slots)) {
			p++; /* taken by a consumer that has not moved head */
		} else if (d < 0 || !lfk__lfq_moved(&q->head, &p)) {
			break; /* empty: p not yet filled (or damaged) */
		} else {
			known = p; /* we were stale; head moved past p */
		}
	}
	if (lfk__lfq_due(known, p))
		lfk__lfq_advance(&q->head, known, p);
	return done;
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

/* Indices moved per round by the record calls. */
#define LFK__LFQ_CHUNK 32

/* Record rings: free slot indices from fq, the records copied in, their
 * indices appended to aq; a chunk at a time. */
static inline size_t lfk__lfmpmc_put_records(struct lfk_ring_lfmpmc *r,
					     const void *src, size_t n,
					     uint32_t words)
{
	size_t done = 0;
	while (done < n) {
		uint64_t index[LFK__LFQ_CHUNK];
		size_t k = lfk__lfq_get(
			r, 1, index, lfk__ring_min(n - done, LFK__LFQ_CHUNK));
		size_t put;
		if (k == 0)
			break;
		for (size_t i = 0; i < k; i++)
			lfk__ring_copy(
				lfk__ring_lfmpmc_data(r, index[i], words),
				(const char *)src + (done + i) * words * 8,
				words);
		/* Only `capacity` indices exist, so aq has room for ours;
		 * a damaged ring may not: the rest go back to fq. */
		put = lfk__lfq_put(r, 0, index, k, false);
		done += put;
		if (put < k) {
			lfk__lfq_put(r, 1, index + put, k - put, false);
			break;
		}
	}
	return done;
}

static inline size_t lfk__lfmpmc_get_records(struct lfk_ring_lfmpmc *r,
					     void *dst, size_t n,
					     uint32_t words)
{
	size_t done = 0;
	while (done < n) {
		uint64_t index[LFK__LFQ_CHUNK];
		size_t k = lfk__lfq_get(
			r, 0, index, lfk__ring_min(n - done, LFK__LFQ_CHUNK));
		if (k == 0)
			break;
		for (size_t i = 0; i < k; i++)
			lfk__ring_copy(
				(char *)dst + (done + i) * words * 8,
				lfk__ring_lfmpmc_data(r, index[i], words),
				words);
		/* fq always has room: only `capacity` indices exist. */
		lfk__lfq_put(r, 1, index, k, false);
		done += k;
	}
	return done;
}

static inline size_t lfk__ring_lfmpmc_put(struct lfk_ring_lfmpmc *r,
					  const void *src, size_t n,
					  uint32_t words)
{
	if (words == 1)
		return lfk__lfq_put(r, 0, (const uint64_t *)src, n,
				    r->hdr.capacity != r->hdr.slots);
	return lfk__lfmpmc_put_records(r, src, n, words);
}

static inline size_t lfk__ring_lfmpmc_get(struct lfk_ring_lfmpmc *r, void *dst,
					  size_t n, uint32_t words)
{
	if (words == 1)
		return lfk__lfq_get(r, 0, (uint64_t *)dst, n);
	return lfk__lfmpmc_get_records(r, dst, n, words);
}

LFK__RING_DEFINE_API(lfmpmc)

LFK_END_DECLS

#endif
