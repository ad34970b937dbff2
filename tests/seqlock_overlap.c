/* SPDX-License-Identifier: MIT */
/*
 * The overlap of writers and readers in the seqlock module's
 * multi-threaded scenarios (see seqlock_helpers.h).
 */
#include <lfkit/atomic.h>
#include <string.h>

#include "seqlock_helpers.h"

void overlap_init(struct overlap *ov, int writers, int readers, int parts)
{
	memset(ov, 0, sizeof(*ov));
	ov->max_items = lfk_bound_scaled((uint64_t)parts).max_items;
	ov->budget_ns = (uint64_t)(lfk_stress_seconds() * 1e9 / parts);
	ov->writers = writers;
	ov->readers = readers;
}

/* The clock is read at every write (lfk_bound_done reads it every 1024
 * items only, which a writer starved by readers may take seconds to
 * reach), and from the writer's own start (thread start-up on a loaded
 * machine can take longer than a short budget). */
bool overlap_writer_continue(struct overlap *ov, uint64_t done, uint64_t *t0)
{
	uint64_t now = lfk_now_ns();
	if (*t0 == 0)
		*t0 = now;
	if (done < 16 || (done < ov->max_items && now - *t0 < ov->budget_ns))
		return true;
	/* relaxed: a progress counter, read for a decision only */
	return lfk_atomic_load_u32(&ov->readers_warm, LFK_RELAXED) <
		       (uint32_t)ov->readers &&
	       now - *t0 < 2 * ov->budget_ns;
}

void overlap_writer_done(struct overlap *ov)
{
	/* acq_rel: the last writer's stop follows every writer's work */
	if (lfk_atomic_fetch_add_u32(&ov->writers_done, 1, LFK_ACQ_REL) + 1 ==
	    (uint32_t)ov->writers)
		lfk_atomic_store_u32(&ov->stop, 1, LFK_RELAXED);
}

bool overlap_reader_stop(struct overlap *ov, uint64_t done)
{
	if (done == 64)
		lfk_atomic_fetch_add_u32(&ov->readers_warm, 1, LFK_RELAXED);
	/* relaxed: a stop flag; results are joined by the harness */
	return lfk_atomic_load_u32(&ov->stop, LFK_RELAXED) || lfk_failures();
}
