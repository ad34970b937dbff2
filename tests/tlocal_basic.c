/* SPDX-License-Identifier: MIT */
/*
 * The per-thread family one object at a time: lfk_tlocal slots (first get,
 * many objects, ids reused after destroy), lfk_counter (exact totals,
 * exited threads folded in, the last-used shard), lfk_tcache (alloc, free,
 * reuse, magazines of exited threads).
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "tlocal_helpers.h"

/* ---- lfk_tlocal ---------------------------------------------------------- */

int lfk_scn_tlocal_basic(void)
{
	struct tracker *tr = tracker_new();
	struct lfk_tlocal *t = tl_new(sizeof(struct tslot), tr), *big;
	lfk_tlocal_create(1000, NULL, NULL, NULL, &big);
	struct tslot *s, *s2;
	unsigned char *b;
	long n = 0;
	LFK_CHECK(t != NULL && big != NULL, "create");
	s = tl_slot(t);
	LFK_CHECK(s != NULL && s->magic == MAGIC, "first get runs the ctor");
	LFK_CHECK(((uintptr_t)s % LFK_CACHELINE) == 0, "slot not line-aligned");
	s->value = 42;
	s2 = tl_slot(t);
	LFK_CHECK(s2 == s && s2->value == 42, "second get: the same slot");
	b = tl_slot(big);
	LFK_CHECK(b != NULL && (void *)b != (void *)s, "a second object");
	for (int i = 0; i < 1000; i++)
		LFK_CHECK(b[i] == 0, "slot not zeroed at %d", i);
	memset(b, 0xab, 1000); /* ASan: the whole size is ours */
	LFK_CHECK(lfk_tlocal_for_each(t, count_slot, &n) == 0 && n == 1,
		  "for_each visits one slot");
	LFK_CHECK(lfk_atomic_load_u64(&tr->ctors, LFK_RELAXED) == 1 &&
			  lfk_atomic_load_u64(&tr->dtors, LFK_RELAXED) == 0,
		  "one ctor, no dtor yet");
	lfk_tlocal_destroy(t);
	lfk_tlocal_destroy(big);
	tracker_check(tr, 1, "basic");
	free(tr);
	return 0;
}

#define MANY 3000
#define MANY_THREADS 4

struct many {
	struct lfk_tlocal **t;
	struct tracker *tr;
};

static void many_worker(void *arg, int me)
{
	struct many *m = arg;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < MANY; i++) {
			struct tslot *s = tl_slot(m->t[i]);
			uint64_t want =
				((uint64_t)(me + 1) << 32) | (uint64_t)i;
			if (s == NULL) {
				LFK_CHECK(0, "get failed");
				return;
			}
			if (pass == 0) {
				LFK_CHECK(s->value == 0, "fresh slot not zero");
				s->value = want;
			} else {
				LFK_CHECK(s->value == want,
					  "slot %d holds %llx, want %llx", i,
					  (unsigned long long)s->value,
					  (unsigned long long)want);
			}
		}
	}
}

/* Thousands of objects in a handful of threads; ids reused after destroy
 * must not lead a thread back to a slot of the destroyed object. */
int lfk_scn_tlocal_many_objects(void)
{
	struct many m = { calloc(MANY, sizeof(*m.t)), tracker_new() };
	struct lfk_rng rng;
	uint64_t ctors;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int i = 0; i < MANY; i++) {
		m.t[i] = tl_new(sizeof(struct tslot), m.tr);
		LFK_CHECK(m.t[i] != NULL, "create %d", i);
		if (m.t[i] == NULL)
			return 1;
	}
	lfk_run_threads(MANY_THREADS, many_worker, &m);
	/* The workers have exited: their slots are gone. */
	LFK_CHECK(lfk_atomic_load_u64(&m.tr->dtors, LFK_RELAXED) ==
			  (uint64_t)MANY * MANY_THREADS,
		  "exited threads' dtors: %llu",
		  (unsigned long long)m.tr->dtors);
	many_worker(&m, MANY_THREADS); /* the main thread too */
	/* Destroy half at random and recreate them: their ids come back. */
	for (int i = 0; i < MANY; i++) {
		if (lfk_rng_below(&rng, 2) == 0)
			continue;
		lfk_tlocal_destroy(m.t[i]);
		m.t[i] = tl_new(sizeof(struct tslot), m.tr);
		LFK_CHECK(m.t[i] != NULL, "recreate %d", i);
		if (m.t[i] == NULL)
			return 1;
		struct tslot *s = tl_slot(m.t[i]);
		LFK_CHECK(s != NULL && s->magic == MAGIC && s->value == 0,
			  "recreated object %d: not a fresh slot", i);
		if (s != NULL)
			s->value = ((uint64_t)(MANY_THREADS + 1) << 32) |
				   (uint64_t)i;
	}
	for (int i = 0; i < MANY; i++) {
		struct tslot *s = tl_slot(m.t[i]);
		LFK_CHECK(s != NULL &&
				  s->value == (((uint64_t)(MANY_THREADS + 1)
						<< 32) |
					       (uint64_t)i),
			  "object %d after recreation", i);
	}
	ctors = lfk_atomic_load_u64(&m.tr->ctors, LFK_RELAXED);
	for (int i = 0; i < MANY; i++)
		lfk_tlocal_destroy(m.t[i]);
	tracker_check(m.tr, ctors, "many_objects");
	free(m.t);
	free(m.tr);
	return 0;
}

/* ---- lfk_counter --------------------------------------------------------- */

static void add_ten(void *arg, int me)
{
	(void)me;
	for (int i = 0; i < 10; i++)
		lfk_counter_add(arg, 1);
}

int lfk_scn_counter_basic(void)
{
	struct lfk_counter *c = counter_new();
	LFK_CHECK(c != NULL, "create");
	LFK_CHECK(cnt(c) == 0, "starts at 0");
	lfk_counter_add(c, 5);
	lfk_counter_add(c, -2);
	LFK_CHECK(cnt(c) == 3, "5 - 2");
	LFK_CHECK(lfk_counter_reset(c) == 0 && cnt(c) == 0, "reset");
	lfk_counter_add(c, 7);
	LFK_CHECK(cnt(c) == 7, "after reset");
	/* Threads that add and exit: folded in, not lost. */
	lfk_run_threads(3, add_ten, c);
	LFK_CHECK(cnt(c) == 37, "exited threads: %lld", (long long)cnt(c));
	LFK_CHECK(lfk_counter_reset(c) == 0 && cnt(c) == 0,
		  "reset after exits");
	lfk_counter_add(c, INT64_MAX);
	lfk_counter_add(c, 2);
	LFK_CHECK(cnt(c) == INT64_MIN + 1, "wraps modulo 2^64");
	lfk_counter_destroy(c);
	return 0;
}

/*
 * A thread finds its shard of the counter it added to last without a
 * lookup.  Alternating between counters must keep them apart; and a thread
 * whose last-used counter is destroyed by another thread, then replaced by
 * a new counter (often at the same address), must count into the new one,
 * not into its freed shard of the old one (the entry is keyed by a serial
 * number, not the address, for the case where the allocator hands the
 * address out again; ASan then also catches a write to the freed shard).
 */
struct last_used {
	struct lfk_counter *c;
	uint32_t step; /* 0 -> 1: adder added to c; 2: c replaced; 3: added */
};

static void wait_step(uint32_t *step, uint32_t want)
{
	/* acquire: pairs with the release in next_step (the new counter) */
	while (lfk_atomic_load_u32(step, LFK_ACQUIRE) != want)
		sched_yield();
}

static void next_step(uint32_t *step, uint32_t to)
{
	/* release: publishes the counter and the adds before the step */
	lfk_atomic_store_u32(step, to, LFK_RELEASE);
}

static void *last_used_adder(void *arg)
{
	struct last_used *u = arg;
	lfk_counter_add(u->c, 5);
	next_step(&u->step, 1);
	wait_step(&u->step, 2);
	lfk_counter_add(u->c, 7); /* a new counter; our entry names the old */
	next_step(&u->step, 3);
	wait_step(&u->step, 4);
	return NULL;
}

int lfk_scn_counter_last_used(void)
{
	struct lfk_counter *a = counter_new(), *b = counter_new();
	struct last_used u = { NULL, 0 };
	struct lfk_counter *old;
	pthread_t th;
	LFK_CHECK(a != NULL && b != NULL, "create");
	if (a == NULL || b == NULL)
		return 1;
	for (int i = 0; i < 1000; i++) {
		lfk_counter_add(a, 1);
		lfk_counter_add(b, 3);
		lfk_counter_add(b, 3);
	}
	LFK_CHECK(cnt(a) == 1000 && cnt(b) == 6000, "alternating: %lld %lld",
		  (long long)cnt(a), (long long)cnt(b));
	lfk_counter_destroy(a);
	u.c = old = counter_new();
	LFK_CHECK(u.c != NULL, "create");
	if (u.c == NULL || pthread_create(&th, NULL, last_used_adder, &u) != 0)
		return 1;
	wait_step(&u.step, 1);
	lfk_counter_destroy(u.c);
	u.c = counter_new();
	LFK_CHECK(u.c != NULL, "re-create");
	next_step(&u.step, 2);
	wait_step(&u.step, 3);
	LFK_CHECK(cnt(u.c) == 7,
		  "new counter (%s address) reads %lld, expected 7",
		  u.c == old ? "same" : "another", (long long)cnt(u.c));
	next_step(&u.step, 4);
	pthread_join(th, NULL);
	LFK_CHECK(cnt(u.c) == 7 && cnt(b) == 6000,
		  "after the adder exits: %lld, b %lld", (long long)cnt(u.c),
		  (long long)cnt(b));
	lfk_counter_destroy(u.c);
	lfk_counter_destroy(b);
	return 0;
}

/* ---- lfk_tcache ---------------------------------------------------------- */

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a;
	uintptr_t y = (uintptr_t) * (void *const *)b;
	return (x > y) - (x < y);
}

int lfk_scn_tcache_basic(void)
{
	enum {
		N = 100
	};
	struct lfk_tcache *tc = tcache_new(24, 0, 4);
	struct lfk_tcache_stats st;
	void *p[N], *sorted[N];
	size_t created;
	LFK_CHECK(tc != NULL, "create");
	if (tc == NULL)
		return 1;
	for (int i = 0; i < N; i++) {
		p[i] = tc_alloc(tc);
		LFK_CHECK(p[i] != NULL && (uintptr_t)p[i] % 16 == 0,
			  "alloc %d: %p", i, p[i]);
		if (p[i] == NULL)
			return 1;
		memset(p[i], i, 24); /* ASan: the whole size is ours */
	}
	memcpy(sorted, p, sizeof(p));
	qsort(sorted, N, sizeof(void *), cmp_ptr);
	for (int i = 1; i < N; i++)
		LFK_CHECK((char *)sorted[i] - (char *)sorted[i - 1] >= 24,
			  "objects overlap");
	check_stats(tc, N, "after allocs");
	for (int i = 0; i < N; i++) {
		LFK_CHECK(((unsigned char *)p[i])[23] == (unsigned char)i,
			  "object %d overwritten", i);
		LFK_CHECK(lfk_tcache_free(tc, p[i]) == 0, "free");
	}
	check_stats(tc, 0, "after frees");
	lfk_tcache_stats(tc, &st);
	created = st.created;
	for (int i = 0; i < N; i++)
		p[i] = tc_alloc(tc);
	lfk_tcache_stats(tc, &st);
	LFK_CHECK(st.created == created, "freed objects must be reused");
	for (int i = 0; i < N; i++)
		lfk_tcache_free(tc, p[i]);
	lfk_tcache_destroy(tc);
	return 0;
}

static void hold_and_exit(void *arg, int me)
{
	void *p[100];
	(void)me;
	for (int i = 0; i < 100; i++)
		p[i] = tc_alloc(arg);
	for (int i = 0; i < 100; i++)
		lfk_tcache_free(arg, p[i]);
}

/* Threads exit with full magazines: the objects go back to the depot and
 * the next thread reuses every one of them before carving new ones. */
int lfk_scn_tcache_exit_returns_magazines(void)
{
	struct lfk_tcache *tc = tcache_new(40, 0, 16);
	struct lfk_tcache_stats st;
	void **p;
	size_t created;
	lfk_run_threads(4, hold_and_exit, tc);
	lfk_tcache_stats(tc, &st);
	created = st.created;
	LFK_CHECK(st.in_use == 0 && st.in_magazines == 0 &&
			  st.in_depot == created && created >= 100,
		  "after exits: in_use %zu in_magazines %zu in_depot %zu "
		  "created %zu",
		  st.in_use, st.in_magazines, st.in_depot, created);
	p = calloc(created, sizeof(*p));
	for (size_t i = 0; i < created; i++)
		p[i] = tc_alloc(tc);
	lfk_tcache_stats(tc, &st);
	LFK_CHECK(
		st.created == created && st.in_use == created,
		"objects of exited threads must be reused: created %zu -> %zu",
		created, st.created);
	for (size_t i = 0; i < created; i++)
		lfk_tcache_free(tc, p[i]);
	check_stats(tc, 0, "exit_returns_magazines");
	free(p);
	lfk_tcache_destroy(tc);
	return 0;
}
