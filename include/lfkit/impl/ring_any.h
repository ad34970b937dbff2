/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/ring_any.h - the inline bodies of <lfkit/ring.h>'s calls on
 * struct lfk_ring: one switch on the kind in the ring's header, which sends
 * each call to its kind's core.  Internal: include <lfkit/ring.h>.
 */
#ifndef LFKIT_IMPL_RING_ANY_H
#define LFKIT_IMPL_RING_ANY_H

#ifndef LFKIT_RING_H
#error "include <lfkit/ring.h>"
#endif

LFK_BEGIN_DECLS

/* Whether kind (a ring header's) names a ring kind. */
static inline bool lfk__ring_kind_ok(uint32_t kind)
{
	return kind - LFK_RING_SPSC <=
	       (uint32_t)(LFK_RING_LFMPMC - LFK_RING_SPSC);
}

/*
 * The one ring-kind switch, written once for each direction:
 *   int64_t lfk__ring_put_any(r, const void *src, size_t n, uint32_t words)
 *   int64_t lfk__ring_get_any(r, void *dst, size_t n, uint32_t words)
 * move up to n elements of `words` words through the core of r's kind and
 * return how many moved, or -EINVAL when the header names no kind.  (One
 * function per direction, n by value: each inlines to the plain ring call
 * with its constants propagated.)
 */
#define LFK__RING_DEFINE_ANY(OP, BUF_T)                                        \
	static inline int64_t lfk__ring_##OP##_any(                            \
		struct lfk_ring *r, BUF_T buf, size_t n, uint32_t words)       \
	{                                                                      \
		void *k = r;                                                   \
		switch (r->hdr.kind) {                                         \
		case LFK_RING_SPSC:                                            \
			return (int64_t)lfk__ring_spsc_##OP(                   \
				(struct lfk_ring_spsc *)k, buf, n, words);     \
		case LFK_RING_MPMC:                                            \
			return (int64_t)lfk__ring_mpmc_##OP(                   \
				(struct lfk_ring_mpmc *)k, buf, n, words);     \
		case LFK_RING_LFMPMC:                                          \
			return (int64_t)lfk__ring_lfmpmc_##OP(                 \
				(struct lfk_ring_lfmpmc *)k, buf, n, words);   \
		default:                                                       \
			return -EINVAL;                                        \
		}                                                              \
	}
LFK__RING_DEFINE_ANY(put, const void *)
LFK__RING_DEFINE_ANY(get, void *)
#undef LFK__RING_DEFINE_ANY

/* What one element's move gives: 0, -EAGAIN (full / empty) or -EINVAL
 * (no kind). */
static inline int lfk__ring_one(int64_t moved)
{
	return moved > 0 ? 0 : moved == 0 ? -EAGAIN : (int)moved;
}

/* What a burst's move gives: how many moved (0 for no kind). */
static inline size_t lfk__ring_burst(int64_t moved)
{
	return moved > 0 ? (size_t)moved : 0;
}

LFK__RING_API enum lfk_ring_kind lfk_ring_kind_of(const struct lfk_ring *r)
{
	if (r == NULL || !lfk__ring_kind_ok(r->hdr.kind))
		return (enum lfk_ring_kind)0;
	return (enum lfk_ring_kind)r->hdr.kind;
}

LFK__RING_API int lfk_ring_enqueue(struct lfk_ring *r, uint64_t v)
{
	if (r == NULL || r->hdr.elem_words != 1)
		return -EINVAL;
	return lfk__ring_one(lfk__ring_put_any(r, &v, 1, 1));
}

LFK__RING_API int lfk_ring_dequeue(struct lfk_ring *r, uint64_t *v)
{
	if (r == NULL || v == NULL || r->hdr.elem_words != 1)
		return -EINVAL;
	return lfk__ring_one(lfk__ring_get_any(r, v, 1, 1));
}

LFK__RING_API size_t lfk_ring_enqueue_burst(struct lfk_ring *r,
					    const uint64_t *v, size_t n)
{
	if (r == NULL || v == NULL || r->hdr.elem_words != 1)
		return 0;
	return lfk__ring_burst(lfk__ring_put_any(r, v, n, 1));
}

LFK__RING_API size_t lfk_ring_dequeue_burst(struct lfk_ring *r, uint64_t *v,
					    size_t n)
{
	if (r == NULL || v == NULL || r->hdr.elem_words != 1)
		return 0;
	return lfk__ring_burst(lfk__ring_get_any(r, v, n, 1));
}

LFK__RING_API int lfk_ring_enqueue_rec(struct lfk_ring *r, const void *rec)
{
	if (r == NULL || rec == NULL)
		return -EINVAL;
	return lfk__ring_one(lfk__ring_put_any(r, rec, 1, r->hdr.elem_words));
}

LFK__RING_API int lfk_ring_dequeue_rec(struct lfk_ring *r, void *rec)
{
	if (r == NULL || rec == NULL)
		return -EINVAL;
	return lfk__ring_one(lfk__ring_get_any(r, rec, 1, r->hdr.elem_words));
}

LFK__RING_API size_t lfk_ring_enqueue_burst_rec(struct lfk_ring *r,
						const void *recs, size_t n)
{
	if (r == NULL || recs == NULL)
		return 0;
	return lfk__ring_burst(
		lfk__ring_put_any(r, recs, n, r->hdr.elem_words));
}

LFK__RING_API size_t lfk_ring_dequeue_burst_rec(struct lfk_ring *r, void *recs,
						size_t n)
{
	if (r == NULL || recs == NULL)
		return 0;
	return lfk__ring_burst(
		lfk__ring_get_any(r, recs, n, r->hdr.elem_words));
}

LFK__RING_API size_t lfk_ring_count(const struct lfk_ring *r)
{
	const void *k = r;
	switch (lfk_ring_kind_of(r)) {
	case LFK_RING_SPSC:
		return lfk_ring_spsc_count((const struct lfk_ring_spsc *)k);
	case LFK_RING_MPMC:
		return lfk_ring_mpmc_count((const struct lfk_ring_mpmc *)k);
	case LFK_RING_LFMPMC:
		return lfk_ring_lfmpmc_count((const struct lfk_ring_lfmpmc *)k);
	default:
		return 0;
	}
}

LFK__RING_API size_t lfk_ring_capacity(const struct lfk_ring *r)
{
	return lfk_ring_kind_of(r) ? (size_t)r->hdr.capacity : 0;
}

LFK__RING_API size_t lfk_ring_elem_size(const struct lfk_ring *r)
{
	return lfk_ring_kind_of(r) ? (size_t)r->hdr.elem_words * 8 : 0;
}

/* The handle of a typed ring, and the typed ring of a handle (NULL when it
 * is of another kind). */
#define LFK__RING_DEFINE_VIEWS(K)                                              \
	LFK__RING_API struct lfk_ring *lfk_ring_from_##K(                      \
		struct lfk_ring_##K *r)                                        \
	{                                                                      \
		return (struct lfk_ring *)(void *)r;                           \
	}                                                                      \
	LFK__RING_API struct lfk_ring_##K *lfk_ring_to_##K(struct lfk_ring *r) \
	{                                                                      \
		if (r == NULL || r->hdr.kind != LFK__RING_KIND_##K)            \
			return NULL;                                           \
		return (struct lfk_ring_##K *)(void *)r;                       \
	}
LFK__RING_DEFINE_VIEWS(spsc)
LFK__RING_DEFINE_VIEWS(mpmc)
LFK__RING_DEFINE_VIEWS(lfmpmc)
#undef LFK__RING_DEFINE_VIEWS

LFK_END_DECLS

#endif
