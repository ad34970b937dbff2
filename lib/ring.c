/* SPDX-License-Identifier: MIT */
/*
 * Out-of-line parts of the rings: validation, layout, initialization,
 * allocation, and the lfmpmc count scan.  The operations themselves are
 * inline in the headers.
 */
#include <lfkit/ring.h>
#include <stdlib.h>

#include "lib/create.h"

/* Every size a ring's layout computes (slot count rounded up and at least
 * 128, times elem_size + 8, plus four index words per slot, plus headers)
 * stays below 2^48 within these bounds: none can wrap a 64-bit size_t. */
_Static_assert(sizeof(size_t) == 8 &&
		       LFK_RING_MAX_CAPACITY <= ((size_t)1 << 30) &&
		       LFK_RING_MAX_ELEM_SIZE <= ((size_t)1 << 16),
	       "ring sizes cannot wrap");

int lfk__ring_check_params(size_t capacity, size_t elem_size)
{
	if (capacity == 0 || capacity > LFK_RING_MAX_CAPACITY)
		return -EINVAL;
	if (elem_size == 0 || elem_size % 8 != 0 ||
	    elem_size > LFK_RING_MAX_ELEM_SIZE)
		return -EINVAL;
	return 0;
}

static uint32_t ceil_log2(uint64_t v)
{
	uint32_t order = 0;
	while ((1ull << order) < v)
		order++;
	return order;
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

size_t lfk__ring_layout(int kind, size_t capacity, size_t elem_size,
			struct lfk_ring_hdr *h)
{
	uint64_t base, bytes, entries;
	if (lfk__ring_check_params(capacity, elem_size) != 0)
		return 0;
	memset(h, 0, sizeof(*h));
	h->kind = (uint32_t)kind;
	h->elem_words = (uint32_t)(elem_size / 8);
	h->capacity = capacity;
	h->order = ceil_log2(capacity);
	h->slots = 1ull << h->order;
	h->mask = h->slots - 1;
	switch (kind) {
	case LFK_RING_SPSC:
		base = sizeof(struct lfk_ring_spsc);
		h->data_off = base;
		bytes = base + h->slots * elem_size;
		break;
	case LFK_RING_MPMC:
		/* Per-slot sequences need two slots at least: with one,
		 * "published at pos" (pos + 1) reads as "free for pos + 1".
		 * Capacity 1 then rests on enqueue's head check. */
		if (h->slots < 2) {
			h->order = 1;
			h->slots = 2;
			h->mask = 1;
		}
		base = sizeof(struct lfk_ring_mpmc);
		h->data_off = base;
		bytes = base + h->slots * (elem_size + 8);
		break;
	case LFK_RING_LFMPMC:
		/* One ring of n double-width entries for the items (aq), and
		 * for records a second one for the free slot indices (fq) and
		 * the `capacity` data slots.  n >= 2: with one slot, "filled
		 * for p" (p + 1) would read as "free for p + 1"; capacity 1
		 * then rests on the producers' capacity check. */
		if (h->slots < 2) {
			h->order = 1;
			h->slots = 2;
			h->mask = 1;
		}
		base = sizeof(struct lfk_ring_lfmpmc);
		entries = h->slots * sizeof(lfk_pair_t);
		h->aux_off[0] = base;
		if (h->elem_words == 1) {
			h->data_off = base + entries;
			bytes = h->data_off;
		} else {
			h->aux_off[1] = base + entries;
			h->data_off = base + 2 * entries;
			bytes = h->data_off + h->capacity * elem_size;
		}
		break;
	default:
		return 0;
	}
	bytes = round_up(bytes, LFK_RING_ALIGN);
	if (bytes > SIZE_MAX)
		return 0;
	h->bytes = bytes;
	return (size_t)bytes;
}

static void spsc_init(struct lfk_ring_spsc *r, uint64_t first)
{
	r->prod.tail = first;
	r->prod.limit = first + r->hdr.capacity;
	r->cons.head = r->cons.tail_cache = first;
}

static void mpmc_init(struct lfk_ring_mpmc *r, uint64_t first)
{
	for (uint64_t i = 0; i < r->hdr.slots; i++)
		*lfk__ring_mpmc_slot(r, first + i, r->hdr.elem_words) =
			first + i;
	r->head = r->tail = first;
}

/*
 * Ring `which` of r with positions starting at `first`, holding the values
 * 0..filled-1 at the first positions: each entry is free for its first
 * lap's position, or filled for it.
 */
static void lfq_init(struct lfk_ring_lfmpmc *r, int which, uint64_t first,
		     uint64_t filled)
{
	struct lfk__lfq *q = lfk__lfq_ring(r, which);
	for (uint64_t i = 0; i < r->hdr.slots; i++) {
		lfk_pair_t *e = lfk__lfq_entry(r, which, first + i);
		e->lo = first + i + (i < filled ? 1 : 0);
		e->hi = i < filled ? i : 0;
	}
	q->head = q->head_seen = first;
	q->tail = first + filled;
}

static void lfmpmc_init(struct lfk_ring_lfmpmc *r, uint64_t first)
{
	lfq_init(r, 0, first, 0);
	if (r->hdr.elem_words != 1)
		lfq_init(r, 1, first, r->hdr.capacity);
}

int lfk__ring_init(int kind, void *mem, size_t capacity, size_t elem_size,
		   uint64_t first)
{
	struct lfk_ring_hdr h;
	if (mem == NULL || (uintptr_t)mem % LFK_RING_ALIGN != 0)
		return -EINVAL;
	if (lfk__ring_layout(kind, capacity, elem_size, &h) == 0)
		return -EINVAL;
	memset(mem, 0, (size_t)h.data_off);
	memcpy(mem, &h, sizeof(h));
	switch (kind) {
	case LFK_RING_SPSC:
		spsc_init(mem, first);
		break;
	case LFK_RING_MPMC:
		mpmc_init(mem, first);
		break;
	case LFK_RING_LFMPMC:
		lfmpmc_init(mem, first);
		break;
	}
	/* The ring is handed to other threads by whatever publishes the
	 * pointer (thread creation, a release store): plain writes suffice. */
	return 0;
}

size_t lfk_ring_size(enum lfk_ring_kind kind, size_t capacity, size_t elem_size)
{
	struct lfk_ring_hdr h;
	return lfk__ring_layout(kind, capacity, elem_size, &h);
}

int lfk_ring_init(void *mem, enum lfk_ring_kind kind, size_t capacity,
		  size_t elem_size)
{
	return lfk__ring_init(kind, mem, capacity, elem_size, 0);
}

struct ring_args {
	enum lfk_ring_kind kind;
	size_t capacity, elem_size;
};

static int ring_init_at(void *mem, size_t bytes, const void *args)
{
	const struct ring_args *a = args;
	(void)bytes; /* the layout's size, as init computes it again */
	return lfk_ring_init(mem, a->kind, a->capacity, a->elem_size);
}

int lfk_ring_create(enum lfk_ring_kind kind, size_t capacity, size_t elem_size,
		    struct lfk_ring **out)
{
	struct ring_args args = { kind, capacity, elem_size };
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__create(LFK_RING_ALIGN,
			   lfk_ring_size(kind, capacity, elem_size),
			   ring_init_at, &args, &rc);
	return rc;
}

void lfk_ring_destroy(struct lfk_ring *r)
{
	free(r);
}

/* Each kind's lifecycle: the generic calls with the kind filled in. */
#define LFK__RING_DEFINE_LIFECYCLE(K, KIND)                                    \
	size_t lfk_ring_##K##_size(size_t capacity, size_t elem_size)          \
	{                                                                      \
		return lfk_ring_size(KIND, capacity, elem_size);               \
	}                                                                      \
	int lfk_ring_##K##_init(void *mem, size_t capacity, size_t elem_size)  \
	{                                                                      \
		return lfk_ring_init(mem, KIND, capacity, elem_size);          \
	}                                                                      \
	int lfk_ring_##K##_init_at(void *mem, size_t capacity,                 \
				   size_t elem_size, uint64_t first_index)     \
	{                                                                      \
		return lfk__ring_init(KIND, mem, capacity, elem_size,          \
				      first_index);                            \
	}                                                                      \
	int lfk_ring_##K##_create(size_t capacity, size_t elem_size,           \
				  struct lfk_ring_##K **out)                   \
	{                                                                      \
		return lfk_ring_create(KIND, capacity, elem_size,              \
				       (struct lfk_ring **)(void *)out);       \
	}                                                                      \
	void lfk_ring_##K##_destroy(struct lfk_ring_##K *r)                    \
	{                                                                      \
		free(r);                                                       \
	}

LFK__RING_DEFINE_LIFECYCLE(spsc, LFK_RING_SPSC)
LFK__RING_DEFINE_LIFECYCLE(mpmc, LFK_RING_MPMC)
LFK__RING_DEFINE_LIFECYCLE(lfmpmc, LFK_RING_LFMPMC)
#undef LFK__RING_DEFINE_LIFECYCLE

size_t lfk_ring_lfmpmc_count(const struct lfk_ring_lfmpmc *r)
{
	struct lfk_ring_lfmpmc *w = (struct lfk_ring_lfmpmc *)r;
	uint64_t head, tail;
	if (r == NULL)
		return 0;
	/* Acquire: as the operations' loads of the indices; each is then
	 * carried past the positions done by a thread that has not moved it
	 * yet (a stopped one). */
	head = lfk__lfq_frontier(w, 0, true,
				 lfk_atomic_load_u64(&w->aq.head, LFK_ACQUIRE),
				 false);
	tail = lfk__lfq_frontier(w, 0, false,
				 lfk_atomic_load_u64(&w->aq.tail, LFK_ACQUIRE),
				 false);
	return lfk__ring_count(head, tail, r->hdr.capacity);
}
