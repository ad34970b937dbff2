/* SPDX-License-Identifier: MIT */
/*
 * lfmpmc's dequeue budget (SCQ's threshold) with crowds parked
 * mid-operation (ring_park.h): more threads failing at once than the paper's
 * bound assumes, and burst consumers charging it once per call.  Either
 * would run the budget down and report empty with an item in the ring.
 */
#define LFK_RING_TEST_HOOKS 1 /* before ring.h: the ring calls below park */

#include "ring_scenarios.h"

#include <errno.h>
#include <stdlib.h>

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

/* Starts threads 0 .. n-1 running fn(&ids[i]); returns how many started. */
static int start_crowd(pthread_t *tid, int *ids, int n, void *(*fn)(void *))
{
	int started = 0;
	for (; started < n; started++) {
		ids[started] = started;
		if (!start_small(&tid[started], fn, &ids[started]))
			break;
	}
	return started;
}

/* Puts and takes one item: the ring's consumers then have a budget. */
static void carry_one(struct lfk_ring_lfmpmc *r)
{
	uint64_t v = 0;
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(r, 1) == 0 &&
			  lfk_ring_lfmpmc_dequeue(r, &v) == 0,
		  "first item");
}

/* ---- a crowd past the thread bound ------------------------------------ */

/*
 * More threads than SCQ's budget assumes: the paper's 3n - 1 failed
 * dequeues allow for n threads in flight, and lfkit used to size n for 128
 * threads (a budget of 383).  CROWD threads each fail a dequeue on an empty
 * ring and stop just before charging the failure to the budget; an item is
 * put; then they charge it, all at once.  The next dequeue must find the
 * item: a budget they ran down would report empty, and an lfk_queue
 * consumer (whose get is this dequeue) would then sleep for good, since the
 * put's wake-up has come and gone.
 */
#define CROWD 400

struct crowd {
	struct lfk_ring_lfmpmc *ring;
	uint64_t finished; /* crowd members that returned without parking */
	int rc[CROWD];
	int me[CROWD];
};

static struct crowd *crowd;

static void *crowd_main(void *arg)
{
	int me = *(int *)arg;
	uint64_t v;
	park_point = LFK_HOOK_LFMPMC_DEQ_EMPTY;
	crowd->rc[me] = lfk_ring_lfmpmc_dequeue(crowd->ring, &v);
	park_point = -1;
	/* After our dequeue: the test waits for every member to park or
	 * finish before it puts the item. */
	lfk_atomic_fetch_add_u64(&crowd->finished, 1, LFK_RELEASE);
	return NULL;
}

/* Waits until each of the n members started has parked or returned. */
static void crowd_settle(int n, uint64_t deadline)
{
	unsigned spins = 0;
	/* Pairs with the hook's and crowd_main's releases: every member has
	 * parked or returned. */
	while (lfk_atomic_load_u64(&park_parked, LFK_ACQUIRE) +
		       lfk_atomic_load_u64(&crowd->finished, LFK_ACQUIRE) <
	       (uint64_t)n) {
		if (lfk_now_ns() > deadline)
			break;
		lfk_backoff(&spins);
	}
}

int lfk_scn_lfmpmc_crowd_past_thread_bound(void)
{
	pthread_t tid[CROWD];
	int started;
	uint64_t v = 0, deadline = lfk_now_ns() + 30000000000ull;
	crowd = calloc(1, sizeof(*crowd));
	if (crowd == NULL || lfk_ring_lfmpmc_create(1, 8, &crowd->ring) != 0)
		return 1;
	carry_one(crowd->ring);
	park_reset();
	started = start_crowd(tid, crowd->me, CROWD, crowd_main);
	LFK_CHECK(started == CROWD, "started %d of %d threads", started, CROWD);
	crowd_settle(started, deadline);
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(crowd->ring, 0xc0ffee) == 0,
		  "enqueue into the empty ring");
	/* Lets the parked members charge their failures. */
	park_release(1);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < started; i++)
		LFK_CHECK(crowd->rc[i] == -EAGAIN,
			  "member %d: %d on an empty ring", i, crowd->rc[i]);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(crowd->ring, &v) == 0 &&
			  v == 0xc0ffee,
		  "the item after %d threads failed at once (%llu parked): "
		  "reported empty",
		  started,
		  (unsigned long long)lfk_atomic_load_u64(&park_parked,
							  LFK_RELAXED));
	lfk_ring_lfmpmc_destroy(crowd->ring);
	free(crowd);
	crowd = NULL;
	return 0;
}

/* ---- burst consumers charge once per call ------------------------------ */

/*
 * Burst consumers must charge the dequeue budget once per call, not once
 * per failed position: the budget's slack allows one attempt per thread in
 * flight.  A producer takes BURST_K positions (a burst) and parks before
 * publishing; BURST_C consumers each size a block of as many positions and
 * park; they take their blocks (all fail) and park before charging.  Then
 * item Y is put (beyond their blocks), a second producer takes the next
 * position and parks, item X is put after it (each put resets the
 * budget); the consumers charge and park.  Charged per position,
 * BURST_C * BURST_K exceeds the whole budget: after Y, a dequeue reported
 * empty with X in the ring (an lfk_queue consumer would sleep through it).
 */
#define BURST_N (1u << 16)
#define BURST_K (BURST_N - 3) /* leaves credits for Y, the second producer, X */
#define BURST_C 72 /* BURST_C * BURST_K > 3 * BURST_N + 2^22, the budget */
#define BURST_P2 0xbeefull

struct burst_crowd {
	struct lfk_ring_lfmpmc *ring;
	uint64_t *src, *dst; /* dst: shared, no consumer takes an item */
	size_t moved[BURST_C + 2];
	int me[BURST_C + 2]; /* consumers, then the two producers */
	pthread_t tid[BURST_C + 2];
	uint64_t deadline;
};

static struct burst_crowd *burst;

static const int burst_consumer_then[] = { LFK_HOOK_LFMPMC_DEQ_BLOCK_MISSED,
					   LFK_HOOK_LFMPMC_DEQ_BLOCK_CHARGED,
					   -1 };

static void *burst_thread(void *arg)
{
	int me = *(int *)arg;
	uint64_t p2 = BURST_P2;
	park_gate = 4; /* producers go last */
	if (me == BURST_C) {
		park_point = LFK_HOOK_LFMPMC_ENQ_SLOT;
		burst->moved[me] = lfk_ring_lfmpmc_enqueue_burst(
			burst->ring, burst->src, BURST_K);
	} else if (me == BURST_C + 1) {
		park_point = LFK_HOOK_LFMPMC_ENQ_SLOT;
		burst->moved[me] =
			lfk_ring_lfmpmc_enqueue_burst(burst->ring, &p2, 1);
	} else {
		park_gate = 1;
		park_point = LFK_HOOK_LFMPMC_DEQ_BLOCK;
		park_then = burst_consumer_then;
		burst->moved[me] = lfk_ring_lfmpmc_dequeue_burst(
			burst->ring, burst->dst, BURST_K);
	}
	park_point = -1;
	return NULL;
}

/* Starts thread `me` of the burst crowd: false if it cannot. */
static bool burst_start(int me)
{
	burst->me[me] = me;
	return start_small(&burst->tid[me], burst_thread, &burst->me[me]);
}

/* The crowd, its ring carrying one item so far, and the first producer's
 * items 1 .. BURST_K; false if it cannot be had. */
static bool burst_setup(void)
{
	burst = calloc(1, sizeof(*burst));
	if (burst == NULL)
		return false;
	burst->deadline = lfk_now_ns() + 60000000000ull;
	burst->src = calloc(BURST_N, sizeof(uint64_t));
	burst->dst = calloc(BURST_N, sizeof(uint64_t));
	if (burst->src == NULL || burst->dst == NULL ||
	    lfk_ring_lfmpmc_create(BURST_N, 8, &burst->ring) != 0)
		return false;
	for (uint64_t i = 0; i < BURST_K; i++)
		burst->src[i] = i + 1;
	carry_one(burst->ring);
	park_reset();
	return true;
}

/* The first producer parks with its positions, then the consumers all size
 * their blocks before any takes one, and take them (all fail). */
static void burst_park_consumers(void)
{
	int started = 0;
	if (burst_start(BURST_C) && park_wait(1, burst->deadline))
		for (started = 1; started <= BURST_C; started++)
			if (!burst_start(started - 1))
				break;
	LFK_CHECK(started == BURST_C + 1 &&
			  park_wait(1 + BURST_C, burst->deadline),
		  "started %d threads", started);
	park_release(1);
	LFK_CHECK(park_wait(1 + 2 * BURST_C, burst->deadline), "blocks taken");
}

/* Y, the second producer parked with the next position, X; then the
 * consumers charge their misses.  Returns whether X could be taken. */
static bool burst_charge_and_take(void)
{
	uint64_t x = 0, y = 0;
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(burst->ring, 0xaaaa) == 0, "put Y");
	LFK_CHECK(burst_start(BURST_C + 1) &&
			  park_wait(2 + 2 * BURST_C, burst->deadline),
		  "second producer parked");
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(burst->ring, 0xc0ffee) == 0, "put X");
	park_release(2);
	LFK_CHECK(park_wait(2 + 3 * BURST_C, burst->deadline), "charged");
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(burst->ring, &y) == 0 && y == 0xaaaa,
		  "Y");
	return lfk_ring_lfmpmc_dequeue(burst->ring, &x) == 0 && x == 0xc0ffee;
}

/* Lets the consumers return, then the producers publish. */
static void burst_finish(void)
{
	park_release(3);
	for (int i = 0; i < BURST_C; i++)
		pthread_join(burst->tid[i], NULL);
	park_release(4);
	pthread_join(burst->tid[BURST_C], NULL);
	pthread_join(burst->tid[BURST_C + 1], NULL);
}

/* What each thread moved, and the parked producers' items, all of them,
 * after their release. */
static void burst_verify(void)
{
	uint64_t sum = 0;
	for (int i = 0; i < BURST_C; i++)
		LFK_CHECK(burst->moved[i] == 0, "consumer %d took %zu", i,
			  burst->moved[i]);
	LFK_CHECK(burst->moved[BURST_C] == BURST_K &&
			  burst->moved[BURST_C + 1] == 1,
		  "producers put %zu and %zu", burst->moved[BURST_C],
		  burst->moved[BURST_C + 1]);
	for (size_t got; (got = lfk_ring_lfmpmc_dequeue_burst(
				  burst->ring, burst->dst, BURST_N)) > 0;)
		for (size_t i = 0; i < got; i++)
			sum += burst->dst[i];
	LFK_CHECK(sum == (uint64_t)BURST_K * (BURST_K + 1) / 2 + BURST_P2,
		  "the parked producers' items: sum %llu",
		  (unsigned long long)sum);
}

int lfk_scn_lfmpmc_burst_charges_once(void)
{
	bool got_x;
	if (!burst_setup())
		return 1;
	burst_park_consumers();
	got_x = burst_charge_and_take();
	burst_finish();
	LFK_CHECK(got_x,
		  "X hidden after %d bursts failed: the budget was charged "
		  "per position",
		  BURST_C);
	burst_verify();
	lfk_ring_lfmpmc_destroy(burst->ring);
	free(burst->src);
	free(burst->dst);
	free(burst);
	burst = NULL;
	return 0;
}
