/* SPDX-License-Identifier: MIT */
/*
 * lfbench ring: the blocking queues' rows.  lfk_queue and its mutex +
 * condition-variable twin are driven the way Python's queue.Queue is used:
 * put blocks (LFK_FOREVER) and get blocks too, with a 1 ms timeout so that
 * a consumer notices the end of a run (the queue is reused from run to run,
 * so nobody closes it).  Waiting is the queue's own job (futex eventcount /
 * condition variables); a timed-out get counts as "empty" for the harness.
 *
 * The ring under lfk_queue: spsc at one producer and one consumer (and for
 * the single-thread pairs), the lock-free lfmpmc otherwise.  lfk_queue_mpmc
 * is the same queue over the Vyukov mpmc ring at every configuration:
 * faster, but a producer stopped between reserve and publish holds up the
 * consumers at its slot (the queue is blocking either way; the ring kind
 * decides what a stalled or dead peer costs, see docs/queue.md).
 */
#include <lfkit/queue.h>
#include <lfkit/ref/queue.h>

#include "bench_ring.h"

static inline int lq_put(struct lfk_queue *q, uint64_t v)
{
	return lfk_queue_put(q, v, LFK_FOREVER);
}

#define GET_TIMEOUT_NS 1000000

static inline int lq_get(struct lfk_queue *q, uint64_t *v)
{
	return lfk_queue_get(q, v, GET_TIMEOUT_NS);
}

LFK_RING_PUMP_SINGLES(lq, struct lfk_queue, lq_put, lq_get)
LFK_RING_PUMP_DEFINE(lq, struct lfk_queue, lq_put, lq_get, lq_putn, lq_getn,
		     NULL)

static int lq_create(const struct lfb_ring_geom *g, void **q)
{
	enum lfk_ring_kind kind = g->producers <= 1 && g->consumers <= 1
					  ? LFK_RING_SPSC
					  : LFK_RING_LFMPMC;
	return lfk_queue_create(kind, g->capacity, 8, (struct lfk_queue **)q);
}

static int lq_mpmc_create(const struct lfb_ring_geom *g, void **q)
{
	return lfk_queue_create(LFK_RING_MPMC, g->capacity, 8,
				(struct lfk_queue **)q);
}

static void lq_destroy(void *q)
{
	lfk_queue_destroy(q);
}

static inline int rq_put(struct lfk_ref_queue *q, uint64_t v)
{
	return lfk_ref_queue_put(q, v, LFK_FOREVER);
}

static inline int rq_get(struct lfk_ref_queue *q, uint64_t *v)
{
	return lfk_ref_queue_get(q, v, GET_TIMEOUT_NS);
}

LFK_RING_PUMP_SINGLES(rq, struct lfk_ref_queue, rq_put, rq_get)
LFK_RING_PUMP_DEFINE(rq, struct lfk_ref_queue, rq_put, rq_get, rq_putn, rq_getn,
		     NULL)

static int rq_create(const struct lfb_ring_geom *g, void **q)
{
	return lfk_ref_queue_create(g->capacity, 8, (struct lfk_ref_queue **)q);
}

static void rq_destroy(void *q)
{
	lfk_ref_queue_destroy(q);
}

const struct lfb_ring_impl lfb_queue_impls[] = {
	{ .name = "lfk_queue",
	  .multi = true,
	  .create = lq_create,
	  .destroy = lq_destroy,
	  .pump = &lq_pump },
	{ .name = "lfk_queue_mpmc",
	  .multi = true,
	  .create = lq_mpmc_create,
	  .destroy = lq_destroy,
	  .pump = &lq_pump },
	{ .name = "ref_queue",
	  .multi = true,
	  .create = rq_create,
	  .destroy = rq_destroy,
	  .pump = &rq_pump },
	{ .name = NULL },
};
