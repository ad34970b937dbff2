/* SPDX-License-Identifier: MIT */
/*
 * The generic ring handle's bad input: unknown kinds, NULL pointers,
 * conversions to another kind, the u64 calls on a ring of records, and a
 * header whose kind is damaged, refused by every call.
 */
#include "ring_scenarios.h"

#include <errno.h>
#include <lfkit/lfkit.h>
#include <stdio.h>
#include <string.h>

#include "harness/lfk_cases.h"
#include "ring_helpers.h"

/* ---- a handle that names no kind --------------------------------------- */

/* The single calls on handle ctx: enqueue, dequeue, their _rec forms. */
static long refuse_single(void *ctx, uint64_t which)
{
	struct lfk_ring *h = ctx;
	uint64_t v[2] = { 1, 2 };
	switch (which) {
	case 0:
		return lfk_ring_enqueue(h, 1);
	case 1:
		return lfk_ring_dequeue(h, v);
	case 2:
		return lfk_ring_enqueue_rec(h, v);
	default:
		return lfk_ring_dequeue_rec(h, v);
	}
}

/* The bursts of two on handle ctx, in the same order. */
static long refuse_burst(void *ctx, uint64_t which)
{
	struct lfk_ring *h = ctx;
	uint64_t v[2] = { 1, 2 };
	switch (which) {
	case 0:
		return (long)lfk_ring_enqueue_burst(h, v, 2);
	case 1:
		return (long)lfk_ring_dequeue_burst(h, v, 2);
	case 2:
		return (long)lfk_ring_enqueue_burst_rec(h, v, 2);
	default:
		return (long)lfk_ring_dequeue_burst_rec(h, v, 2);
	}
}

/* The queries on handle ctx; a conversion gives 1 for a ring. */
static long refuse_query(void *ctx, uint64_t which)
{
	struct lfk_ring *h = ctx;
	switch (which) {
	case 0:
		return (long)lfk_ring_count(h);
	case 1:
		return (long)lfk_ring_capacity(h);
	case 2:
		return (long)lfk_ring_elem_size(h);
	case 3:
		return (long)lfk_ring_kind_of(h);
	case 4:
		return lfk_ring_to_spsc(h) != NULL;
	case 5:
		return lfk_ring_to_mpmc(h) != NULL;
	default:
		return lfk_ring_to_lfmpmc(h) != NULL;
	}
}

/* Every call fails as on a ring whose header names no kind. */
static const struct lfk_case refuse_rows[] = {
	{ "enqueue", refuse_single, 0, -EINVAL },
	{ "dequeue", refuse_single, 1, -EINVAL },
	{ "enqueue_rec", refuse_single, 2, -EINVAL },
	{ "dequeue_rec", refuse_single, 3, -EINVAL },
	{ "enqueue_burst", refuse_burst, 0, 0 },
	{ "dequeue_burst", refuse_burst, 1, 0 },
	{ "enqueue_burst_rec", refuse_burst, 2, 0 },
	{ "dequeue_burst_rec", refuse_burst, 3, 0 },
	{ "count", refuse_query, 0, 0 },
	{ "capacity", refuse_query, 1, 0 },
	{ "elem_size", refuse_query, 2, 0 },
	{ "kind_of", refuse_query, 3, 0 },
	{ "to_spsc", refuse_query, 4, 0 },
	{ "to_mpmc", refuse_query, 5, 0 },
	{ "to_lfmpmc", refuse_query, 6, 0 },
};

/* ---- creating ----------------------------------------------------------- */

/* size and create of kind k: 0 and -EINVAL, out left NULL, for a bad k. */
static long create_kind(void *ctx, uint64_t k)
{
	const enum lfk_ring_kind kind = (enum lfk_ring_kind)(int)k;
	struct lfk_ring *r = (struct lfk_ring *)&r;
	int rc;
	(void)ctx;
	if (lfk_ring_size(kind, 8, 8) != 0)
		return LFK_CASE_SIDE_EFFECT;
	rc = lfk_ring_create(kind, 8, 8, &r);
	if (rc == 0)
		lfk_ring_destroy(r);
	return rc == 0 || r == NULL ? rc : LFK_CASE_SIDE_EFFECT;
}

static long create_null(void *ctx, uint64_t in_place)
{
	(void)ctx;
	return in_place ? lfk_ring_init(NULL, LFK_RING_MPMC, 8, 8)
			: lfk_ring_create(LFK_RING_SPSC, 8, 8, NULL);
}

static const struct lfk_case create_rows[] = {
	{ "kind 0", create_kind, 0, -EINVAL },
	{ "kind 4", create_kind, 4, -EINVAL },
	{ "kind -1", create_kind, (uint64_t)-1, -EINVAL },
	{ "kind 16", create_kind, 16, -EINVAL },
	{ "create into NULL", create_null, 0, -EINVAL },
	{ "init at NULL", create_null, 1, -EINVAL },
};

/* ---- a ring of each kind ---------------------------------------------- */

struct kind_ctx {
	enum lfk_ring_kind kind;
	struct lfk_ring *h; /* u64 items */
	struct lfk_ring *rec; /* 16-byte records */
};

/* Conversion `which` (0 spsc, 1 mpmc, 2 lfmpmc) gives the ring back for
 * its own kind only: 0 when it does, 1 when not. */
static long converts(void *ctx, uint64_t which)
{
	struct kind_ctx *c = ctx;
	bool to = refuse_query(c->h, 4 + which) != 0;
	return to != (c->kind == ring_handle_kinds[which]);
}

static long u64_on_records(void *ctx, uint64_t which)
{
	return refuse_single(((struct kind_ctx *)ctx)->rec, which);
}

static long burst_on_records(void *ctx, uint64_t arg)
{
	uint64_t v = 0;
	(void)arg;
	return (long)lfk_ring_enqueue_burst(((struct kind_ctx *)ctx)->rec, &v,
					    1);
}

static long null_args(void *ctx, uint64_t which)
{
	struct lfk_ring *h = ((struct kind_ctx *)ctx)->h;
	switch (which) {
	case 0:
		return lfk_ring_enqueue(NULL, 1);
	case 1:
		return lfk_ring_dequeue(h, NULL);
	default:
		return (long)lfk_ring_dequeue_burst(h, NULL, 1);
	}
}

static const struct lfk_case kind_rows[] = {
	{ "to_spsc", converts, 0, 0 },
	{ "to_mpmc", converts, 1, 0 },
	{ "to_lfmpmc", converts, 2, 0 },
	{ "u64 enqueue on records", u64_on_records, 0, -EINVAL },
	{ "u64 dequeue on records", u64_on_records, 1, -EINVAL },
	{ "u64 burst on records", burst_on_records, 0, 0 },
	{ "enqueue on NULL", null_args, 0, -EINVAL },
	{ "dequeue into NULL", null_args, 1, -EINVAL },
	{ "dequeue_burst into NULL", null_args, 2, 0 },
};

/* The kind is the header's first word: damaged (as in a damaged shared
 * region), every call refuses the ring; restored, it works again. */
static void check_damaged_kind(struct lfk_ring *h, const char *who)
{
	uint32_t saved, bad = 9;
	uint64_t v = 0;
	memcpy(&saved, h, sizeof(saved));
	memcpy(h, &bad, sizeof(bad));
	LFK_CHECK_CASES(refuse_rows, h, NULL, who);
	memcpy(h, &saved, sizeof(saved));
	LFK_CHECK(lfk_ring_enqueue(h, 7) == 0 && lfk_ring_dequeue(h, &v) == 0 &&
			  v == 7,
		  "%s: works again once restored", who);
}

static void check_kind(enum lfk_ring_kind k)
{
	struct kind_ctx c = { k, NULL, NULL };
	char who[32];
	snprintf(who, sizeof(who), "kind %d", (int)k);
	if (lfk_ring_create(k, 4, 8, &c.h) != 0 ||
	    lfk_ring_create(k, 4, 16, &c.rec) != 0) {
		LFK_CHECK(0, "create %s", who);
		return;
	}
	LFK_CHECK_CASES(kind_rows, &c, NULL, who);
	check_damaged_kind(c.h, who);
	lfk_ring_destroy(c.h);
	lfk_ring_destroy(c.rec);
}

int lfk_scn_any_bad_input(void)
{
	LFK_CHECK_CASES(create_rows, NULL, NULL, "create");
	LFK_CHECK_CASES(refuse_rows, NULL, NULL, "NULL");
	lfk_ring_destroy(NULL);
	for (size_t k = 0; k < RING_NRINGS; k++)
		check_kind(ring_handle_kinds[k]);
	return 0;
}
