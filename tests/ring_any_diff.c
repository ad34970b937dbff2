/* SPDX-License-Identifier: MIT */
/*
 * The generic ring handle (struct lfk_ring) against the typed calls: each
 * call gives what the typed call of the ring's kind gives, step by step on
 * two rings fed the same seeded operations.  And, at compile time, no
 * generator macro of the public headers leaks out of <lfkit/lfkit.h>.
 */
#include "ring_scenarios.h"

#include <lfkit/lfkit.h>
#include <stdlib.h>
#include <string.h>

#include "ring_helpers.h"

/* The generator macros of the public headers are #undef'd after use: none
 * may leak into a user's program (a sample of each header's). */
#if defined(LFK__RING_DEFINE_API) || defined(LFK__RING_DEFINE_ANY) ||          \
	defined(LFK__RING_DEFINE_VIEWS) || defined(LFK__RING_WRONG_KIND) ||    \
	defined(LFK__RING_KIND_spsc) || defined(LFK__QUEUE_DEFINE_TRY) ||      \
	defined(LFK__X86_64_ASM) || defined(LFK__X86_64_DEFINE_OPS) ||         \
	defined(LFK__X86_64_LOAD_PIECE) || defined(LFK__AARCH64_BY_ORDER) ||   \
	defined(LFK__AARCH64_RMW_ADD) || defined(LFK__AARCH64_CAS2) ||         \
	defined(LFK__AARCH64_LOAD_PIECE) ||                                    \
	defined(LFK__GENERIC_DEFINE_OPS) ||                                    \
	defined(LFK__GENERIC_CAS_FAIL_ORDER)
#error "a generator macro leaks out of <lfkit/lfkit.h>"
#endif

/* The typed calls of one kind, on a ring given as its handle. */
struct typed_calls {
	int (*enqueue)(struct lfk_ring *r, uint64_t v);
	int (*dequeue)(struct lfk_ring *r, uint64_t *v);
	size_t (*enqueue_burst)(struct lfk_ring *r, const uint64_t *v,
				size_t n);
	size_t (*dequeue_burst)(struct lfk_ring *r, uint64_t *v, size_t n);
	size_t (*count)(struct lfk_ring *r);
};

#define TYPED_CALLS(K)                                                         \
	static int K##_enq(struct lfk_ring *r, uint64_t v)                     \
	{                                                                      \
		return lfk_ring_##K##_enqueue(lfk_ring_to_##K(r), v);          \
	}                                                                      \
	static int K##_deq(struct lfk_ring *r, uint64_t *v)                    \
	{                                                                      \
		return lfk_ring_##K##_dequeue(lfk_ring_to_##K(r), v);          \
	}                                                                      \
	static size_t K##_enqb(struct lfk_ring *r, const uint64_t *v,          \
			       size_t n)                                       \
	{                                                                      \
		return lfk_ring_##K##_enqueue_burst(lfk_ring_to_##K(r), v, n); \
	}                                                                      \
	static size_t K##_deqb(struct lfk_ring *r, uint64_t *v, size_t n)      \
	{                                                                      \
		return lfk_ring_##K##_dequeue_burst(lfk_ring_to_##K(r), v, n); \
	}                                                                      \
	static size_t K##_count(struct lfk_ring *r)                            \
	{                                                                      \
		return lfk_ring_##K##_count(lfk_ring_to_##K(r));               \
	}
TYPED_CALLS(spsc)
TYPED_CALLS(mpmc)
TYPED_CALLS(lfmpmc)
#undef TYPED_CALLS

static const struct typed_calls typed[] = {
	{ spsc_enq, spsc_deq, spsc_enqb, spsc_deqb, spsc_count },
	{ mpmc_enq, mpmc_deq, mpmc_enqb, mpmc_deqb, mpmc_count },
	{ lfmpmc_enq, lfmpmc_deq, lfmpmc_enqb, lfmpmc_deqb, lfmpmc_count },
};

/* One seeded step on the handle h and on the typed twin t: the results and
 * the values taken must agree. */
static void step_both(const struct typed_calls *tc, struct lfk_ring *h,
		      struct lfk_ring *t, struct lfk_rng *rng, uint64_t *next,
		      int s)
{
	uint64_t in[8], out_h[8] = { 0 }, out_t[8] = { 0 };
	size_t n = (size_t)lfk_rng_below(rng, 9), moved = 0;
	unsigned op = (unsigned)lfk_rng_below(rng, 5);
	long a, b;
	for (size_t i = 0; i < 8; i++)
		in[i] = (*next)++;
	if (op == 0) {
		a = lfk_ring_enqueue(h, in[0]);
		b = tc->enqueue(t, in[0]);
	} else if (op == 1) {
		a = lfk_ring_dequeue(h, out_h);
		b = tc->dequeue(t, out_t);
		moved = a == 0;
	} else if (op == 2) {
		a = (long)lfk_ring_enqueue_burst(h, in, n);
		b = (long)tc->enqueue_burst(t, in, n);
	} else if (op == 3) {
		a = (long)lfk_ring_dequeue_burst(h, out_h, n);
		b = (long)tc->dequeue_burst(t, out_t, n);
		moved = (size_t)a;
	} else {
		a = (long)lfk_ring_count(h);
		b = (long)tc->count(t);
	}
	LFK_CHECK(a == b, "kind %d step %d op %u: handle %ld, typed %ld",
		  (int)lfk_ring_kind_of(h), s, op, a, b);
	LFK_CHECK(memcmp(out_h, out_t, moved * 8) == 0,
		  "kind %d step %d op %u: values differ",
		  (int)lfk_ring_kind_of(h), s, op);
}

int lfk_scn_any_matches_typed(void)
{
	for (size_t k = 0; k < RING_NRINGS; k++) {
		struct lfk_ring *h, *t;
		struct lfk_rng rng;
		uint64_t next = 1;
		lfk_rng_seed(&rng, lfk_test_seed() + k);
		if (lfk_ring_create(ring_handle_kinds[k], 5, 8, &h) != 0 ||
		    lfk_ring_create(ring_handle_kinds[k], 5, 8, &t) != 0) {
			LFK_CHECK(0, "create kind %d",
				  (int)ring_handle_kinds[k]);
			return 0;
		}
		LFK_CHECK(lfk_ring_kind_of(h) == ring_handle_kinds[k] &&
				  lfk_ring_capacity(h) == 5 &&
				  lfk_ring_elem_size(h) == 8,
			  "kind %d: geometry", (int)ring_handle_kinds[k]);
		for (int s = 0; s < 3000 && !lfk_failures(); s++)
			step_both(&typed[k], h, t, &rng, &next, s);
		lfk_ring_destroy(h);
		lfk_ring_destroy(t);
	}
	return 0;
}
