/* SPDX-License-Identifier: MIT */
/* Parking a thread in the middle of a ring operation (see ring_park.h). */
#define LFK_RING_TEST_HOOKS 1 /* before ring.h: the ring calls below park */

#include "ring_park.h"

#include "harness/lfk_test.h"

_Thread_local int park_point = -1;
_Thread_local const int *park_then;
_Thread_local uint64_t park_gate = 1;
uint64_t park_parked, park_released;

void lfk_ring_test_hook(enum lfk_ring_hook_point point)
{
	unsigned spins = 0;
	const uint64_t gate = park_gate;
	if ((int)point != park_point)
		return;
	park_point = -1;
	if (park_then != NULL && *park_then >= 0) {
		park_point = *park_then++;
		park_gate++;
	}
	/* Tells the test we are stopped mid-operation (counts us, for the
	 * tests that park a crowd). */
	lfk_atomic_fetch_add_u64(&park_parked, 1, LFK_RELEASE);
	/* Pairs with the test's release: it is done observing the stall. */
	while (lfk_atomic_load_u64(&park_released, LFK_ACQUIRE) < gate)
		lfk_backoff(&spins);
}

void park_reset(void)
{
	lfk_atomic_store_u64(&park_parked, 0, LFK_RELAXED);
	lfk_atomic_store_u64(&park_released, 0, LFK_RELAXED);
}

void park_release(uint64_t g)
{
	/* Pairs with the hook's acquire: we are done observing. */
	lfk_atomic_store_u64(&park_released, g, LFK_RELEASE);
}

bool park_wait(uint64_t n, uint64_t deadline_ns)
{
	unsigned spins = 0;
	/* Pairs with the hook's release: they are parked. */
	while (lfk_atomic_load_u64(&park_parked, LFK_ACQUIRE) < n) {
		if (lfk_now_ns() > deadline_ns)
			return false;
		lfk_backoff(&spins);
	}
	return true;
}

static void *victim_main(void *arg)
{
	struct victim *v = arg;
	park_point = (int)v->point;
	if (v->burst != NULL)
		v->moved =
			lfk_ring_lfmpmc_enqueue_burst(v->ring, v->burst, v->n);
	else if (v->lock_free)
		v->rc = v->producer
				? lfk_ring_lfmpmc_enqueue(v->ring, v->item)
				: lfk_ring_lfmpmc_dequeue(v->ring, &v->item);
	else
		v->rc = v->producer ? lfk_ring_mpmc_enqueue(v->ring, v->item)
				    : lfk_ring_mpmc_dequeue(v->ring, &v->item);
	return NULL;
}

bool victim_park(struct victim *v, void *r, pthread_t *tid)
{
	v->ring = r;
	park_reset();
	if (pthread_create(tid, NULL, victim_main, v) == 0 &&
	    park_wait(1, lfk_now_ns() + 10000000000ull))
		return true;
	LFK_CHECK(0, "victim did not park");
	return false;
}

void victim_release(pthread_t tid)
{
	park_release(1);
	pthread_join(tid, NULL);
}
