/* SPDX-License-Identifier: MIT */
/*
 * lfk_tlocal and lfk_counter under threads: eight threads on three objects,
 * thread exits racing destroy, adders beside a reader, reads racing exits.
 * Bounded by LFK_STRESS_ITEMS and LFK_STRESS_SECONDS.
 */
#include <pthread.h>
#include <stdlib.h>

#include "tlocal_helpers.h"

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
					  lfk_tlocal_for_each(w->t[k],
							      count_slot,
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
					  "threads %d and %d share a slot", a,
					  b);
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
	tl_in_destroyer = true;
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
		  "total %lld (twin %lld), expected %llu", (long long)cnt(r.c),
		  (long long)ref_cnt(r.ref), (unsigned long long)total);
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
		LFK_CHECK(v >= last,
			  "read %lld after %lld while threads that "
			  "added 1 were exiting",
			  (long long)v, (long long)last);
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
		  "total %lld, %llu threads added 1", (long long)cnt(r.c),
		  (unsigned long long)total);
	lfk_counter_destroy(r.c);
	return 0;
}
