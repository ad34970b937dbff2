/* SPDX-License-Identifier: MIT */
/* What several of the rings' scenario files share (ring_helpers.c). */
#ifndef LFK_TESTS_RING_HELPERS_H
#define LFK_TESTS_RING_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include <lfkit/ring.h>

#include "harness/ring_ops.h"

/* Every ring kind and the mutex twin, in that order: the first
 * RING_NRINGS are lfkit's rings (the ones held against the twin). */
#define RING_NKINDS 4
#define RING_NRINGS 3
extern const struct lfk_ring_ops *const ring_kinds[RING_NKINDS];
/* The kinds of the generic handle (struct lfk_ring), in the same order. */
extern const enum lfk_ring_kind ring_handle_kinds[RING_NRINGS];

/* An item of the multi-threaded scenarios: producer p's seq-th, so a
 * consumer can check each producer's order. */
#define RING_ITEM(p, seq) (((uint64_t)(p) << 48) | (seq))

/* lfmpmc rings: puts 0, 1, ... until the ring reports full; how many. */
uint64_t lfmpmc_fill(struct lfk_ring_lfmpmc *r);
/* Takes n items, which must come out as 0 .. n-1 (a failed check if not). */
void lfmpmc_drain(struct lfk_ring_lfmpmc *r, uint64_t n);

#endif
