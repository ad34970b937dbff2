/* SPDX-License-Identifier: MIT */
/*
 * The ring benchmark's peers: ConcurrencyKit's ck_ring (spsc and mpmc) and
 * liburcu's wait-free concurrent queue (cds_wfcq), each behind the pump
 * loops of tests/harness/ring_pump.h, through the peer's own inline API.
 * A build without a peer library has no rows for it.
 */
#include <stdlib.h>
#include <string.h>

#include "bench_ring.h"

#ifdef LFB_HAVE_URCU
#define _LGPL_SOURCE /* the inline (static) API of cds_wfcq */
#include <urcu/wfcqueue.h>
#endif
#ifdef LFB_HAVE_CK
#include <ck_ring.h>
#endif

/* The peers' hot fields get lines of their own, as the rings' do. */
#define PEER_ALIGN (2 * LFK_CACHELINE)

#if defined(LFB_HAVE_CK) || defined(LFB_HAVE_URCU)
static void *peer_alloc(size_t bytes)
{
	void *p = aligned_alloc(PEER_ALIGN, (bytes + PEER_ALIGN - 1) /
						    PEER_ALIGN * PEER_ALIGN);
	if (p != NULL)
		memset(p, 0, bytes);
	return p;
}
#endif

#ifdef LFB_HAVE_CK
/*
 * ck_ring stores pointers; our u64 items travel as uintptr_t.  Its size
 * must be a power of two and it holds size - 1 items: we give it the
 * smallest power of two >= capacity (1024 for the benchmark: 1023 items).
 * ck_ring has no burst calls: bursts are loops of single calls.
 */
struct ck_q {
	struct ck_ring ring;
	ck_ring_buffer_t *buf;
};

static int ck_create(const struct lfb_ring_geom *g, void **out)
{
	unsigned size = 2;
	struct ck_q *q = peer_alloc(sizeof(*q));
	while (size < g->capacity)
		size *= 2;
	if (q == NULL)
		return -ENOMEM;
	q->buf = peer_alloc(size * sizeof(*q->buf));
	if (q->buf == NULL) {
		free(q);
		return -ENOMEM;
	}
	ck_ring_init(&q->ring, size);
	*out = q;
	return 0;
}

static void ck_destroy(void *p)
{
	struct ck_q *q = p;
	free(q->buf);
	free(q);
}

/* put/get and the pump of ck_ring's K (spsc or mpmc) calls. */
#define CK_PEER(K)                                                             \
	static inline int ck_##K##_put(struct ck_q *q, uint64_t v)             \
	{                                                                      \
		return ck_ring_enqueue_##K(&q->ring, q->buf,                   \
					   (void *)(uintptr_t)v)               \
			       ? 0                                             \
			       : -EAGAIN;                                      \
	}                                                                      \
	static inline int ck_##K##_get(struct ck_q *q, uint64_t *v)            \
	{                                                                      \
		void *p;                                                       \
		if (!ck_ring_dequeue_##K(&q->ring, q->buf, &p))                \
			return -EAGAIN;                                        \
		*v = (uintptr_t)p;                                             \
		return 0;                                                      \
	}                                                                      \
	LFK_RING_PUMP_SINGLES(ck_##K, struct ck_q, ck_##K##_put, ck_##K##_get) \
	LFK_RING_PUMP_DEFINE(ck_##K, struct ck_q, ck_##K##_put, ck_##K##_get,  \
			     ck_##K##_putn, ck_##K##_getn, NULL)

CK_PEER(spsc)
CK_PEER(mpmc)
#endif

#ifdef LFB_HAVE_URCU
/*
 * cds_wfcq is an unbounded linked queue: every item is a node.  The nodes
 * are allocated when the queue is created, one per item a run can move
 * (producer id's item seq is node id * stride + seq - 1), and reused by
 * every run; the pair loop reuses a single node.  Enqueue is wait-free;
 * dequeue is the non-blocking form (it reports "would block" while an
 * enqueuer is between its two steps: we treat that as empty), under the
 * queue's dequeue lock when there are several consumers (cds_wfcq requires
 * mutual exclusion among dequeuers), without it for a single consumer.
 * The queue never reports full, so capacity does not bound it.
 */
struct urcu_node {
	struct cds_wfcq_node node;
	uint64_t v;
};

struct urcu_q {
	struct cds_wfcq_head head __attribute__((aligned(PEER_ALIGN)));
	struct cds_wfcq_tail tail __attribute__((aligned(PEER_ALIGN)));
	struct urcu_node *nodes __attribute__((aligned(PEER_ALIGN)));
	uint64_t stride, seq_mask;
	bool locked;
};

static int urcu_create(const struct lfb_ring_geom *g, void **out)
{
	struct urcu_q *q = peer_alloc(sizeof(*q));
	uint64_t per = g->per_producer ? g->per_producer : 1;
	if (q == NULL)
		return -ENOMEM;
	q->nodes = peer_alloc((size_t)(per * (uint64_t)g->producers) *
			      sizeof(*q->nodes));
	if (q->nodes == NULL) {
		free(q);
		return -ENOMEM;
	}
	q->stride = per;
	q->seq_mask = g->per_producer ? UINT64_MAX : 0;
	q->locked = g->consumers > 1;
	cds_wfcq_init(&q->head, &q->tail);
	*out = q;
	return 0;
}

static void urcu_destroy(void *p)
{
	struct urcu_q *q = p;
	cds_wfcq_destroy(&q->head, &q->tail);
	free(q->nodes);
	free(q);
}

static inline int urcu_put(struct urcu_q *q, uint64_t v)
{
	uint64_t id = (v >> LFK_PUMP_SEQ_BITS) - 1,
		 seq = v & ((1ull << LFK_PUMP_SEQ_BITS) - 1);
	struct urcu_node *n =
		&q->nodes[id * q->stride + ((seq - 1) & q->seq_mask)];
	n->v = v;
	cds_wfcq_node_init(&n->node);
	cds_wfcq_enqueue(&q->head, &q->tail, &n->node);
	return 0;
}

static inline int urcu_get(struct urcu_q *q, uint64_t *v)
{
	struct cds_wfcq_node *n;
	if (q->locked) {
		cds_wfcq_dequeue_lock(&q->head, &q->tail);
		n = __cds_wfcq_dequeue_nonblocking(&q->head, &q->tail);
		cds_wfcq_dequeue_unlock(&q->head, &q->tail);
	} else {
		n = __cds_wfcq_dequeue_nonblocking(&q->head, &q->tail);
	}
	if (n == NULL || n == CDS_WFCQ_WOULDBLOCK)
		return -EAGAIN;
	*v = caa_container_of(n, struct urcu_node, node)->v;
	return 0;
}

LFK_RING_PUMP_SINGLES(urcu, struct urcu_q, urcu_put, urcu_get)
LFK_RING_PUMP_DEFINE(urcu, struct urcu_q, urcu_put, urcu_get, urcu_putn,
		     urcu_getn, NULL)
#endif

const struct lfb_ring_impl lfb_ring_peers[] = {
#ifdef LFB_HAVE_CK
	{ .name = "ck_spsc",
	  .multi = false,
	  .create = ck_create,
	  .destroy = ck_destroy,
	  .pump = &ck_spsc_pump },
	{ .name = "ck_mpmc",
	  .multi = true,
	  .create = ck_create,
	  .destroy = ck_destroy,
	  .pump = &ck_mpmc_pump },
#endif
#ifdef LFB_HAVE_URCU
	{ .name = "urcu_wfcq",
	  .multi = true,
	  .create = urcu_create,
	  .destroy = urcu_destroy,
	  .pump = &urcu_pump },
#endif
	{ .name = NULL },
};
