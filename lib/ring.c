/*
 * Out-of-line parts of the rings: validation, layout, initialization,
 * allocation, and the lfmpmc count scan.  The operations themselves are
 * inline in the headers.
 */
#include <lfkit/ring.h>
#include <stdlib.h>

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
	uint64_t base, bytes;
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
		/* SCQ's bound on failed dequeues (the threshold) holds while
		 * no more threads than n work on an index ring at once: size
		 * the index rings for LFK_RING_LFMPMC_THREADS at least.  Only
		 * `capacity` indices circulate, so the data array holds just
		 * `capacity` elements. */
		while (h->slots < LFK_RING_LFMPMC_THREADS) {
			h->order++;
			h->slots <<= 1;
		}
		h->mask = h->slots - 1;
		base = sizeof(struct lfk_ring_lfmpmc);
		h->aux_off[0] = base;
		h->aux_off[1] = base + 2 * h->slots * 8;
		h->data_off = base + 4 * h->slots * 8;
		bytes = h->data_off + h->capacity * elem_size;
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
		*lfk__ring_mpmc_slot(r, first + i, r->hdr.elem_words) = first + i;
	r->head = r->tail = first;
}

/*
 * An index ring whose positions start at `first`, holding indices
 * 0..filled-1 at the first positions.  Every other entry carries the cycle
 * before `first`'s, so the first lap's producers see it as free and its
 * consumers as empty.
 */
static void scq_init(const struct lfk_ring_hdr *h, struct lfk__scq *q,
		     uint64_t *entries, uint64_t first, uint64_t filled)
{
	uint64_t stale = lfk__scq_cycle(h, first - 2 * h->slots);
	for (uint64_t i = 0; i < 2 * h->slots; i++)
		entries[lfk__scq_remap(h, first + i)] =
			stale | lfk__scq_safe(h) | lfk__scq_bot(h);
	for (uint64_t i = 0; i < filled; i++)
		entries[lfk__scq_remap(h, first + i)] =
			lfk__scq_cycle(h, first + i) | lfk__scq_safe(h) | i;
	q->head = first;
	q->tail = first + filled;
	q->threshold = filled ? (uint64_t)lfk__scq_threshold_full(h)
			      : (uint64_t)-1;
}

static void lfmpmc_init(struct lfk_ring_lfmpmc *r, uint64_t first)
{
	scq_init(&r->hdr, &r->aq, lfk__scq_entries(r, 0), first, 0);
	scq_init(&r->hdr, &r->fq, lfk__scq_entries(r, 1), first,
		 r->hdr.capacity);
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

static int ring_create(enum lfk_ring_kind kind, size_t capacity,
		       size_t elem_size, void **out)
{
	struct lfk_ring_hdr h;
	size_t bytes;
	void *mem;
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	bytes = lfk__ring_layout(kind, capacity, elem_size, &h);
	if (bytes == 0)
		return -EINVAL;
	mem = aligned_alloc(LFK_RING_ALIGN, bytes);
	if (mem == NULL)
		return -ENOMEM;
	rc = lfk__ring_init(kind, mem, capacity, elem_size, 0);
	if (rc != 0) {
		free(mem);
		return rc;
	}
	*out = mem;
	return 0;
}

#define LFK_RING_DEFINE_LIFECYCLE(K, KIND)                                     \
	size_t lfk_ring_##K##_size(size_t capacity, size_t elem_size)          \
	{                                                                      \
		struct lfk_ring_hdr h;                                         \
		return lfk__ring_layout(KIND, capacity, elem_size, &h);             \
	}                                                                      \
	int lfk_ring_##K##_init(void *mem, size_t capacity, size_t elem_size)  \
	{                                                                      \
		return lfk__ring_init(KIND, mem, capacity, elem_size, 0);           \
	}                                                                      \
	int lfk_ring_##K##_init_at(void *mem, size_t capacity,                 \
				   size_t elem_size, uint64_t first_index)     \
	{                                                                      \
		return lfk__ring_init(KIND, mem, capacity, elem_size, first_index); \
	}                                                                      \
	int lfk_ring_##K##_create(size_t capacity, size_t elem_size,           \
				  struct lfk_ring_##K **out)                   \
	{                                                                      \
		return ring_create(KIND, capacity, elem_size, (void **)out);   \
	}                                                                      \
	void lfk_ring_##K##_destroy(struct lfk_ring_##K *r)                    \
	{                                                                      \
		free(r);                                                       \
	}

LFK_RING_DEFINE_LIFECYCLE(spsc, LFK_RING_SPSC)
LFK_RING_DEFINE_LIFECYCLE(mpmc, LFK_RING_MPMC)
LFK_RING_DEFINE_LIFECYCLE(lfmpmc, LFK_RING_LFMPMC)

size_t lfk_ring_lfmpmc_count(const struct lfk_ring_lfmpmc *r)
{
	const uint64_t *entries;
	uint64_t bot, n = 0;
	if (r == NULL)
		return 0;
	entries = (const uint64_t *)((const char *)r + r->hdr.aux_off[0]);
	bot = lfk__scq_bot(&r->hdr);
	for (uint64_t i = 0; i < 2 * r->hdr.slots; i++)
		if ((lfk_atomic_load_u64(&entries[i], LFK_RELAXED) & bot) != bot)
			n++;
	return (size_t)lfk__ring_min((size_t)n, r->hdr.capacity);
}
