/* SPDX-License-Identifier: MIT */
/*
 * A writer parked inside its section: the latch reader does not wait for
 * it, and the bounded reads of the seqlock and seqarray give up as their
 * timeout says.
 */
#include <lfkit/latch.h>
#include <lfkit/seqarray.h>
#include <lfkit/seqlock.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "seqlock_helpers.h"
#include "seqlock_scenarios.h"

/* ---- the latch reader does not wait for a stalled writer ---------------- */

struct latch_probe {
	struct lfk_latch *l;
	uint64_t got[WORDS];
	uint32_t done;
};

static void *latch_probe_main(void *p)
{
	struct latch_probe *pr = p;
	lfk_latch_read(pr->l, pr->got);
	lfk_atomic_store_u32(&pr->done, 1, LFK_RELEASE); /* publishes got */
	return NULL;
}

/* A writer stalls in the middle of writing b: it has entered and stored
 * half of b into the copy it fills.  Returns that copy. */
static uint64_t *stall_half_written(struct lfk_latch *l, const uint64_t *b)
{
	lfk_seqlock_write_begin(&l->lock);
	uint64_t *target =
		lfk__latch_copy(l, (lfk_seqlock_sequence(&l->lock) >> 1) + 1);
	for (int j = 0; j < WORDS / 2; j++)
		lfk_seqlock_store_u64(&target[j], b[j]);
	return target;
}

/* Runs a reader while the write is stalled; it must finish within 2 s. */
static void probe_during_stall(struct latch_probe *pr, pthread_t *tid)
{
	uint64_t t0;
	if (pthread_create(tid, NULL, latch_probe_main, pr) != 0)
		abort();
	t0 = lfk_now_ns();
	while (!lfk_atomic_load_u32(&pr->done, LFK_ACQUIRE) && /* reads got */
	       lfk_now_ns() - t0 < 2000000000ull)
		sched_yield();
	LFK_CHECK(lfk_atomic_load_u32(&pr->done, LFK_ACQUIRE),
		  "a latch reader waited 2 s for a stalled writer");
}

int lfk_scn_latch_reader_never_waits(void)
{
	struct lfk_latch *l;
	uint64_t a[WORDS], b[WORDS], *target;
	struct latch_probe pr = { 0 };
	pthread_t tid;
	LFK_CHECK(lfk_latch_create(sizeof(a), &l) == 0, "create");
	if (lfk_failures())
		return 1;
	pattern_fill(a, WORDS, 7);
	pattern_fill(b, WORDS, 8);
	LFK_CHECK(lfk_latch_write(l, a) == 0, "write a");
	target = stall_half_written(l, b);
	pr.l = l;
	probe_during_stall(&pr, &tid);
	for (int j = WORDS / 2; j < WORDS; j++)
		lfk_seqlock_store_u64(&target[j], b[j]);
	lfk_seqlock_write_end(&l->lock);
	pthread_join(tid, NULL);
	LFK_CHECK(memcmp(pr.got, a, sizeof(a)) == 0,
		  "reader during the stalled write saw %llu, not the old value",
		  (unsigned long long)pr.got[0]);
	memset(pr.got, 0, sizeof(pr.got));
	LFK_CHECK(lfk_latch_read(l, pr.got) == 0 &&
			  memcmp(pr.got, b, sizeof(b)) == 0,
		  "after the write the reader sees the new value");
	lfk_latch_destroy(l);
	return 0;
}

/* ---- the timeout rule of the bounded reads -------------------------------- */

#define MS 1000000u

/*
 * A write left open (as by a writer that died): timeout 0 never blocks and
 * answers -EAGAIN, a short timeout -ETIMEDOUT no sooner than asked; both
 * report the odd sequence the write is stuck at.
 */
static void seqlock_read_timed(void)
{
	struct lfk_seqlock l = LFK_SEQLOCK_INIT;
	uint64_t obj = 1, got, stuck = 0, t0;
	int rc;
	lfk_seqlock_write_begin(&l);
	rc = lfk_seqlock_read_timed(&l, &got, &obj, 8, 0, &stuck);
	LFK_CHECK(rc == -EAGAIN && stuck == 1, "seqlock timeout 0: %d", rc);
	t0 = lfk_now_ns();
	rc = lfk_seqlock_read_timed(&l, &got, &obj, 8, 2 * MS, &stuck);
	LFK_CHECK(rc == -ETIMEDOUT && lfk_now_ns() - t0 >= 2 * MS,
		  "seqlock short timeout: %d", rc);
	lfk_seqlock_write_end(&l);
	LFK_CHECK(lfk_seqlock_read_timed(&l, &got, &obj, 8, 0, NULL) == 0 &&
			  got == 1,
		  "seqlock timeout 0, no writer");
}

/* The same on one element of a seqarray; the others stay readable. */
static int seqarray_read_timed(void)
{
	struct lfk_seqarray *a;
	uint64_t got, stuck = 0;
	int rc;
	if (lfk_seqarray_create(2, 8, &a) != 0)
		return 1;
	lfk_seqlock_write_begin(&lfk__seqarray_slot_at(a, 1)->lock);
	rc = lfk_seqarray_read_timed(a, 1, &got, 0, &stuck);
	LFK_CHECK(rc == -EAGAIN && stuck == 1, "seqarray timeout 0: %d", rc);
	rc = lfk_seqarray_read_timed(a, 1, &got, 2 * MS, NULL);
	LFK_CHECK(rc == -ETIMEDOUT, "seqarray short timeout: %d", rc);
	LFK_CHECK(lfk_seqarray_read_timed(a, 0, &got, 0, NULL) == 0,
		  "seqarray timeout 0, another element");
	lfk_seqarray_destroy(a);
	return 0;
}

int lfk_scn_read_timed_timeouts(void)
{
	seqlock_read_timed();
	return seqarray_read_timed();
}
