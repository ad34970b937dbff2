/* SPDX-License-Identifier: MIT */
/*
 * lfk_queue in a shared region, with a process killed at every point of a
 * put or a get (docs/shm.md, "Processes that die").  After each death the
 * survivor (this process) checks what <lfkit/queue.h> promises: the items
 * the dead process did not hold come out once and in order; after close,
 * get ends with -EPIPE (not a timeout); join returns; and task_done
 * succeeds exactly once per item counted as put, never once more.
 */
#include "death_child.h"
#include "death_scenarios.h"

#include <errno.h>
#include <lfkit/queue.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* Long enough never to expire on a loaded machine, short enough that a
 * queue that never ends fails the test instead of hanging it. */
#define END_TIMEOUT_NS 3000000000ull

struct shared_queue {
	char name[64];
	struct lfk_shm *shm;
	struct lfk_queue *q;
};

static bool open_queue(struct shared_queue *sq, int kind, size_t capacity)
{
	lfk_death_region_name(sq->name, sizeof(sq->name));
	return lfk_shm_create(sq->name, 1 << 20, 0600, &sq->shm) == 0 &&
	       lfk_shm_queue_create(sq->shm, "queue", kind, capacity, 8,
				    &sq->q) == 0;
}

static void close_queue(struct shared_queue *sq)
{
	lfk_shm_close(sq->shm);
	lfk_shm_unlink(sq->name);
}

static const char *kind_name(int kind)
{
	return kind == LFK_RING_SPSC   ? "spsc"
	       : kind == LFK_RING_MPMC ? "mpmc"
				       : "lfmpmc";
}

/*
 * Closes q and drains it: every item must come out before get says -EPIPE
 * (not -ETIMEDOUT: that is a queue that never ends).  Stores up to `max`
 * items in got[]; returns how many came out.
 */
static uint64_t drain_to_end(struct lfk_queue *q, uint64_t *got, uint64_t max,
			     const char *what)
{
	uint64_t n = 0, v;
	int rc;
	LFK_CHECK(lfk_queue_close(q) == 0, "%s: close", what);
	while ((rc = lfk_queue_get(q, &v, END_TIMEOUT_NS)) == 0) {
		if (n < max)
			got[n] = v;
		n++;
	}
	LFK_CHECK(rc == -EPIPE, "%s: get after close returned %d, not -EPIPE",
		  what, rc);
	return n;
}

/*
 * task_done `items` times, then join and one more task_done: returns how
 * many succeeded; join must return 0 and the extra task_done -EINVAL.
 */
static uint64_t finish_tasks(struct lfk_queue *q, uint64_t items,
			     const char *what)
{
	uint64_t ok = 0;
	int rc;
	for (uint64_t i = 0; i < items; i++)
		ok += lfk_queue_task_done(q) == 0;
	rc = lfk_queue_join(q, END_TIMEOUT_NS);
	LFK_CHECK(rc == 0, "%s: join returned %d", what, rc);
	rc = lfk_queue_task_done(q);
	LFK_CHECK(rc == -EINVAL, "%s: one task_done too many returned %d", what,
		  rc);
	return ok;
}

/* After lfk_queue_recover, no record may still name the dead pid. */
static void check_record_freed(struct lfk_queue *q, pid_t dead,
			       const char *what)
{
	LFK_CHECK(lfk_queue_recover(q) >= 0, "%s: recover", what);
	for (int i = 0; i < LFK_QUEUE_PROCS; i++)
		LFK_CHECK((uint32_t)q->owners[i].word != (uint32_t)dead,
			  "%s: record %d still owned by the dead %d", what, i,
			  (int)dead);
}

static void put_forever(void *arg)
{
	lfk_queue_put(arg, 0xdead, LFK_FOREVER);
}

static void get_forever(void *arg)
{
	uint64_t v;
	lfk_queue_get(arg, &v, LFK_FOREVER);
}

static bool producer_asleep(void *arg)
{
	return lfk_eventcount_waiters(&((struct lfk_queue *)arg)->not_full) > 0;
}

static bool consumer_asleep(void *arg)
{
	return lfk_eventcount_waiters(&((struct lfk_queue *)arg)->not_empty) >
	       0;
}

static const int kinds[] = { LFK_RING_SPSC, LFK_RING_MPMC, LFK_RING_LFMPMC };

/*
 * A producer killed while it sleeps in put(LFK_FOREVER) on a full queue, 5
 * times per ring kind: the queue holds its 4 items, 4 task_done succeed and
 * join returns, a fifth task_done fails, and after close get drains the 4
 * and says -EPIPE.  (Before the queue kept its counts per process, the
 * dead put stayed counted for good: join never returned, a fifth task_done
 * succeeded and get never said -EPIPE, in 5 kills of 5.)
 */
int lfk_scn_queue_producer_killed_while_blocked(void)
{
	for (size_t k = 0; k < 3; k++) {
		for (int round = 0; round < 5; round++) {
			struct shared_queue sq;
			uint64_t got[8];
			pid_t pid;
			const char *what = kind_name(kinds[k]);
			if (!open_queue(&sq, kinds[k], 4))
				return 1;
			for (uint64_t v = 1; v <= 4; v++)
				lfk_queue_put(sq.q, v, 0);
			LFK_CHECK(lfk_death_kill_when(producer_asleep,
						      put_forever, sq.q, &pid),
				  "%s: producer not killed", what);
			LFK_CHECK(lfk_queue_join(sq.q, 0) == -EAGAIN,
				  "%s: join before any task_done", what);
			LFK_CHECK(finish_tasks(sq.q, 4, what) == 4,
				  "%s: task_done for the 4 items", what);
			LFK_CHECK(drain_to_end(sq.q, got, 8, what) == 4,
				  "%s: items after the death", what);
			for (uint64_t v = 1; v <= 4; v++)
				LFK_CHECK(got[v - 1] == v, "%s: item %llu",
					  what, (unsigned long long)v);
			check_record_freed(sq.q, pid, what);
			close_queue(&sq);
		}
	}
	return 0;
}

/*
 * A consumer killed while it sleeps in get(LFK_FOREVER) on an empty queue:
 * nothing to recover; put, get, task_done, join and close all go on.
 */
int lfk_scn_queue_consumer_killed_while_blocked(void)
{
	for (size_t k = 0; k < 3; k++) {
		struct shared_queue sq;
		uint64_t v = 0;
		pid_t pid;
		const char *what = kind_name(kinds[k]);
		if (!open_queue(&sq, kinds[k], 4))
			return 1;
		LFK_CHECK(lfk_death_kill_when(consumer_asleep, get_forever,
					      sq.q, &pid),
			  "%s: consumer not killed", what);
		LFK_CHECK(lfk_queue_put(sq.q, 7, 0) == 0 &&
				  lfk_queue_get(sq.q, &v, 0) == 0 && v == 7,
			  "%s: traffic after the death", what);
		LFK_CHECK(finish_tasks(sq.q, 1, what) == 1, "%s: task_done",
			  what);
		LFK_CHECK(drain_to_end(sq.q, &v, 1, what) == 0, "%s: end",
			  what);
		check_record_freed(sq.q, pid, what);
		close_queue(&sq);
	}
	return 0;
}

/*
 * A child stopped exactly at one step of a put or a get (the queue's own
 * hooks and, inside, the ring's), then killed.  The queue holds items 1, 2
 * and 3; the child puts 0xdead or gets one item.  What the survivor must
 * see (<lfkit/queue.h>, "Processes that die"):
 *   items    the items that come out, in order;
 *   counted  how many of them task_done may finish (a put killed after
 *            publishing is counted as never put; an item a dead consumer
 *            took counts as done, so the survivor finishes 2).
 */
struct step_case {
	int kind;
	int point;
	bool producer;
	uint64_t items[4];
	uint64_t n_items;
	uint64_t counted;
};

static const struct step_case steps[] = {
	/* puts */
	{ LFK_RING_LFMPMC,
	  LFK_HOOK_QUEUE_PUT_REGISTERED,
	  true,
	  { 1, 2, 3 },
	  3,
	  3 },
	/* lfmpmc: killed after filling its entry, so its item is in */
	{ LFK_RING_LFMPMC,
	  LFK_HOOK_LFMPMC_ENQ_SLOT,
	  true,
	  { 1, 2, 3, 0xdead },
	  4,
	  3 },
	{ LFK_RING_LFMPMC,
	  LFK_HOOK_QUEUE_PUT_PUBLISHED,
	  true,
	  { 1, 2, 3, 0xdead },
	  4,
	  3 },
	{ LFK_RING_MPMC,
	  LFK_HOOK_QUEUE_PUT_REGISTERED,
	  true,
	  { 1, 2, 3 },
	  3,
	  3 },
	/* the ring stalls at the dead producer's slot: the end comes anyway */
	{ LFK_RING_MPMC, LFK_HOOK_MPMC_ENQ_RESERVED, true, { 1, 2, 3 }, 3, 3 },
	{ LFK_RING_MPMC,
	  LFK_HOOK_QUEUE_PUT_PUBLISHED,
	  true,
	  { 1, 2, 3, 0xdead },
	  4,
	  3 },
	{ LFK_RING_SPSC,
	  LFK_HOOK_QUEUE_PUT_REGISTERED,
	  true,
	  { 1, 2, 3 },
	  3,
	  3 },
	{ LFK_RING_SPSC,
	  LFK_HOOK_QUEUE_PUT_PUBLISHED,
	  true,
	  { 1, 2, 3, 0xdead },
	  4,
	  3 },
	/* gets: a get killed before the ring took an item still counts as
	 * having taken one (it cannot be told apart), so 3 items come out and
	 * the survivor finishes 2 of them */
	{ LFK_RING_LFMPMC,
	  LFK_HOOK_QUEUE_GET_REGISTERED,
	  false,
	  { 1, 2, 3 },
	  3,
	  2 },
	{ LFK_RING_LFMPMC, LFK_HOOK_LFMPMC_DEQ_SLOT, false, { 2, 3 }, 2, 2 },
	{ LFK_RING_LFMPMC, LFK_HOOK_QUEUE_GET_TAKEN, false, { 2, 3 }, 2, 2 },
	{ LFK_RING_MPMC,
	  LFK_HOOK_QUEUE_GET_REGISTERED,
	  false,
	  { 1, 2, 3 },
	  3,
	  2 },
	{ LFK_RING_MPMC, LFK_HOOK_MPMC_DEQ_RESERVED, false, { 2, 3 }, 2, 2 },
	{ LFK_RING_MPMC, LFK_HOOK_QUEUE_GET_TAKEN, false, { 2, 3 }, 2, 2 },
	{ LFK_RING_SPSC,
	  LFK_HOOK_QUEUE_GET_REGISTERED,
	  false,
	  { 1, 2, 3 },
	  3,
	  2 },
	{ LFK_RING_SPSC, LFK_HOOK_QUEUE_GET_TAKEN, false, { 2, 3 }, 2, 2 },
};

static void put_one(void *arg)
{
	lfk_queue_put(arg, 0xdead, 0);
}

static void get_one(void *arg)
{
	uint64_t v;
	lfk_queue_get(arg, &v, 0);
}

int lfk_scn_queue_killed_at_each_step(void)
{
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		const struct step_case *c = &steps[k];
		struct shared_queue sq;
		uint64_t got[8], n, ok;
		pid_t pid;
		char what[64];
		snprintf(what, sizeof(what), "%s %s, hook %d",
			 kind_name(c->kind), c->producer ? "put" : "get",
			 c->point);
		if (!open_queue(&sq, c->kind, 8))
			return 1;
		for (uint64_t v = 1; v <= 3; v++)
			lfk_queue_put(sq.q, v, 0);
		if (!lfk_death_kill_at_hook(c->point,
					    c->producer ? put_one : get_one,
					    sq.q, &pid)) {
			LFK_CHECK(0, "%s: child not killed at its step", what);
			close_queue(&sq);
			continue;
		}
		/* The survivor takes the dead process's share back first (get
		 * and join would do it themselves when they wait). */
		LFK_CHECK(lfk_queue_recover(sq.q) == 1,
			  "%s: the dead process's record not taken back", what);
		n = drain_to_end(sq.q, got, 8, what);
		LFK_CHECK(n == c->n_items,
			  "%s: %llu items came out, %llu expected", what,
			  (unsigned long long)n,
			  (unsigned long long)c->n_items);
		for (uint64_t i = 0; i < n && i < c->n_items; i++)
			LFK_CHECK(got[i] == c->items[i],
				  "%s: item %llu is %#llx", what,
				  (unsigned long long)i,
				  (unsigned long long)got[i]);
		ok = finish_tasks(sq.q, n, what);
		LFK_CHECK(ok == c->counted,
			  "%s: %llu task_done succeeded, %llu "
			  "expected",
			  what, (unsigned long long)ok,
			  (unsigned long long)c->counted);
		check_record_freed(sq.q, pid, what);
		close_queue(&sq);
	}
	return 0;
}

/*
 * A producer process and a consumer process (which task_done's each item)
 * are killed at random moments, round after round, over every ring kind.
 * The survivor then finds: the producer's items in order, none twice;
 * get -EPIPE after close; join returning; and task_done succeeding for each
 * item it drained, bar at most one (a put killed after publishing is
 * counted as never put), and never once more.
 */
static void produce_forever(void *arg)
{
	for (uint64_t seq = 1;; seq++)
		if (lfk_queue_put(arg, seq, LFK_FOREVER) != 0)
			return;
}

static void consume_forever(void *arg)
{
	uint64_t v;
	while (lfk_queue_get(arg, &v, LFK_FOREVER) == 0)
		lfk_queue_task_done(arg);
}

int lfk_scn_queue_killed_at_random(void)
{
	struct lfk_rng rng;
	struct lfk_bound bound = lfk_bound_scaled(5000);
	uint64_t round;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (round = 0; !lfk_bound_done(&bound, round) || round < 3; round++) {
		int kind = kinds[round % 3];
		const char *what = kind_name(kind);
		struct shared_queue sq;
		uint64_t got[64], n, ok, last = 0;
		pid_t prod, cons;
		if (lfk_skip_between_processes(kind, __func__))
			continue;
		if (!open_queue(&sq, kind, 4))
			return 1;
		prod = lfk_death_fork(produce_forever, sq.q);
		cons = lfk_death_fork(consume_forever, sq.q);
		usleep((useconds_t)lfk_rng_below(&rng, 3000));
		if (lfk_rng_below(&rng, 2)) {
			LFK_CHECK(lfk_death_kill(prod), "%s: producer", what);
			usleep((useconds_t)lfk_rng_below(&rng, 1000));
			LFK_CHECK(lfk_death_kill(cons), "%s: consumer", what);
		} else {
			LFK_CHECK(lfk_death_kill(cons), "%s: consumer", what);
			usleep((useconds_t)lfk_rng_below(&rng, 1000));
			LFK_CHECK(lfk_death_kill(prod), "%s: producer", what);
		}
		n = drain_to_end(sq.q, got, 64, what);
		for (uint64_t i = 0; i < n && i < 64; i++) {
			LFK_CHECK(got[i] > last, "%s: item %llu after %llu",
				  what, (unsigned long long)got[i],
				  (unsigned long long)last);
			last = got[i];
		}
		ok = finish_tasks(sq.q, n, what);
		LFK_CHECK(ok == n || ok + 1 == n,
			  "%s round %llu: %llu of %llu task_done succeeded",
			  what, (unsigned long long)round,
			  (unsigned long long)ok, (unsigned long long)n);
		check_record_freed(sq.q, prod, what);
		check_record_freed(sq.q, cons, what);
		close_queue(&sq);
		if (lfk_failures())
			break;
	}
	return 0;
}

/* Puts one item (claiming this process's record), then stops there. */
static void put_and_stop(void *arg)
{
	if (lfk_queue_put(arg, 1, 0) == 0)
		raise(SIGSTOP);
}

/*
 * LFK_QUEUE_PROCS live processes hold every record of a shared queue: one
 * more process gets -EUSERS; once one of them is killed and reaped, the
 * newcomer's call takes its record back and goes on.
 */
int lfk_scn_queue_records_full_then_reclaimed(void)
{
	struct shared_queue sq;
	pid_t pids[LFK_QUEUE_PROCS];
	int made = 0, st;
	uint64_t v;
	if (!open_queue(&sq, LFK_RING_LFMPMC, 64))
		return 1;
	for (; made < LFK_QUEUE_PROCS; made++) {
		pids[made] = lfk_death_fork(put_and_stop, sq.q);
		if (pids[made] < 0 ||
		    waitpid(pids[made], &st, WUNTRACED) != pids[made] ||
		    !WIFSTOPPED(st)) {
			LFK_CHECK(0, "child %d did not stop holding a record",
				  made);
			break;
		}
	}
	if (made == LFK_QUEUE_PROCS) {
		LFK_CHECK(lfk_queue_put(sq.q, 2, 0) == -EUSERS &&
				  lfk_queue_get(sq.q, &v, 0) == -EUSERS &&
				  lfk_queue_task_done(sq.q) == -EUSERS,
			  "a process beyond the records must get -EUSERS");
		LFK_CHECK(lfk_death_kill(pids[--made]), "kill one holder");
		LFK_CHECK(lfk_queue_put(sq.q, 2, 0) == 0 &&
				  lfk_queue_get(sq.q, &v, 0) == 0 && v == 1,
			  "the dead holder's record serves the newcomer");
	}
	while (made > 0)
		lfk_death_kill(pids[--made]);
	close_queue(&sq);
	return 0;
}
