/* SPDX-License-Identifier: MIT */
/*
 * The rings' bad input: every kind (and the twin) refuses bad geometry,
 * NULL pointers and the u64 calls on a ring of records; the placement calls
 * refuse bad sizes and misaligned or NULL memory; an mpmc or lfmpmc ring
 * whose shared slots are damaged returns instead of spinning.
 */
#include "ring_scenarios.h"

#include <errno.h>
#include <lfkit/ring.h>
#include <stdlib.h>

#include "harness/lfk_cases.h"
#include "ring_helpers.h"

/* ---- every kind ------------------------------------------------------- */

struct kind_ctx {
	const struct lfk_ring_ops *ops;
	void *rec_ring; /* capacity 4, 16-byte records */
};

/* create()'s result; a failure must leave the out-pointer NULL. */
static long create_rc(const struct lfk_ring_ops *ops, size_t cap, size_t es)
{
	void *r = (void *)1;
	int rc = ops->create(cap, es, &r);
	if (rc == 0)
		ops->destroy(r);
	return rc == 0 || r == NULL ? rc : LFK_CASE_SIDE_EFFECT;
}

static long create_cap(void *ctx, uint64_t cap)
{
	return create_rc(((struct kind_ctx *)ctx)->ops, (size_t)cap, 8);
}

static long create_elem(void *ctx, uint64_t elem_size)
{
	return create_rc(((struct kind_ctx *)ctx)->ops, 4, (size_t)elem_size);
}

static long create_null_out(void *ctx, uint64_t arg)
{
	(void)arg;
	return ((struct kind_ctx *)ctx)->ops->create(4, 8, NULL);
}

static long enqueue_u64(void *ctx, uint64_t on_rec)
{
	struct kind_ctx *c = ctx;
	return c->ops->enqueue(on_rec ? c->rec_ring : NULL, 7);
}

static long dequeue_u64(void *ctx, uint64_t on_rec)
{
	struct kind_ctx *c = ctx;
	uint64_t v = 1;
	return c->ops->dequeue(on_rec ? c->rec_ring : NULL, &v);
}

static long enqueue_burst_u64_on_rec(void *ctx, uint64_t arg)
{
	struct kind_ctx *c = ctx;
	uint64_t v = 1;
	(void)arg;
	return (long)c->ops->enqueue_burst(c->rec_ring, &v, 1);
}

static long enqueue_rec_null(void *ctx, uint64_t arg)
{
	struct kind_ctx *c = ctx;
	(void)arg;
	return c->ops->enqueue_rec(c->rec_ring, NULL);
}

static long dequeue_rec_null(void *ctx, uint64_t arg)
{
	struct kind_ctx *c = ctx;
	(void)arg;
	return c->ops->dequeue_rec(c->rec_ring, NULL);
}

/* A good record after the refusals: taken, and the only item in. */
static long enqueue_rec_counts(void *ctx, uint64_t arg)
{
	struct kind_ctx *c = ctx;
	const uint64_t rec[2] = { 1, 2 };
	int rc = c->ops->enqueue_rec(c->rec_ring, rec);
	(void)arg;
	return rc != 0 || c->ops->count(c->rec_ring) == 1
		       ? rc
		       : LFK_CASE_SIDE_EFFECT;
}

static long null_ring_geometry(void *ctx, uint64_t arg)
{
	const struct lfk_ring_ops *ops = ((struct kind_ctx *)ctx)->ops;
	(void)arg;
	return (long)(ops->count(NULL) + ops->capacity(NULL));
}

static const struct lfk_case kind_rows[] = {
	{ "capacity 0", create_cap, 0, -EINVAL },
	{ "capacity max + 1", create_cap, LFK_RING_MAX_CAPACITY + 1, -EINVAL },
	{ "capacity SIZE_MAX", create_cap, SIZE_MAX, -EINVAL },
	{ "elem_size 0", create_elem, 0, -EINVAL },
	{ "elem_size 4", create_elem, 4, -EINVAL },
	{ "elem_size 12", create_elem, 12, -EINVAL },
	{ "elem_size max + 8", create_elem, LFK_RING_MAX_ELEM_SIZE + 8,
	  -EINVAL },
	{ "NULL out", create_null_out, 0, -EINVAL },
	{ "u64 enqueue on 16-byte records", enqueue_u64, 1, -EINVAL },
	{ "u64 dequeue on 16-byte records", dequeue_u64, 1, -EINVAL },
	{ "u64 burst on 16-byte records", enqueue_burst_u64_on_rec, 0, 0 },
	{ "NULL rec enqueue", enqueue_rec_null, 0, -EINVAL },
	{ "NULL rec dequeue", dequeue_rec_null, 0, -EINVAL },
	{ "rec enqueue, then count 1", enqueue_rec_counts, 0, 0 },
	{ "enqueue on a NULL ring", enqueue_u64, 0, -EINVAL },
	{ "dequeue on a NULL ring", dequeue_u64, 0, -EINVAL },
	{ "count and capacity of a NULL ring", null_ring_geometry, 0, 0 },
};

/* ---- placement -------------------------------------------------------- */

/* An aligned block with room for an lfmpmc ring of 16 u64 items. */
struct place_ctx {
	char *mem;
};

#define NO_MEMORY UINT64_MAX /* the argument that passes NULL memory */

static void *place_at(void *ctx, uint64_t offset)
{
	char *mem = ((struct place_ctx *)ctx)->mem;
	return offset == NO_MEMORY ? NULL : mem + offset;
}

static long bad_sizes(void *ctx, uint64_t which)
{
	(void)ctx;
	switch (which) {
	case 0:
		return (long)lfk_ring_spsc_size(0, 8);
	case 1:
		return (long)lfk_ring_mpmc_size(3, 12);
	default:
		return (long)lfk_ring_lfmpmc_size(LFK_RING_MAX_CAPACITY + 1, 8);
	}
}

static long init_spsc(void *ctx, uint64_t offset)
{
	return lfk_ring_spsc_init(place_at(ctx, offset), 16, 8);
}

static long init_mpmc(void *ctx, uint64_t offset)
{
	return lfk_ring_mpmc_init(place_at(ctx, offset), 16, 8);
}

static long init_lfmpmc(void *ctx, uint64_t offset)
{
	return lfk_ring_lfmpmc_init(place_at(ctx, offset), 16, 8);
}

static const struct lfk_case place_rows[] = {
	{ "spsc size of capacity 0", bad_sizes, 0, 0 },
	{ "mpmc size of elem_size 12", bad_sizes, 1, 0 },
	{ "lfmpmc size of capacity max + 1", bad_sizes, 2, 0 },
	{ "spsc init on misaligned memory", init_spsc, 8, -EINVAL },
	{ "mpmc init on misaligned memory", init_mpmc, 64, -EINVAL },
	{ "lfmpmc init on misaligned memory", init_lfmpmc, 8, -EINVAL },
	{ "spsc init on NULL memory", init_spsc, NO_MEMORY, -EINVAL },
	{ "lfmpmc init on NULL memory", init_lfmpmc, NO_MEMORY, -EINVAL },
	{ "lfmpmc init on aligned memory", init_lfmpmc, 0, 0 },
};

int lfk_scn_bad_input(void)
{
	struct place_ctx place;
	for (size_t k = 0; k < RING_NKINDS; k++) {
		struct kind_ctx c = { ring_kinds[k], NULL };
		if (c.ops->create(4, 16, &c.rec_ring) != 0) {
			LFK_CHECK(0, "%s: create", c.ops->name);
			continue;
		}
		LFK_CHECK_CASES(kind_rows, &c, NULL, c.ops->name);
		c.ops->destroy(c.rec_ring);
	}
	place.mem = aligned_alloc(LFK_RING_ALIGN,
				  lfk_ring_lfmpmc_size(16, 8) + LFK_RING_ALIGN);
	if (place.mem == NULL)
		return 1;
	LFK_CHECK_CASES(place_rows, &place, NULL, "placement");
	free(place.mem);
	return 0;
}

/* ---- a damaged shared region ----------------------------------------- */

/*
 * A damaged shared region: a slot whose sequence is ahead of the index
 * that reaches it (as if another producer or consumer had taken that
 * position) while the index never moves.  enqueue and dequeue used to
 * re-read the index forever; they must report -EAGAIN.  The harness's
 * timeout turns a hang into a failure.
 */
int lfk_scn_mpmc_damaged_slot_returns(void)
{
	struct lfk_ring_mpmc *r;
	uint64_t x;
	if (lfk_ring_mpmc_create(4, 8, &r) != 0)
		return 1;
	/* The slot of tail (position 0) says position 2's item is in. */
	lfk_atomic_store_u64(lfk__ring_mpmc_slot(r, 0, 1), 3, LFK_RELAXED);
	LFK_CHECK(lfk_ring_mpmc_enqueue(r, 1) == -EAGAIN,
		  "enqueue at a slot ahead of tail");
	/* Sound again, one item in; then the slot of head (position 0) says
	 * a later lap's item is in. */
	lfk_atomic_store_u64(lfk__ring_mpmc_slot(r, 0, 1), 0, LFK_RELAXED);
	LFK_CHECK(lfk_ring_mpmc_enqueue(r, 1) == 0, "enqueue after the fix");
	lfk_atomic_store_u64(lfk__ring_mpmc_slot(r, 0, 1), 9, LFK_RELAXED);
	LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == -EAGAIN,
		  "dequeue at a slot ahead of head");
	lfk_ring_mpmc_destroy(r);
	return 0;
}

/*
 * A damaged shared region: an entry whose sequence is no state its
 * position can be in, while the index that reaches it never moves.
 * enqueue and dequeue must report -EAGAIN, not spin (the harness's timeout
 * turns a hang into a failure).
 */
int lfk_scn_lfmpmc_damaged_entry_returns(void)
{
	struct lfk_ring_lfmpmc *r;
	uint64_t x;
	if (lfk_ring_lfmpmc_create(4, 8, &r) != 0)
		return 1;
	/* Position 0's entry says 3: neither free (0) nor filled (1, 4, 5). */
	lfk_atomic_store_u64(&lfk__lfq_entry(r, 0, 0)->lo, 3, LFK_RELAXED);
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(r, 1) == -EAGAIN,
		  "enqueue at a damaged entry");
	lfk_atomic_store_u64(&lfk__lfq_entry(r, 0, 0)->lo, 0, LFK_RELAXED);
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(r, 1) == 0, "enqueue after the fix");
	/* Now position 0 holds an item (1); say 3 instead: not taken (4, 5). */
	lfk_atomic_store_u64(&lfk__lfq_entry(r, 0, 0)->lo, 3, LFK_RELAXED);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == -EAGAIN,
		  "dequeue at a damaged entry");
	lfk_ring_lfmpmc_destroy(r);
	return 0;
}
