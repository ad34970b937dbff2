/* SPDX-License-Identifier: MIT */
/*
 * Processes killed while they use a region: a producer killed mid-stream, a
 * process stopped at a chosen point inside a ring operation and killed
 * there, and a process that dies holding the mutex twin's robust lock.  The
 * survivors' view is what <lfkit/ring.h> and <lfkit/ref/queue.h> document.
 */
/* first: it turns the ring's test hooks on, to stop a child mid-operation */
#include "death_child.h"

#include <errno.h>
#include <lfkit/ref/queue.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm_helpers.h"

/*
 * A producer process is killed with SIGKILL at a random moment.  On the
 * lock-free ring the survivor (this process, consuming) drains everything
 * the dead producer published: a gap-free prefix of its sequence, nothing
 * duplicated.  The item it was publishing when it died is absent, unless
 * it had filled its entry (then it comes out last); the ring keeps its
 * whole capacity.
 */
/* Consumes ring r while a producer runs, for a random while after the
 * first item, then kills the producer mid-stream and drains what it
 * published; *next: the producer's sequence reached. */
static void consume_then_kill(struct lfk_ring_lfmpmc *r, pid_t pid,
			      struct lfk_rng *rng, uint64_t *next)
{
	uint64_t giveup = lfk_now_ns() + 10000000000ull, stop = 0, v;
	int st;
	while (*next == 0 ? lfk_now_ns() < giveup : lfk_now_ns() < stop) {
		if (*next == 1 && stop == 0)
			stop = lfk_now_ns() + lfk_rng_below(rng, 20000000);
		if (lfk_ring_lfmpmc_dequeue(r, &v) == 0) {
			LFK_CHECK(v == ((1ull << 40) | *next),
				  "got %#llx, expected seq %llu",
				  (unsigned long long)v,
				  (unsigned long long)*next);
			(*next)++;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	LFK_CHECK(WIFSIGNALED(st), "producer was not killed");
	while (lfk_ring_lfmpmc_dequeue(r, &v) == 0) {
		LFK_CHECK(v == ((1ull << 40) | *next),
			  "after the kill got %#llx, expected seq %llu",
			  (unsigned long long)v, (unsigned long long)*next);
		(*next)++;
	}
}

/* One round: a fresh region, a producer child, killed; 0 when it ran. */
static int killed_producer_round(struct lfk_rng *rng)
{
	char name[64];
	struct lfk_shm *s;
	struct lfk_ring_lfmpmc *r;
	pid_t pid;
	uint64_t next = 0, v;
	s = ring_region_create(name, sizeof(name), 16, &r, NULL);
	if (s == NULL)
		return 1;
	fflush(NULL);
	pid = lfk_fork();
	if (pid == 0)
		child_producer(NULL, name, 0, UINT64_MAX >> 30);
	consume_then_kill(r, pid, rng, &next);
	LFK_CHECK(next > 0, "nothing was produced");
	/* the survivors keep using the ring */
	for (v = 0; lfk_ring_lfmpmc_enqueue(r, v) == 0; v++)
		;
	LFK_CHECK(v == 16, "ring holds %llu after the kill",
		  (unsigned long long)v);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

int lfk_scn_killed_producer_loses_nothing_published(void)
{
	struct lfk_rng rng;
	if (lfk_skip_between_processes(LFK_RING_LFMPMC, __func__))
		return 0;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int round = 0; round < 5; round++)
		if (killed_producer_round(&rng) != 0)
			return 1;
	return 0;
}

/*
 * A process killed in the middle of an operation on a shared ring, for the
 * two multi-producer rings, as documented in <lfkit/ring.h>:
 *   lfmpmc  the others carry on and nothing is lost: a producer killed
 *           after filling its entry (tail not yet moved) has put its item,
 *           a consumer killed after taking one has freed its entry; the
 *           ring keeps its whole capacity.  A record ring's consumer
 *           killed after taking an item's index loses that record and its
 *           data slot (capacity - 1 from then on).
 *   mpmc    a producer that dies between reserving and publishing blocks
 *           every consumer at its slot for good (count() says items are
 *           there, dequeue says empty); a consumer that dies between
 *           reserving and releasing blocks producers when they lap to its
 *           slot.  Use lfmpmc between processes that may die.
 */
struct death_case {
	int kind;
	bool producer;
	enum lfk_ring_hook_point point;
	bool records; /* 16-byte records {v, ~v} instead of u64 values */
};

struct mid_operation {
	const struct death_case *c;
	void *r;
};

/* The child: one operation on the ring, stopped at the case's hook. */
static void operate(void *arg)
{
	const struct mid_operation *m = arg;
	uint64_t v[2];
	if (m->c->records)
		lfk_ring_dequeue_rec(m->r, v);
	else if (m->c->producer)
		lfk_ring_enqueue(m->r, 0xdead);
	else
		lfk_ring_dequeue(m->r, v);
}

static bool kill_child_mid_operation(const struct death_case *c, void *r)
{
	struct mid_operation m = { c, r };
	pid_t pid;
	return lfk_death_kill_at_hook((int)c->point, operate, &m, &pid);
}

/* lfmpmc: the survivors finish; every published item that the dead
 * process did not take comes out, in order, the dead producer's last (it
 * had filled its entry); the ring keeps its whole capacity. */
static void lfmpmc_after_death(const struct death_case *c, void *r,
			       const char *what)
{
	uint64_t v, n;
	for (v = c->producer ? 1 : 2; v <= 3; v++)
		LFK_CHECK(lfk_ring_dequeue(r, &n) == 0 && n == v,
			  "%s: item %llu after the death", what,
			  (unsigned long long)v);
	LFK_CHECK(!c->producer || (lfk_ring_dequeue(r, &n) == 0 && n == 0xdead),
		  "%s: the dead producer's published item", what);
	LFK_CHECK(lfk_ring_dequeue(r, &n) == -EAGAIN, "%s: then empty", what);
	for (n = 0; lfk_ring_enqueue(r, 100 + n) == 0; n++)
		;
	LFK_CHECK(n == 8, "%s: the ring holds %llu (its whole capacity, 8)",
		  what, (unsigned long long)n);
	for (v = 0; v < 8; v++) {
		uint64_t got;
		LFK_CHECK(lfk_ring_dequeue(r, &got) == 0 && got == 100 + v,
			  "%s: traffic after the death", what);
	}
}

/* A record ring's consumer killed after taking an item's index, before it
 * copied the record out and handed the slot back: records 2 and 3 come
 * out, and the ring holds capacity - 1 from then on. */
static void records_after_death(void *r, const char *what)
{
	uint64_t rec[2], n;
	for (uint64_t v = 2; v <= 3; v++)
		LFK_CHECK(lfk_ring_dequeue_rec(r, rec) == 0 && rec[0] == v &&
				  rec[1] == ~v,
			  "%s: record %llu after the death", what,
			  (unsigned long long)v);
	LFK_CHECK(lfk_ring_dequeue_rec(r, rec) == -EAGAIN, "%s: then empty",
		  what);
	for (n = 0;; n++) {
		uint64_t item[2] = { 100 + n, ~(100 + n) };
		if (lfk_ring_enqueue_rec(r, item) != 0)
			break;
	}
	LFK_CHECK(n == 7, "%s: the ring holds %llu (capacity - 1 expected)",
		  what, (unsigned long long)n);
}

/* mpmc, dead producer: items 1..3 drain; then every consumer stalls at
 * the dead producer's slot while more items wait behind. */
static void mpmc_after_producer_death(void *r, const char *what)
{
	uint64_t v, n;
	for (v = 1; v <= 3; v++)
		LFK_CHECK(lfk_ring_dequeue(r, &n) == 0 && n == v,
			  "%s: item %llu", what, (unsigned long long)v);
	LFK_CHECK(lfk_ring_enqueue(r, 50) == 0 &&
			  lfk_ring_dequeue(r, &n) == -EAGAIN &&
			  lfk_ring_count(r) == 2,
		  "%s: consumers must stall at the dead slot", what);
}

/* mpmc, dead consumer: item 1 died with it; 2 and 3 drain; the producers
 * fill until they lap onto the dead slot. */
static void mpmc_after_consumer_death(void *r, const char *what)
{
	uint64_t v, n;
	for (v = 2; v <= 3; v++)
		LFK_CHECK(lfk_ring_dequeue(r, &n) == 0 && n == v,
			  "%s: item %llu", what, (unsigned long long)v);
	for (n = 0; lfk_ring_enqueue(r, 100 + n) == 0; n++)
		;
	LFK_CHECK(n == 5 && lfk_ring_count(r) == 5,
		  "%s: producers must stop at the dead slot "
		  "(%llu accepted)",
		  what, (unsigned long long)n);
}

/* One case: a ring holding items 1, 2, 3, a child killed in its
 * operation, the survivors' view checked; 0 when it ran. */
static int killed_mid_operation_case(const struct death_case *c)
{
	const char *what =
		c->records ? "lfmpmc record consumer"
		: c->kind == LFK_RING_LFMPMC
			? (c->producer ? "lfmpmc producer" : "lfmpmc consumer")
			: (c->producer ? "mpmc producer" : "mpmc consumer");
	char name[64];
	struct lfk_shm *s;
	void *r;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600,
			   &s) != 0 ||
	    lfk_shm_ring_create(s, "ring", c->kind, 8, c->records ? 16 : 8,
				(struct lfk_ring **)&r) != 0)
		return 1;
	for (uint64_t v = 1; v <= 3; v++) { /* items 1, 2, 3 */
		uint64_t rec[2] = { v, ~v };
		if (c->records)
			lfk_ring_enqueue_rec(r, rec);
		else
			lfk_ring_enqueue(r, v);
	}
	if (!kill_child_mid_operation(c, r))
		LFK_CHECK(0, "%s: child not killed", what);
	else if (c->records)
		records_after_death(r, what);
	else if (c->kind == LFK_RING_LFMPMC)
		lfmpmc_after_death(c, r, what);
	else if (c->producer)
		mpmc_after_producer_death(r, what);
	else
		mpmc_after_consumer_death(r, what);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

int lfk_scn_killed_mid_operation(void)
{
	static const struct death_case cases[] = {
		{ LFK_RING_LFMPMC, true, LFK_HOOK_LFMPMC_ENQ_SLOT, false },
		{ LFK_RING_LFMPMC, false, LFK_HOOK_LFMPMC_DEQ_SLOT, false },
		{ LFK_RING_LFMPMC, false, LFK_HOOK_LFMPMC_DEQ_SLOT, true },
		{ LFK_RING_MPMC, true, LFK_HOOK_MPMC_ENQ_RESERVED, false },
		{ LFK_RING_MPMC, false, LFK_HOOK_MPMC_DEQ_RESERVED, false },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		if (killed_mid_operation_case(&cases[k]) != 0)
			return 1;
	return 0;
}

/*
 * The twin's robust mutex: a process dies holding the lock of a shared
 * lfk_ref_queue (it took the lock directly; in the second round it had
 * also written half an item into the next slot, as a put killed before its
 * commit).  The next locker recovers the mutex (EOWNERDEAD, then
 * pthread_mutex_consistent) and finds the queue as it was: the items in
 * order, no trace of the half-written one, every operation working.
 */
static bool robust_futex_list(void)
{
	/* qemu-user does not implement the robust futex list: there, a mutex
	 * whose owner died is never handed on. */
	void *head;
	size_t len;
	return syscall(SYS_get_robust_list, 0, &head, &len) == 0;
}

struct holder {
	struct lfk_ref_ring *r;
	bool half_put;
};

/* The child: takes the lock (and writes half an item), then stops. */
static void hold_lock(void *arg)
{
	const struct holder *h = arg;
	struct lfk_ref_ring *r = h->r;
	pthread_mutex_lock(&r->lock);
	if (h->half_put)
		memset((char *)r + r->data_off +
			       (r->tail % r->capacity) * r->elem_words * 8,
		       0xee, r->elem_words * 8);
	raise(SIGSTOP);
}

static bool child_dies_holding(struct lfk_ref_ring *r, bool half_put)
{
	struct holder h = { r, half_put };
	pid_t pid;
	return lfk_death_kill_at_hook(-1, hold_lock, &h, &pid);
}

/* After the deaths: the items in order, no trace of the half-written
 * one, every operation working. */
static void ref_queue_works_on(struct lfk_ref_queue *q, int round)
{
	uint64_t v;
	for (v = 1; v <= 3; v++) {
		uint64_t got = 0;
		LFK_CHECK(lfk_ref_queue_get(q, &got, 0) == 0 && got == v,
			  "round %d: item %llu after the deaths (got "
			  "%#llx)",
			  round, (unsigned long long)v,
			  (unsigned long long)got);
	}
	LFK_CHECK(lfk_ref_queue_get(q, &v, 0) == -EAGAIN,
		  "round %d: the half-written item must be absent", round);
	for (v = 0; v < 4; v++)
		LFK_CHECK(lfk_ref_queue_put(q, 10 + v, 0) == 0,
			  "round %d: put after the deaths", round);
	LFK_CHECK(lfk_ref_queue_put(q, 99, 0) == -EAGAIN,
		  "round %d: full at capacity", round);
	for (v = 0; v < 4; v++) {
		uint64_t got = 0;
		LFK_CHECK(lfk_ref_queue_get(q, &got, 0) == 0 && got == 10 + v,
			  "round %d: traffic after the deaths", round);
	}
	for (v = 0; v < 7; v++)
		LFK_CHECK(lfk_ref_queue_task_done(q) == 0,
			  "round %d: task_done", round);
	LFK_CHECK(lfk_ref_queue_task_done(q) == -EINVAL &&
			  lfk_ref_queue_join(q, 0) == 0,
		  "round %d: join after the deaths", round);
	LFK_CHECK(lfk_ref_queue_close(q) == 0 &&
			  lfk_ref_queue_get(q, &v, 0) == -EPIPE,
		  "round %d: close after the deaths", round);
}

/* One round: two children die holding the lock (round 1: with half an
 * item written); 0 when it ran. */
static int owner_killed_round(int round)
{
	char name[64];
	struct lfk_shm *s;
	struct lfk_ref_queue *q;
	struct lfk_ref_ring *r;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600,
			   &s) != 0 ||
	    lfk_shm_ref_queue_create(s, "queue", 4, 8, &q) != 0)
		return 1;
	r = (struct lfk_ref_ring *)((char *)q + q->ring_off);
	for (uint64_t v = 1; v <= 3; v++)
		lfk_ref_queue_put(q, v, 0);
	LFK_CHECK(child_dies_holding(r, round == 1),
		  "round %d: child not killed", round);
	/* twice: the recovered mutex also survives a second death */
	LFK_CHECK(lfk_ref_queue_count(q) == 3,
		  "round %d: count after "
		  "the death",
		  round);
	LFK_CHECK(child_dies_holding(r, round == 1),
		  "round %d: second child not killed", round);
	ref_queue_works_on(q, round);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

int lfk_scn_ref_queue_owner_killed(void)
{
	if (!robust_futex_list()) {
		printf("ref_queue_owner_killed: skipped, no robust futex list "
		       "(qemu-user)\n");
		return 0;
	}
	for (int round = 0; round < 2; round++)
		if (owner_killed_round(round) != 0)
			return 1;
	return 0;
}
