/* SPDX-License-Identifier: MIT */
/*
 * Full and empty are never spurious at one producer and one consumer: a
 * call the other side's completed operations prove must succeed does.
 */
#include "ring_scenarios.h"

#include <string.h>

#include "ring_helpers.h"

/*
 * Each side publishes how many operations it has completed.  If, before a
 * call starts, the other side's published count proves the ring is not
 * full (not empty) for the whole call, the call must succeed.  At one
 * producer and one consumer this holds for every ring: a reserved but
 * unfinished operation of the other side is not counted as completed.
 */
struct spurious {
	const struct lfk_ring_ops *ops;
	void *ring;
	uint64_t produced LFK_CACHE_ALIGNED;
	uint64_t consumed LFK_CACHE_ALIGNED;
	struct lfk_bound bound;
	uint64_t bad_full, bad_empty;
};

static void spurious_producer(void *arg, int me)
{
	struct spurious *s = arg;
	uint64_t n = 0;
	unsigned spins = 0;
	(void)me;
	while (!lfk_bound_done(&s->bound, n)) {
		/* Pairs with the consumer's release of its count. */
		uint64_t c = lfk_atomic_load_u64(&s->consumed, LFK_ACQUIRE);
		if (s->ops->enqueue(s->ring, n) == 0) {
			n++;
			/* After the enqueue completed. */
			lfk_atomic_store_u64(&s->produced, n, LFK_RELEASE);
			spins = 0;
		} else {
			if (n - c < s->ops->capacity(s->ring))
				s->bad_full++;
			lfk_backoff(&spins);
		}
	}
	/* the consumer stops at this mark */
	lfk_atomic_store_u64(&s->produced, n | (1ull << 63), LFK_RELEASE);
}

static void spurious_consumer(void *arg, int me)
{
	struct spurious *s = arg;
	uint64_t n = 0, v;
	unsigned spins = 0;
	(void)me;
	for (;;) {
		/* Pairs with the producer's release of its count. */
		uint64_t p = lfk_atomic_load_u64(&s->produced, LFK_ACQUIRE);
		if (s->ops->dequeue(s->ring, &v) == 0) {
			LFK_CHECK(v == n, "%s: got %llu, expected %llu",
				  s->ops->name, (unsigned long long)v,
				  (unsigned long long)n);
			n++;
			/* After the dequeue completed. */
			lfk_atomic_store_u64(&s->consumed, n, LFK_RELEASE);
			spins = 0;
		} else {
			if ((p & ~(1ull << 63)) > n)
				s->bad_empty++;
			if ((p >> 63) && (p & ~(1ull << 63)) == n)
				break;
			lfk_backoff(&spins);
		}
	}
}

int lfk_scn_never_spurious_1x1(void)
{
	for (size_t k = 0; k < RING_NKINDS; k++) {
		struct spurious s;
		memset(&s, 0, sizeof(s));
		s.ops = ring_kinds[k];
		s.bound = lfk_bound_default();
		if (s.ops->create(4, 8, &s.ring) != 0)
			return 1;
		lfk_run_threads2(1, spurious_producer, 1, spurious_consumer,
				 &s);
		LFK_CHECK(s.bad_full == 0 && s.bad_empty == 0,
			  "%s: %llu spurious full, %llu spurious empty",
			  s.ops->name, (unsigned long long)s.bad_full,
			  (unsigned long long)s.bad_empty);
		s.ops->destroy(s.ring);
	}
	return 0;
}
