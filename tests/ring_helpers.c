/* SPDX-License-Identifier: MIT */
/* What several of the rings' scenario files share. */
#include "ring_helpers.h"

#include "harness/lfk_test.h"

const struct lfk_ring_ops *const ring_kinds[RING_NKINDS] = {
	&lfk_ring_ops_spsc,
	&lfk_ring_ops_mpmc,
	&lfk_ring_ops_lfmpmc,
	&lfk_ring_ops_ref,
};

const enum lfk_ring_kind ring_handle_kinds[RING_NRINGS] = {
	LFK_RING_SPSC,
	LFK_RING_MPMC,
	LFK_RING_LFMPMC,
};

uint64_t lfmpmc_fill(struct lfk_ring_lfmpmc *r)
{
	uint64_t n;
	for (n = 0; lfk_ring_lfmpmc_enqueue(r, n) == 0; n++)
		;
	return n;
}

void lfmpmc_drain(struct lfk_ring_lfmpmc *r, uint64_t n)
{
	uint64_t x;
	for (uint64_t i = 0; i < n; i++)
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == i,
			  "drain: item %llu", (unsigned long long)i);
}
