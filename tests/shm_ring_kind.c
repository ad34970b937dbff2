/* SPDX-License-Identifier: MIT */
/*
 * A ring of one kind used as another: attach by the wrong kind fails, and
 * the calls that check the kind - the exported symbols, and the inline calls
 * in an LFK_DEBUG build (this file is one) - refuse with -EINVAL instead of
 * losing the item.
 */
#define LFK_DEBUG 1 /* before any lfkit header: inline calls check the kind */

#include "shm_scenarios.h"

#include <errno.h>
#include <lfkit/shm.h>
#include <unistd.h>

#include "ring_symbol_calls.h"

int lfk_scn_ring_of_wrong_kind_refused(void)
{
	char name[64];
	struct lfk_shm *s;
	struct lfk_ring_lfmpmc *lf;
	struct lfk_ring_spsc *sp;
	struct lfk_ring_mpmc *mp;
	uint64_t v = 0, rec = 7;
	snprintf(name, sizeof(name), "/lfk-test-kind-%ld", (long)getpid());
	if (lfk_shm_create(name, 1 << 20, 0600, &s) != 0)
		return 1;
	LFK_CHECK(lfk_shm_ring_lfmpmc_create(s, "lf", 16, 8, &lf) == 0,
		  "create");
	LFK_CHECK(lfk_shm_ring_spsc_attach(s, "lf", &sp) == -EPROTO && !sp,
		  "an lfmpmc ring attached as spsc");
	LFK_CHECK(lfk_shm_ring_mpmc_attach(s, "lf", &mp) == -EPROTO && !mp,
		  "an lfmpmc ring attached as mpmc");
	LFK_CHECK(lfk_shm_ring_lfmpmc_attach(s, "lf", &lf) == 0, "attach");
	/* The exported symbols, as another language calls them. */
	LFK_CHECK(lfk_test_symbol_spsc_enqueue(lf, 42) == -EINVAL,
		  "spsc enqueue symbol on an lfmpmc ring");
	LFK_CHECK(lfk_test_symbol_spsc_dequeue(lf, &v) == -EINVAL,
		  "spsc dequeue symbol on an lfmpmc ring");
	LFK_CHECK(lfk_test_symbol_mpmc_enqueue_rec(lf, &rec) == -EINVAL,
		  "mpmc enqueue_rec symbol on an lfmpmc ring");
	LFK_CHECK(lfk_test_symbol_mpmc_dequeue_burst(lf, &v, 1) == 0,
		  "mpmc dequeue_burst symbol on an lfmpmc ring");
	/* The inline calls of an LFK_DEBUG build. */
	sp = (struct lfk_ring_spsc *)(void *)lf;
	LFK_CHECK(lfk_ring_spsc_enqueue(sp, 42) == -EINVAL,
		  "debug inline spsc enqueue on an lfmpmc ring");
	LFK_CHECK(lfk_ring_spsc_enqueue_rec(sp, &rec) == -EINVAL,
		  "debug inline spsc enqueue_rec on an lfmpmc ring");
	/* Nothing went in or got lost: the ring is empty, and works. */
	LFK_CHECK(lfk_ring_lfmpmc_count(lf) == 0, "items went in");
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(lf, 5) == 0 &&
			  lfk_ring_lfmpmc_dequeue(lf, &v) == 0 && v == 5,
		  "the ring after the refused calls");
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}
