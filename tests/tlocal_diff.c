/* SPDX-License-Identifier: MIT */
/*
 * Differential runs: random operations applied on the main thread to each
 * primitive and to its mutex twin (lfk_ref_tlocal, lfk_ref_counter,
 * lfk_ref_tcache) must give the same results, step by step.
 */
#include <stdlib.h>

#include "tlocal_helpers.h"

/* Random create/get/write/destroy/for_each on the main thread, applied to
 * lfk_tlocal and to its pthread_key twin: same values, same counts. */
enum {
	TL_DIFF_N = 16
};

struct tl_diff {
	struct tracker *tra, *trb;
	struct lfk_tlocal *a[TL_DIFF_N];
	struct lfk_ref_tlocal *b[TL_DIFF_N];
	struct lfk_rng rng;
};

static void tl_diff_for_each(struct tl_diff *d, int it, int i)
{
	long na = 0, nb = 0;
	int ra = lfk_tlocal_for_each(d->a[i], count_slot, &na);
	int rb = lfk_ref_tlocal_for_each(d->b[i], count_slot, &nb);
	LFK_CHECK(ra == rb && na == nb, "it %d: for_each %d/%ld vs %d/%ld", it,
		  ra, na, rb, nb);
}

static void tl_diff_get_write(struct tl_diff *d, int it, int i)
{
	struct tslot *sa = tl_slot(d->a[i]);
	struct tslot *sb = ref_tl_slot(d->b[i]);
	uint64_t v = lfk_rng_next(&d->rng);
	LFK_CHECK((sa == NULL) == (sb == NULL), "it %d: get", it);
	if (sa == NULL || sb == NULL)
		return;
	LFK_CHECK(sa->value == sb->value, "it %d: value %llx vs %llx", it,
		  (unsigned long long)sa->value, (unsigned long long)sb->value);
	sa->value = sb->value = v;
}

/* One random operation on object i of both sides. */
static void tl_diff_step(struct tl_diff *d, int it)
{
	int i = (int)lfk_rng_below(&d->rng, TL_DIFF_N);
	switch (lfk_rng_below(&d->rng, 5)) {
	case 0:
		if (d->a[i] == NULL) {
			d->a[i] = tl_new(sizeof(struct tslot), d->tra);
			lfk_ref_tlocal_create(sizeof(struct tslot), track_ctor,
					      track_dtor, d->trb, &d->b[i]);
		}
		break;
	case 1:
		lfk_tlocal_destroy(d->a[i]);
		lfk_ref_tlocal_destroy(d->b[i]);
		d->a[i] = NULL;
		d->b[i] = NULL;
		break;
	case 2:
		tl_diff_for_each(d, it, i);
		break;
	default:
		tl_diff_get_write(d, it, i);
		break;
	}
}

int lfk_scn_tlocal_differential(void)
{
	struct tl_diff d = { .tra = tracker_new(), .trb = tracker_new() };
	struct tracker *tra = d.tra, *trb = d.trb;
	lfk_rng_seed(&d.rng, lfk_test_seed());
	for (int it = 0; it < 20000; it++) {
		tl_diff_step(&d, it);
		LFK_CHECK(tra->ctors == trb->ctors && tra->dtors == trb->dtors,
			  "it %d: ctors/dtors %llu/%llu vs %llu/%llu", it,
			  (unsigned long long)tra->ctors,
			  (unsigned long long)tra->dtors,
			  (unsigned long long)trb->ctors,
			  (unsigned long long)trb->dtors);
		if (lfk_failures())
			break;
	}
	for (int i = 0; i < TL_DIFF_N; i++) {
		lfk_tlocal_destroy(d.a[i]);
		lfk_ref_tlocal_destroy(d.b[i]);
	}
	tracker_check(tra, trb->ctors, "differential");
	free(tra);
	free(trb);
	return 0;
}

int lfk_scn_counter_differential(void)
{
	struct lfk_counter *a = counter_new();
	struct lfk_ref_counter *b = ref_counter_new();
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int it = 0; it < 100000; it++) {
		uint64_t op = lfk_rng_below(&rng, 100);
		if (op < 90) {
			int64_t v = (int64_t)lfk_rng_next(&rng) >>
				    lfk_rng_below(&rng, 64);
			lfk_counter_add(a, v);
			lfk_ref_counter_add(b, v);
		} else if (op < 99) {
			int64_t x = cnt(a), y = ref_cnt(b);
			LFK_CHECK(x == y, "it %d: %lld vs %lld", it,
				  (long long)x, (long long)y);
		} else {
			LFK_CHECK(lfk_counter_reset(a) ==
					  lfk_ref_counter_reset(b),
				  "reset");
		}
		if (lfk_failures())
			break;
	}
	LFK_CHECK(cnt(a) == ref_cnt(b), "final");
	lfk_counter_destroy(a);
	lfk_ref_counter_destroy(b);
	return 0;
}

/* Random alloc/free against the mutex free list, with a maximum: the same
 * successes and failures, the same count in use, contents intact. */
int lfk_scn_tcache_differential(void)
{
	enum {
		MAX = 40
	};
	struct lfk_tcache *a = tcache_new(32, MAX, 4);
	struct lfk_ref_tcache *b;
	lfk_ref_tcache_create(32, MAX, 4, &b);
	uint64_t *ha[MAX], *hb[MAX];
	int n = 0;
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int it = 0; it < 50000 && !lfk_failures(); it++) {
		struct lfk_tcache_stats sa, sb;
		if (lfk_rng_below(&rng, 2) == 0) {
			uint64_t *x = tc_alloc(a);
			uint64_t *y = ref_tc_alloc(b);
			LFK_CHECK((x == NULL) == (y == NULL),
				  "it %d: alloc %p vs %p with %d held", it,
				  (void *)x, (void *)y, n);
			if (x && y) {
				x[0] = y[0] = lfk_rng_next(&rng);
				x[3] = y[3] = ~x[0];
				ha[n] = x;
				hb[n++] = y;
			} else {
				lfk_tcache_free(a, x);
				lfk_ref_tcache_free(b, y);
			}
		} else if (n > 0) {
			int i = (int)lfk_rng_below(&rng, (uint64_t)n);
			LFK_CHECK(ha[i][0] == hb[i][0] && ha[i][3] == hb[i][3],
				  "it %d: contents differ", it);
			LFK_CHECK(lfk_tcache_free(a, ha[i]) ==
					  lfk_ref_tcache_free(b, hb[i]),
				  "free");
			ha[i] = ha[--n];
			hb[i] = hb[n];
		}
		lfk_tcache_stats(a, &sa);
		lfk_ref_tcache_stats(b, &sb);
		LFK_CHECK(sa.in_use == sb.in_use && sa.in_use == (size_t)n,
			  "it %d: in_use %zu vs %zu, held %d", it, sa.in_use,
			  sb.in_use, n);
	}
	check_stats(a, (size_t)n, "differential");
	lfk_tcache_destroy(a);
	lfk_ref_tcache_destroy(b);
	return 0;
}
