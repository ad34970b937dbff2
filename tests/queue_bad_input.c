/* SPDX-License-Identifier: MIT */
/*
 * The queue's bad input: bad kinds, capacities, element sizes, flags and
 * memory refused by lfk_queue's size, create and init; then every call of
 * every implementation (lfk_queue on each ring kind, and the twin) refusing
 * NULL pointers, and the u64 calls on a queue of records, without a trace.
 */
#include "queue_scenarios.h"

#include <errno.h>
#include <lfkit/queue.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lfk_cases.h"
#include "queue_helpers.h"

/* ---- lfk_queue's geometry, flags and memory ----------------------------- */

static const struct geometry {
	int kind;
	size_t cap, elem_size;
} geometry[] = {
	{ 0, 4, 8 },
	{ 4, 4, 8 },
	{ LFK_RING_SPSC, 0, 8 },
	{ LFK_RING_MPMC, 4, 0 },
	{ LFK_RING_MPMC, 4, 12 },
	{ LFK_RING_LFMPMC, LFK_RING_MAX_CAPACITY + 1, 8 },
	{ 99, 4, 8 },
};

static long size_of(void *ctx, uint64_t i)
{
	(void)ctx;
	return (long)lfk_queue_size((enum lfk_ring_kind)geometry[i].kind,
				    geometry[i].cap, geometry[i].elem_size);
}

/* create()'s result; a failure must leave the out-pointer NULL. */
static long create_of(void *ctx, uint64_t i)
{
	struct lfk_queue *q = (struct lfk_queue *)&q;
	int rc = lfk_queue_create((enum lfk_ring_kind)geometry[i].kind,
				  geometry[i].cap, geometry[i].elem_size, &q);
	(void)ctx;
	if (rc == 0)
		lfk_queue_destroy(q);
	return rc == 0 || q == NULL ? rc : LFK_CASE_SIDE_EFFECT;
}

static long create_null_out(void *ctx, uint64_t arg)
{
	(void)ctx;
	(void)arg;
	return lfk_queue_create(LFK_RING_MPMC, 4, 8, NULL);
}

/* init in ctx's aligned block: 0 at NULL, 1 misaligned, 2 bad flags,
 * 3 bad kind, 4 shared (good). */
static long init_in(void *ctx, uint64_t which)
{
	char *mem = ctx;
	switch (which) {
	case 0:
		return lfk_queue_init(NULL, LFK_RING_MPMC, 4, 8, 0);
	case 1:
		return lfk_queue_init(mem + 8, LFK_RING_MPMC, 4, 8, 0);
	case 2:
		return lfk_queue_init(mem, LFK_RING_MPMC, 4, 8, 2);
	case 3:
		return lfk_queue_init(mem, (enum lfk_ring_kind)0, 4, 8, 0);
	default:
		return lfk_queue_init(mem, LFK_RING_MPMC, 4, 8,
				      LFK_QUEUE_SHARED);
	}
}

static long null_accessor(void *ctx, uint64_t which)
{
	(void)ctx;
	switch (which) {
	case 0:
		return (long)lfk_queue_kind(NULL);
	case 1:
		return (long)lfk_queue_elem_size(NULL);
	default:
		return (long)lfk_queue_closed(NULL);
	}
}

static const struct lfk_case queue_rows[] = {
	{ "size of kind 0", size_of, 0, 0 },
	{ "size of kind 4", size_of, 1, 0 },
	{ "size of capacity 0", size_of, 2, 0 },
	{ "size of elem 0", size_of, 3, 0 },
	{ "size of elem 12", size_of, 4, 0 },
	{ "size of capacity too big", size_of, 5, 0 },
	{ "create bad kind", create_of, 6, -EINVAL },
	{ "create capacity 0", create_of, 2, -EINVAL },
	{ "create elem 12", create_of, 4, -EINVAL },
	{ "create out NULL", create_null_out, 0, -EINVAL },
	{ "init NULL", init_in, 0, -EINVAL },
	{ "init misaligned", init_in, 1, -EINVAL },
	{ "init bad flags", init_in, 2, -EINVAL },
	{ "init bad kind", init_in, 3, -EINVAL },
	{ "init shared", init_in, 4, 0 },
	{ "kind of NULL", null_accessor, 0, 0 },
	{ "elem_size of NULL", null_accessor, 1, 0 },
	{ "closed of NULL", null_accessor, 2, 0 },
};

/* The queue lfk_queue_init made (rows "init shared") reads back. */
static void check_accessors(struct lfk_queue *q)
{
	LFK_CHECK(lfk_queue_kind(q) == LFK_RING_MPMC &&
			  lfk_queue_elem_size(q) == 8 &&
			  lfk_queue_capacity(q) == 4 && !lfk_queue_closed(q),
		  "accessors");
}

static int check_queue(void)
{
	size_t sz = lfk_queue_size(LFK_RING_MPMC, 4, 8);
	void *mem;
	LFK_CHECK(sz > 0 && sz % LFK_RING_ALIGN == 0, "size %zu", sz);
	mem = aligned_alloc(LFK_RING_ALIGN, sz + LFK_RING_ALIGN);
	if (mem == NULL)
		return 1;
	LFK_CHECK_CASES(queue_rows, mem, NULL, "lfk_queue");
	check_accessors(mem);
	free(mem);
	lfk_queue_destroy(NULL);
	return 0;
}

/* ---- every call, on every implementation ------------------------------ */

struct impl_ctx {
	const struct lfk_queue_ops *o;
	void *q[3]; /* NULL, u64 items (capacity 2), 16-byte records */
};

enum {
	ON_NULL,
	ON_U64,
	ON_REC
};

/* The argument of create_sized: capacity and element size. */
#define SIZED(cap, es) (((uint64_t)(cap) << 32) | (es))

static long create_sized(void *ctx, uint64_t sized)
{
	const struct lfk_queue_ops *o = ((struct impl_ctx *)ctx)->o;
	void *r = NULL;
	int rc = o->create((size_t)(sized >> 32), (size_t)(uint32_t)sized, &r);
	if (rc == 0)
		o->destroy(r);
	return rc;
}

/* The u64 calls on queue q[on]: put (0 and forever), get (into a value or
 * into NULL). */
static long put_now(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	return c->o->put(c->q[on], 1, 0);
}

static long put_forever(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	return c->o->put(c->q[on], 1, LFK_FOREVER);
}

static long get_now(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	uint64_t v = 0;
	return c->o->get(c->q[on], &v, 0);
}

static long get_into_null(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	return c->o->get(c->q[on], NULL, 0);
}

/* The record calls on queue q[on], with a record or with NULL. */
static long put_rec(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	const uint64_t rec[2] = { 1, 2 };
	return c->o->put_rec(c->q[on], rec, 0);
}

static long get_rec(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	uint64_t rec[2] = { 0, 0 };
	return c->o->get_rec(c->q[on], rec, 0);
}

static long put_rec_null(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	return c->o->put_rec(c->q[on], NULL, 0);
}

static long get_rec_null(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	return c->o->get_rec(c->q[on], NULL, 0);
}

/* The record put before, back whole. */
static long get_rec_back(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	uint64_t rec[2] = { 0, 0 };
	int rc = c->o->get_rec(c->q[on], rec, 0);
	return rc != 0 || (rec[0] == 1 && rec[1] == 2) ? rc
						       : LFK_CASE_SIDE_EFFECT;
}

static long close_q(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	return c->o->close(c->q[on]);
}

static long task_done(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	return c->o->task_done(c->q[on]);
}

static long join_now(void *ctx, uint64_t on)
{
	struct impl_ctx *c = ctx;
	return c->o->join(c->q[on], 0);
}

static long geometry_of_null(void *ctx, uint64_t arg)
{
	struct impl_ctx *c = ctx;
	(void)arg;
	return (long)(c->o->count(NULL) + c->o->capacity(NULL));
}

static const struct lfk_case impl_rows[] = {
	{ "create capacity 0", create_sized, SIZED(0, 8), -EINVAL },
	{ "create elem 12", create_sized, SIZED(4, 12), -EINVAL },
	{ "create elem 0", create_sized, SIZED(4, 0), -EINVAL },
	{ "put NULL", put_now, ON_NULL, -EINVAL },
	{ "get NULL", get_now, ON_NULL, -EINVAL },
	{ "put_rec NULL", put_rec, ON_NULL, -EINVAL },
	{ "get_rec NULL", get_rec, ON_NULL, -EINVAL },
	{ "close NULL", close_q, ON_NULL, -EINVAL },
	{ "task_done NULL", task_done, ON_NULL, -EINVAL },
	{ "join NULL", join_now, ON_NULL, -EINVAL },
	{ "count and capacity of NULL", geometry_of_null, 0, 0 },
	{ "get out NULL", get_into_null, ON_U64, -EINVAL },
	{ "put_rec rec NULL", put_rec_null, ON_U64, -EINVAL },
	{ "get_rec rec NULL", get_rec_null, ON_U64, -EINVAL },
	/* A record queue refuses the u64 calls, and the refusal leaves no
	 * trace (no put counted for task_done/join). */
	{ "u64 put on rec", put_now, ON_REC, -EINVAL },
	{ "u64 put(forever) on rec", put_forever, ON_REC, -EINVAL },
	{ "u64 get on rec", get_now, ON_REC, -EINVAL },
	{ "join after refused put", join_now, ON_REC, 0 },
	{ "task_done after refused put", task_done, ON_REC, -EINVAL },
	{ "put_rec", put_rec, ON_REC, 0 },
	{ "get_rec", get_rec_back, ON_REC, 0 },
};

static void check_impl(const struct lfk_queue_ops *o)
{
	struct impl_ctx c = { o, { NULL, NULL, NULL } };
	if (o->create(2, 8, &c.q[ON_U64]) != 0 ||
	    o->create(2, 16, &c.q[ON_REC]) != 0) {
		LFK_CHECK(0, "%s create", o->name);
		return;
	}
	LFK_CHECK_CASES(impl_rows, &c, NULL, o->name);
	o->destroy(c.q[ON_U64]);
	o->destroy(c.q[ON_REC]);
	o->destroy(NULL);
}

int lfk_scn_bad_input(void)
{
	if (check_queue() != 0)
		return 1;
	for (const struct lfk_queue_ops *const *pp = lfk_queue_ops_all; *pp;
	     pp++)
		check_impl(*pp);
	return 0;
}
