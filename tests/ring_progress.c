/* SPDX-License-Identifier: MIT */
/*
 * Progress with one thread parked mid-operation (ring_park.h): lfmpmc is
 * lock-free, so traffic goes on around a parked producer or consumer;
 * mpmc is blocking, and the scenarios show how far; and the stalls that
 * used to hide an item or report full wrongly.
 */
#define LFK_RING_TEST_HOOKS 1 /* before ring.h: the ring calls below park */

#include "ring_scenarios.h"

#include <errno.h>
#include <string.h>

#include "ring_helpers.h"
#include "ring_park.h"

/*
 * Traffic around a parked thread on an lfmpmc ring: np producers move items
 * to nc consumers until each producer has put its share of the items or
 * the time budget is spent, whichever comes first; then the consumers take
 * everything that was put.  Lock-freedom means that goes on while the
 * victim stays parked: items keep moving (some move at all), and a grace
 * period after the budget turns a ring that will not drain into a failure.
 */
#define TRAFFIC_NP 3
#define TRAFFIC_GRACE_NS 5000000000ull

struct traffic {
	struct lfk_ring_lfmpmc *ring;
	struct lfk_bound bound; /* per producer */
	uint64_t deadline; /* bound's time budget + the grace */
	uint64_t put[TRAFFIC_NP]; /* items each producer put */
	uint64_t producers_left LFK_CACHE_ALIGNED;
	uint64_t got LFK_CACHE_ALIGNED;
	uint64_t sum LFK_CACHE_ALIGNED;
	bool stalled;
};

static void traffic_producer(void *arg, int me)
{
	struct traffic *t = arg;
	unsigned spins = 0;
	uint64_t i = 0;
	while (!lfk_bound_done(&t->bound, i)) {
		if (lfk_ring_lfmpmc_enqueue(t->ring, RING_ITEM(me + 1, i)) ==
		    0) {
			i++;
			spins = 0;
		} else {
			lfk_backoff(&spins);
		}
	}
	t->put[me] = i;
	/* Release: pairs with the consumers' acquire; put[me] is final. */
	lfk_atomic_fetch_add_u64(&t->producers_left, (uint64_t)-1, LFK_RELEASE);
}

static uint64_t traffic_put(const struct traffic *t)
{
	uint64_t n = 0;
	for (int p = 0; p < TRAFFIC_NP; p++)
		n += t->put[p];
	return n;
}

static void traffic_consumer(void *arg, int me)
{
	struct traffic *t = arg;
	unsigned spins = 0;
	uint64_t v;
	(void)me;
	for (;;) {
		if (lfk_ring_lfmpmc_dequeue(t->ring, &v) == 0) {
			lfk_atomic_fetch_add_u64(&t->got, 1, LFK_RELAXED);
			lfk_atomic_fetch_add_u64(&t->sum, v, LFK_RELAXED);
			spins = 0;
			continue;
		}
		/* Acquire: pairs with the producers' release, so put[] is
		 * final once none is left. */
		if (lfk_atomic_load_u64(&t->producers_left, LFK_ACQUIRE) == 0 &&
		    lfk_atomic_load_u64(&t->got, LFK_RELAXED) >= traffic_put(t))
			return;
		if (lfk_now_ns() > t->deadline) {
			t->stalled = true;
			return;
		}
		lfk_backoff(&spins);
	}
}

static uint64_t traffic_expected_sum(const struct traffic *t)
{
	uint64_t s = 0;
	for (int p = 0; p < TRAFFIC_NP; p++)
		for (uint64_t i = 0; i < t->put[p]; i++)
			s += RING_ITEM(p + 1, i);
	return s;
}

static void traffic_run(struct lfk_ring_lfmpmc *ring, const char *what)
{
	struct traffic t;
	memset(&t, 0, sizeof(t));
	t.ring = ring;
	t.bound = lfk_bound_scaled(20);
	t.deadline = t.bound.deadline_ns + TRAFFIC_GRACE_NS;
	t.producers_left = TRAFFIC_NP;
	lfk_run_threads2(TRAFFIC_NP, traffic_producer, 3, traffic_consumer, &t);
	LFK_CHECK(
		!t.stalled && traffic_put(&t) > 0 && t.got == traffic_put(&t) &&
			t.sum == traffic_expected_sum(&t),
		"lfmpmc with a %s parked: %llu of %llu items moved%s", what,
		(unsigned long long)t.got, (unsigned long long)traffic_put(&t),
		t.stalled ? " (stalled)" : "");
}

/*
 * A producer parked after publishing, before it moves tail: its item is in
 * the ring and first out, the others pass its position (tail lags), the
 * ring keeps its whole capacity, and nobody waits for the victim.
 */
int lfk_scn_progress_lfmpmc_producer_parked(void)
{
	struct lfk_ring_lfmpmc *r;
	struct victim v = { LFK_HOOK_LFMPMC_ENQ_SLOT,
			    NULL,
			    true,
			    true,
			    0xabcdef,
			    -1,
			    NULL,
			    0,
			    0 };
	pthread_t tid;
	uint64_t x = 0;
	if (lfk_ring_lfmpmc_create(8, 8, &r) != 0)
		return 1;
	if (!victim_park(&v, r, &tid))
		return 1;
	LFK_CHECK(lfk_ring_lfmpmc_count(r) == 1,
		  "count %zu with the parked "
		  "producer's item in",
		  lfk_ring_lfmpmc_count(r));
	x = lfmpmc_fill(r);
	LFK_CHECK(x == 7,
		  "accepted %llu items beside a parked producer's "
		  "item",
		  (unsigned long long)x);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == 0xabcdef,
		  "the parked producer's item first");
	lfmpmc_drain(r, 7);
	traffic_run(r, "producer");
	x = lfmpmc_fill(r);
	LFK_CHECK(x == 8,
		  "accepted %llu items after traffic, the producer "
		  "still parked",
		  (unsigned long long)x);
	lfmpmc_drain(r, 8);
	victim_release(tid);
	LFK_CHECK(v.rc == 0, "the parked producer's enqueue: %d", v.rc);
	LFK_CHECK(lfk_ring_lfmpmc_count(r) == 0 &&
			  lfk_ring_lfmpmc_dequeue(r, &x) == -EAGAIN,
		  "empty at the end");
	lfk_ring_lfmpmc_destroy(r);
	return 0;
}

/*
 * A consumer parked after taking its item, before it moves head: its entry
 * is free already, so the ring accepts its whole capacity beside it, and
 * the others pass its position.
 */
int lfk_scn_progress_lfmpmc_consumer_parked(void)
{
	struct lfk_ring_lfmpmc *r;
	struct victim v = {
		LFK_HOOK_LFMPMC_DEQ_SLOT, NULL, false, true, 0, -1, NULL, 0, 0
	};
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_lfmpmc_create(8, 8, &r) != 0)
		return 1;
	lfk_ring_lfmpmc_enqueue(r, 0x5eed);
	if (!victim_park(&v, r, &tid))
		return 1;
	x = lfmpmc_fill(r);
	LFK_CHECK(x == 8, "beside a parked consumer: %llu accepted",
		  (unsigned long long)x);
	lfmpmc_drain(r, 8);
	traffic_run(r, "consumer");
	victim_release(tid);
	LFK_CHECK(v.rc == 0 && v.item == 0x5eed, "the parked consumer's item");
	x = lfmpmc_fill(r);
	LFK_CHECK(x == 8, "after release the ring holds %llu",
		  (unsigned long long)x);
	lfk_ring_lfmpmc_destroy(r);
	return 0;
}

/*
 * mpmc is blocking, and the test shows how far: with a producer parked
 * after reserving the first slot, other producers still fill the ring
 * (they are not blocked), but consumers report empty while count() shows 8
 * items, until the victim publishes; then everything drains in order.
 */
int lfk_scn_progress_mpmc_producer_parked(void)
{
	struct lfk_ring_mpmc *r;
	struct victim v = { LFK_HOOK_MPMC_ENQ_RESERVED,
			    NULL,
			    true,
			    false,
			    1000,
			    -1,
			    NULL,
			    0,
			    0 };
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_mpmc_create(8, 8, &r) != 0)
		return 1;
	if (!victim_park(&v, r, &tid))
		return 1;
	for (x = 1; lfk_ring_mpmc_enqueue(r, 1000 + x) == 0; x++)
		;
	LFK_CHECK(x == 8, "other producers added %llu items",
		  (unsigned long long)(x - 1));
	LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == -EAGAIN &&
			  lfk_ring_mpmc_count(r) == 8,
		  "consumers must stall at the unpublished slot (count %zu)",
		  lfk_ring_mpmc_count(r));
	victim_release(tid);
	LFK_CHECK(v.rc == 0, "parked producer's enqueue");
	for (uint64_t i = 0; i < 8; i++)
		LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == 0 && x == 1000 + i,
			  "after release, item %llu", (unsigned long long)i);
	lfk_ring_mpmc_destroy(r);
	return 0;
}

/* A consumer parked after reserving the first slot: other consumers drain
 * the rest, and producers report full when they lap to its slot although
 * count() is 0. */
int lfk_scn_progress_mpmc_consumer_parked(void)
{
	struct lfk_ring_mpmc *r;
	struct victim v = { LFK_HOOK_MPMC_DEQ_RESERVED,
			    NULL,
			    false,
			    false,
			    0,
			    -1,
			    NULL,
			    0,
			    0 };
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_mpmc_create(8, 8, &r) != 0)
		return 1;
	for (x = 0; x < 8; x++)
		lfk_ring_mpmc_enqueue(r, x);
	if (!victim_park(&v, r, &tid))
		return 1;
	for (uint64_t i = 1; i < 8; i++)
		LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == 0 && x == i,
			  "other consumers are not blocked (item %llu)",
			  (unsigned long long)i);
	LFK_CHECK(lfk_ring_mpmc_enqueue(r, 99) == -EAGAIN &&
			  lfk_ring_mpmc_count(r) == 0,
		  "producers must report full at the reserved slot");
	victim_release(tid);
	LFK_CHECK(v.rc == 0 && v.item == 0, "parked consumer's item");
	LFK_CHECK(lfk_ring_mpmc_enqueue(r, 99) == 0, "slot free after release");
	lfk_ring_mpmc_destroy(r);
	return 0;
}

/*
 * A producer whose tail is stale must not report full: it sees its slot
 * free, is parked before it reads head, and meanwhile others move two laps
 * of items through a ring of capacity 3 (4 slots), never more than 2 at a
 * time.  Its head is then past its position; an unsigned pos - head reads
 * that as 2^64 - 4 items queued and reported full.
 */
int lfk_scn_mpmc_stale_tail_not_full(void)
{
	struct lfk_ring_mpmc *r;
	struct victim v = { LFK_HOOK_MPMC_ENQ_CAPACITY,
			    NULL,
			    true,
			    false,
			    77,
			    -1,
			    NULL,
			    0,
			    0 };
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_mpmc_create(3, 8, &r) != 0)
		return 1;
	if (!victim_park(&v, r, &tid))
		return 1;
	for (uint64_t i = 0; i < 4; i += 2) {
		LFK_CHECK(lfk_ring_mpmc_enqueue(r, i) == 0 &&
				  lfk_ring_mpmc_enqueue(r, i + 1) == 0,
			  "enqueue beside the parked producer");
		for (uint64_t j = i; j < i + 2; j++)
			LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == 0 && x == j,
				  "item %llu", (unsigned long long)j);
	}
	victim_release(tid);
	LFK_CHECK(v.rc == 0,
		  "enqueue with a stale tail into an empty ring "
		  "returned %d",
		  v.rc);
	LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == 0 && x == 77,
		  "the stale producer's item");
	lfk_ring_mpmc_destroy(r);
	return 0;
}

/*
 * A burst producer parked after its first item, tail not moved: others
 * put and take meanwhile; resumed, it passes the positions they filled
 * and appends its other items after theirs, in its own order.
 */
int lfk_scn_lfmpmc_burst_parked_midway(void)
{
	static const uint64_t mine[4] = { 100, 101, 102, 103 };
	struct lfk_ring_lfmpmc *r;
	struct victim v = {
		LFK_HOOK_LFMPMC_ENQ_SLOT, NULL, true, true, 0, -1, mine, 4, 0
	};
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_lfmpmc_create(8, 8, &r) != 0)
		return 1;
	if (!victim_park(&v, r, &tid))
		return 1;
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(lfk_ring_lfmpmc_enqueue(r, i) == 0, "put %llu",
			  (unsigned long long)i);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == 100,
		  "the victim's first item first");
	victim_release(tid);
	LFK_CHECK(v.moved == 4, "the victim's burst put %zu", v.moved);
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == i,
			  "item %llu", (unsigned long long)i);
	for (uint64_t i = 1; i < 4; i++)
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == 100 + i,
			  "the victim's item %llu after the others'",
			  (unsigned long long)i);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == -EAGAIN, "then empty");
	lfk_ring_lfmpmc_destroy(r);
	return 0;
}

/*
 * Capacity below the slot count (3 of 4): a producer checking room reads
 * head (0, lagging: positions 0-2 taken) and stops before it scans the
 * entries.  Meanwhile two items go in and out; the consumer that moves
 * head to 4 takes position 4, whose entry is entry 0 again.  The ring
 * never holds more than 2 items, so the resumed producer must not report
 * full: a scan from its stale head that stops at entry 0 (taken a lap
 * later, not "not yet taken") would judge position 3 three ahead of the
 * consumers.
 */
int lfk_scn_lfmpmc_room_stale_head_not_full(void)
{
	struct lfk_ring_lfmpmc *r;
	struct victim v = {
		LFK_HOOK_LFMPMC_ENQ_ROOM, NULL, true, true, 77, -1, NULL, 0, 0
	};
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_lfmpmc_create(3, 8, &r) != 0)
		return 1;
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(lfk_ring_lfmpmc_enqueue(r, i) == 0, "put %llu",
			  (unsigned long long)i);
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == i,
			  "take %llu", (unsigned long long)i);
	if (!victim_park(&v, r, &tid))
		return 1;
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(r, 3) == 0 &&
			  lfk_ring_lfmpmc_enqueue(r, 4) == 0,
		  "two puts beside the parked producer");
	for (uint64_t i = 3; i < 5; i++)
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == i,
			  "take %llu", (unsigned long long)i);
	victim_release(tid);
	LFK_CHECK(v.rc == 0,
		  "enqueue into a ring that never held more than 2 of 3 "
		  "returned %d",
		  v.rc);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == 77,
		  "the resumed producer's item");
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == -EAGAIN, "then empty");
	lfk_ring_lfmpmc_destroy(r);
	return 0;
}
