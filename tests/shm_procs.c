/* SPDX-License-Identifier: MIT */
/*
 * Regions between processes: forked producers and consumers on a lock-free
 * ring, the blocking queue and its mutex twin (sleeping on shared futexes
 * or process-shared condition variables), and an event and a semaphore
 * found by name.  Bounded by LFK_STRESS_ITEMS and LFK_STRESS_SECONDS.
 */
#include <errno.h>
#include <lfkit/ref/queue.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm_helpers.h"

int lfk_scn_fork_producers_consumers(void)
{
	char name[64];
	struct lfk_shm *s;
	struct lfk_ring_lfmpmc *r;
	struct board *b;
	if (lfk_skip_between_processes(LFK_RING_LFMPMC, __func__))
		return 0;
	s = ring_region_create(name, sizeof(name), 64, &r, &b);
	if (s == NULL)
		return 1;
	run_children(name, b, child_producer, child_consumer, NULL,
		     lfk_stress_items() / NPROC, NULL, NULL);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

/*
 * The blocking queue between processes: two producer processes put, two
 * consumer processes get, sleeping on shared futexes (lfk_queue) or
 * process-shared condition variables (its twin) when the queue is full or
 * empty; the parent closes the queue once the producers are done and the
 * consumers drain it and stop at -EPIPE.
 */
struct shared_queue_ops {
	const char *what;
	int (*create)(struct lfk_shm *s, void **q);
	int (*attach)(struct lfk_shm *s, void **q);
	int (*put)(void *q, uint64_t v);
	int (*get)(void *q, uint64_t *v);
	int (*close)(void *q);
};

static int lq_create(struct lfk_shm *s, void **q)
{
	return lfk_shm_queue_create(s, "queue", LFK_RING_LFMPMC, 4, 8,
				    (struct lfk_queue **)q);
}

static int lq_attach(struct lfk_shm *s, void **q)
{
	return lfk_shm_queue_attach(s, "queue", (struct lfk_queue **)q);
}

static int lq_put(void *q, uint64_t v)
{
	return lfk_queue_put(q, v, LFK_FOREVER);
}

static int lq_get(void *q, uint64_t *v)
{
	return lfk_queue_get(q, v, LFK_FOREVER);
}

static int lq_close(void *q)
{
	return lfk_queue_close(q);
}

static int rq_create(struct lfk_shm *s, void **q)
{
	return lfk_shm_ref_queue_create(s, "queue", 4, 8,
					(struct lfk_ref_queue **)q);
}

static int rq_attach(struct lfk_shm *s, void **q)
{
	return lfk_shm_ref_queue_attach(s, "queue", (struct lfk_ref_queue **)q);
}

static int rq_put(void *q, uint64_t v)
{
	return lfk_ref_queue_put(q, v, LFK_FOREVER);
}

static int rq_get(void *q, uint64_t *v)
{
	return lfk_ref_queue_get(q, v, LFK_FOREVER);
}

static int rq_close(void *q)
{
	return lfk_ref_queue_close(q);
}

static const struct shared_queue_ops lfk_queue_ops = { "lfk_queue", lq_create,
						       lq_attach,   lq_put,
						       lq_get,	    lq_close };
static const struct shared_queue_ops ref_queue_ops = { "ref_queue", rq_create,
						       rq_attach,   rq_put,
						       rq_get,	    rq_close };

static void queue_producer(const void *ctx, const char *name, int me,
			   uint64_t items)
{
	const struct shared_queue_ops *ops = ctx;
	struct lfk_shm *s;
	void *q, *b;
	size_t n;
	struct totals t = { 0, 0, 0 };
	if (lfk_shm_open(name, &s) != 0 || ops->attach(s, &q) != 0 ||
	    lfk_shm_bytes_attach(s, "board", &b, &n) != 0)
		_exit(3);
	for (uint64_t i = 0; i < items && !out_of_time(b, i); i++) {
		uint64_t v = ((uint64_t)(me + 1) << 40) | i;
		if (ops->put(q, v) != 0)
			_exit(4);
		t.count++;
		t.sum += v;
		t.xor ^= v;
	}
	((struct board *)b)->prod[me] = t;
	_exit(0);
}

static void queue_consumer(const void *ctx, const char *name, int me,
			   uint64_t items)
{
	const struct shared_queue_ops *ops = ctx;
	(void)items;
	struct lfk_shm *s;
	void *q, *b;
	size_t n;
	struct totals t = { 0, 0, 0 };
	uint64_t v, last[NPROC + 1] = { 0 };
	int rc;
	if (lfk_shm_open(name, &s) != 0 || ops->attach(s, &q) != 0 ||
	    lfk_shm_bytes_attach(s, "board", &b, &n) != 0)
		_exit(3);
	while ((rc = ops->get(q, &v)) == 0) {
		unsigned p = (unsigned)(v >> 40);
		uint64_t seq = v & ((1ull << 40) - 1);
		if (p == 0 || p > NPROC || seq + 1 <= last[p])
			_exit(5);
		last[p] = seq + 1;
		t.count++;
		t.sum += v;
		t.xor ^= v;
	}
	if (rc != -EPIPE)
		_exit(6);
	((struct board *)b)->cons[me] = t;
	_exit(0);
}

static int shared_queue_two_by_two(const struct shared_queue_ops *ops)
{
	char name[64];
	struct lfk_shm *s;
	void *q, *b;
	struct lfk_queue *q2;
	struct lfk_ref_queue *r2;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 20, 0600,
			   &s) != 0)
		return 1;
	if (ops->create(s, &q) != 0 ||
	    lfk_shm_bytes_create(s, "board", sizeof(struct board), &b) != 0)
		return 1;
	run_children(name, b, queue_producer, queue_consumer, ops,
		     lfk_stress_items() / 20 + 1, ops->close, q);
	LFK_CHECK(ops->attach(s, &q) == 0, "%s: attach", ops->what);
	LFK_CHECK(lfk_shm_queue_attach(s, "board", &q2) == -EPROTO &&
			  lfk_shm_ref_queue_attach(s, "board", &r2) == -EPROTO,
		  "bytes attached as a queue");
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

int lfk_scn_queue_between_processes(void)
{
	if (lfk_skip_between_processes(LFK_RING_LFMPMC, __func__))
		return 0; /* lq_create builds it over lfmpmc */
	return shared_queue_two_by_two(&lfk_queue_ops);
}

int lfk_scn_ref_queue_between_processes(void)
{
	return shared_queue_two_by_two(&ref_queue_ops);
}

/*
 * An event and a semaphore by name between processes: workers wait for the
 * "go" event, then each posts the "done" semaphore once; the parent sees
 * nobody start early and everybody finish.
 */
#define WORKERS 4

static void event_worker(const char *name)
{
	struct lfk_shm *s;
	struct lfk_event *go;
	struct lfk_sem *done;
	if (lfk_shm_open(name, &s) != 0 ||
	    lfk_shm_event_attach(s, "go", &go) != 0 ||
	    lfk_shm_sem_attach(s, "done", &done) != 0)
		_exit(3);
	if (lfk_event_wait(go, 10000000000ull) != 0)
		_exit(4);
	_exit(lfk_sem_post(done) == 0 ? 0 : 5);
}

int lfk_scn_event_and_semaphore_between_processes(void)
{
	char name[64];
	struct lfk_shm *s;
	struct lfk_event *go, *e2;
	struct lfk_sem *done, *s2;
	uint32_t units;
	pid_t pids[WORKERS];
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600,
			   &s) != 0)
		return 1;
	if (lfk_shm_event_create(s, "go", &go) != 0 ||
	    lfk_shm_sem_create(s, "done", 0, &done) != 0)
		return 1;
	LFK_CHECK(lfk_shm_sem_attach(s, "go", &s2) == -EPROTO &&
			  lfk_shm_event_attach(s, "done", &e2) == -EPROTO,
		  "attach as the wrong kind");
	LFK_CHECK(lfk_shm_sem_create(s, "big", LFK_SEM_VALUE_MAX + 1u, &s2) ==
			  -EINVAL,
		  "semaphore value too large");
	fflush(NULL);
	for (int i = 0; i < WORKERS; i++) {
		pids[i] = lfk_fork();
		if (pids[i] == 0)
			event_worker(name);
	}
	usleep(20000);
	LFK_CHECK(lfk_sem_value(done, &units) == 0 && units == 0,
		  "a worker started before the event");
	lfk_event_set(go);
	for (int i = 0; i < WORKERS; i++)
		LFK_CHECK(lfk_sem_wait(done, 10000000000ull) == 0,
			  "worker %d did not report", i);
	for (int i = 0; i < WORKERS; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		LFK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "worker %d ended with status %#x", i, st);
	}
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}
