/* SPDX-License-Identifier: MIT */
/*
 * lfk_tcache under threads: never more than the maximum at once, no object
 * held twice at once (same-thread and cross-thread), and a churn of a
 * thousand short-lived threads over every primitive of the family.
 * Bounded by LFK_STRESS_ITEMS and LFK_STRESS_SECONDS.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "tlocal_helpers.h"

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
			LFK_CHECK(h < MAXOBJ,
				  "%llu objects held at once, max %d",
				  (unsigned long long)h + 1, MAXOBJ);
			uobj_take(mine[k], tag, n);
			k++;
		}
		LFK_CHECK(k <= MAXOBJ, "thread got %d objects", k);
		LFK_CHECK(k == MAXOBJ + 1 || rc == -ENOMEM,
			  "alloc failed with %d", rc);
		while (k > 0) {
			uobj_give_back(mine[--k], tag, n);
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
			uobj_take(held[i], tag, n + (uint64_t)i);
		}
		/* free in a random order */
		for (int i = k; i > 0; i--) {
			int j = (int)lfk_rng_below(&rng, (uint64_t)i);
			struct uobj *o = held[j];
			held[j] = held[i - 1];
			uobj_give_back(o, tag, o->seq);
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
		uobj_take(o, tag, n);
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
		uobj_give_back(o, o->stamp, o->seq);
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

/* ---- a thousand short-lived threads -------------------------------------- */

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
			uobj_take(obj[i], (uint64_t)me + 1, (uint64_t)i);
	}
	/* Free what the previous wave handed over, hand over half of ours. */
	pthread_mutex_lock(&ch->lock);
	for (int i = 0; i < CHURN_OBJS && ch->nhandoff > 0; i++) {
		struct uobj *o = ch->handoff[--ch->nhandoff];
		uobj_give_back(o, o->stamp, o->seq);
		lfk_tcache_free(ch->tc, o);
	}
	for (int i = 0; i < CHURN_OBJS / 2; i++)
		if (obj[i])
			ch->handoff[ch->nhandoff++] = obj[i];
	pthread_mutex_unlock(&ch->lock);
	for (int i = CHURN_OBJS / 2; i < CHURN_OBJS; i++) {
		if (obj[i] == NULL)
			continue;
		uobj_give_back(obj[i], (uint64_t)me + 1, (uint64_t)i);
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
	LFK_CHECK(cnt(ch->c) == expect && ref_cnt(ch->ref) == expect,
		  "counter %lld, twin %lld, expected %lld",
		  (long long)cnt(ch->c), (long long)ref_cnt(ch->ref),
		  (long long)expect);
	tracker_check(tr, (uint64_t)WAVE * WAVES * TL_OBJS,
		      "churn after the threads exited");
	check_stats(ch->tc, ch->nhandoff, "churn");
	while (ch->nhandoff > 0) {
		struct uobj *o = ch->handoff[--ch->nhandoff];
		uobj_give_back(o, o->stamp, o->seq);
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
