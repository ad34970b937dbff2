/* SPDX-License-Identifier: MIT */
/*
 * What the shared-memory scenario files share: region names unique to the
 * process, and forked producer and consumer children over a region that
 * tally what they moved on a board (a bytes object in the region).
 */
#ifndef LFK_TESTS_SHM_HELPERS_H
#define LFK_TESTS_SHM_HELPERS_H

#include <lfkit/shm.h>

#include "shm_scenarios.h"

/* A region name unique to this process and call. */
const char *region_name(char *buf, size_t len);

#define NPROC 2
struct totals {
	uint64_t count, sum, xor;
};
struct board { /* a bytes object: what each process did */
	struct totals prod[NPROC], cons[NPROC];
	uint64_t producers_done;
	uint64_t
		deadline_ns; /* producers stop here (CLOCK_MONOTONIC); 0: never */
};

/* A new region, named into name[len], holding the lock-free ring "ring"
 * of `capacity` 8-byte items and the board "board" that child_producer and
 * child_consumer attach to (*bd, if bd is not NULL); NULL (nothing left
 * behind) when it cannot be made. */
struct lfk_shm *ring_region_create(char *name, size_t len, size_t capacity,
				   struct lfk_ring_lfmpmc **ring,
				   struct board **bd);

/* Whether a producer about to put item i is out of time: the stress bound
 * in seconds, beside the bound in items.  The clock is read every 64 items. */
bool out_of_time(const struct board *bd, uint64_t i);

/* A child's body: attaches to region `name`, works, and _exits (0: all
 * went well). */
typedef void (*child_fn)(const void *ctx, const char *name, int me,
			 uint64_t items);

/* Producer `me` of the lock-free ring "ring": puts up to `items` items
 * ((me + 1) << 40 | seq) and writes its totals on the board "board". */
void child_producer(const void *ctx, const char *name, int me, uint64_t items);
/* Consumer `me` of "ring": takes items, each producer's in order, until
 * every producer is done and the ring is empty. */
void child_consumer(const void *ctx, const char *name, int me, uint64_t items);

/*
 * Forks NPROC producers and NPROC consumers over the region `name` (each
 * child gets ctx), waits for the producers, calls finish(q) if given (a
 * queue closes: its consumers then stop at -EPIPE), waits for the
 * consumers, and checks that what the consumers wrote on the board adds up
 * to what the producers wrote.
 */
void run_children(const char *name, struct board *bd, child_fn producer,
		  child_fn consumer, const void *ctx, uint64_t items,
		  int (*finish)(void *q), void *q);

#endif
