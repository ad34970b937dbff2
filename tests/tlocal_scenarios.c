/* SPDX-License-Identifier: MIT */
/*
 * Scenarios of the per-thread family: lfk_tlocal (slots, thread exit,
 * destroy, the race of the two), lfk_counter (exact totals, exited threads
 * folded in), lfk_tcache (no object handed out twice at once, same-thread and
 * cross-thread, the maximum, statistics), differential runs against the
 * mutex twins, bad input, and a churn of a thousand short-lived threads.
 */
#include "tlocal_scenarios.h"

#include <errno.h>
#include <lfkit/counter.h>
#include <lfkit/ref/counter.h>
#include <lfkit/ref/tcache.h>
#include <lfkit/ref/tlocal.h>
#include <lfkit/tcache.h>
#include <lfkit/tlocal.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC 0x51a7ab1e5eed5eedull

/* A scenario that runs a parameterized test. */
#define SCN_WITH(name, fn, ...)                                                \
	int lfk_scn_##name(void)                                               \
	{                                                                      \
		return fn(__VA_ARGS__);                                        \
	}

/* ---- slot bookkeeping: every ctor and dtor counted, every dtor once ------ */

#define MAX_SERIALS 65536

struct tracker {
	uint64_t ctors, dtors, next_serial;
	uint32_t fail_ctor; /* > 0: that many ctor calls fail with -EBUSY */
	bool slow_dtor;	    /* exiting threads' dtors yield the CPU */
	uint32_t seen[MAX_SERIALS]; /* dtor calls per serial */
};

struct tslot {
	uint64_t magic, serial, value;
};

static __thread bool in_destroyer;

static int track_ctor(void *slot, void *arg)
{
	struct tracker *tr = arg;
	struct tslot *s = slot;
	if (lfk_atomic_load_u32(&tr->fail_ctor, LFK_RELAXED) > 0) {
		lfk_atomic_fetch_sub_u32(&tr->fail_ctor, 1, LFK_RELAXED);
		return -EBUSY;
	}
	LFK_CHECK(s->magic == 0 && s->value == 0, "ctor: slot not zeroed");
	s->magic = MAGIC;
	s->serial = lfk_atomic_fetch_add_u64(&tr->next_serial, 1, LFK_RELAXED) %
		    MAX_SERIALS;
	lfk_atomic_fetch_add_u64(&tr->ctors, 1, LFK_RELAXED);
	return 0;
}

static void track_dtor(void *slot, void *arg)
{
	struct tracker *tr = arg;
	struct tslot *s = slot;
	LFK_CHECK(s->magic == MAGIC, "dtor: bad slot (magic %llx)",
		  (unsigned long long)s->magic);
	LFK_CHECK(lfk_atomic_fetch_add_u32(&tr->seen[s->serial], 1,
					   LFK_RELAXED) == 0,
		  "dtor ran twice for serial %llu",
		  (unsigned long long)s->serial);
	s->magic = 0;
	lfk_atomic_fetch_add_u64(&tr->dtors, 1, LFK_RELAXED);
	/* Widens the window in which an exiting thread still uses the object
	 * that another thread is destroying. */
	for (int i = 0; tr->slow_dtor && !in_destroyer && i < 3; i++)
		sched_yield();
}

/* Objects for scenarios that are not about create's errors: NULL when
 * create fails (the scenario then reports it). */
static struct lfk_tlocal *tl_new(size_t size, void *tr)
{
	struct lfk_tlocal *t;
	lfk_tlocal_create(size, track_ctor, track_dtor, tr, &t);
	return t;
}

static struct lfk_counter *counter_new(void)
{
	struct lfk_counter *c;
	lfk_counter_create(&c);
	return c;
}

static struct lfk_ref_counter *ref_counter_new(void)
{
	struct lfk_ref_counter *c;
	lfk_ref_counter_create(&c);
	return c;
}

static struct lfk_tcache *tcache_new(size_t obj_size, size_t max, unsigned mag)
{
	struct lfk_tcache *tc;
	lfk_tcache_create(obj_size, max, mag, &tc);
	return tc;
}

/* The calls as expressions, for scenarios that are not about their errors:
 * the slot, object or value, or NULL / INT64_MIN on an error. */
static void *tl_slot(struct lfk_tlocal *t)
{
	void *slot;
	return lfk_tlocal_get(t, &slot) == 0 ? slot : NULL;
}

static void *ref_tl_slot(struct lfk_ref_tlocal *t)
{
	void *slot;
	return lfk_ref_tlocal_get(t, &slot) == 0 ? slot : NULL;
}

static void *tc_alloc(struct lfk_tcache *tc)
{
	void *obj;
	return lfk_tcache_alloc(tc, &obj) == 0 ? obj : NULL;
}

static void *ref_tc_alloc(struct lfk_ref_tcache *tc)
{
	void *obj;
	return lfk_ref_tcache_alloc(tc, &obj) == 0 ? obj : NULL;
}

static int64_t cnt(struct lfk_counter *c)
{
	int64_t v;
	return lfk_counter_read(c, &v) == 0 ? v : INT64_MIN;
}

static int64_t ref_cnt(struct lfk_ref_counter *c)
{
	int64_t v;
	return lfk_ref_counter_read(c, &v) == 0 ? v : INT64_MIN;
}


static struct tracker *tracker_new(void)
{
	struct tracker *tr = calloc(1, sizeof(*tr));
	if (tr == NULL)
		abort();
	return tr;
}

/* Every ctor matched by exactly one dtor. */
static void tracker_check(struct tracker *tr, uint64_t expect_ctors,
			  const char *what)
{
	uint64_t c = lfk_atomic_load_u64(&tr->ctors, LFK_RELAXED);
	uint64_t d = lfk_atomic_load_u64(&tr->dtors, LFK_RELAXED);
	LFK_CHECK(c == expect_ctors, "%s: %llu ctors, expected %llu", what,
		  (unsigned long long)c, (unsigned long long)expect_ctors);
	LFK_CHECK(d == c, "%s: %llu dtors for %llu ctors", what,
		  (unsigned long long)d, (unsigned long long)c);
	for (uint64_t i = 0; i < c && i < MAX_SERIALS; i++)
		LFK_CHECK(tr->seen[i] == 1, "%s: serial %llu destroyed %u times",
			  what, (unsigned long long)i, tr->seen[i]);
}

static void count_slot(void *slot, void *arg)
{
	(void)slot;
	(*(long *)arg)++;
}

/* ---- bad input ------------------------------------------------------------ */

int lfk_scn_bad_input(void)
{
	struct tracker *tr = tracker_new();
	struct lfk_tlocal *t;
	struct lfk_tcache *tc;
	struct lfk_ref_tcache *rtc;
	struct lfk_ref_tlocal *rt;
	struct lfk_tcache_stats st;
	struct tslot *s;
	void *slot;
	long n = 0;
	int64_t v;
	int obj;

	LFK_CHECK(lfk_tlocal_create(0, NULL, NULL, NULL, &t) == -EINVAL &&
			  t == NULL,
		  "tlocal_create(0)");
	LFK_CHECK(lfk_tlocal_create((1u << 20) + 1, NULL, NULL, NULL, &t) ==
			  -EINVAL,
		  "tlocal_create(too big)");
	LFK_CHECK(lfk_tlocal_create(8, NULL, NULL, NULL, NULL) == -EINVAL,
		  "tlocal_create(out NULL)");
	LFK_CHECK(lfk_tlocal_get(NULL, &slot) == -EINVAL,
		  "tlocal_get(NULL)");
	LFK_CHECK(lfk_tlocal_for_each(NULL, count_slot, NULL) == -EINVAL,
		  "for_each(NULL)");
	lfk_tlocal_destroy(NULL);

	/* A failing ctor fails the get, leaves no slot, and is retried. */
	t = tl_new(sizeof(struct tslot), tr);
	LFK_CHECK(t != NULL, "tlocal_create");
	LFK_CHECK(lfk_tlocal_for_each(t, NULL, NULL) == -EINVAL,
		  "for_each(fn NULL)");
	LFK_CHECK(lfk_tlocal_get(t, NULL) == -EINVAL, "tlocal_get(, NULL)");
	tr->fail_ctor = 1;
	LFK_CHECK(lfk_tlocal_get(t, &slot) == -EBUSY && slot == NULL,
		  "get must fail with the ctor's error");
	LFK_CHECK(lfk_tlocal_for_each(t, count_slot, &n) == 0 && n == 0,
		  "no slot after a failed ctor");
	s = tl_slot(t);
	LFK_CHECK(s != NULL && s->magic == MAGIC, "get after the ctor recovers");
	lfk_tlocal_destroy(t);
	tracker_check(tr, 1, "bad_input");

	LFK_CHECK(lfk_counter_add(NULL, 1) == -EINVAL, "counter_add(NULL)");
	LFK_CHECK(lfk_counter_read(NULL, &v) == -EINVAL, "counter_read(NULL)");
	LFK_CHECK(lfk_counter_reset(NULL) == -EINVAL, "counter_reset(NULL)");
	lfk_counter_destroy(NULL);
	LFK_CHECK(lfk_ref_counter_add(NULL, 1) == -EINVAL, "ref_counter_add");
	LFK_CHECK(lfk_ref_counter_read(NULL, &v) == -EINVAL,
		  "ref_counter_read(NULL)");
	LFK_CHECK(lfk_ref_counter_reset(NULL) == -EINVAL, "ref_counter_reset");
	lfk_ref_counter_destroy(NULL);

	static const struct {
		size_t size;
		unsigned mag;
	} bad[] = { { 0, 0 },
		    { LFK_TCACHE_OBJ_MAX + 1, 0 },
		    { 16, LFK_TCACHE_MAG_MAX + 1 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		LFK_CHECK(lfk_tcache_create(bad[i].size, 0, bad[i].mag, &tc) ==
					  -EINVAL &&
				  tc == NULL,
			  "tcache_create bad %zu", i);
		LFK_CHECK(lfk_ref_tcache_create(bad[i].size, 0, bad[i].mag,
						&rtc) == -EINVAL &&
				  rtc == NULL,
			  "ref_tcache_create bad %zu", i);
	}
	LFK_CHECK(lfk_tcache_create(8, 0, 0, NULL) == -EINVAL &&
			  lfk_ref_tcache_create(8, 0, 0, NULL) == -EINVAL &&
			  lfk_counter_create(NULL) == -EINVAL &&
			  lfk_ref_counter_create(NULL) == -EINVAL &&
			  lfk_ref_tlocal_create(8, NULL, NULL, NULL, NULL) ==
				  -EINVAL,
		  "create(out NULL)");
	LFK_CHECK(lfk_tcache_alloc(NULL, &slot) == -EINVAL,
		  "tcache_alloc(NULL)");
	LFK_CHECK(lfk_tcache_free(NULL, &obj) == -EINVAL, "tcache_free(NULL,)");
	LFK_CHECK(lfk_tcache_stats(NULL, &st) == -EINVAL, "tcache_stats(NULL)");
	lfk_tcache_destroy(NULL);
	tc = tcache_new(8, 0, 0);
	LFK_CHECK(tc != NULL, "tcache_create");
	LFK_CHECK(lfk_tcache_free(tc, NULL) == -EINVAL, "tcache_free(, NULL)");
	LFK_CHECK(lfk_tcache_stats(tc, NULL) == -EINVAL, "tcache_stats(, NULL)");
	lfk_tcache_destroy(tc);
	LFK_CHECK(lfk_ref_tcache_alloc(NULL, &slot) == -EINVAL,
		  "ref_tcache_alloc(NULL)");
	LFK_CHECK(lfk_ref_tcache_free(NULL, &obj) == -EINVAL, "ref_tcache_free");
	LFK_CHECK(lfk_ref_tcache_stats(NULL, &st) == -EINVAL, "ref_tcache_stats");
	lfk_ref_tcache_destroy(NULL);
	LFK_CHECK(lfk_ref_tlocal_create(0, NULL, NULL, NULL, &rt) == -EINVAL &&
			  rt == NULL,
		  "ref_tlocal_create(0)");
	LFK_CHECK(lfk_ref_tlocal_get(NULL, &slot) == -EINVAL,
		  "ref_tlocal_get(NULL)");
	LFK_CHECK(lfk_ref_tlocal_for_each(NULL, count_slot, NULL) == -EINVAL,
		  "ref_tlocal_for_each(NULL)");
	free(tr);
	return 0;
}

/* ---- lfk_tlocal --------------------------------------------------------------- */

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
			uint64_t want = ((uint64_t)(me + 1) << 32) | (uint64_t)i;
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
		LFK_CHECK(s != NULL && s->value == (((uint64_t)(MANY_THREADS + 1)
						     << 32) | (uint64_t)i),
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

#define TL_OBJS 3

struct tl_threads {
	struct lfk_tlocal *t[TL_OBJS];
	struct tslot *slot[8][TL_OBJS];
	struct lfk_bound bound;
	uint64_t sums[8];
	uint32_t finished;
};

static void tl_sum(void *slot, void *arg)
{
	*(uint64_t *)arg += lfk_atomic_load_u64(&((struct tslot *)slot)->value,
						LFK_RELAXED);
}

static void tl_worker(void *arg, int me)
{
	struct tl_threads *w = arg;
	uint64_t n = 0;
	for (int k = 0; k < TL_OBJS; k++)
		w->slot[me][k] = tl_slot(w->t[k]);
	while (!lfk_bound_done(&w->bound, n)) {
		int k = (int)(n % TL_OBJS);
		struct tslot *s = tl_slot(w->t[k]);
		LFK_CHECK(s == w->slot[me][k], "slot moved");
		lfk_atomic_store_u64(&s->value, s->value + 1, LFK_RELAXED);
		if (me == 0 && n % 4096 == 0) {
			uint64_t sum = 0;
			long v = 0;
			LFK_CHECK(lfk_tlocal_for_each(w->t[k], tl_sum, &sum) ==
						  0 &&
					  lfk_tlocal_for_each(w->t[k], count_slot,
							      &v) == 0 &&
					  v >= 1 && v <= 8,
				  "for_each visited %ld", v);
		}
		n++;
	}
	w->sums[me] = n;
	/* Stay alive until all are done: the slots compared are all live
	 * at once (a freed slot's memory may serve a later thread). */
	lfk_atomic_fetch_add_u32(&w->finished, 1, LFK_RELAXED);
	unsigned spins = 0;
	while (lfk_atomic_load_u32(&w->finished, LFK_RELAXED) < 8)
		lfk_backoff(&spins);
}

/* Eight threads on three objects: distinct slots, for_each while they run,
 * every slot destroyed at thread exit. */
int lfk_scn_tlocal_threads_8(void)
{
	struct tracker *tr = tracker_new();
	struct tl_threads *w = calloc(1, sizeof(*w));
	for (int k = 0; k < TL_OBJS; k++)
		w->t[k] = tl_new(sizeof(struct tslot), tr);
	w->bound = lfk_bound_scaled(8);
	lfk_run_threads(8, tl_worker, w);
	for (int a = 0; a < 8; a++)
		for (int b = a + 1; b < 8; b++)
			for (int k = 0; k < TL_OBJS; k++)
				LFK_CHECK(w->slot[a][k] != w->slot[b][k],
					  "threads %d and %d share a slot", a, b);
	tracker_check(tr, 8 * TL_OBJS, "threads_8 after exit");
	for (int k = 0; k < TL_OBJS; k++) {
		long n = 0;
		LFK_CHECK(lfk_tlocal_for_each(w->t[k], count_slot, &n) == 0 &&
				  n == 0,
			  "slots left after the threads exited");
		lfk_tlocal_destroy(w->t[k]);
	}
	free(w);
	free(tr);
	return 0;
}

#define RACE_OBJS 4
#define RACE_THREADS 7

struct race {
	struct lfk_tlocal *t[RACE_OBJS];
	uint32_t ready;
	uint64_t seed;
};

static void race_exiter(void *arg, int me)
{
	struct race *r = arg;
	(void)me;
	for (int k = 0; k < RACE_OBJS; k++) {
		struct tslot *s = tl_slot(r->t[k]);
		LFK_CHECK(s != NULL, "get");
	}
	/* release: the slots exist before the destroyer starts */
	lfk_atomic_fetch_add_u32(&r->ready, 1, LFK_RELEASE);
	/* returning exits the thread: its slots race with destroy */
}

static void race_destroyer(void *arg, int me)
{
	struct race *r = arg;
	struct lfk_rng rng;
	unsigned spins = 0;
	int order[RACE_OBJS];
	(void)me;
	in_destroyer = true;
	lfk_rng_seed(&rng, r->seed);
	/* acquire: pairs with the exiters' release */
	while (lfk_atomic_load_u32(&r->ready, LFK_ACQUIRE) < RACE_THREADS)
		lfk_backoff(&spins);
	for (int k = 0; k < RACE_OBJS; k++)
		order[k] = k;
	for (int k = RACE_OBJS - 1; k > 0; k--) {
		int j = (int)lfk_rng_below(&rng, (uint64_t)k + 1), x = order[k];
		order[k] = order[j];
		order[j] = x;
	}
	for (int k = 0; k < RACE_OBJS; k++)
		lfk_tlocal_destroy(r->t[order[k]]);
}

/* Threads exit while another thread destroys the objects they have slots
 * in: every destructor exactly once, nothing freed twice (ASan). */
int lfk_scn_tlocal_exit_vs_destroy(void)
{
	struct tracker *tr = tracker_new();
	struct lfk_bound bound = lfk_bound_scaled(800);
	tr->slow_dtor = true;
	uint64_t rounds = 0;
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed());
	while (!lfk_bound_done(&bound, rounds) && rounds < 250) {
		struct race r = { .seed = lfk_rng_next(&rng) };
		for (int k = 0; k < RACE_OBJS; k++)
			r.t[k] = tl_new(sizeof(struct tslot), tr);
		lfk_run_threads2(RACE_THREADS, race_exiter, 1, race_destroyer,
				 &r);
		rounds++;
	}
	tracker_check(tr, rounds * RACE_OBJS * RACE_THREADS, "exit_vs_destroy");
	free(tr);
	return 0;
}

/* Random create/get/write/destroy/for_each on the main thread, applied to
 * lfk_tlocal and to its pthread_key twin: same values, same counts. */
int lfk_scn_tlocal_differential(void)
{
	enum { N = 16 };
	struct tracker *tra = tracker_new(), *trb = tracker_new();
	struct lfk_tlocal *a[N] = { 0 };
	struct lfk_ref_tlocal *b[N] = { 0 };
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int it = 0; it < 20000; it++) {
		int i = (int)lfk_rng_below(&rng, N);
		switch (lfk_rng_below(&rng, 5)) {
		case 0:
			if (a[i] == NULL) {
				a[i] = tl_new(sizeof(struct tslot), tra);
				lfk_ref_tlocal_create(sizeof(struct tslot),
						      track_ctor, track_dtor,
						      trb, &b[i]);
			}
			break;
		case 1:
			lfk_tlocal_destroy(a[i]);
			lfk_ref_tlocal_destroy(b[i]);
			a[i] = NULL;
			b[i] = NULL;
			break;
		case 2: {
			long na = 0, nb = 0;
			int ra = lfk_tlocal_for_each(a[i], count_slot, &na);
			int rb = lfk_ref_tlocal_for_each(b[i], count_slot, &nb);
			LFK_CHECK(ra == rb && na == nb,
				  "it %d: for_each %d/%ld vs %d/%ld", it, ra,
				  na, rb, nb);
			break;
		}
		default: {
			struct tslot *sa = tl_slot(a[i]);
			struct tslot *sb = ref_tl_slot(b[i]);
			uint64_t v = lfk_rng_next(&rng);
			LFK_CHECK((sa == NULL) == (sb == NULL), "it %d: get", it);
			if (sa == NULL || sb == NULL)
				break;
			LFK_CHECK(sa->value == sb->value,
				  "it %d: value %llx vs %llx", it,
				  (unsigned long long)sa->value,
				  (unsigned long long)sb->value);
			sa->value = sb->value = v;
			break;
		}
		}
		LFK_CHECK(tra->ctors == trb->ctors && tra->dtors == trb->dtors,
			  "it %d: ctors/dtors %llu/%llu vs %llu/%llu", it,
			  (unsigned long long)tra->ctors,
			  (unsigned long long)tra->dtors,
			  (unsigned long long)trb->ctors,
			  (unsigned long long)trb->dtors);
		if (lfk_failures())
			break;
	}
	for (int i = 0; i < N; i++) {
		lfk_tlocal_destroy(a[i]);
		lfk_ref_tlocal_destroy(b[i]);
	}
	tracker_check(tra, trb->ctors, "differential");
	free(tra);
	free(trb);
	return 0;
}

/* ---- lfk_counter -------------------------------------------------------------- */

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
	LFK_CHECK(lfk_counter_reset(c) == 0 && cnt(c) == 0,
		  "reset");
	lfk_counter_add(c, 7);
	LFK_CHECK(cnt(c) == 7, "after reset");
	/* Threads that add and exit: folded in, not lost. */
	lfk_run_threads(3, add_ten, c);
	LFK_CHECK(cnt(c) == 37, "exited threads: %lld",
		  (long long)cnt(c));
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
	LFK_CHECK(cnt(a) == 1000 && cnt(b) == 6000,
		  "alternating: %lld %lld", (long long)cnt(a),
		  (long long)cnt(b));
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
		  "after the adder exits: %lld, b %lld",
		  (long long)cnt(u.c), (long long)cnt(b));
	lfk_counter_destroy(u.c);
	lfk_counter_destroy(b);
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
			LFK_CHECK(x == y, "it %d: %lld vs %lld", it, (long long)x,
				  (long long)y);
		} else {
			LFK_CHECK(lfk_counter_reset(a) == lfk_ref_counter_reset(b),
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

struct cnt_run {
	struct lfk_counter *c;
	struct lfk_ref_counter *ref;
	struct lfk_bound bound;
	uint64_t sums[LFK_STRESS_MAX_THREADS];
	uint32_t adders_left;
};

static void cnt_adder(void *arg, int me)
{
	struct cnt_run *r = arg;
	uint64_t n = 0, sum = 0;
	while (!lfk_bound_done(&r->bound, n)) {
		uint64_t v = (uint64_t)me + 1 + (n & 7);
		lfk_counter_add(r->c, (int64_t)v);
		lfk_ref_counter_add(r->ref, (int64_t)v);
		sum += v;
		n++;
	}
	r->sums[me] = sum;
	lfk_atomic_fetch_sub_u32(&r->adders_left, 1, LFK_RELAXED);
}

static void cnt_reader(void *arg, int me)
{
	struct cnt_run *r = arg;
	unsigned spins = 0;
	(void)me;
	while (lfk_atomic_load_u32(&r->adders_left, LFK_RELAXED) > 0) {
		int64_t v = cnt(r->c);
		LFK_CHECK(v >= 0, "read %lld while adding positives",
			  (long long)v);
		lfk_backoff(&spins);
	}
}

/* n threads add, one reads meanwhile; the total is exact at the end, and
 * matches the twin (fed the same values). */
static int counter_threads(int n)
{
	struct cnt_run r = { .c = counter_new(),
			     .ref = ref_counter_new(),
			     .adders_left = (uint32_t)n };
	uint64_t total = 0;
	r.bound = lfk_bound_scaled((uint64_t)n);
	lfk_run_threads2(n, cnt_adder, 1, cnt_reader, &r);
	for (int i = 0; i < n; i++)
		total += r.sums[i];
	LFK_CHECK(cnt(r.c) == (int64_t)total &&
			  ref_cnt(r.ref) == (int64_t)total,
		  "total %lld (twin %lld), expected %llu",
		  (long long)cnt(r.c),
		  (long long)ref_cnt(r.ref),
		  (unsigned long long)total);
	lfk_counter_destroy(r.c);
	lfk_ref_counter_destroy(r.ref);
	return 0;
}

SCN_WITH(counter_threads_2, counter_threads, 2)

SCN_WITH(counter_threads_8, counter_threads, lfk_stress_threads(8))

/*
 * Reads racing thread exits: short-lived threads add 1 and exit while a
 * reader checks that no read is below the one before.  An exiting thread's
 * shard must stay counted until its value is in the shared total: a shard
 * that leaves the registry before it is folded makes a read in between miss
 * it (the read goes backwards, then forward again).
 */
#define EXIT_SPAWNERS 2

struct exit_run {
	struct lfk_counter *c;
	struct lfk_bound bound; /* threads per spawner */
	uint64_t spawned[EXIT_SPAWNERS];
	uint32_t spawners_left;
};

static void *exit_adder(void *arg)
{
	lfk_counter_add(arg, 1);
	return NULL; /* the shard is folded on the way out */
}

static void exit_spawner(void *arg, int me)
{
	struct exit_run *r = arg;
	uint64_t n = 0;
	pthread_t t;
	while (!lfk_bound_done(&r->bound, n)) {
		if (pthread_create(&t, NULL, exit_adder, r->c) != 0)
			break;
		pthread_join(t, NULL);
		n++;
	}
	r->spawned[me] = n;
	lfk_atomic_fetch_sub_u32(&r->spawners_left, 1, LFK_RELAXED);
}

static void exit_reader(void *arg, int me)
{
	struct exit_run *r = arg;
	int64_t last = 0;
	(void)me;
	while (lfk_atomic_load_u32(&r->spawners_left, LFK_RELAXED) > 0) {
		int64_t v = cnt(r->c);
		LFK_CHECK(v >= last, "read %lld after %lld while threads that "
			  "added 1 were exiting", (long long)v, (long long)last);
		last = v;
	}
}

int lfk_scn_counter_read_vs_exit(void)
{
	struct exit_run r = { .c = counter_new(),
			      .spawners_left = EXIT_SPAWNERS };
	uint64_t total = 0;
	if (r.c == NULL)
		return 1;
	/* a thread's life is tens of microseconds: fewer items */
	r.bound = lfk_bound_scaled(20 * EXIT_SPAWNERS);
	lfk_run_threads2(EXIT_SPAWNERS, exit_spawner, 1, exit_reader, &r);
	for (int i = 0; i < EXIT_SPAWNERS; i++)
		total += r.spawned[i];
	LFK_CHECK(total > 0 && cnt(r.c) == (int64_t)total,
		  "total %lld, %llu threads added 1",
		  (long long)cnt(r.c), (unsigned long long)total);
	lfk_counter_destroy(r.c);
	return 0;
}

/* ---- lfk_tcache ----------------------------------------------------------------- */

/* What the uniqueness tests write into every object they hold.  owner is
 * exchanged relaxed (no synchronization of its own, so the plain stamp and
 * seq stay ordered only by the cache itself: a missing release/acquire in
 * the cache shows up under TSan). */
struct uobj {
	uint64_t owner; /* 0: free; else the holder's tag */
	uint64_t stamp;
	uint64_t seq;
};

static void take(struct uobj *o, uint64_t tag, uint64_t seq)
{
	uint64_t prev = lfk_atomic_exchange_u64(&o->owner, tag, LFK_RELAXED);
	LFK_CHECK(prev == 0, "object %p handed to %llx while %llx holds it",
		  (void *)o, (unsigned long long)tag, (unsigned long long)prev);
	o->stamp = tag;
	o->seq = seq;
}

static void give_back(struct uobj *o, uint64_t tag, uint64_t seq)
{
	uint64_t prev;
	LFK_CHECK(o->stamp == tag && o->seq == seq,
		  "object %p stamp %llx/%llu, expected %llx/%llu", (void *)o,
		  (unsigned long long)o->stamp, (unsigned long long)o->seq,
		  (unsigned long long)tag, (unsigned long long)seq);
	prev = lfk_atomic_exchange_u64(&o->owner, 0, LFK_RELAXED);
	LFK_CHECK(prev == tag, "object %p owned by %llx on free, expected %llx",
		  (void *)o, (unsigned long long)prev, (unsigned long long)tag);
}

static void check_stats(struct lfk_tcache *tc, size_t in_use, const char *what)
{
	struct lfk_tcache_stats st;
	LFK_CHECK(lfk_tcache_stats(tc, &st) == 0, "stats");
	LFK_CHECK(st.in_use == in_use, "%s: in_use %zu, expected %zu", what,
		  st.in_use, in_use);
	LFK_CHECK(st.in_use + st.in_magazines + st.in_depot == st.created,
		  "%s: %zu + %zu + %zu != created %zu", what, st.in_use,
		  st.in_magazines, st.in_depot, st.created);
	LFK_CHECK(st.max_objects == 0 || st.created <= st.max_objects,
		  "%s: created %zu > max %zu", what, st.created, st.max_objects);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a;
	uintptr_t y = (uintptr_t) * (void *const *)b;
	return (x > y) - (x < y);
}

int lfk_scn_tcache_basic(void)
{
	enum { N = 100 };
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

#define MAXOBJ 50

struct maxrun {
	struct lfk_tcache *tc;
	uint64_t held; /* objects held by all threads together */
	struct lfk_bound bound;
};

static void max_worker(void *arg, int me)
{
	struct maxrun *m = arg;
	void *mine[MAXOBJ + 1];
	uint64_t n = 0, tag = (uint64_t)me + 1;
	while (!lfk_bound_done(&m->bound, n)) {
		int k = 0, rc = 0;
		while (k < MAXOBJ + 1 &&
		       (rc = lfk_tcache_alloc(m->tc, &mine[k])) == 0) {
			uint64_t h = lfk_atomic_fetch_add_u64(&m->held, 1,
							      LFK_RELAXED);
			LFK_CHECK(h < MAXOBJ, "%llu objects held at once, max %d",
				  (unsigned long long)h + 1, MAXOBJ);
			take(mine[k], tag, n);
			k++;
		}
		LFK_CHECK(k <= MAXOBJ, "thread got %d objects", k);
		LFK_CHECK(k == MAXOBJ + 1 || rc == -ENOMEM,
			  "alloc failed with %d", rc);
		while (k > 0) {
			give_back(mine[--k], tag, n);
			lfk_atomic_fetch_sub_u64(&m->held, 1, LFK_RELAXED);
			lfk_tcache_free(m->tc, mine[k]);
		}
		n++;
	}
}

/* The maximum gives ENOMEM, exactly at the maximum on one thread, never
 * more objects at once on several. */
int lfk_scn_tcache_max_objects(void)
{
	struct maxrun m = { .tc = tcache_new(sizeof(struct uobj), MAXOBJ, 8) };
	void *p[MAXOBJ], *extra;
	int k;
	for (k = 0; k < MAXOBJ; k++) {
		p[k] = tc_alloc(m.tc);
		LFK_CHECK(p[k] != NULL, "alloc %d below the maximum", k);
	}
	LFK_CHECK(lfk_tcache_alloc(m.tc, &extra) == -ENOMEM && extra == NULL,
		  "alloc at the maximum must fail with -ENOMEM");
	lfk_tcache_free(m.tc, p[7]);
	p[7] = tc_alloc(m.tc);
	LFK_CHECK(p[7] != NULL, "alloc after a free");
	for (k = 0; k < MAXOBJ; k++)
		lfk_tcache_free(m.tc, p[k]);
	check_stats(m.tc, 0, "max, one thread");
	m.bound = lfk_bound_scaled(2000);
	lfk_run_threads(4, max_worker, &m);
	check_stats(m.tc, 0, "max, four threads");
	lfk_tcache_destroy(m.tc);
	return 0;
}

/* Random alloc/free against the mutex free list, with a maximum: the same
 * successes and failures, the same count in use, contents intact. */
int lfk_scn_tcache_differential(void)
{
	enum { MAX = 40 };
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

#define BURST_MAX 40

struct same {
	struct lfk_tcache *tc;
	struct lfk_bound bound;
	uint64_t seed;
};

static void same_worker(void *arg, int me)
{
	struct same *s = arg;
	struct uobj *held[BURST_MAX];
	uint64_t n = 0, tag = (uint64_t)me + 1;
	struct lfk_rng rng;
	lfk_rng_seed(&rng, s->seed + (uint64_t)me);
	while (!lfk_bound_done(&s->bound, n)) {
		int k = 1 + (int)lfk_rng_below(&rng, BURST_MAX);
		for (int i = 0; i < k; i++) {
			held[i] = tc_alloc(s->tc);
			LFK_CHECK(held[i] != NULL, "alloc");
			if (held[i] == NULL)
				return;
			take(held[i], tag, n + (uint64_t)i);
		}
		/* free in a random order */
		for (int i = k; i > 0; i--) {
			int j = (int)lfk_rng_below(&rng, (uint64_t)i);
			struct uobj *o = held[j];
			held[j] = held[i - 1];
			give_back(o, tag, o->seq);
			lfk_tcache_free(s->tc, o);
		}
		n += (uint64_t)k;
	}
}

/* Alloc and free on the same threads, 1 to 8 of them, small magazines so
 * that the depot is busy: no object held twice at once. */
static int unique_same(int nthreads)
{
	struct same s = { .tc = tcache_new(sizeof(struct uobj), 0, 8),
			  .seed = lfk_test_seed() };
	s.bound = lfk_bound_scaled((uint64_t)nthreads);
	lfk_run_threads(nthreads, same_worker, &s);
	check_stats(s.tc, 0, "unique_same");
	lfk_tcache_destroy(s.tc);
	return 0;
}

SCN_WITH(tcache_unique_same_1, unique_same, 1)

SCN_WITH(tcache_unique_same_2, unique_same, 2)

SCN_WITH(tcache_unique_same_8, unique_same, lfk_stress_threads(8))

/* A bounded many-to-many channel behind a mutex (the test's own: what it
 * checks is the cache, not the channel). */
#define CHAN_CAP 256

struct chan {
	pthread_mutex_t lock;
	void *item[CHAN_CAP];
	unsigned head, count;
};

static bool chan_put(struct chan *c, void *p)
{
	bool ok;
	pthread_mutex_lock(&c->lock);
	ok = c->count < CHAN_CAP;
	if (ok)
		c->item[(c->head + c->count++) % CHAN_CAP] = p;
	pthread_mutex_unlock(&c->lock);
	return ok;
}

static void *chan_get(struct chan *c)
{
	void *p = NULL;
	pthread_mutex_lock(&c->lock);
	if (c->count > 0) {
		p = c->item[c->head];
		c->head = (c->head + 1) % CHAN_CAP;
		c->count--;
	}
	pthread_mutex_unlock(&c->lock);
	return p;
}

struct xthread {
	struct lfk_tcache *tc;
	struct chan ch;
	struct lfk_bound bound;
	uint32_t producers_left;
	uint64_t produced[8], consumed[8];
};

static void x_producer(void *arg, int me)
{
	struct xthread *x = arg;
	uint64_t n = 0, tag = (uint64_t)me + 1;
	unsigned spins = 0;
	while (!lfk_bound_done(&x->bound, n)) {
		struct uobj *o = tc_alloc(x->tc);
		LFK_CHECK(o != NULL, "alloc");
		if (o == NULL)
			break;
		take(o, tag, n);
		while (!chan_put(&x->ch, o))
			lfk_backoff(&spins);
		spins = 0;
		n++;
	}
	x->produced[me] = n;
	/* release: the producer's last puts before the consumers' final drain */
	lfk_atomic_fetch_sub_u32(&x->producers_left, 1, LFK_RELEASE);
}

static void x_consumer(void *arg, int me)
{
	struct xthread *x = arg;
	uint64_t n = 0;
	unsigned spins = 0;
	for (;;) {
		struct uobj *o = chan_get(&x->ch);
		if (o == NULL) {
			/* acquire: pairs with the producers' release */
			if (lfk_atomic_load_u32(&x->producers_left,
						LFK_ACQUIRE) == 0 &&
			    (o = chan_get(&x->ch)) == NULL)
				break;
			if (o == NULL) {
				lfk_backoff(&spins);
				continue;
			}
		}
		spins = 0;
		give_back(o, o->stamp, o->seq);
		lfk_tcache_free(x->tc, o);
		n++;
	}
	x->consumed[me] = n;
}

/* Producers allocate, consumers free: objects cross threads one way,
 * magazines come back through the depot. */
static int unique_xthread(int np, int nc)
{
	struct xthread *x = calloc(1, sizeof(*x));
	uint64_t p = 0, c = 0;
	struct lfk_tcache_stats st;
	x->tc = tcache_new(sizeof(struct uobj), 0, 16);
	pthread_mutex_init(&x->ch.lock, NULL);
	x->producers_left = (uint32_t)np;
	x->bound = lfk_bound_scaled((uint64_t)np);
	lfk_run_threads2(np, x_producer, nc, x_consumer, x);
	for (int i = 0; i < np; i++)
		p += x->produced[i];
	for (int i = 0; i < nc; i++)
		c += x->consumed[i];
	LFK_CHECK(p == c && p > 0, "produced %llu, consumed %llu",
		  (unsigned long long)p, (unsigned long long)c);
	check_stats(x->tc, 0, "xthread");
	lfk_tcache_stats(x->tc, &st);
	LFK_CHECK(st.in_magazines == 0 && st.in_depot == st.created,
		  "exited threads' magazines must be in the depot: %zu/%zu/%zu",
		  st.in_magazines, st.in_depot, st.created);
	lfk_tcache_destroy(x->tc);
	pthread_mutex_destroy(&x->ch.lock);
	free(x);
	return 0;
}

SCN_WITH(tcache_unique_xthread_1_1, unique_xthread, 1, 1)

SCN_WITH(tcache_unique_xthread_2_2, unique_xthread, 2, 2)

SCN_WITH(tcache_unique_xthread_4_4, unique_xthread, 4, 4)

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
	LFK_CHECK(st.created == created && st.in_use == created,
		  "objects of exited threads must be reused: created %zu -> %zu",
		  created, st.created);
	for (size_t i = 0; i < created; i++)
		lfk_tcache_free(tc, p[i]);
	check_stats(tc, 0, "exit_returns_magazines");
	free(p);
	lfk_tcache_destroy(tc);
	return 0;
}

/* ---- a thousand short-lived threads ------------------------------------------ */

#define WAVE 16
#define WAVES 63 /* 1008 threads */
#define CHURN_ADDS 100
#define CHURN_OBJS 8

struct churn {
	struct lfk_counter *c;
	struct lfk_ref_counter *ref;
	struct lfk_tlocal *t[TL_OBJS];
	struct lfk_tcache *tc;
	pthread_mutex_t lock;
	void *handoff[WAVE * CHURN_OBJS]; /* freed by the next wave */
	unsigned nhandoff;
};

static void churn_thread(void *arg, int me)
{
	struct churn *ch = arg;
	void *obj[CHURN_OBJS];
	for (int i = 0; i < CHURN_ADDS; i++) {
		lfk_counter_add(ch->c, me + 1);
		lfk_ref_counter_add(ch->ref, me + 1);
	}
	for (int k = 0; k < TL_OBJS; k++) {
		struct tslot *s = tl_slot(ch->t[k]);
		LFK_CHECK(s != NULL && s->magic == MAGIC && s->value == 0,
			  "churn: fresh slot");
		if (s)
			s->value = (uint64_t)me;
	}
	for (int i = 0; i < CHURN_OBJS; i++) {
		obj[i] = tc_alloc(ch->tc);
		LFK_CHECK(obj[i] != NULL, "churn: alloc");
		if (obj[i])
			take(obj[i], (uint64_t)me + 1, (uint64_t)i);
	}
	/* Free what the previous wave handed over, hand over half of ours. */
	pthread_mutex_lock(&ch->lock);
	for (int i = 0; i < CHURN_OBJS && ch->nhandoff > 0; i++) {
		struct uobj *o = ch->handoff[--ch->nhandoff];
		give_back(o, o->stamp, o->seq);
		lfk_tcache_free(ch->tc, o);
	}
	for (int i = 0; i < CHURN_OBJS / 2; i++)
		if (obj[i])
			ch->handoff[ch->nhandoff++] = obj[i];
	pthread_mutex_unlock(&ch->lock);
	for (int i = CHURN_OBJS / 2; i < CHURN_OBJS; i++) {
		if (obj[i] == NULL)
			continue;
		give_back(obj[i], (uint64_t)me + 1, (uint64_t)i);
		lfk_tcache_free(ch->tc, obj[i]);
	}
}

/* 1008 threads in waves of 16: counters exact, every slot destructor run
 * exactly once, every object back; nothing leaked (ASan/LSan build). */
int lfk_scn_thread_churn(void)
{
	struct churn *ch = calloc(1, sizeof(*ch));
	struct tracker *tr = tracker_new();
	int64_t expect = 0;
	ch->c = counter_new();
	ch->ref = ref_counter_new();
	for (int k = 0; k < TL_OBJS; k++)
		ch->t[k] = tl_new(sizeof(struct tslot), tr);
	ch->tc = tcache_new(sizeof(struct uobj), 0, 4);
	pthread_mutex_init(&ch->lock, NULL);
	for (int w = 0; w < WAVES; w++)
		lfk_run_threads(WAVE, churn_thread, ch);
	for (int me = 0; me < WAVE; me++)
		expect += (int64_t)WAVES * CHURN_ADDS * (me + 1);
	LFK_CHECK(cnt(ch->c) == expect &&
			  ref_cnt(ch->ref) == expect,
		  "counter %lld, twin %lld, expected %lld",
		  (long long)cnt(ch->c),
		  (long long)ref_cnt(ch->ref), (long long)expect);
	tracker_check(tr, (uint64_t)WAVE * WAVES * TL_OBJS,
		      "churn after the threads exited");
	check_stats(ch->tc, ch->nhandoff, "churn");
	while (ch->nhandoff > 0) {
		struct uobj *o = ch->handoff[--ch->nhandoff];
		give_back(o, o->stamp, o->seq);
		lfk_tcache_free(ch->tc, o);
	}
	check_stats(ch->tc, 0, "churn, all freed");
	for (int k = 0; k < TL_OBJS; k++)
		lfk_tlocal_destroy(ch->t[k]);
	lfk_tcache_destroy(ch->tc);
	lfk_counter_destroy(ch->c);
	lfk_ref_counter_destroy(ch->ref);
	pthread_mutex_destroy(&ch->lock);
	free(ch);
	free(tr);
	return 0;
}
