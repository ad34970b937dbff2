/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/ring.h - what every ring kind's inline calls share: the header
 * at the start of every ring, the test hooks, element copies, index
 * arithmetic, and the generator of each kind's public calls.  Internal:
 * include <lfkit/ring.h>, which declares the API.
 */
#ifndef LFKIT_IMPL_RING_H
#define LFKIT_IMPL_RING_H

#ifndef LFKIT_RING_H
#error "include <lfkit/ring.h>"
#endif

LFK_BEGIN_DECLS

/* Read-mostly geometry, on a line of its own at the start of every ring. */
struct lfk_ring_hdr {
	uint32_t kind; /* enum lfk_ring_kind */
	uint32_t elem_words; /* elem_size / 8 */
	uint64_t capacity; /* the exact maximum count */
	uint64_t slots; /* power of two */
	uint64_t mask; /* slots - 1 */
	uint64_t data_off; /* byte offset of the slot array from the ring */
	uint64_t bytes; /* total size of the ring */
	uint32_t order; /* log2(slots) */
	uint32_t pad0;
	uint64_t aux_off[2]; /* lfmpmc: byte offsets of its rings' entries */
} __attribute__((aligned(LFK_RING_ALIGN)));

/*
 * Test hooks: a test program defines LFK_RING_TEST_HOOKS before including
 * this header and provides lfk_ring_test_hook(); it is called at the points
 * where a stopped thread matters for progress.  In every other build the
 * hook compiles to nothing.
 */
enum lfk_ring_hook_point {
	LFK_HOOK_MPMC_ENQ_CAPACITY, /* slot seen free, head not yet read */
	LFK_HOOK_MPMC_ENQ_RESERVED, /* slot reserved, not yet published */
	LFK_HOOK_MPMC_DEQ_RESERVED, /* slot reserved, not yet released */
	LFK_HOOK_LFMPMC_ENQ_SLOT, /* item published, tail not yet moved */
	LFK_HOOK_LFMPMC_DEQ_SLOT, /* item taken, head not yet moved */
	LFK_HOOK_QUEUE_PUT_REGISTERED, /* queue put in flight, ring not tried */
	LFK_HOOK_QUEUE_PUT_PUBLISHED, /* item in the ring, not yet delivered */
	LFK_HOOK_QUEUE_GET_REGISTERED, /* queue get in flight, ring not tried */
	LFK_HOOK_QUEUE_GET_TAKEN, /* item taken, get not marked done */
	LFK_HOOK_LFMPMC_ENQ_ROOM, /* capacity check: head read, entries not */
};
#if defined(LFK_RING_TEST_HOOKS)
void lfk_ring_test_hook(enum lfk_ring_hook_point point);
#define LFK__RING_HOOK(point) lfk_ring_test_hook(point)
#else
#define LFK__RING_HOOK(point) ((void)0)
#endif

/* Copies one element of `words` 64-bit words; with words a compile-time 1
 * (the u64 calls) this is a single move. */
static inline void lfk__ring_copy(void *dst, const void *src, uint32_t words)
{
	if (words == 1)
		*(uint64_t *)dst = *(const uint64_t *)src;
	else
		memcpy(dst, src, (size_t)words * 8);
}

/* Signed distance a - b of two positions on a 64-bit index that wraps. */
static inline int64_t lfk__ring_diff(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b);
}

static inline size_t lfk__ring_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Items between a head and a tail read separately (so possibly out of
 * step under concurrency): clamped to 0..capacity. */
static inline size_t lfk__ring_count(uint64_t head, uint64_t tail,
				     uint64_t capacity)
{
	if (lfk__ring_diff(tail, head) <= 0)
		return 0;
	return lfk__ring_min((size_t)(tail - head), (size_t)capacity);
}

/* Validation shared by every kind's size/init (lib/ring.c). */
int lfk__ring_check_params(size_t capacity, size_t elem_size);
/* The geometry of a ring of `kind` (enum lfk_ring_kind): fills *h, offsets
 * included, and returns the total bytes, or 0 for invalid parameters. */
size_t lfk__ring_layout(int kind, size_t capacity, size_t elem_size,
			struct lfk_ring_hdr *h);
/* Lays a ring of `kind` out in mem, indices starting at first: 0 or
 * -EINVAL. */
int lfk__ring_init(int kind, void *mem, size_t capacity, size_t elem_size,
		   uint64_t first);

/* A ring of any kind, as <lfkit/ring.h>'s generic calls see it: every
 * ring starts with its header, whose kind says which ring it is. */
struct lfk_ring {
	struct lfk_ring_hdr hdr;
};

/*
 * The kind check: a ring of one kind used through another kind's calls
 * (easy to get with a cast) would lose or invent items, so those calls
 * return -EINVAL (0 moved for bursts).  The check costs a compare on the
 * header line the call reads anyway, but the inline fast path leaves it
 * out: it runs in the exported symbols (lib/ring_symbols.c, the calls other
 * languages reach) and, inline too, in any build that defines LFK_DEBUG
 * before including this header.  init and the shared-memory attach calls
 * check the kind always.
 */
#define LFK__RING_KIND_spsc LFK_RING_SPSC
#define LFK__RING_KIND_mpmc LFK_RING_MPMC
#define LFK__RING_KIND_lfmpmc LFK_RING_LFMPMC
#if defined(LFK_DEBUG) || defined(LFK__RING_SYMBOLS)
#define LFK__RING_WRONG_KIND(r, K) ((r)->hdr.kind != LFK__RING_KIND_##K)
#else
#define LFK__RING_WRONG_KIND(r, K) 0
#endif

/*
 * The public calls of a kind K, generated from its two cores:
 *   size_t lfk__ring_K_put(r, const void *src, size_t n, uint32_t words)
 *   size_t lfk__ring_K_get(r, void *dst, size_t n, uint32_t words)
 * which move up to n elements of `words` words and return how many moved.
 */
#define LFK__RING_DEFINE_API(K)                                                \
	LFK__RING_API size_t lfk_ring_##K##_enqueue_burst(                     \
		struct lfk_ring_##K *r, const uint64_t *v, size_t n)           \
	{                                                                      \
		if (r == NULL || v == NULL || r->hdr.elem_words != 1 ||        \
		    LFK__RING_WRONG_KIND(r, K))                                \
			return 0;                                              \
		return lfk__ring_##K##_put(r, v, n, 1);                        \
	}                                                                      \
	LFK__RING_API size_t lfk_ring_##K##_dequeue_burst(                     \
		struct lfk_ring_##K *r, uint64_t *v, size_t n)                 \
	{                                                                      \
		if (r == NULL || v == NULL || r->hdr.elem_words != 1 ||        \
		    LFK__RING_WRONG_KIND(r, K))                                \
			return 0;                                              \
		return lfk__ring_##K##_get(r, v, n, 1);                        \
	}                                                                      \
	LFK__RING_API int lfk_ring_##K##_enqueue(struct lfk_ring_##K *r,       \
						 uint64_t v)                   \
	{                                                                      \
		if (r == NULL || r->hdr.elem_words != 1 ||                     \
		    LFK__RING_WRONG_KIND(r, K))                                \
			return -EINVAL;                                        \
		return lfk__ring_##K##_put(r, &v, 1, 1) ? 0 : -EAGAIN;         \
	}                                                                      \
	LFK__RING_API int lfk_ring_##K##_dequeue(struct lfk_ring_##K *r,       \
						 uint64_t *v)                  \
	{                                                                      \
		if (r == NULL || v == NULL || r->hdr.elem_words != 1 ||        \
		    LFK__RING_WRONG_KIND(r, K))                                \
			return -EINVAL;                                        \
		return lfk__ring_##K##_get(r, v, 1, 1) ? 0 : -EAGAIN;          \
	}                                                                      \
	LFK__RING_API size_t lfk_ring_##K##_enqueue_burst_rec(                 \
		struct lfk_ring_##K *r, const void *recs, size_t n)            \
	{                                                                      \
		if (r == NULL || recs == NULL || LFK__RING_WRONG_KIND(r, K))   \
			return 0;                                              \
		return lfk__ring_##K##_put(r, recs, n, r->hdr.elem_words);     \
	}                                                                      \
	LFK__RING_API size_t lfk_ring_##K##_dequeue_burst_rec(                 \
		struct lfk_ring_##K *r, void *recs, size_t n)                  \
	{                                                                      \
		if (r == NULL || recs == NULL || LFK__RING_WRONG_KIND(r, K))   \
			return 0;                                              \
		return lfk__ring_##K##_get(r, recs, n, r->hdr.elem_words);     \
	}                                                                      \
	LFK__RING_API int lfk_ring_##K##_enqueue_rec(struct lfk_ring_##K *r,   \
						     const void *rec)          \
	{                                                                      \
		if (r == NULL || rec == NULL || LFK__RING_WRONG_KIND(r, K))    \
			return -EINVAL;                                        \
		return lfk__ring_##K##_put(r, rec, 1, r->hdr.elem_words)       \
			       ? 0                                             \
			       : -EAGAIN;                                      \
	}                                                                      \
	LFK__RING_API int lfk_ring_##K##_dequeue_rec(struct lfk_ring_##K *r,   \
						     void *rec)                \
	{                                                                      \
		if (r == NULL || rec == NULL || LFK__RING_WRONG_KIND(r, K))    \
			return -EINVAL;                                        \
		return lfk__ring_##K##_get(r, rec, 1, r->hdr.elem_words)       \
			       ? 0                                             \
			       : -EAGAIN;                                      \
	}                                                                      \
	LFK__RING_API size_t lfk_ring_##K##_capacity(                          \
		const struct lfk_ring_##K *r)                                  \
	{                                                                      \
		return r ? (size_t)r->hdr.capacity : 0;                        \
	}                                                                      \
	LFK__RING_API size_t lfk_ring_##K##_elem_size(                         \
		const struct lfk_ring_##K *r)                                  \
	{                                                                      \
		return r ? (size_t)r->hdr.elem_words * 8 : 0;                  \
	}

LFK_END_DECLS

#endif
