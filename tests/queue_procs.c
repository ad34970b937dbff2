/* SPDX-License-Identifier: MIT */
/*
 * A queue in memory shared with a forked process (LFK_QUEUE_SHARED): the
 * child puts, the parent gets, each waking the other through the shared
 * futex; every item arrives, in order, none lost to a missed wake-up.
 */
#include "queue_scenarios.h"

#include <errno.h>
#include <lfkit/queue.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "queue_helpers.h"

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

/* What the parent took: how many items, their sum, the last get's result. */
struct fork_got {
	uint64_t n, sum;
	int rc;
};

/*
 * Blocking gets: the child's puts wake us through the shared futex, and
 * ours wake it when it waits for room.  Items come in order (one
 * producer): each must be the next number.  Ends at the close (-EPIPE) or
 * at the first failure.
 */
static struct fork_got fork_consume(struct lfk_queue *q, int kind)
{
	struct fork_got g = { 0, 0, 0 };
	uint64_t v;
	for (;;) {
		uint64_t t0 = lfk_now_ns();
		g.rc = lfk_queue_get(q, &v, 10000 * MS);
		if (g.rc != 0)
			break;
		/* The child is producing all along: a get that waited
		 * seconds missed a wake-up. */
		if (lfk_now_ns() - t0 > 5000 * MS) {
			LFK_CHECK(
				0,
				"kind %d: a get waited %llu ms: lost wake-up",
				kind,
				(unsigned long long)((lfk_now_ns() - t0) / MS));
			break;
		}
		if (v != g.n + 1) {
			LFK_CHECK(0, "kind %d: got %llu after %llu items", kind,
				  (unsigned long long)v,
				  (unsigned long long)g.n);
			break;
		}
		g.sum += v;
		g.n++;
	}
	return g;
}

/* After the parent stopped taking: lets the child finish, reaps it, and
 * checks its exit and that every item it put arrived. */
static void fork_reap(struct lfk_queue *q, int kind, pid_t pid,
		      const struct fork_got *g, const struct fork_sent *sent)
{
	int status = 0;
	uint64_t v, n;
	LFK_CHECK(g->rc == -EPIPE || g->rc == 0, "kind %d: get rc=%d", kind,
		  g->rc);
	if (g->rc != -EPIPE) {
		lfk_queue_close(q);
		while (lfk_queue_get(q, &v, 0) == 0)
			; /* let the child finish */
	}
	waitpid(pid, &status, 0);
	LFK_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "kind %d: child status %d", kind, status);
	n = lfk_atomic_load_u64(&sent->n, LFK_RELAXED);
	LFK_CHECK(n > 0 && g->n == n && g->sum == n * (n + 1) / 2,
		  "kind %d: got %llu items, the child put %llu", kind,
		  (unsigned long long)g->n, (unsigned long long)n);
}

/* One kind's run in a fresh shared mapping; nonzero if it cannot run. */
static int fork_run(enum lfk_ring_kind kind, struct lfk_bound b)
{
	size_t qbytes = lfk_queue_size(kind, 2, 8);
	/* The queue, then (aligned for it anyway) the child's count. */
	size_t bytes = qbytes + sizeof(struct fork_sent);
	struct lfk_queue *q = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct fork_sent *sent;
	struct fork_got g;
	pid_t pid;
	if (q == MAP_FAILED) {
		LFK_CHECK(0, "mmap");
		return 1;
	}
	sent = (struct fork_sent *)(void *)((char *)q + qbytes);
	LFK_CHECK(lfk_queue_init(q, kind, 2, 8, LFK_QUEUE_SHARED) == 0,
		  "init shared");
	pid = lfk_fork();
	if (pid < 0) {
		LFK_CHECK(0, "fork");
		munmap(q, bytes);
		return 1;
	}
	if (pid == 0)
		fork_producer(q, sent, b);
	g = fork_consume(q, kind);
	fork_reap(q, kind, pid, &g, sent);
	munmap(q, bytes);
	return 0;
}

int lfk_scn_shared_across_fork(void)
{
	static const enum lfk_ring_kind kinds[] = { LFK_RING_SPSC,
						    LFK_RING_MPMC,
						    LFK_RING_LFMPMC };
	for (size_t k = 0; k < COUNT(kinds); k++) {
		if (lfk_skip_between_processes(kinds[k], __func__))
			continue;
		if (fork_run(kinds[k], lfk_bound_part(20, COUNT(kinds))) != 0)
			return 1;
	}
	return 0;
}
