/* SPDX-License-Identifier: MIT */
/* What several of the rings' scenario files share. */
#include "ring_helpers.h"

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
