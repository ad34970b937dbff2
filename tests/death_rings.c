/* SPDX-License-Identifier: MIT */
/*
 * Rings of a shared region with a process killed in the middle (docs/shm.md,
 * "Processes that die"): an spsc producer killed at random moments, and the
 * mpmc ring's way out of a stall left by a producer or a consumer killed
 * between reserving a slot and committing it (lfk_ring_mpmc_stalled and
 * lfk_ring_mpmc_repair).  The lfmpmc ring's rows are tested by
 * shm.killed_mid_operation and shm.killed_producer_loses_nothing_published.
 */
#include "death_child.h"
#include "death_scenarios.h"

#include <errno.h>
#include <unistd.h>

struct region {
	char name[64];
	struct lfk_shm *shm;
};

static void *open_ring(struct region *r, int kind, size_t capacity)
{
	void *ring;
	lfk_death_region_name(r->name, sizeof(r->name));
	if (lfk_shm_create(r->name, 1 << 20, 0600, &r->shm) != 0)
		return NULL;
	if (lfk_shm_ring_create(r->shm, "ring", kind, capacity, 8,
				(struct lfk_ring **)&ring) != 0)
		return NULL;
	return ring;
}

static void close_region(struct region *r)
{
	lfk_shm_close(r->shm);
	lfk_shm_unlink(r->name);
}

/* Enqueues 1, 2, 3, ... for ever, spinning while the ring is full. */
static void spsc_produce_forever(void *arg)
{
	for (uint64_t seq = 1;;)
		if (lfk_ring_spsc_enqueue(arg, seq) == 0)
			seq++;
}

/*
 * An spsc producer killed at random moments: nothing half-done is visible
 * (the tail moves last), so the survivor drains a gap-free prefix 1, 2, ...
 * and can then take over as the producer.
 */
int lfk_scn_spsc_producer_killed_at_random(void)
{
	struct lfk_rng rng;
	struct lfk_bound bound = lfk_bound_scaled(5000);
	lfk_rng_seed(&rng, lfk_test_seed());
	for (uint64_t round = 0; !lfk_bound_done(&bound, round) || round < 3;
	     round++) {
		struct region r;
		void *ring = open_ring(&r, LFK_RING_SPSC, 8);
		uint64_t v, next = 1;
		pid_t pid;
		if (ring == NULL)
			return 1;
		pid = lfk_death_fork(spsc_produce_forever, ring);
		usleep((useconds_t)lfk_rng_below(&rng, 2000));
		LFK_CHECK(lfk_death_kill(pid), "producer not killed");
		while (lfk_ring_spsc_dequeue(ring, &v) == 0) {
			LFK_CHECK(v == next, "got %llu, expected %llu",
				  (unsigned long long)v,
				  (unsigned long long)next);
			next = v + 1;
		}
		LFK_CHECK(lfk_ring_spsc_enqueue(ring, next) == 0 &&
				  lfk_ring_spsc_dequeue(ring, &v) == 0 &&
				  v == next,
			  "the survivor takes over as the producer");
		close_region(&r);
		if (lfk_failures())
			break;
	}
	return 0;
}

/* Dequeues for ever, spinning while the ring is empty. */
static void spsc_consume_forever(void *arg)
{
	uint64_t v;
	for (;;)
		lfk_ring_spsc_dequeue(arg, &v);
}

/*
 * An spsc consumer killed at random moments while the survivor produces
 * 1, 2, 3, ...: nothing half-done is visible (the head moves last), so the
 * survivor, taking over as the consumer, finds a gap-free run ending at
 * the last item it put.
 */
int lfk_scn_spsc_consumer_killed_at_random(void)
{
	struct lfk_rng rng;
	struct lfk_bound bound = lfk_bound_scaled(5000);
	lfk_rng_seed(&rng, lfk_test_seed());
	for (uint64_t round = 0; !lfk_bound_done(&bound, round) || round < 3;
	     round++) {
		struct region r;
		void *ring = open_ring(&r, LFK_RING_SPSC, 8);
		uint64_t v, put = 0, first = 0, next = 0;
		uint64_t stop;
		pid_t pid;
		if (ring == NULL)
			return 1;
		pid = lfk_death_fork(spsc_consume_forever, ring);
		stop = lfk_now_ns() + lfk_rng_below(&rng, 2000000);
		while (lfk_now_ns() < stop)
			if (lfk_ring_spsc_enqueue(ring, put + 1) == 0)
				put++;
		LFK_CHECK(lfk_death_kill(pid), "consumer not killed");
		while (lfk_ring_spsc_dequeue(ring, &v) == 0) {
			if (first == 0)
				first = next = v;
			LFK_CHECK(v == next, "got %llu, expected %llu",
				  (unsigned long long)v,
				  (unsigned long long)next);
			next = v + 1;
		}
		LFK_CHECK(first == 0 || next == put + 1,
			  "round %llu: the run ends at %llu, %llu were put",
			  (unsigned long long)round,
			  (unsigned long long)next - 1,
			  (unsigned long long)put);
		close_region(&r);
		if (lfk_failures())
			break;
	}
	return 0;
}

static void mpmc_put_one(void *arg)
{
	lfk_ring_mpmc_enqueue(arg, 0xdead);
}

static void mpmc_get_one(void *arg)
{
	uint64_t v;
	lfk_ring_mpmc_dequeue(arg, &v);
}

/*
 * An mpmc producer stopped between reserve and publish, then killed: the
 * consumers stall at its slot (the items behind it wait); the survivor
 * sees the stall reported at that position, repairs it into a hole, and
 * the items behind come out.  Then a consumer killed between reserve and
 * release: the producers stop when they lap onto its slot (after 5: the
 * ring's 8 positions from the head, up to the dead slot); the repair hands
 * the slot on and the ring holds its full capacity again.
 */
/* A dead producer: items 1, 2, then its slot (position 2), then 50; the
 * consumers stall at the slot until it is repaired into a hole. */
static void mpmc_dead_producer_repaired(struct lfk_ring_mpmc *ring)
{
	uint64_t v, n, pos = 99;
	pid_t pid;
	lfk_ring_mpmc_enqueue(ring, 1);
	lfk_ring_mpmc_enqueue(ring, 2);
	LFK_CHECK(lfk_death_kill_at_hook(LFK_HOOK_MPMC_ENQ_RESERVED,
					 mpmc_put_one, ring, &pid),
		  "producer not killed at its reserved slot");
	LFK_CHECK(lfk_ring_mpmc_enqueue(ring, 50) == 0, "put behind the slot");
	LFK_CHECK(lfk_ring_mpmc_stalled(ring, &pos) == 0 && pos == 99,
		  "no stall while items wait before the slot");
	for (v = 1; v <= 2; v++)
		LFK_CHECK(lfk_ring_mpmc_dequeue(ring, &n) == 0 && n == v,
			  "item %llu", (unsigned long long)v);
	LFK_CHECK(lfk_ring_mpmc_dequeue(ring, &n) == -EAGAIN,
		  "consumers stall at the dead producer's slot");
	LFK_CHECK(lfk_ring_mpmc_stalled(ring, &pos) ==
				  LFK_RING_STALL_PRODUCER &&
			  pos == 2,
		  "the stall reported at position 2 (got %llu)",
		  (unsigned long long)pos);
	LFK_CHECK(lfk_ring_mpmc_repair(ring, pos + 1) == -EAGAIN,
		  "repair of a slot that is not stalled");
	LFK_CHECK(lfk_ring_mpmc_repair(ring, pos) == 0, "repair");
	LFK_CHECK(lfk_ring_mpmc_repair(ring, pos) == -EAGAIN, "second repair");
	LFK_CHECK(lfk_ring_mpmc_dequeue(ring, &n) == 0 && n == 50,
		  "the item behind the hole comes out");
	LFK_CHECK(lfk_ring_mpmc_dequeue(ring, &n) == -EAGAIN &&
			  lfk_ring_mpmc_stalled(ring, &pos) == 0,
		  "empty, no stall");
}

/* A dead consumer: it reserved the slot of item 1 (position 4); the
 * producers stop there until it is repaired. */
static void mpmc_dead_consumer_repaired(struct lfk_ring_mpmc *ring)
{
	uint64_t v, n, pos = 99;
	pid_t pid;
	for (v = 1; v <= 3; v++)
		lfk_ring_mpmc_enqueue(ring, v);
	LFK_CHECK(lfk_death_kill_at_hook(LFK_HOOK_MPMC_DEQ_RESERVED,
					 mpmc_get_one, ring, &pid),
		  "consumer not killed at its reserved slot");
	for (v = 2; v <= 3; v++)
		LFK_CHECK(lfk_ring_mpmc_dequeue(ring, &n) == 0 && n == v,
			  "item %llu after the dead consumer",
			  (unsigned long long)v);
	for (n = 0; lfk_ring_mpmc_enqueue(ring, 100 + n) == 0; n++)
		;
	LFK_CHECK(n == 5,
		  "producers stop at the dead consumer's slot after 5 "
		  "(got %llu)",
		  (unsigned long long)n);
	LFK_CHECK(lfk_ring_mpmc_stalled(ring, &pos) ==
				  LFK_RING_STALL_CONSUMER &&
			  pos == 4,
		  "the stall reported at position 4 (got %llu)",
		  (unsigned long long)pos);
	LFK_CHECK(lfk_ring_mpmc_repair(ring, pos) == 0, "repair");
	for (v = 105; v <= 107; v++)
		LFK_CHECK(lfk_ring_mpmc_enqueue(ring, v) == 0,
			  "put %llu after the repair", (unsigned long long)v);
	LFK_CHECK(lfk_ring_mpmc_enqueue(ring, 108) == -EAGAIN,
		  "the ring holds its capacity again");
	for (v = 0; v < 8; v++)
		LFK_CHECK(lfk_ring_mpmc_dequeue(ring, &n) == 0 && n == 100 + v,
			  "traffic after the repair");
}

int lfk_scn_mpmc_killed_then_repaired(void)
{
	struct region r;
	struct lfk_ring_mpmc *ring = open_ring(&r, LFK_RING_MPMC, 8);
	if (ring == NULL)
		return 1;
	mpmc_dead_producer_repaired(ring);
	mpmc_dead_consumer_repaired(ring);
	close_region(&r);
	return 0;
}

/* Enqueues 1, 2, 3, ... on an mpmc ring for ever. */
static void mpmc_produce_forever(void *arg)
{
	for (uint64_t seq = 1;;)
		if (lfk_ring_mpmc_enqueue(arg, seq) == 0)
			seq++;
}

/*
 * An mpmc producer killed at random moments: the survivor drains a
 * gap-free prefix; if the producer died between reserve and publish, the
 * stall is reported at the head and the repair lets the ring go on.
 */
int lfk_scn_mpmc_producer_killed_at_random(void)
{
	struct lfk_rng rng;
	struct lfk_bound bound = lfk_bound_scaled(5000);
	uint64_t round, stalls = 0;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (round = 0; !lfk_bound_done(&bound, round) || round < 3; round++) {
		struct region r;
		struct lfk_ring_mpmc *ring = open_ring(&r, LFK_RING_MPMC, 8);
		uint64_t v, next = 1, pos;
		pid_t pid;
		if (ring == NULL)
			return 1;
		pid = lfk_death_fork(mpmc_produce_forever, ring);
		usleep((useconds_t)lfk_rng_below(&rng, 2000));
		LFK_CHECK(lfk_death_kill(pid), "producer not killed");
		while (lfk_ring_mpmc_dequeue(ring, &v) == 0) {
			LFK_CHECK(v == next, "got %llu, expected %llu",
				  (unsigned long long)v,
				  (unsigned long long)next);
			next = v + 1;
		}
		if (lfk_ring_mpmc_stalled(ring, &pos) ==
		    LFK_RING_STALL_PRODUCER) {
			stalls++;
			LFK_CHECK(lfk_ring_mpmc_repair(ring, pos) == 0,
				  "repair");
		}
		LFK_CHECK(lfk_ring_mpmc_enqueue(ring, 7) == 0 &&
				  lfk_ring_mpmc_dequeue(ring, &v) == 0 &&
				  v == 7,
			  "round %llu: traffic after the death",
			  (unsigned long long)round);
		close_region(&r);
		if (lfk_failures())
			break;
	}
	printf("mpmc_producer_killed_at_random: %llu of %llu kills between "
	       "reserve and publish\n",
	       (unsigned long long)stalls, (unsigned long long)round);
	return 0;
}
