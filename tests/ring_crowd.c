/* SPDX-License-Identifier: MIT */
/*
 * lfmpmc with crowds parked mid-operation (ring_park.h): hundreds of
 * threads stopped with head (tail) not moved, which every later call must
 * pass, with the capacity exact and nothing lost or doubled.
 */
#define LFK_RING_TEST_HOOKS 1 /* before ring.h: the ring calls below park */

#include "ring_scenarios.h"

#include <errno.h>
#include <stdlib.h>

#include "ring_helpers.h"
#include "ring_park.h"

/* Starts a thread running fn(id) with a small stack (crowds are large);
 * false if it cannot. */
static bool start_small(pthread_t *tid, void *(*fn)(void *), int *id)
{
	pthread_attr_t attr;
	bool ok;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 16);
	ok = pthread_create(tid, &attr, fn, id) == 0;
	pthread_attr_destroy(&attr);
	return ok;
}

/*
 * A crowd parked mid-operation, each with its index not yet moved, so
 * that head (then tail) lags by CROWD positions: every later call must
 * pass them, the capacity stays exact (capacity below the slot count:
 * the producers' check counts the crowd's taken entries as free), and
 * nothing is lost or doubled.
 */
#define CROWD 400
#define CROWD_CAP 500 /* 512 slots */

struct crowd {
	struct lfk_ring_lfmpmc *ring;
	bool producers;
	int rc[CROWD];
	int me[CROWD];
	uint64_t item[CROWD];
};

static struct crowd *crowd;

static void *crowd_main(void *arg)
{
	int me = *(int *)arg;
	if (crowd->producers) {
		park_point = LFK_HOOK_LFMPMC_ENQ_SLOT;
		crowd->rc[me] =
			lfk_ring_lfmpmc_enqueue(crowd->ring, crowd->item[me]);
	} else {
		park_point = LFK_HOOK_LFMPMC_DEQ_SLOT;
		crowd->rc[me] =
			lfk_ring_lfmpmc_dequeue(crowd->ring, &crowd->item[me]);
	}
	park_point = -1;
	return NULL;
}

/* Starts the crowd one at a time (each passes the positions of those
 * before it) and waits until each is parked; how many started. */
static int crowd_park(pthread_t *tid)
{
	int started = 0;
	park_reset();
	for (; started < CROWD; started++) {
		crowd->me[started] = started;
		if (!start_small(&tid[started], crowd_main,
				 &crowd->me[started]) ||
		    !park_wait((uint64_t)started + 1,
			       lfk_now_ns() + 30000000000ull))
			break;
	}
	LFK_CHECK(started == CROWD, "parked %d of %d threads", started, CROWD);
	return started;
}

static void crowd_release(pthread_t *tid, int started)
{
	park_release(1);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < started; i++)
		LFK_CHECK(crowd->rc[i] == 0, "member %d: %d", i, crowd->rc[i]);
}

/* CROWD consumers parked holding the items 0 .. CROWD-1. */
static void crowd_of_consumers(void)
{
	pthread_t tid[CROWD];
	uint64_t n, seen = 0;
	int started;
	crowd->producers = false;
	for (uint64_t i = 0; i < CROWD; i++)
		lfk_ring_lfmpmc_enqueue(crowd->ring, i);
	started = crowd_park(tid);
	LFK_CHECK(lfk_ring_lfmpmc_count(crowd->ring) == 0,
		  "count %zu with the crowd's items taken",
		  lfk_ring_lfmpmc_count(crowd->ring));
	n = lfmpmc_fill(crowd->ring);
	LFK_CHECK(n == CROWD_CAP, "accepted %llu beside %d parked consumers",
		  (unsigned long long)n, started);
	lfmpmc_drain(crowd->ring, CROWD_CAP);
	crowd_release(tid, started);
	for (int i = 0; i < started; i++)
		seen |= crowd->item[i] < 64 ? 1ull << crowd->item[i] : 0;
	LFK_CHECK(seen == ~0ull, "the crowd's first 64 items, each once");
}

/* CROWD producers parked after publishing the items 1000 + i. */
static void crowd_of_producers(void)
{
	pthread_t tid[CROWD];
	uint64_t x, sum = 0, n;
	int started;
	crowd->producers = true;
	for (int i = 0; i < CROWD; i++)
		crowd->item[i] = 1000 + (uint64_t)i;
	started = crowd_park(tid);
	LFK_CHECK(lfk_ring_lfmpmc_count(crowd->ring) == (size_t)started,
		  "count %zu with %d items published",
		  lfk_ring_lfmpmc_count(crowd->ring), started);
	n = lfmpmc_fill(crowd->ring);
	LFK_CHECK(n == CROWD_CAP - (uint64_t)started,
		  "accepted %llu beside %d parked producers",
		  (unsigned long long)n, started);
	for (int i = 0; i < started; i++) {
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(crowd->ring, &x) == 0 &&
				  x >= 1000,
			  "crowd item %d", i);
		sum += x;
	}
	LFK_CHECK(sum == 1000ull * (uint64_t)started +
				  (uint64_t)started * (uint64_t)(started - 1) /
					  2,
		  "the crowd's items, each once");
	lfmpmc_drain(crowd->ring, n);
	crowd_release(tid, started);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(crowd->ring, &x) == -EAGAIN,
		  "empty at the end");
}

int lfk_scn_lfmpmc_crowd_parked(void)
{
	crowd = calloc(1, sizeof(*crowd));
	if (crowd == NULL ||
	    lfk_ring_lfmpmc_create(CROWD_CAP, 8, &crowd->ring) != 0)
		return 1;
	crowd_of_consumers();
	crowd_of_producers();
	lfk_ring_lfmpmc_destroy(crowd->ring);
	free(crowd);
	crowd = NULL;
	return 0;
}
