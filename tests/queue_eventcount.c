/* SPDX-License-Identifier: MIT */
/*
 * The queue's eventcount alone: no syscall without waiters, stale keys,
 * timeouts (relative, absolute, zero), and a ping-pong that would hang on a
 * lost wake-up.
 */
#include "queue_scenarios.h"

#include <errno.h>
#include <lfkit/eventcount.h>
#include <string.h>

#include "queue_helpers.h"

static uint32_t ec_epoch(const struct lfk_eventcount *ec)
{
	return (uint32_t)(lfk_atomic_load_u64(&ec->word, LFK_RELAXED) >> 32);
}

/* Bad flags; notify without waiters; one waiter registered and cancelled. */
static void ec_idle(struct lfk_eventcount *ec)
{
	uint32_t key;
	LFK_CHECK(lfk_eventcount_init(NULL, 0) == -EINVAL, "init NULL");
	LFK_CHECK(lfk_eventcount_init(ec, 2) == -EINVAL, "init bad flags");
	LFK_CHECK(lfk_eventcount_init(ec, 0) == 0, "init");
	/* No waiter: notify must not bump the epoch (no syscall either). */
	lfk_eventcount_notify(ec);
	lfk_eventcount_notify_all(ec);
	LFK_CHECK(ec_epoch(ec) == 0, "notify without waiters bumped the epoch");
	key = lfk_eventcount_prepare_wait(ec);
	LFK_CHECK(lfk_eventcount_waiters(ec) == 1 && key == 0, "prepare_wait");
	lfk_eventcount_cancel_wait(ec, key);
	LFK_CHECK(lfk_eventcount_waiters(ec) == 0, "cancel_wait");
}

/* A notify claims every registered waiter at once; the next notify finds
 * none (no second syscall); the waits return at once. */
static void ec_claims_waiters(struct lfk_eventcount *ec)
{
	uint32_t key = lfk_eventcount_prepare_wait(ec);
	uint32_t k2 = lfk_eventcount_prepare_wait(ec);
	uint64_t t0;
	int rc;
	LFK_CHECK(lfk_eventcount_waiters(ec) == 2 && k2 == key, "two waiters");
	lfk_eventcount_notify(ec);
	LFK_CHECK(ec_epoch(ec) == key + 1 && lfk_eventcount_waiters(ec) == 0,
		  "notify must claim the waiters");
	lfk_eventcount_notify(ec);
	LFK_CHECK(ec_epoch(ec) == key + 1, "second notify found waiters");
	t0 = lfk_now_ns();
	rc = lfk_eventcount_wait(ec, key, LFK_FOREVER);
	LFK_CHECK(rc == 0, "stale key wait rc=%d", rc);
	/* A claimed waiter's cancel must not touch a newer registration. */
	k2 = lfk_eventcount_prepare_wait(ec);
	lfk_eventcount_cancel_wait(ec, key);
	LFK_CHECK(lfk_eventcount_waiters(ec) == 1,
		  "stale cancel removed a newer waiter");
	lfk_eventcount_cancel_wait(ec, k2);
	LFK_CHECK(lfk_eventcount_waiters(ec) == 0, "cancel");
	LFK_CHECK(lfk_now_ns() - t0 < 5000 * MS, "stale key wait slept");
}

/* Timeouts, relative and absolute, on an eventcount of these flags. */
static void ec_timeouts(struct lfk_eventcount *ec, unsigned flags)
{
	uint32_t key;
	uint64_t t0;
	int rc;
	lfk_eventcount_init(ec, flags);
	key = lfk_eventcount_prepare_wait(ec);
	t0 = lfk_now_ns();
	rc = lfk_eventcount_wait_timeout(ec, key, 20 * MS);
	LFK_CHECK(rc == -ETIMEDOUT, "wait_timeout rc=%d", rc);
	LFK_CHECK(lfk_now_ns() - t0 >= 20 * MS, "woke early");
	LFK_CHECK(lfk_eventcount_waiters(ec) == 0, "wait left a waiter");
	key = lfk_eventcount_prepare_wait(ec);
	rc = lfk_eventcount_wait(ec, key, lfk_monotonic_ns() - 1);
	LFK_CHECK(rc == -ETIMEDOUT, "past deadline rc=%d", rc);
	LFK_CHECK(lfk_eventcount_waiters(ec) == 0, "wait left a waiter");
	/* timeout 0 never blocks: -EAGAIN, or 0 once notified */
	key = lfk_eventcount_prepare_wait(ec);
	rc = lfk_eventcount_wait_timeout(ec, key, 0);
	LFK_CHECK(rc == -EAGAIN, "wait_timeout(0) rc=%d", rc);
	LFK_CHECK(lfk_eventcount_waiters(ec) == 0, "wait left a waiter");
	key = lfk_eventcount_prepare_wait(ec);
	lfk_eventcount_notify(ec);
	rc = lfk_eventcount_wait_timeout(ec, key, 0);
	LFK_CHECK(rc == 0, "notified wait_timeout(0) rc=%d", rc);
}

int lfk_scn_eventcount_basics(void)
{
	struct lfk_eventcount ec;
	ec_idle(&ec);
	ec_claims_waiters(&ec);
	/* private and shared */
	for (unsigned flags = 0; flags <= LFK_EVENTCOUNT_SHARED; flags++)
		ec_timeouts(&ec, flags);
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
			LFK_CHECK(0,
				  "ping-pong stuck at turn %llu: lost wake-up",
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
