/* SPDX-License-Identifier: MIT */
/*
 * The other objects of a shared region with a process killed in the middle
 * (docs/shm.md, "Processes that die"): a seqarray writer killed inside a
 * write (the bounded read that reports it, the repair that finishes it),
 * and event and semaphore waiters killed while asleep or holding a unit.
 */
#include "death_child.h"
#include "death_scenarios.h"

#include <errno.h>
#include <lfkit/eventcount.h>
#include <lfkit/seqarray.h>
#include <lfkit/sync.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORDS 4 /* element size of the arrays: 32 bytes */

struct region {
	char name[64];
	struct lfk_shm *shm;
};

static bool open_region(struct region *r)
{
	lfk_death_region_name(r->name, sizeof(r->name));
	return lfk_shm_create(r->name, 1 << 20, 0600, &r->shm) == 0;
}

static void close_region(struct region *r)
{
	lfk_shm_close(r->shm);
	lfk_shm_unlink(r->name);
}

static bool all_equal(const uint64_t *w)
{
	for (int k = 1; k < WORDS; k++)
		if (w[k] != w[0])
			return false;
	return true;
}

/* What a writer that dies half-way writes to: a sequence and its data. */
struct write_target {
	struct lfk_seqlock *lock;
	void *data;
};

/* A writer that dies half-way: it enters the write, stores half of the
 * new value, and stops there. */
static void half_write(void *arg)
{
	const struct write_target *t = arg;
	uint64_t v[WORDS] = { 9, 9, 9, 9 };
	lfk_seqlock_write_begin(t->lock);
	lfk_seqlock_copy_in(t->data, v, sizeof(v) / 2);
	raise(SIGSTOP);
}

/*
 * A seqarray writer killed between its begin and its end: readers of that
 * element would spin for ever; the bounded read reports -ETIMEDOUT with
 * the stuck sequence, the other elements read as usual, and a survivor's
 * repair finishes the write with a value of its own, after which reads,
 * writes and snapshots all work; a second repair of the same write says
 * -EAGAIN.
 */
int lfk_scn_seqarray_writer_killed_mid_write(void)
{
	struct region r;
	struct lfk_seqarray *a;
	uint64_t v[WORDS] = { 1, 1, 1, 1 }, got[WORDS], all[8 * WORDS];
	uint64_t fresh[WORDS] = { 5, 5, 5, 5 }, stuck = 0;
	pid_t pid;
	if (!open_region(&r) ||
	    lfk_shm_seqarray_create(r.shm, "table", 8, sizeof(v), &a) != 0)
		return 1;
	for (size_t i = 0; i < 8; i++)
		lfk_seqarray_write(a, i, v);
	struct write_target t = { &lfk__seqarray_slot_at(a, 3)->lock,
				  lfk__seqarray_slot_at(a, 3)->data };
	LFK_CHECK(lfk_death_kill_at_hook(-1, half_write, &t, &pid),
		  "writer not killed mid-write (element 3)");
	LFK_CHECK(lfk_seqarray_read_timed(a, 3, got, 20000000, &stuck) ==
				  -ETIMEDOUT &&
			  (stuck & 1),
		  "a read of the dead writer's element must time out");
	LFK_CHECK(lfk_seqarray_read_timed(a, 2, got, 20000000, NULL) == 0 &&
			  got[0] == 1,
		  "the other elements read as usual");
	LFK_CHECK(lfk_seqarray_repair(a, 3, stuck + 2, fresh) == -EAGAIN,
		  "repair of a write that is not stuck");
	LFK_CHECK(lfk_seqarray_repair(a, 3, stuck - 1, fresh) == -EINVAL,
		  "repair of an even sequence");
	LFK_CHECK(lfk_seqarray_repair(a, 3, stuck, fresh) == 0, "repair");
	LFK_CHECK(lfk_seqarray_repair(a, 3, stuck, fresh) == -EAGAIN,
		  "a second repair of the same write");
	LFK_CHECK(lfk_seqarray_read(a, 3, got) == 0 &&
			  memcmp(got, fresh, sizeof(got)) == 0,
		  "the repaired element holds the repairer's value");
	LFK_CHECK(lfk_seqarray_write(a, 3, v) == 0 &&
			  lfk_seqarray_snapshot(a, all) == 0 &&
			  all[3 * WORDS] == 1,
		  "writes and snapshots after the repair");
	close_region(&r);
	return 0;
}

/* An update_n whose process stops (and is killed) inside its callback,
 * with the writer sides of every element it updates held. */
static int stop_in_update(void *elems, size_t k, size_t elem_size, void *arg)
{
	(void)arg;
	memset(elems, 9, k * elem_size);
	raise(SIGSTOP);
	return 0;
}

static void update_two(void *arg)
{
	static const size_t idx[2] = { 2, 5 };
	lfk_seqarray_update_n(arg, idx, 2, stop_in_update, NULL);
}

/*
 * A process killed inside lfk_seqarray_update_n (and so update, which is
 * update_n of one element): each element it held is left as a writer
 * killed mid-write; each is found by the bounded read and repaired alone,
 * and then reads, writes and snapshots work again.
 */
int lfk_scn_seqarray_updater_killed_in_update(void)
{
	struct region r;
	struct lfk_seqarray *a;
	uint64_t v[WORDS] = { 1, 1, 1, 1 }, got[WORDS], all[8 * WORDS];
	uint64_t fresh[WORDS] = { 5, 5, 5, 5 }, stuck;
	pid_t pid;
	if (!open_region(&r) ||
	    lfk_shm_seqarray_create(r.shm, "table", 8, sizeof(v), &a) != 0)
		return 1;
	for (size_t i = 0; i < 8; i++)
		lfk_seqarray_write(a, i, v);
	LFK_CHECK(lfk_death_kill_at_hook(-1, update_two, a, &pid),
		  "updater not killed inside its update");
	for (size_t i = 0; i < 8; i++) {
		int rc = lfk_seqarray_read_timed(a, i, got, 20000000, &stuck);
		if (i == 2 || i == 5) {
			LFK_CHECK(rc == -ETIMEDOUT && (stuck & 1),
				  "element %zu: the dead update must time out",
				  i);
			LFK_CHECK(lfk_seqarray_repair(a, i, stuck, fresh) == 0,
				  "element %zu: repair", i);
		} else {
			LFK_CHECK(rc == 0 && got[0] == 1,
				  "element %zu: untouched, reads as usual", i);
		}
	}
	LFK_CHECK(lfk_seqarray_snapshot(a, all) == 0 && all[2 * WORDS] == 5 &&
			  all[5 * WORDS] == 5 && all[0] == 1,
		  "a snapshot after the repairs");
	LFK_CHECK(lfk_seqarray_write(a, 2, v) == 0 &&
			  lfk_seqarray_read(a, 2, got) == 0 && got[0] == 1,
		  "writes after the repair");
	close_region(&r);
	return 0;
}

static void update_five(void *arg)
{
	size_t five = 5;
	lfk_seqarray_update_n(arg, &five, 1, stop_in_update, NULL);
}

/* The snapshot fallback at once: it takes every element's writer side. */
static void snapshot_by_fallback(void *arg)
{
	uint64_t all[8 * WORDS];
	lfk_seqarray_snapshot_tries(arg, all, 0);
}

static bool fourth_held(void *arg)
{
	/* Relaxed: a snapshot of the sequence; odd = a writer side held. */
	return lfk_atomic_load_u64(&lfk__seqarray_slot_at(arg, 4)->lock.seq,
				   LFK_RELAXED) &
	       1;
}

/*
 * A process killed inside a snapshot's fallback, holding the writer sides
 * of elements 0-4: a stopped updater of element 5 parks it there (the
 * fallback takes them in ascending order).  The elements it held read as
 * a writer killed inside a write, and are found and repaired the same way;
 * the updater, resumed, finishes; the rest reads as usual.
 */
int lfk_scn_seqarray_snapshot_killed_in_fallback(void)
{
	struct region r;
	struct lfk_seqarray *a;
	uint64_t v[WORDS] = { 1, 1, 1, 1 }, got[WORDS], all[8 * WORDS], stuck;
	pid_t updater, snapper;
	int st = 0;
	if (!open_region(&r) ||
	    lfk_shm_seqarray_create(r.shm, "table", 8, sizeof(v), &a) != 0)
		return 1;
	for (size_t i = 0; i < 8; i++)
		lfk_seqarray_write(a, i, v);
	updater = lfk_death_fork(update_five, a);
	LFK_CHECK(updater > 0 && waitpid(updater, &st, WUNTRACED) == updater &&
			  WIFSTOPPED(st),
		  "updater did not stop inside its update");
	snapper = lfk_death_fork(snapshot_by_fallback, a);
	LFK_CHECK(snapper > 0 && lfk_death_eventually(fourth_held, a),
		  "the snapshot fallback never held elements 0-4");
	LFK_CHECK(lfk_death_kill(snapper), "snapshot process not killed");
	kill(updater, SIGCONT);
	LFK_CHECK(lfk_death_exits_ok(updater), "the updater did not finish");
	for (size_t i = 0; i < 8; i++) {
		int rc = lfk_seqarray_read_timed(a, i, got, 20000000, &stuck);
		if (i < 5) {
			LFK_CHECK(rc == -ETIMEDOUT && (stuck & 1),
				  "element %zu: held by the dead snapshot", i);
			LFK_CHECK(lfk_seqarray_repair(a, i, stuck, v) == 0,
				  "element %zu: repair", i);
		} else {
			uint64_t want = i == 5 ? 0x0909090909090909ull : 1;
			LFK_CHECK(rc == 0 && got[0] == want,
				  "element %zu: reads as usual", i);
		}
	}
	LFK_CHECK(lfk_seqarray_snapshot_tries(a, all, 0) == 0 && all[0] == 1 &&
			  all[4 * WORDS] == 1,
		  "a snapshot (fallback) after the repairs");
	close_region(&r);
	return 0;
}

/* A seqlock and the object it guards, in a bytes object of a region. */
struct guarded {
	struct lfk_seqlock lock;
	uint64_t data[WORDS];
};

/*
 * The same for a plain seqlock guarding an object in shared memory:
 * lfk_seqlock_read_timed reports the stuck write, lfk_seqlock_repair
 * finishes it, and reads and writes go on.
 */
int lfk_scn_seqlock_writer_killed_mid_write(void)
{
	struct region r;
	struct guarded *g;
	size_t len;
	uint64_t v[WORDS] = { 1, 1, 1, 1 }, fresh[WORDS] = { 5, 5, 5, 5 };
	uint64_t got[WORDS], stuck = 0;
	pid_t pid;
	if (!open_region(&r) ||
	    lfk_shm_bytes_create(r.shm, "guarded", sizeof(*g), (void **)&g) !=
		    0)
		return 1;
	len = sizeof(g->data);
	lfk_seqlock_write(&g->lock, g->data, v, len);
	struct write_target t = { &g->lock, g->data };
	LFK_CHECK(lfk_death_kill_at_hook(-1, half_write, &t, &pid),
		  "writer not killed mid-write");
	LFK_CHECK(lfk_seqlock_read_timed(&g->lock, got, g->data, len, 20000000,
					 &stuck) == -ETIMEDOUT &&
			  (stuck & 1),
		  "a read must time out on the dead writer's write");
	LFK_CHECK(lfk_seqlock_repair(&g->lock, stuck, g->data, fresh, len) ==
				  0 &&
			  lfk_seqlock_repair(&g->lock, stuck, g->data, fresh,
					     len) == -EAGAIN,
		  "repair, once");
	LFK_CHECK(lfk_seqlock_read(&g->lock, got, g->data, len) == 0 &&
			  memcmp(got, fresh, len) == 0,
		  "the repaired object holds the repairer's value");
	LFK_CHECK(lfk_seqlock_write(&g->lock, g->data, v, len) == 0 &&
			  lfk_seqlock_read_timed(&g->lock, got, g->data, len, 0,
						 NULL) == 0 &&
			  got[0] == 1,
		  "writes and reads after the repair");
	close_region(&r);
	return 0;
}

/* Writes element 0 for ever, each value all one word repeated. */
static void write_forever(void *arg)
{
	for (uint64_t k = 1;; k++) {
		uint64_t v[WORDS] = { k, k, k, k };
		lfk_seqarray_write(arg, 0, v);
	}
}

/* Reads element 0 for ever. */
static void read_forever(void *arg)
{
	uint64_t v[WORDS];
	for (;;)
		lfk_seqarray_read(arg, 0, v);
}

/*
 * A seqarray writer and a reader killed at random moments, round after
 * round: the survivor either reads a whole value (never a torn one) or
 * learns from the bounded read that the writer died inside a write,
 * repairs it, and then reads the repaired value.  The dead reader changes
 * nothing.
 */
int lfk_scn_seqarray_writer_killed_at_random(void)
{
	struct lfk_rng rng;
	struct lfk_bound bound = lfk_bound_scaled(5000);
	uint64_t round, stuck_rounds = 0;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (round = 0; !lfk_bound_done(&bound, round) || round < 3; round++) {
		struct region r;
		struct lfk_seqarray *a;
		uint64_t got[WORDS], stuck, zero[WORDS] = { 0, 0, 0, 0 };
		pid_t pid, reader;
		int rc;
		if (!open_region(&r) ||
		    lfk_shm_seqarray_create(r.shm, "table", 1, sizeof(got),
					    &a) != 0)
			return 1;
		reader = lfk_death_fork(read_forever, a);
		pid = lfk_death_fork(write_forever, a);
		usleep((useconds_t)lfk_rng_below(&rng, 2000));
		LFK_CHECK(lfk_death_kill(reader), "reader not killed");
		LFK_CHECK(lfk_death_kill(pid), "writer not killed");
		rc = lfk_seqarray_read_timed(a, 0, got, 20000000, &stuck);
		if (rc == -ETIMEDOUT) {
			stuck_rounds++;
			LFK_CHECK(lfk_seqarray_repair(a, 0, stuck, zero) == 0 &&
					  lfk_seqarray_read_timed(a, 0, got,
								  20000000,
								  NULL) == 0 &&
					  got[0] == 0,
				  "round %llu: repair after the death",
				  (unsigned long long)round);
		} else {
			LFK_CHECK(rc == 0, "round %llu: read returned %d",
				  (unsigned long long)round, rc);
		}
		LFK_CHECK(all_equal(got), "round %llu: torn element",
			  (unsigned long long)round);
		close_region(&r);
		if (lfk_failures())
			break;
	}
	printf("seqarray_writer_killed_at_random: %llu of %llu kills inside a "
	       "write\n",
	       (unsigned long long)stuck_rounds, (unsigned long long)round);
	return 0;
}

static void wait_event(void *arg)
{
	lfk_event_wait(arg, LFK_FOREVER);
}

static bool event_has_sleeper(void *arg)
{
	/* Relaxed: a snapshot; bit 1 of the state: someone sleeps. */
	return (lfk_atomic_load_u32(&((struct lfk_event *)arg)->state,
				    LFK_RELAXED) &
		2u) != 0;
}

static void wait_sem(void *arg)
{
	lfk_sem_wait(arg, LFK_FOREVER);
}

static bool sem_has_sleeper(void *arg)
{
	/* Relaxed: a snapshot. */
	return lfk_atomic_load_u32(&((struct lfk_sem *)arg)->sleepers,
				   LFK_RELAXED) != 0;
}

/* Takes one unit, then stops (dies holding it). */
static void take_unit(void *arg)
{
	if (lfk_sem_wait(arg, 0) == 0)
		raise(SIGSTOP);
}

/*
 * Event and semaphore waiters killed while asleep: the others are not
 * affected (set still wakes, post still hands its unit to a live waiter).
 * A process killed holding a semaphore unit takes the unit with it: the
 * value stays one lower until a survivor posts on its behalf.
 */
int lfk_scn_sync_waiters_killed(void)
{
	struct region r;
	struct lfk_event *e;
	struct lfk_sem *s;
	uint32_t units;
	pid_t pid;
	if (!open_region(&r) || lfk_shm_event_create(r.shm, "go", &e) != 0 ||
	    lfk_shm_sem_create(r.shm, "units", 0, &s) != 0)
		return 1;
	LFK_CHECK(lfk_death_kill_when(event_has_sleeper, wait_event, e, &pid),
		  "event waiter not killed while asleep");
	LFK_CHECK(lfk_event_set(e) == 0 && lfk_event_wait(e, 0) == 0,
		  "set and wait after the death");
	LFK_CHECK(lfk_event_clear(e) == 0 &&
			  lfk_event_wait(e, 1000000) == -ETIMEDOUT,
		  "clear after the death");
	LFK_CHECK(lfk_death_kill_when(sem_has_sleeper, wait_sem, s, &pid),
		  "semaphore waiter not killed while asleep");
	LFK_CHECK(lfk_sem_post(s) == 0 && lfk_sem_value(s, &units) == 0 &&
			  units == 1 && lfk_sem_wait(s, 0) == 0,
		  "the posted unit is not lost to the dead waiter");
	LFK_CHECK(lfk_sem_post(s) == 0, "post");
	LFK_CHECK(lfk_death_kill_at_hook(-1, take_unit, s, &pid),
		  "unit holder not killed");
	LFK_CHECK(lfk_sem_value(s, &units) == 0 && units == 0 &&
			  lfk_sem_trywait(s) == -EAGAIN,
		  "the dead holder's unit is gone");
	LFK_CHECK(lfk_sem_post(s) == 0 && lfk_sem_wait(s, 0) == 0,
		  "a survivor posts on the dead holder's behalf");
	close_region(&r);
	return 0;
}

/*
 * A process killed inside lfk_event_set or lfk_sem_post after its update
 * and before its FUTEX_WAKE.  What it leaves is exactly its update of the
 * word with no wake-up: the test makes that update on a copy of the
 * object (so the wake-up goes to an address nobody sleeps on) and stores
 * the copy's word into the shared object.  The waiter asleep with
 * LFK_FOREVER must still return (it looks again every LFK_SYNC_POLL_NS).
 */
/* What a setter killed before its wake-up leaves in the shared event. */
static void set_without_wake(void *obj)
{
	struct lfk_event *e = obj, copy = *e;
	LFK_CHECK(lfk_event_set(&copy) == 0, "set on the copy");
	/* Release: as the dead setter's CAS would have published it. */
	lfk_atomic_store_u32(&e->state, copy.state, LFK_RELEASE);
}

/* What a poster killed before its wake-up leaves in the shared semaphore. */
static void post_without_wake(void *obj)
{
	struct lfk_sem *s = obj, copy = *s;
	LFK_CHECK(lfk_sem_post(&copy) == 0, "post on the copy");
	/* Release: as the dead poster's CAS would have published the unit. */
	lfk_atomic_store_u32(&s->value, copy.value, LFK_RELEASE);
}

/* A waiter asleep on obj with LFK_FOREVER returns after the dead update. */
static void waiter_returns_after(const char *what, void (*wait)(void *),
				 bool (*asleep)(void *), void *obj,
				 void (*dead_update)(void *))
{
	pid_t pid = lfk_death_fork(wait, obj);
	LFK_CHECK(pid > 0 && lfk_death_eventually(asleep, obj),
		  "%s waiter never slept", what);
	dead_update(obj);
	LFK_CHECK(pid > 0 && lfk_death_exits_ok(pid),
		  "%s waiter slept through an update whose process died", what);
}

int lfk_scn_sync_setter_killed_before_wake(void)
{
	struct region r;
	struct lfk_event *e;
	struct lfk_sem *s;
	uint32_t units;
	if (!open_region(&r) || lfk_shm_event_create(r.shm, "go", &e) != 0 ||
	    lfk_shm_sem_create(r.shm, "units", 0, &s) != 0)
		return 1;
	waiter_returns_after("event", wait_event, event_has_sleeper, e,
			     set_without_wake);
	waiter_returns_after("semaphore", wait_sem, sem_has_sleeper, s,
			     post_without_wake);
	LFK_CHECK(lfk_sem_value(s, &units) == 0 && units == 0,
		  "the unit was taken once");
	close_region(&r);
	return 0;
}
