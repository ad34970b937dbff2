/* SPDX-License-Identifier: MIT */
/*
 * Scenarios for the blocking queue.  Each runs against lfk_queue over every
 * ring kind and against the mutex twin lfk_ref_queue, through the one
 * operations table of tests/harness/queue_ops.h:
 *   - the eventcount alone (no syscall without waiters, stale keys, timeouts,
 *     a ping-pong that would hang on a lost wake-up);
 *   - bad input; timeouts honoured (lower bounds only); close semantics and
 *     close waking every sleeper; task_done/join;
 *   - a seeded differential run of lfk_queue against the twin;
 *   - a queue in memory shared with a forked process (LFK_QUEUE_SHARED);
 *   - close racing with puts in flight (every successful put delivered);
 *   - no lost wake-ups: blocking put/get with LFK_FOREVER at capacity 1 (and
 *     4), up to 8 producers x 8 consumers on this 2-core machine, items
 *     encoding (producer, seq), per-producer order checked by every consumer
 *     and totals (count, sum, xor) at the end.  A lost wake-up is a hang: a
 *     watchdog thread fails the scenario when no item moves for
 *     LFK_WATCHDOG_SECONDS (default 10) and closes the queue to release the
 *     threads (and exits the program if even that does not help).
 */
#include "queue_scenarios.h"

#include "harness/queue_ops.h"

#include <errno.h>
#include <lfkit/eventcount.h>
#include <lfkit/queue.h>
#include <lfkit/ref/queue.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ull
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u),
			       (long)(ns % 1000000000u) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Zeroed memory aligned to a cache line (any size, unlike aligned_alloc). */
static void *zalloc_lines(size_t size)
{
	void *p = NULL;
	if (posix_memalign(&p, LFK_CACHELINE, size) != 0)
		return NULL;
	memset(p, 0, size);
	return p;
}

static uint64_t load(const uint64_t *p)
{
	return lfk_atomic_load_u64(p, LFK_ACQUIRE);
}

static void add(uint64_t *p, uint64_t v)
{
	lfk_atomic_fetch_add_u64(p, v, LFK_ACQ_REL);
}

/* ---- watchdog --------------------------------------------------------- */

struct watchdog {
	pthread_t tid;
	const struct lfk_queue_ops *ops;
	void *q;
	const uint64_t *progress; /* any counter the workers keep moving */
	uint64_t stop;
	uint64_t fired;
	double limit_s;
};

static void *watchdog_main(void *p)
{
	struct watchdog *w = p;
	uint64_t last = load(w->progress), t_last = lfk_now_ns();
	const uint64_t limit = (uint64_t)(w->limit_s * 1e9);
	while (!load(&w->stop)) {
		uint64_t cur, now;
		sleep_ns(20 * MS);
		cur = load(w->progress);
		now = lfk_now_ns();
		if (cur != last) {
			last = cur;
			t_last = now;
			continue;
		}
		if (now - t_last < limit)
			continue;
		if (!load(&w->fired)) {
			lfk_atomic_store_u64(&w->fired, 1, LFK_RELEASE);
			LFK_CHECK(0, "%s: no progress for %.0f s after %llu "
				     "items: lost wake-up; closing the queue",
				  w->ops->name, w->limit_s,
				  (unsigned long long)cur);
			/* Releases threads sleeping with LFK_FOREVER. */
			w->ops->close(w->q);
			t_last = now;
		} else {
			fprintf(stderr, "watchdog: %s still stuck after "
					"close; giving up\n",
				w->ops->name);
			_exit(3);
		}
	}
	return NULL;
}

static void watchdog_start(struct watchdog *w, const struct lfk_queue_ops *ops,
			   void *q, const uint64_t *progress)
{
	const char *s = getenv("LFK_WATCHDOG_SECONDS");
	memset(w, 0, sizeof(*w));
	w->ops = ops;
	w->q = q;
	w->progress = progress;
	w->limit_s = (s && atof(s) > 0) ? atof(s) : 10.0;
	if (pthread_create(&w->tid, NULL, watchdog_main, w) != 0)
		abort();
}

/* Stops the watchdog; returns whether it fired. */
static bool watchdog_stop(struct watchdog *w)
{
	lfk_atomic_store_u64(&w->stop, 1, LFK_RELEASE);
	pthread_join(w->tid, NULL);
	return load(&w->fired) != 0;
}

/* ---- the eventcount alone --------------------------------------------- */

static uint32_t ec_epoch(const struct lfk_eventcount *ec)
{
	return (uint32_t)(lfk_atomic_load_u64(&ec->word, LFK_RELAXED) >> 32);
}

int lfk_scn_eventcount_basics(void)
{
	struct lfk_eventcount ec;
	uint64_t t0;
	uint32_t key, k2;
	int rc;
	LFK_CHECK(lfk_eventcount_init(NULL, 0) == -EINVAL, "init NULL");
	LFK_CHECK(lfk_eventcount_init(&ec, 2) == -EINVAL, "init bad flags");
	LFK_CHECK(lfk_eventcount_init(&ec, 0) == 0, "init");

	/* No waiter: notify must not bump the epoch (no syscall either). */
	lfk_eventcount_notify(&ec);
	lfk_eventcount_notify_all(&ec);
	LFK_CHECK(ec_epoch(&ec) == 0, "notify without waiters bumped the epoch");

	key = lfk_eventcount_prepare_wait(&ec);
	LFK_CHECK(lfk_eventcount_waiters(&ec) == 1 && key == 0, "prepare_wait");
	lfk_eventcount_cancel_wait(&ec, key);
	LFK_CHECK(lfk_eventcount_waiters(&ec) == 0, "cancel_wait");

	/* A notify claims every registered waiter at once; the next notify
	 * finds none (no second syscall); the waits return at once. */
	key = lfk_eventcount_prepare_wait(&ec);
	k2 = lfk_eventcount_prepare_wait(&ec);
	LFK_CHECK(lfk_eventcount_waiters(&ec) == 2 && k2 == key, "two waiters");
	lfk_eventcount_notify(&ec);
	LFK_CHECK(ec_epoch(&ec) == key + 1 && lfk_eventcount_waiters(&ec) == 0,
		  "notify must claim the waiters");
	lfk_eventcount_notify(&ec);
	LFK_CHECK(ec_epoch(&ec) == key + 1, "second notify found waiters");
	t0 = lfk_now_ns();
	rc = lfk_eventcount_wait(&ec, key, LFK_FOREVER);
	LFK_CHECK(rc == 0, "stale key wait rc=%d", rc);
	/* A claimed waiter's cancel must not touch a newer registration. */
	k2 = lfk_eventcount_prepare_wait(&ec);
	lfk_eventcount_cancel_wait(&ec, key);
	LFK_CHECK(lfk_eventcount_waiters(&ec) == 1, "stale cancel removed a "
						     "newer waiter");
	lfk_eventcount_cancel_wait(&ec, k2);
	LFK_CHECK(lfk_eventcount_waiters(&ec) == 0, "cancel");
	LFK_CHECK(lfk_now_ns() - t0 < 5000 * MS, "stale key wait slept");

	/* Timeouts, relative and absolute, private and shared. */
	for (unsigned flags = 0; flags <= LFK_EVENTCOUNT_SHARED; flags++) {
		lfk_eventcount_init(&ec, flags);
		key = lfk_eventcount_prepare_wait(&ec);
		t0 = lfk_now_ns();
		rc = lfk_eventcount_wait_timeout(&ec, key, 20 * MS);
		LFK_CHECK(rc == -ETIMEDOUT, "wait_timeout rc=%d", rc);
		LFK_CHECK(lfk_now_ns() - t0 >= 20 * MS, "woke early");
		LFK_CHECK(lfk_eventcount_waiters(&ec) == 0, "wait left a waiter");
		key = lfk_eventcount_prepare_wait(&ec);
		rc = lfk_eventcount_wait(&ec, key, lfk_monotonic_ns() - 1);
		LFK_CHECK(rc == -ETIMEDOUT, "past deadline rc=%d", rc);
		LFK_CHECK(lfk_eventcount_waiters(&ec) == 0, "wait left a waiter");
		/* timeout 0 never blocks: -EAGAIN, or 0 once notified */
		key = lfk_eventcount_prepare_wait(&ec);
		rc = lfk_eventcount_wait_timeout(&ec, key, 0);
		LFK_CHECK(rc == -EAGAIN, "wait_timeout(0) rc=%d", rc);
		LFK_CHECK(lfk_eventcount_waiters(&ec) == 0, "wait left a waiter");
		key = lfk_eventcount_prepare_wait(&ec);
		lfk_eventcount_notify(&ec);
		rc = lfk_eventcount_wait_timeout(&ec, key, 0);
		LFK_CHECK(rc == 0, "notified wait_timeout(0) rc=%d", rc);
	}
	LFK_CHECK(lfk_deadline_ns(LFK_FOREVER) == LFK_FOREVER, "forever");
	LFK_CHECK(lfk_deadline_ns(LFK_FOREVER - 1) == LFK_FOREVER, "saturate");
	LFK_CHECK(lfk_deadline_ns(0) <= lfk_monotonic_ns(), "deadline 0");
	return 0;
}

/* Two threads take turns: thread i waits for turn % 2 == i on ec[i], then
 * bumps turn and notifies the other.  A lost wake-up leaves both asleep: a
 * 10 s deadline turns that into a failure.  The turns end at the stress
 * bounds (items or seconds): the thread whose turn it is then sets stop
 * before its last bump, so the other wakes and sees it. */
struct pingpong {
	struct lfk_eventcount ec[2];
	struct lfk_bound bound; /* turns */
	uint64_t turn;
	uint64_t stop;
	uint64_t failed;
};

static void pingpong_main(void *arg, int i)
{
	struct pingpong *p = arg;
	for (;;) {
		uint64_t t = load(&p->turn);
		if (load(&p->stop) || load(&p->failed))
			return;
		if (t % 2 == (uint64_t)i) {
			/* Relaxed: published by the release store of turn. */
			if (lfk_bound_done(&p->bound, t))
				lfk_atomic_store_u64(&p->stop, 1, LFK_RELAXED);
			lfk_atomic_store_u64(&p->turn, t + 1, LFK_RELEASE);
			lfk_eventcount_notify(&p->ec[!i]);
			continue;
		}
		uint32_t key = lfk_eventcount_prepare_wait(&p->ec[i]);
		if (load(&p->turn) != t) {
			lfk_eventcount_cancel_wait(&p->ec[i], key);
			continue;
		}
		if (lfk_eventcount_wait_timeout(&p->ec[i], key, 10000 * MS) ==
			    -ETIMEDOUT &&
		    load(&p->turn) == t) {
			LFK_CHECK(0, "ping-pong stuck at turn %llu: lost wake-up",
				  (unsigned long long)t);
			lfk_atomic_store_u64(&p->failed, 1, LFK_RELEASE);
			lfk_eventcount_notify(&p->ec[!i]);
		}
	}
}

int lfk_scn_eventcount_wakes_sleeper(void)
{
	struct pingpong p;
	memset(&p, 0, sizeof(p));
	lfk_eventcount_init(&p.ec[0], 0);
	lfk_eventcount_init(&p.ec[1], 0);
	p.bound = lfk_bound_scaled(10);
	if (p.bound.max_items > 20000)
		p.bound.max_items = 20000;
	lfk_run_threads(2, pingpong_main, &p);
	LFK_CHECK(load(&p.stop) || load(&p.failed), "ping-pong ended early");
	LFK_CHECK(lfk_eventcount_waiters(&p.ec[0]) == 0 &&
			  lfk_eventcount_waiters(&p.ec[1]) == 0,
		  "waiters left registered");
	return 0;
}

/* ---- bad input --------------------------------------------------------- */

int lfk_scn_bad_input(void)
{
	struct lfk_queue *q = NULL;
	void *mem;
	uint64_t v = 0, rec[2] = { 1, 2 };
	size_t sz;

	/* Kinds, capacities, element sizes, flags, memory. */
	LFK_CHECK(lfk_queue_size((enum lfk_ring_kind)0, 4, 8) == 0, "kind 0");
	LFK_CHECK(lfk_queue_size((enum lfk_ring_kind)4, 4, 8) == 0, "kind 4");
	LFK_CHECK(lfk_queue_size(LFK_RING_SPSC, 0, 8) == 0, "capacity 0");
	LFK_CHECK(lfk_queue_size(LFK_RING_MPMC, 4, 0) == 0, "elem 0");
	LFK_CHECK(lfk_queue_size(LFK_RING_MPMC, 4, 12) == 0, "elem 12");
	LFK_CHECK(lfk_queue_size(LFK_RING_LFMPMC, LFK_RING_MAX_CAPACITY + 1,
				 8) == 0, "capacity too big");
	LFK_CHECK(lfk_queue_create((enum lfk_ring_kind)99, 4, 8, &q) == -EINVAL &&
			  q == NULL, "create bad kind");
	LFK_CHECK(lfk_queue_create(LFK_RING_MPMC, 0, 8, &q) == -EINVAL,
		  "create capacity 0");
	LFK_CHECK(lfk_queue_create(LFK_RING_MPMC, 4, 12, &q) == -EINVAL,
		  "create elem 12");
	LFK_CHECK(lfk_queue_create(LFK_RING_MPMC, 4, 8, NULL) == -EINVAL,
		  "create out NULL");
	sz = lfk_queue_size(LFK_RING_MPMC, 4, 8);
	LFK_CHECK(sz > 0 && sz % LFK_RING_ALIGN == 0, "size %zu", sz);
	mem = aligned_alloc(LFK_RING_ALIGN, sz + LFK_RING_ALIGN);
	if (mem == NULL)
		return 1;
	LFK_CHECK(lfk_queue_init(NULL, LFK_RING_MPMC, 4, 8, 0) == -EINVAL,
		  "init NULL");
	LFK_CHECK(lfk_queue_init((char *)mem + 8, LFK_RING_MPMC, 4, 8, 0) ==
			  -EINVAL, "init misaligned");
	LFK_CHECK(lfk_queue_init(mem, LFK_RING_MPMC, 4, 8, 2) == -EINVAL,
		  "init bad flags");
	LFK_CHECK(lfk_queue_init(mem, (enum lfk_ring_kind)0, 4, 8, 0) == -EINVAL,
		  "init bad kind");
	LFK_CHECK(lfk_queue_init(mem, LFK_RING_MPMC, 4, 8, LFK_QUEUE_SHARED) ==
			  0, "init shared");
	q = mem;
	LFK_CHECK(lfk_queue_kind(q) == LFK_RING_MPMC &&
			  lfk_queue_elem_size(q) == 8 &&
			  lfk_queue_capacity(q) == 4 && !lfk_queue_closed(q),
		  "accessors");
	LFK_CHECK(lfk_queue_kind(NULL) == 0 && lfk_queue_elem_size(NULL) == 0 &&
			  lfk_queue_closed(NULL) == 0, "NULL accessors");
	free(mem);
	lfk_queue_destroy(NULL);

	/* Every call, on every implementation. */
	for (const struct lfk_queue_ops *const *pp = lfk_queue_ops_all; *pp;
	     pp++) {
		const struct lfk_queue_ops *o = *pp;
		void *r = NULL;
		LFK_CHECK(o->create(0, 8, &r) == -EINVAL, "%s cap 0", o->name);
		LFK_CHECK(o->create(4, 12, &r) == -EINVAL, "%s elem 12", o->name);
		LFK_CHECK(o->create(4, 0, &r) == -EINVAL, "%s elem 0", o->name);
		LFK_CHECK(o->put(NULL, 1, 0) == -EINVAL, "%s put NULL", o->name);
		LFK_CHECK(o->get(NULL, &v, 0) == -EINVAL, "%s get NULL", o->name);
		LFK_CHECK(o->put_rec(NULL, rec, 0) == -EINVAL, "%s", o->name);
		LFK_CHECK(o->get_rec(NULL, rec, 0) == -EINVAL, "%s", o->name);
		LFK_CHECK(o->close(NULL) == -EINVAL, "%s close NULL", o->name);
		LFK_CHECK(o->task_done(NULL) == -EINVAL, "%s", o->name);
		LFK_CHECK(o->join(NULL, 0) == -EINVAL, "%s join NULL", o->name);
		LFK_CHECK(o->count(NULL) == 0 && o->capacity(NULL) == 0, "%s",
			  o->name);
		if (o->create(2, 8, &r) != 0) {
			LFK_CHECK(0, "%s create", o->name);
			continue;
		}
		LFK_CHECK(o->get(r, NULL, 0) == -EINVAL, "%s get out NULL",
			  o->name);
		LFK_CHECK(o->put_rec(r, NULL, 0) == -EINVAL, "%s", o->name);
		LFK_CHECK(o->get_rec(r, NULL, 0) == -EINVAL, "%s", o->name);
		o->destroy(r);
		/* A record queue refuses the u64 calls, and the refusal
		 * leaves no trace (no put counted for task_done/join). */
		if (o->create(2, 16, &r) != 0) {
			LFK_CHECK(0, "%s create rec", o->name);
			continue;
		}
		LFK_CHECK(o->put(r, 1, 0) == -EINVAL, "%s u64 put on rec", o->name);
		LFK_CHECK(o->put(r, 1, LFK_FOREVER) == -EINVAL, "%s", o->name);
		LFK_CHECK(o->get(r, &v, 0) == -EINVAL, "%s u64 get on rec", o->name);
		LFK_CHECK(o->join(r, 0) == 0, "%s join after refused put", o->name);
		LFK_CHECK(o->task_done(r) == -EINVAL, "%s task_done", o->name);
		LFK_CHECK(o->put_rec(r, rec, 0) == 0, "%s put_rec", o->name);
		memset(rec, 0, sizeof(rec));
		LFK_CHECK(o->get_rec(r, rec, 0) == 0 && rec[0] == 1 && rec[1] == 2,
			  "%s get_rec", o->name);
		o->destroy(r);
		o->destroy(NULL);
	}
	return 0;
}

/* ---- timeouts, close, task_done/join ------------------------------------ */

static void *must_create(const struct lfk_queue_ops *o, size_t cap, size_t es)
{
	void *q = NULL;
	int rc = o->create(cap, es, &q);
	LFK_CHECK(rc == 0 && q != NULL, "%s create(%zu, %zu) rc=%d", o->name,
		  cap, es, rc);
	return rc == 0 ? q : NULL;
}

/* Runs check on a fresh queue (capacity cap, u64 items) of every
 * implementation. */
static int each_impl(size_t cap,
		     void (*check)(const struct lfk_queue_ops *o, void *q))
{
	for (const struct lfk_queue_ops *const *pp = lfk_queue_ops_all; *pp;
	     pp++) {
		void *q = must_create(*pp, cap, 8);
		if (q == NULL)
			continue;
		check(*pp, q);
		(*pp)->destroy(q);
	}
	return 0;
}

static void get_empty_timeouts(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v, t0, dt;
	int rc;
	t0 = lfk_now_ns();
	rc = o->get(q, &v, 0);
	dt = lfk_now_ns() - t0;
	LFK_CHECK(rc == -EAGAIN, "%s get(0) rc=%d", o->name, rc);
	LFK_CHECK(dt < 2000 * MS, "%s get(0) blocked %llu ns", o->name,
		  (unsigned long long)dt);
	t0 = lfk_now_ns();
	rc = o->get(q, &v, 20 * MS);
	dt = lfk_now_ns() - t0;
	LFK_CHECK(rc == -ETIMEDOUT, "%s get(20ms) rc=%d", o->name, rc);
	LFK_CHECK(dt >= 20 * MS, "%s get(20ms) returned after %llu ns",
		  o->name, (unsigned long long)dt);
	rc = o->get(q, &v, 1);
	LFK_CHECK(rc == -ETIMEDOUT, "%s get(1ns) rc=%d", o->name, rc);
	/* Still usable. */
	LFK_CHECK(o->put(q, 7, 0) == 0 && o->get(q, &v, 20 * MS) == 0 &&
			  v == 7, "%s after timeouts", o->name);
}

int lfk_scn_timeout_get_empty(void)
{
	return each_impl(2, get_empty_timeouts);
}

static void put_full_timeouts(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v, t0, dt;
	int rc;
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(o->put(q, i, 0) == 0, "%s fill", o->name);
	t0 = lfk_now_ns();
	rc = o->put(q, 99, 0);
	dt = lfk_now_ns() - t0;
	LFK_CHECK(rc == -EAGAIN, "%s put(0) full rc=%d", o->name, rc);
	LFK_CHECK(dt < 2000 * MS, "%s put(0) blocked", o->name);
	t0 = lfk_now_ns();
	rc = o->put(q, 99, 20 * MS);
	dt = lfk_now_ns() - t0;
	LFK_CHECK(rc == -ETIMEDOUT, "%s put(20ms) rc=%d", o->name, rc);
	LFK_CHECK(dt >= 20 * MS, "%s put(20ms) returned after %llu ns",
		  o->name, (unsigned long long)dt);
	LFK_CHECK(o->count(q) == 3, "%s count %zu", o->name, o->count(q));
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(o->get(q, &v, 0) == 0 && v == i, "%s drain",
			  o->name);
	/* The failed puts do not count as put. */
	LFK_CHECK(o->join(q, 0) == -EAGAIN, "%s join(0)", o->name);
	for (int i = 0; i < 3; i++)
		LFK_CHECK(o->task_done(q) == 0, "%s task_done", o->name);
	LFK_CHECK(o->task_done(q) == -EINVAL, "%s extra task_done",
		  o->name);
	LFK_CHECK(o->join(q, 0) == 0, "%s join", o->name);
}

int lfk_scn_timeout_put_full(void)
{
	return each_impl(3, put_full_timeouts);
}

static void close_then_drain(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v, t0;
	int rc;
	for (uint64_t i = 1; i <= 3; i++)
		LFK_CHECK(o->put(q, i, 0) == 0, "%s put", o->name);
	LFK_CHECK(o->close(q) == 0 && o->close(q) == 0, "%s close", o->name);
	t0 = lfk_now_ns();
	LFK_CHECK(o->put(q, 9, 0) == -EPIPE, "%s put(0) closed", o->name);
	LFK_CHECK(o->put(q, 9, LFK_FOREVER) == -EPIPE, "%s put(forever)",
		  o->name);
	LFK_CHECK(o->put(q, 9, 20 * MS) == -EPIPE, "%s put(20ms)", o->name);
	LFK_CHECK(o->count(q) == 3, "%s count", o->name);
	for (uint64_t i = 1; i <= 3; i++) {
		rc = o->get(q, &v, LFK_FOREVER);
		LFK_CHECK(rc == 0 && v == i, "%s drain %llu: rc=%d v=%llu",
			  o->name, (unsigned long long)i, rc,
			  (unsigned long long)v);
	}
	LFK_CHECK(o->get(q, &v, 0) == -EPIPE, "%s get(0) drained", o->name);
	LFK_CHECK(o->get(q, &v, LFK_FOREVER) == -EPIPE, "%s get(forever)",
		  o->name);
	LFK_CHECK(o->get(q, &v, 20 * MS) == -EPIPE, "%s get(20ms)", o->name);
	LFK_CHECK(lfk_now_ns() - t0 < 5000 * MS, "%s closed calls blocked",
		  o->name);
	/* task_done/join still work after close. */
	for (int i = 0; i < 3; i++)
		LFK_CHECK(o->task_done(q) == 0, "%s task_done", o->name);
	LFK_CHECK(o->join(q, LFK_FOREVER) == 0, "%s join", o->name);
}

/* A full queue: put after close is -EPIPE, not a wait. */
static void close_full(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v;
	LFK_CHECK(o->put(q, 5, 0) == 0, "%s put", o->name);
	o->close(q);
	LFK_CHECK(o->put(q, 6, LFK_FOREVER) == -EPIPE, "%s full+closed",
		  o->name);
	LFK_CHECK(o->get(q, &v, 0) == 0 && v == 5, "%s drain", o->name);
}

int lfk_scn_close_semantics(void)
{
	each_impl(4, close_then_drain);
	return each_impl(1, close_full);
}

/* N threads sleep in get on an empty queue (or put on a full one); a closer
 * closes after they have had time to fall asleep; all must return -EPIPE,
 * none before the close. */
struct sleepers {
	const struct lfk_queue_ops *o;
	void *q;
	bool put;
	int n;
	uint64_t started;
	uint64_t returned;
	uint64_t closed_at;
	uint64_t last_return;
	uint64_t bad;
};

static void sleepers_closer(void *arg, int index)
{
	struct sleepers *s = arg;
	(void)index;
	while (load(&s->started) < (uint64_t)s->n)
		sched_yield();
	sleep_ns(50 * MS); /* time to fall asleep */
	LFK_CHECK(load(&s->returned) == 0, "%s: a sleeper returned before close",
		  s->o->name);
	lfk_atomic_store_u64(&s->closed_at, lfk_now_ns(), LFK_RELEASE);
	s->o->close(s->q);
}

static void sleepers_sleeper(void *arg, int index)
{
	struct sleepers *s = arg;
	uint64_t v = 0, now;
	/* One sleeper waits with a long finite timeout, the others forever. */
	uint64_t timeout = index == 0 ? 60000 * MS : LFK_FOREVER;
	int rc;
	add(&s->started, 1);
	rc = s->put ? s->o->put(s->q, 1, timeout) : s->o->get(s->q, &v, timeout);
	now = lfk_now_ns();
	if (rc != -EPIPE) {
		LFK_CHECK(0, "%s: sleeper %d got rc=%d, want -EPIPE", s->o->name,
			  index, rc);
		add(&s->bad, 1);
	}
	add(&s->returned, 1);
	/* Latest return time (a CAS max). */
	uint64_t last = load(&s->last_return);
	while (last < now &&
	       !lfk_atomic_cas_u64(&s->last_return, &last, now, LFK_ACQ_REL))
		;
}

static int close_wakes(bool put)
{
	for (const struct lfk_queue_ops *const *pp = lfk_queue_ops_all; *pp;
	     pp++) {
		const struct lfk_queue_ops *o = *pp;
		struct sleepers s;
		struct watchdog w;
		memset(&s, 0, sizeof(s));
		s.o = o;
		s.put = put;
		/* spsc: one putter or one getter at a time. */
		s.n = o->multi ? 6 : 1;
		s.q = must_create(o, 2, 8);
		if (s.q == NULL)
			continue;
		if (put)
			for (uint64_t i = 0; i < 2; i++)
				o->put(s.q, i, 0);
		watchdog_start(&w, o, s.q, &s.returned);
		lfk_run_threads2(1, sleepers_closer, s.n, sleepers_sleeper, &s);
		LFK_CHECK(!watchdog_stop(&w), "%s: close did not wake", o->name);
		LFK_CHECK(s.returned == (uint64_t)s.n && s.bad == 0,
			  "%s: %llu of %d sleepers returned -EPIPE", o->name,
			  (unsigned long long)(s.returned - s.bad), s.n);
		/* Promptly: generous, this machine is oversubscribed. */
		LFK_CHECK(s.last_return - s.closed_at < 5000 * MS,
			  "%s: sleepers took %llu ms to leave after close",
			  o->name,
			  (unsigned long long)((s.last_return - s.closed_at) / MS));
		o->destroy(s.q);
	}
	return 0;
}

int lfk_scn_close_wakes_getters(void)
{
	return close_wakes(false);
}

int lfk_scn_close_wakes_putters(void)
{
	return close_wakes(true);
}

static void task_done_and_join(const struct lfk_queue_ops *o, void *q)
{
	uint64_t v, t0;
	int rc;
	LFK_CHECK(o->join(q, 0) == 0, "%s join(0) fresh", o->name);
	LFK_CHECK(o->join(q, LFK_FOREVER) == 0, "%s join fresh", o->name);
	LFK_CHECK(o->task_done(q) == -EINVAL, "%s task_done fresh",
		  o->name);
	for (uint64_t i = 0; i < 3; i++)
		o->put(q, i, 0);
	LFK_CHECK(o->join(q, 0) == -EAGAIN, "%s join(0)", o->name);
	t0 = lfk_now_ns();
	rc = o->join(q, 20 * MS);
	LFK_CHECK(rc == -ETIMEDOUT, "%s join(20ms) rc=%d", o->name, rc);
	LFK_CHECK(lfk_now_ns() - t0 >= 20 * MS, "%s join woke early",
		  o->name);
	/* task_done needs no get first (as in Python). */
	LFK_CHECK(o->task_done(q) == 0, "%s task_done 1", o->name);
	for (int i = 0; i < 3; i++)
		o->get(q, &v, 0);
	LFK_CHECK(o->task_done(q) == 0 && o->task_done(q) == 0,
		  "%s task_done 2,3", o->name);
	LFK_CHECK(o->task_done(q) == -EINVAL, "%s extra task_done",
		  o->name);
	LFK_CHECK(o->join(q, 0) == 0, "%s join(0) done", o->name);
	LFK_CHECK(o->join(q, 20 * MS) == 0, "%s join(20ms) done", o->name);
	o->put(q, 4, 0);
	LFK_CHECK(o->join(q, 0) == -EAGAIN, "%s join after put", o->name);
	LFK_CHECK(o->task_done(q) == 0 && o->task_done(q) == -EINVAL,
		  "%s task_done again", o->name);
}

int lfk_scn_task_done_join(void)
{
	return each_impl(8, task_done_and_join);
}

/* A producer puts N items; a consumer takes them slowly, marks each one
 * processed (a plain write) and calls task_done; a joiner waits in join.
 * After join it must see every item processed: join blocks until the last
 * task_done, and makes the consumer's writes visible (TSan checks that
 * happens-before in the plain-program run). */
#define JOIN_ITEMS 500
struct joinrun {
	const struct lfk_queue_ops *o;
	void *q;
	uint64_t all_put;
	uint64_t done;
	unsigned char processed[JOIN_ITEMS];
};

static void join_producer_or_joiner(void *arg, int index)
{
	struct joinrun *j = arg;
	if (index == 0) {
		for (uint64_t i = 0; i < JOIN_ITEMS; i++)
			if (j->o->put(j->q, i, LFK_FOREVER) != 0) {
				LFK_CHECK(0, "%s put", j->o->name);
				break;
			}
		lfk_atomic_store_u64(&j->all_put, 1, LFK_RELEASE);
		return;
	}
	while (!load(&j->all_put))
		sched_yield();
	LFK_CHECK(j->o->join(j->q, LFK_FOREVER) == 0, "%s join", j->o->name);
	LFK_CHECK(load(&j->done) == JOIN_ITEMS,
		  "%s: join returned after %llu of %d task_done", j->o->name,
		  (unsigned long long)load(&j->done), JOIN_ITEMS);
	for (int i = 0; i < JOIN_ITEMS; i++)
		if (j->processed[i] != 1) {
			LFK_CHECK(0, "%s: item %d not processed at join",
				  j->o->name, i);
			break;
		}
}

static void join_consumer(void *arg, int index)
{
	struct joinrun *j = arg;
	(void)index;
	sleep_ns(5 * MS); /* let the joiner block */
	for (int i = 0; i < JOIN_ITEMS; i++) {
		uint64_t v = 0;
		if (j->o->get(j->q, &v, LFK_FOREVER) != 0 || v >= JOIN_ITEMS) {
			LFK_CHECK(0, "%s get", j->o->name);
			return;
		}
		if (i % 100 == 99)
			sleep_ns(MS);
		j->processed[v] = 1;
		lfk_atomic_store_u64(&j->done, load(&j->done) + 1, LFK_RELEASE);
		LFK_CHECK(j->o->task_done(j->q) == 0, "%s task_done", j->o->name);
	}
}

int lfk_scn_join_waits_for_consumers(void)
{
	for (const struct lfk_queue_ops *const *pp = lfk_queue_ops_all; *pp;
	     pp++) {
		struct joinrun *j = calloc(1, sizeof(*j));
		struct watchdog w;
		if (j == NULL)
			return 1;
		j->o = *pp;
		j->q = must_create(j->o, 16, 8);
		if (j->q != NULL) {
			watchdog_start(&w, j->o, j->q, &j->done);
			lfk_run_threads2(2, join_producer_or_joiner, 1,
					 join_consumer, j);
			LFK_CHECK(!watchdog_stop(&w), "%s stuck", j->o->name);
			j->o->destroy(j->q);
		}
		free(j);
	}
	return 0;
}

/* ---- differential against the twin ------------------------------------- */

static int differential(const struct lfk_queue_ops *o, size_t cap, size_t es,
			uint64_t seed)
{
	const struct lfk_queue_ops *t = &lfk_queue_ops_ref;
	struct lfk_rng rng;
	void *a = must_create(o, cap, es), *b = must_create(t, cap, es);
	const size_t words = es / 8;
	uint64_t ra[8], rb[8], next = 1;
	const int steps = 3000;
	int bad = 0;
	if (a == NULL || b == NULL)
		goto out;
	lfk_rng_seed(&rng, seed);
	for (int step = 0; step < steps && bad < 5; step++) {
		uint64_t dice = lfk_rng_below(&rng, 1000);
		int x, y;
		/* Phases bias toward filling or draining, so both the full
		 * and the empty boundary are visited at every capacity. */
		bool filling = (step / 64) % 2 == 0;
		if (dice < (filling ? 500u : 250u)) {
			for (size_t w = 0; w < words; w++)
				ra[w] = next * 0x9e3779b97f4a7c15ull + w;
			next++;
			x = es == 8 ? o->put(a, ra[0], 0) : o->put_rec(a, ra, 0);
			y = es == 8 ? t->put(b, ra[0], 0) : t->put_rec(b, ra, 0);
			if (x != y) {
				LFK_CHECK(0, "%s cap %zu es %zu step %d: put %d, "
					     "twin %d", o->name, cap, es, step, x, y);
				bad++;
			}
		} else if (dice < 750) {
			memset(ra, 0, sizeof(ra));
			memset(rb, 0, sizeof(rb));
			x = es == 8 ? o->get(a, ra, 0) : o->get_rec(a, ra, 0);
			y = es == 8 ? t->get(b, rb, 0) : t->get_rec(b, rb, 0);
			if (x != y || memcmp(ra, rb, es) != 0) {
				LFK_CHECK(0, "%s cap %zu es %zu step %d: get %d "
					     "(%llx), twin %d (%llx)", o->name,
					  cap, es, step, x,
					  (unsigned long long)ra[0], y,
					  (unsigned long long)rb[0]);
				bad++;
			}
		} else if (dice < 850) {
			size_t ca = o->count(a), cb = t->count(b);
			if (ca != cb) {
				LFK_CHECK(0, "%s cap %zu step %d: count %zu, "
					     "twin %zu", o->name, cap, step, ca, cb);
				bad++;
			}
		} else if (dice < 950) {
			x = o->task_done(a);
			y = t->task_done(b);
			if (x != y) {
				LFK_CHECK(0, "%s cap %zu step %d: task_done %d, "
					     "twin %d", o->name, cap, step, x, y);
				bad++;
			}
		} else if (dice < 999) {
			x = o->join(a, 0);
			y = t->join(b, 0);
			if (x != y) {
				LFK_CHECK(0, "%s cap %zu step %d: join %d, "
					     "twin %d", o->name, cap, step, x, y);
				bad++;
			}
		} else if (step > steps / 2) {
			x = o->close(a);
			y = t->close(b);
			LFK_CHECK(x == 0 && y == 0, "close");
		}
	}
	LFK_CHECK(o->capacity(a) == cap && t->capacity(b) == cap, "capacity");
out:
	if (a)
		o->destroy(a);
	if (b)
		t->destroy(b);
	return bad;
}

int lfk_scn_differential_vs_twin(void)
{
	static const size_t caps[] = { 1, 2, 3, 7, 1024 };
	static const size_t sizes[] = { 8, 24 };
	const struct lfk_queue_ops *impls[] = { &lfk_queue_ops_spsc,
						&lfk_queue_ops_mpmc,
						&lfk_queue_ops_lfmpmc };
	uint64_t seed = lfk_test_seed();
	for (size_t i = 0; i < COUNT(impls); i++)
		for (size_t c = 0; c < COUNT(caps); c++)
			for (size_t e = 0; e < COUNT(sizes); e++)
				differential(impls[i], caps[c], sizes[e],
					     seed + i * 100 + c * 10 + e);
	return 0;
}

/* ---- shared between processes ------------------------------------------ */

/* What the child put, in memory shared with the parent. */
struct fork_sent {
	uint64_t n;
};

/* The child: puts 1, 2, ... until its share of the items or its time
 * budget is used up, records how many, and closes the queue. */
static void fork_producer(struct lfk_queue *q, struct fork_sent *sent,
			  struct lfk_bound b)
{
	int bad = 0;
	uint64_t n = 0;
	while (!lfk_bound_done(&b, n)) {
		if (lfk_queue_put(q, n + 1, 10000 * MS) != 0) {
			bad = 1;
			break;
		}
		n++;
	}
	/* Relaxed: the parent reads it after waitpid, which orders it. */
	lfk_atomic_store_u64(&sent->n, n, LFK_RELAXED);
	lfk_queue_close(q);
	_exit(bad);
}

int lfk_scn_shared_across_fork(void)
{
	static const enum lfk_ring_kind kinds[] = { LFK_RING_SPSC, LFK_RING_MPMC,
						    LFK_RING_LFMPMC };
	for (size_t k = 0; k < COUNT(kinds); k++) {
		if (lfk_skip_between_processes(kinds[k], __func__))
			continue;
		size_t qbytes = lfk_queue_size(kinds[k], 2, 8);
		/* The queue, then (aligned for it anyway) the child's count. */
		size_t bytes = qbytes + sizeof(struct fork_sent);
		struct lfk_bound b = lfk_bound_part(20, COUNT(kinds));
		struct lfk_queue *q;
		struct fork_sent *sent;
		uint64_t sum = 0, got = 0, v, n;
		int rc, status = 0;
		pid_t pid;
		q = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED) {
			LFK_CHECK(0, "mmap");
			return 1;
		}
		sent = (struct fork_sent *)(void *)((char *)q + qbytes);
		LFK_CHECK(lfk_queue_init(q, kinds[k], 2, 8, LFK_QUEUE_SHARED) == 0,
			  "init shared");
		pid = lfk_fork();
		if (pid < 0) {
			LFK_CHECK(0, "fork");
			munmap(q, bytes);
			return 1;
		}
		if (pid == 0)
			fork_producer(q, sent, b);
		/* Blocking gets: the child's puts wake us through the shared
		 * futex, and ours wake it when it waits for room.  Items come
		 * in order (one producer): each must be the next number. */
		for (;;) {
			uint64_t t0 = lfk_now_ns();
			rc = lfk_queue_get(q, &v, 10000 * MS);
			if (rc != 0)
				break;
			/* The child is producing all along: a get that
			 * waited seconds missed a wake-up. */
			if (lfk_now_ns() - t0 > 5000 * MS) {
				LFK_CHECK(0, "kind %d: a get waited %llu ms: "
					     "lost wake-up", kinds[k],
					  (unsigned long long)((lfk_now_ns() - t0) /
							       MS));
				break;
			}
			if (v != got + 1) {
				LFK_CHECK(0, "kind %d: got %llu after %llu items",
					  kinds[k], (unsigned long long)v,
					  (unsigned long long)got);
				break;
			}
			sum += v;
			got++;
		}
		LFK_CHECK(rc == -EPIPE || rc == 0, "kind %d: get rc=%d", kinds[k],
			  rc);
		if (rc != -EPIPE) {
			lfk_queue_close(q);
			while (lfk_queue_get(q, &v, 0) == 0)
				; /* let the child finish */
		}
		waitpid(pid, &status, 0);
		LFK_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "kind %d: child status %d", kinds[k], status);
		n = lfk_atomic_load_u64(&sent->n, LFK_RELAXED);
		LFK_CHECK(n > 0 && got == n && sum == n * (n + 1) / 2,
			  "kind %d: got %llu items, the child put %llu",
			  kinds[k], (unsigned long long)got,
			  (unsigned long long)n);
		munmap(q, bytes);
	}
	return 0;
}

/* ---- stress: no lost wake-ups -------------------------------------------- */

#define MAX_THREADS LFK_STRESS_MAX_THREADS
#define SEQ_BITS 40

/* Per-thread totals, each on its own line. */
struct tally {
	uint64_t count, sum, xor_;
	uint64_t pad[5];
};

struct stress {
	const struct lfk_queue_ops *o;
	void *q;
	size_t elem_size;
	int np, nc;
	struct lfk_bound bound; /* per producer */
	uint64_t producers_left;
	uint64_t progress;
	struct tally prod[MAX_THREADS], cons[MAX_THREADS];
};

static void tally_item(struct tally *t, uint64_t v)
{
	t->count++;
	t->sum += v;
	t->xor_ ^= v;
}

static void tally_into(struct tally *total, const struct tally *t)
{
	total->count += t->count;
	total->sum += t->sum;
	total->xor_ ^= t->xor_;
}

static void make_rec(uint64_t *rec, size_t words, uint64_t v)
{
	rec[0] = v;
	for (size_t w = 1; w < words; w++)
		rec[w] = (v ^ ~(uint64_t)0) * (2 * w + 1);
}

static void stress_producer(void *arg, int p)
{
	struct stress *s = arg;
	struct tally *t = &s->prod[p];
	const size_t words = s->elem_size / 8;
	uint64_t rec[8];
	for (uint64_t seq = 0; !lfk_bound_done(&s->bound, seq); seq++) {
		uint64_t v = ((uint64_t)(p + 1) << SEQ_BITS) | seq;
		int rc;
		make_rec(rec, words, v);
		rc = words == 1 ? s->o->put(s->q, v, LFK_FOREVER)
				: s->o->put_rec(s->q, rec, LFK_FOREVER);
		if (rc != 0) {
			/* Only the watchdog closes early. */
			LFK_CHECK(rc == -EPIPE, "%s put rc=%d", s->o->name, rc);
			break;
		}
		tally_item(t, v);
	}
	/* The last producer closes: consumers drain, then get -EPIPE. */
	if (lfk_atomic_fetch_sub_u64(&s->producers_left, 1, LFK_ACQ_REL) == 1)
		s->o->close(s->q);
}

static void stress_consumer(void *arg, int c)
{
	struct stress *s = arg;
	struct tally *t = &s->cons[c];
	const size_t words = s->elem_size / 8;
	uint64_t rec[8], want[8], next[MAX_THREADS] = { 0 };
	int rc;
	for (;;) {
		rc = words == 1 ? s->o->get(s->q, rec, LFK_FOREVER)
				: s->o->get_rec(s->q, rec, LFK_FOREVER);
		if (rc != 0)
			break;
		uint64_t v = rec[0], p = (v >> SEQ_BITS) - 1;
		uint64_t seq = v & ((1ull << SEQ_BITS) - 1);
		if (p >= (uint64_t)s->np) {
			LFK_CHECK(0, "%s: bad item %llx", s->o->name,
				  (unsigned long long)v);
			continue;
		}
		/* FIFO per producer, seen by each consumer. */
		LFK_CHECK(seq >= next[p], "%s: consumer %d got seq %llu of "
					  "producer %llu after %llu",
			  s->o->name, c, (unsigned long long)seq,
			  (unsigned long long)p, (unsigned long long)next[p]);
		next[p] = seq + 1;
		if (words > 1) {
			make_rec(want, words, v);
			LFK_CHECK(memcmp(rec, want, s->elem_size) == 0,
				  "%s: torn record %llx", s->o->name,
				  (unsigned long long)v);
		}
		tally_item(t, v);
		add(&s->progress, 1);
	}
	LFK_CHECK(rc == -EPIPE, "%s: get rc=%d", s->o->name, rc);
}

static int stress(const struct lfk_queue_ops *o, int np, int nc, size_t cap,
		  size_t elem_size)
{
	struct stress *s = zalloc_lines(sizeof(*s));
	struct tally in = { 0 }, out = { 0 };
	struct watchdog w;
	uint64_t t0;
	if (s == NULL)
		return 1;
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->np = np;
	s->nc = nc;
	s->elem_size = elem_size;
	s->producers_left = (uint64_t)np;
	s->q = must_create(o, cap, elem_size);
	if (s->q == NULL) {
		free(s);
		return 1;
	}
	s->bound = lfk_bound_scaled((uint64_t)np);
	t0 = lfk_now_ns();
	watchdog_start(&w, o, s->q, &s->progress);
	lfk_run_threads2(np, stress_producer, nc, stress_consumer, s);
	LFK_CHECK(!watchdog_stop(&w), "%s %dx%d cap %zu: watchdog fired",
		  o->name, np, nc, cap);
	for (int i = 0; i < np; i++) {
		tally_into(&in, &s->prod[i]);
	}
	for (int i = 0; i < nc; i++) {
		tally_into(&out, &s->cons[i]);
	}
	LFK_CHECK(in.count == out.count && in.sum == out.sum &&
			  in.xor_ == out.xor_,
		  "%s %dx%d cap %zu: put %llu items, got %llu (sum/xor %s)",
		  o->name, np, nc, cap, (unsigned long long)in.count,
		  (unsigned long long)out.count,
		  in.sum == out.sum && in.xor_ == out.xor_ ? "match" : "differ");
	LFK_CHECK(in.count > 0, "%s: no items moved", o->name);
	LFK_CHECK(o->count(s->q) == 0, "%s: items left", o->name);
	lfk_stress_moved(out.count);
	if (getenv("LFK_VERBOSE"))
		fprintf(stderr, "  %s %dx%d cap %zu: %llu items in %.2f s\n",
			o->name, np, nc, cap, (unsigned long long)in.count,
			(double)(lfk_now_ns() - t0) / 1e9);
	o->destroy(s->q);
	free(s);
	return 0;
}

int lfk_scn_no_lost_wakeup_spsc_1x1(void)
{
	return stress(&lfk_queue_ops_spsc, 1, 1, 1, 8);
}

int lfk_scn_no_lost_wakeup_mpmc_2x2(void)
{
	return stress(&lfk_queue_ops_mpmc, 2, 2, 1, 8);
}

int lfk_scn_no_lost_wakeup_mpmc_4x4(void)
{
	return stress(&lfk_queue_ops_mpmc, 4, 4, 1, 8);
}

int lfk_scn_no_lost_wakeup_mpmc_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_mpmc, t, t, 1, 8);
}

int lfk_scn_no_lost_wakeup_lfmpmc_2x2(void)
{
	return stress(&lfk_queue_ops_lfmpmc, 2, 2, 1, 8);
}

int lfk_scn_no_lost_wakeup_lfmpmc_4x4(void)
{
	return stress(&lfk_queue_ops_lfmpmc, 4, 4, 1, 8);
}

int lfk_scn_no_lost_wakeup_lfmpmc_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_lfmpmc, t, t, 1, 8);
}

int lfk_scn_no_lost_wakeup_ref_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_ref, t, t, 1, 8);
}

/* Capacity above 1: several items and several sleepers at once, where a
 * wake-up spent on a thread that cannot use it must be passed on. */
int lfk_scn_baton_mpmc_8x8_cap4(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_mpmc, t, t, 4, 8);
}

int lfk_scn_baton_lfmpmc_8x8_cap4(void)
{
	int t = lfk_stress_threads(8);
	return stress(&lfk_queue_ops_lfmpmc, t, t, 4, 8);
}

int lfk_scn_records_mpmc_4x4(void)
{
	return stress(&lfk_queue_ops_mpmc, 4, 4, 3, 24);
}

int lfk_scn_records_lfmpmc_4x4(void)
{
	return stress(&lfk_queue_ops_lfmpmc, 4, 4, 3, 24);
}

int lfk_scn_records_spsc_1x1(void)
{
	return stress(&lfk_queue_ops_spsc, 1, 1, 2, 40);
}

/* ---- close racing with puts in flight ------------------------------------ */

struct closerace {
	const struct lfk_queue_ops *o;
	void *q;
	int np;
	uint64_t delay_ns;
	uint64_t progress;
	struct tally prod[MAX_THREADS], cons[MAX_THREADS];
};

static void race_producer_or_closer(void *arg, int index)
{
	struct closerace *r = arg;
	if (index == r->np) {
		uint64_t until = lfk_now_ns() + r->delay_ns;
		while (lfk_now_ns() < until)
			lfk_cpu_relax();
		r->o->close(r->q);
		return;
	}
	struct tally *t = &r->prod[index];
	for (uint64_t seq = 0;; seq++) {
		uint64_t v = ((uint64_t)(index + 1) << SEQ_BITS) | seq;
		/* Alternate blocking and non-blocking puts. */
		int rc = r->o->put(r->q, v, seq % 3 == 2 ? 0 : LFK_FOREVER);
		if (rc == -EAGAIN)
			continue;
		if (rc != 0) {
			LFK_CHECK(rc == -EPIPE, "%s put rc=%d", r->o->name, rc);
			break;
		}
		tally_item(t, v);
	}
}

static void race_consumer(void *arg, int c)
{
	struct closerace *r = arg;
	struct tally *t = &r->cons[c];
	uint64_t v, next[MAX_THREADS] = { 0 };
	int rc;
	while ((rc = r->o->get(r->q, &v, c % 2 ? LFK_FOREVER : 50 * MS)) == 0 ||
	       rc == -ETIMEDOUT) {
		if (rc != 0)
			continue;
		uint64_t p = (v >> SEQ_BITS) - 1, seq = v & ((1ull << SEQ_BITS) - 1);
		if (p < MAX_THREADS) {
			LFK_CHECK(seq >= next[p], "%s: order", r->o->name);
			next[p] = seq + 1;
		}
		tally_item(t, v);
		add(&r->progress, 1);
	}
	LFK_CHECK(rc == -EPIPE, "%s get rc=%d", r->o->name, rc);
}

int lfk_scn_close_race_inflight(void)
{
	struct lfk_rng rng;
	uint64_t deadline = lfk_now_ns() + (uint64_t)(lfk_stress_seconds() * 1e9);
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int round = 0; round < 200 && lfk_now_ns() < deadline; round++) {
		const struct lfk_queue_ops *o = lfk_queue_ops_all[round % 4];
		struct closerace *r = zalloc_lines(sizeof(*r));
		struct tally in = { 0 }, out = { 0 };
		struct watchdog w;
		int n = o->multi ? 3 : 1;
		if (r == NULL)
			return 1;
		memset(r, 0, sizeof(*r));
		r->o = o;
		r->np = n;
		r->delay_ns = lfk_rng_below(&rng, 2000) * 1000;
		r->q = must_create(o, 1 + lfk_rng_below(&rng, 3), 8);
		if (r->q == NULL) {
			free(r);
			return 1;
		}
		watchdog_start(&w, o, r->q, &r->progress);
		lfk_run_threads2(n + 1, race_producer_or_closer, n,
				 race_consumer, r);
		LFK_CHECK(!watchdog_stop(&w), "%s: close race hung", o->name);
		for (int i = 0; i < n; i++) {
			tally_into(&in, &r->prod[i]);
			tally_into(&out, &r->cons[i]);
		}
		LFK_CHECK(in.count == out.count && in.sum == out.sum &&
				  in.xor_ == out.xor_,
			  "%s round %d: %llu puts succeeded, %llu items got",
			  o->name, round, (unsigned long long)in.count,
			  (unsigned long long)out.count);
		o->destroy(r->q);
		free(r);
	}
	return 0;
}
