/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/ring_spsc.h - the inline bodies of <lfkit/ring_spsc.h>, whose
 * header comment describes the design.  Internal: include <lfkit/ring.h>.
 */
#ifndef LFKIT_IMPL_RING_SPSC_H
#define LFKIT_IMPL_RING_SPSC_H

#ifndef LFKIT_RING_H
#error "include <lfkit/ring.h>"
#endif

LFK_BEGIN_DECLS

struct lfk_ring_spsc {
	struct lfk_ring_hdr hdr;
	struct {
		uint64_t tail; /* next position to fill; producer writes */
		uint64_t limit; /* head as the producer last saw it + capacity:
				   positions below it are free */
	} prod __attribute__((aligned(LFK_RING_ALIGN)));
	struct {
		uint64_t head; /* next position to drain; consumer
						writes */
		uint64_t tail_cache; /* consumer's last view of tail */
	} cons __attribute__((aligned(LFK_RING_ALIGN)));
};

/* The slot of pos, for elements of `words` words (= hdr.elem_words; the
 * callers pass it so that a compile-time 1 spares the multiply). */
static inline void *lfk__ring_spsc_slot(struct lfk_ring_spsc *r, uint64_t pos,
					uint32_t words)
{
	return (char *)(r + 1) + (pos & r->hdr.mask) * words * 8;
}

static inline size_t lfk__ring_spsc_put(struct lfk_ring_spsc *r,
					const void *src, size_t n,
					uint32_t words)
{
	/* Our own index: no other thread writes it. */
	uint64_t tail = lfk_atomic_load_u64(&r->prod.tail, LFK_RELAXED);
	uint64_t room = r->prod.limit - tail;
	if (__builtin_expect(room < n, 0)) {
		/* Pairs with the consumer's release of head: its reads of the
		 * slots it drained are done before we overwrite them. */
		r->prod.limit =
			lfk_atomic_load_u64(&r->cons.head, LFK_ACQUIRE) +
			r->hdr.capacity;
		room = r->prod.limit - tail;
		n = lfk__ring_min(n, (size_t)room);
		if (n == 0)
			return 0;
	}
	for (size_t i = 0; i < n; i++)
		lfk__ring_copy(lfk__ring_spsc_slot(r, tail + i, words),
			       (const char *)src + i * words * 8, words);
	/* Publishes the slot writes above to the consumer. */
	lfk_atomic_store_u64(&r->prod.tail, tail + n, LFK_RELEASE);
	return n;
}

static inline size_t lfk__ring_spsc_get(struct lfk_ring_spsc *r, void *dst,
					size_t n, uint32_t words)
{
	/* Our own index: no other thread writes it. */
	uint64_t head = lfk_atomic_load_u64(&r->cons.head, LFK_RELAXED);
	uint64_t avail = r->cons.tail_cache - head;
	if (__builtin_expect(avail < n, 0)) {
		/* Pairs with the producer's release of tail: the slots up to
		 * it are written. */
		r->cons.tail_cache =
			lfk_atomic_load_u64(&r->prod.tail, LFK_ACQUIRE);
		avail = r->cons.tail_cache - head;
		n = lfk__ring_min(n, (size_t)avail);
		if (n == 0)
			return 0;
	}
	for (size_t i = 0; i < n; i++)
		lfk__ring_copy((char *)dst + i * words * 8,
			       lfk__ring_spsc_slot(r, head + i, words), words);
	/* Hands the drained slots back: our reads of them come first. */
	lfk_atomic_store_u64(&r->cons.head, head + n, LFK_RELEASE);
	return n;
}

LFK__RING_DEFINE_API(spsc)

/* Items in the ring: exact when quiescent, and never above capacity. */
LFK__RING_API size_t lfk_ring_spsc_count(const struct lfk_ring_spsc *r)
{
	if (r == NULL)
		return 0;
	return lfk__ring_count(lfk_atomic_load_u64(&r->cons.head, LFK_RELAXED),
			       lfk_atomic_load_u64(&r->prod.tail, LFK_RELAXED),
			       r->hdr.capacity);
}

LFK_END_DECLS

#endif
