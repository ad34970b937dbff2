/* SPDX-License-Identifier: MIT */
/* The shared-memory scenarios' helpers (see shm_helpers.h). */
#include "shm_helpers.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

const char *region_name(char *buf, size_t len)
{
	static unsigned counter;
	snprintf(buf, len, "/lfk-test-%ld-%u", (long)getpid(), counter++);
	return buf;
}

struct lfk_shm *ring_region_create(char *name, size_t len, size_t capacity,
				   struct lfk_ring_lfmpmc **ring,
				   struct board **bd)
{
	struct lfk_shm *s;
	void *b;
	if (lfk_shm_create(region_name(name, len), 1 << 20, 0600, &s) != 0)
		return NULL;
	if (lfk_shm_ring_lfmpmc_create(s, "ring", capacity, 8, ring) != 0 ||
	    lfk_shm_bytes_create(s, "board", sizeof(struct board), &b) != 0) {
		lfk_shm_close(s);
		lfk_shm_unlink(name);
		return NULL;
	}
	if (bd != NULL)
		*bd = b;
	return s;
}

bool out_of_time(const struct board *bd, uint64_t i)
{
	return bd->deadline_ns != 0 && i % 64 == 0 &&
	       lfk_now_ns() >= bd->deadline_ns;
}

void child_producer(const void *ctx, const char *name, int me, uint64_t items)
{
	(void)ctx;
	struct lfk_shm *s;
	struct lfk_ring_lfmpmc *r;
	void *b;
	size_t n;
	struct totals t = { 0, 0, 0 };
	unsigned spins = 0;
	if (lfk_shm_open(name, &s) != 0 ||
	    lfk_shm_ring_lfmpmc_attach(s, "ring", &r) != 0 ||
	    lfk_shm_bytes_attach(s, "board", &b, &n) != 0)
		_exit(3);
	for (uint64_t i = 0; i < items && !out_of_time(b, i);) {
		uint64_t v = ((uint64_t)(me + 1) << 40) | i;
		if (lfk_ring_lfmpmc_enqueue(r, v) == 0) {
			t.count++;
			t.sum += v;
			t.xor ^= v;
			i++;
			spins = 0;
		} else {
			lfk_backoff(&spins);
		}
	}
	((struct board *)b)->prod[me] = t;
	/* Publishes this producer's totals and its last item. */
	lfk_atomic_fetch_add_u64(&((struct board *)b)->producers_done, 1,
				 LFK_RELEASE);
	_exit(0);
}

void child_consumer(const void *ctx, const char *name, int me, uint64_t items)
{
	(void)ctx;
	(void)items;
	struct lfk_shm *s;
	struct lfk_ring_lfmpmc *r;
	void *b;
	size_t n;
	struct totals t = { 0, 0, 0 };
	uint64_t last[NPROC + 1] = { 0 }, v;
	unsigned spins = 0;
	bool done = false;
	if (lfk_shm_open(name, &s) != 0 ||
	    lfk_shm_ring_lfmpmc_attach(s, "ring", &r) != 0 ||
	    lfk_shm_bytes_attach(s, "board", &b, &n) != 0)
		_exit(3);
	for (;;) {
		if (lfk_ring_lfmpmc_dequeue(r, &v) == 0) {
			unsigned p = (unsigned)(v >> 40);
			uint64_t seq = v & ((1ull << 40) - 1);
			if (p == 0 || p > NPROC || (seq + 1 <= last[p]))
				_exit(4); /* unknown item, or out of order */
			last[p] = seq + 1;
			t.count++;
			t.sum += v;
			t.xor ^= v;
			spins = 0;
		} else if (done) {
			break;
		} else {
			/* Pairs with the producers' release of their count. */
			done = lfk_atomic_load_u64(
				       &((struct board *)b)->producers_done,
				       LFK_ACQUIRE) == NPROC;
			lfk_backoff(&spins);
		}
	}
	((struct board *)b)->cons[me] = t;
	_exit(0);
}

/*
 * Forks NPROC producers and NPROC consumers over the region `name` (each
 * child gets ctx), waits for the producers, calls finish(q) if given (a
 * queue closes: its consumers then stop at -EPIPE), waits for the
 * consumers, and checks that what the consumers wrote on the board adds up
 * to what the producers wrote.
 */
void run_children(const char *name, struct board *bd, child_fn producer,
		  child_fn consumer, const void *ctx, uint64_t items,
		  int (*finish)(void *q), void *q)
{
	pid_t pids[2 * NPROC];
	struct totals in = { 0, 0, 0 }, out = { 0, 0, 0 };
	bd->deadline_ns = lfk_now_ns() + (uint64_t)(lfk_stress_seconds() * 1e9);
	fflush(NULL);
	for (int i = 0; i < 2 * NPROC; i++) {
		pids[i] = lfk_fork();
		if (pids[i] == 0) {
			if (i < NPROC)
				producer(ctx, name, i, items);
			consumer(ctx, name, i - NPROC, items);
		}
	}
	for (int i = 0; i < 2 * NPROC; i++) {
		int st;
		if (i == NPROC && finish != NULL)
			finish(q); /* the producers are done */
		waitpid(pids[i], &st, 0);
		LFK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "child %d ended with status %#x", i, st);
	}
	for (int i = 0; i < NPROC; i++) {
		in.count += bd->prod[i].count;
		in.sum += bd->prod[i].sum;
		in.xor ^= bd->prod[i].xor ;
		out.count += bd->cons[i].count;
		out.sum += bd->cons[i].sum;
		out.xor ^= bd->cons[i].xor ;
	}
	LFK_CHECK(in.count > 0 && in.count <= items * NPROC &&
			  in.count == out.count && in.sum == out.sum &&
			  in.xor == out.xor
		  , "produced %llu, consumed %llu (sums %#llx/%#llx)",
		  (unsigned long long)in.count, (unsigned long long)out.count,
		  (unsigned long long)in.sum, (unsigned long long)out.sum);
	lfk_stress_moved(out.count);
}
