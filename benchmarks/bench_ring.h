/* SPDX-License-Identifier: MIT */
/*
 * lfbench ring: the implementation table.  Each row is one queue the ring
 * benchmark races: how to create and destroy it, and its pump (the
 * producer, consumer and pair loops with its operations inlined, see
 * tests/harness/ring_pump.h).  lfkit's rings and their mutex twin take all
 * three from their entry in the ring operations table
 * (tests/harness/ring_ops.h); the peers (bench_ring_peers.c) bring their own.
 */
#ifndef LFB_BENCH_RING_H
#define LFB_BENCH_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/harness/ring_ops.h"
#include "tests/harness/ring_pump.h"

/* What a queue is created for: the largest run it will carry. */
struct lfb_ring_geom {
	size_t capacity; /* items (the same for every bounded queue) */
	int producers, consumers;
	uint64_t per_producer; /* items a producer puts at most in one run;
				  0: the queue serves pair loops only */
};

struct lfb_ring_impl {
	const char *name; /* the CSV impl column */
	/* lfkit rings and twins: everything comes from the ops table. */
	const struct lfk_ring_ops *ops;
	/* Others (ops NULL): */
	bool multi; /* several producers and consumers allowed */
	int (*create)(const struct lfb_ring_geom *g, void **q);
	void (*destroy)(void *q);
	const struct lfk_ring_pump *pump;
};

/* The blocking queues (bench_queue_rows.c): lfk_queue and its twin, ended
 * by a row with name NULL. */
extern const struct lfb_ring_impl lfb_queue_impls[];

/* The peers that this build has (ConcurrencyKit, liburcu), ended by a row
 * with name NULL. */
extern const struct lfb_ring_impl lfb_ring_peers[];

#endif
