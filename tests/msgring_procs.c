/* SPDX-License-Identifier: MIT */
/*
 * The message ring between processes and at its edges: close racing with
 * sends, producers in forked processes through a region, attach that
 * refuses damaged rings, and producers killed between claim and commit.
 */
#include "death_child.h" /* before any lfkit header: test hooks */

#include <lfkit/msgring.h>
#include <lfkit/shm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/msg_payload.h"
#include "lib/shm_layout.h"
#include "msgring_scenarios.h"

#define MS 1000000ull
#define WAIT_NS 10000000000ull
#define MAX_LEN 3000

/* ---- close racing with sends ---------------------------------------- */

struct race {
	struct lfk_msgring *r;
	uint64_t sent[2], got[2];
};

static void race_producer(void *arg, int id)
{
	struct race *x = arg;
	unsigned char buf[64];
	uint64_t seq = 0;
	for (;;) {
		size_t len = lfk_msg_len((unsigned)id, seq, sizeof(buf));
		int rc;
		lfk_msg_fill(buf, len, (unsigned)id, seq);
		rc = seq % 2 ? lfk_msgring_try_send(x->r, buf, len)
			     : lfk_msgring_send(x->r, buf, len, WAIT_NS);
		if (rc == -EPIPE)
			break;
		if (rc == 0)
			seq++;
		else
			LFK_CHECK(rc == -EAGAIN, "send rc=%d", rc);
	}
	x->sent[id] = seq;
}

static void race_consumer(void *arg, int index)
{
	struct race *x = arg;
	struct lfk_msg_checker c;
	unsigned char buf[64];
	size_t len;
	int rc;
	lfk_msg_checker_init(&c, sizeof(buf));
	if (index == 1) { /* the closer */
		usleep(1000 + (useconds_t)(lfk_test_seed() % 5000));
		lfk_msgring_close(x->r);
		return;
	}
	while ((rc = lfk_msgring_recv(x->r, buf, sizeof(buf), &len, WAIT_NS)) ==
	       0)
		lfk_msg_check(&c, buf, len);
	LFK_CHECK(rc == -EPIPE, "recv rc=%d", rc);
	memcpy(x->got, c.next, sizeof(x->got));
}

/* Every send that returned 0 before or during close is received, none
 * other: close and claim are a store-buffering pair (C1). */
int lfk_scn_msg_close_race(void)
{
	struct lfk_bound b = lfk_bound_scaled(1000);
	for (uint64_t round = 0; round < 3 || !lfk_bound_done(&b, round);
	     round++) {
		struct race x = { 0 };
		if (lfk_msgring_create(512, LFK_MSGRING_MP, &x.r) != 0)
			return 1;
		lfk_run_threads2(2, race_producer, 2, race_consumer, &x);
		for (int i = 0; i < 2; i++)
			LFK_CHECK(x.sent[i] == x.got[i],
				  "producer %d: %llu sends succeeded, %llu "
				  "received",
				  i, (unsigned long long)x.sent[i],
				  (unsigned long long)x.got[i]);
		lfk_stress_moved(x.got[0] + x.got[1]);
		lfk_msgring_destroy(x.r);
		if (lfk_failures())
			break;
	}
	return 0;
}

/* ---- producers in other processes ----------------------------------- */

struct region {
	char name[64];
	struct lfk_shm *shm;
	struct lfk_msgring *r;
};

static bool open_region(struct region *g, size_t bytes)
{
	lfk_death_region_name(g->name, sizeof(g->name));
	g->shm = NULL;
	if (lfk_shm_create(g->name, bytes + (1 << 16), 0600, &g->shm) != 0 ||
	    lfk_shm_msgring_create(g->shm, "msgs", bytes, LFK_MSGRING_MP,
				   &g->r) != 0) {
		LFK_CHECK(0, "region %s", g->name);
		return false;
	}
	return true;
}

static void close_region(struct region *g)
{
	if (g->shm != NULL)
		lfk_shm_close(g->shm);
	lfk_shm_unlink(g->name);
}

/* A child producer: opens the region by name, attaches, sends `count`
 * checkable messages as producer `id` (blocking), then an empty message
 * that says it is done. */
static void child_produce(const char *name, unsigned id, uint64_t count)
{
	struct lfk_shm *shm;
	struct lfk_msgring *r;
	unsigned char *buf = malloc(MAX_LEN);
	int rc = buf == NULL ? -ENOMEM : lfk_shm_open(name, &shm);
	if (rc == 0)
		rc = lfk_shm_msgring_attach(shm, "msgs", &r);
	for (uint64_t seq = 0; rc == 0 && seq < count; seq++) {
		size_t len = lfk_msg_len(id, seq, MAX_LEN);
		lfk_msg_fill(buf, len, id, seq);
		rc = lfk_msgring_send(r, buf, len, WAIT_NS);
	}
	if (rc == 0)
		rc = lfk_msgring_send(r, NULL, 0, WAIT_NS);
	_exit(rc == 0 ? 0 : 1);
}

/* Two producer processes, one consumer process: blocking on both sides
 * through shared futexes, every message checked. */
int lfk_scn_msg_shared_across_fork(void)
{
	struct region g;
	struct lfk_msg_checker c;
	unsigned char *buf = malloc(MAX_LEN);
	uint64_t count = lfk_stress_items() / 20 + 1;
	pid_t pid[2];
	int done = 0, rc = 0;
	if (buf == NULL || !open_region(&g, 8192)) {
		free(buf);
		return 1;
	}
	lfk_msg_checker_init(&c, MAX_LEN);
	for (int i = 0; i < 2; i++) {
		pid[i] = lfk_fork();
		if (pid[i] == 0)
			child_produce(g.name, (unsigned)i, count);
		LFK_CHECK(pid[i] > 0, "fork");
	}
	while (done < 2 && !lfk_failures()) {
		size_t len;
		rc = lfk_msgring_recv(g.r, buf, MAX_LEN, &len, WAIT_NS);
		if (rc != 0)
			break;
		if (len == 0)
			done++;
		else
			lfk_msg_check(&c, buf, len);
	}
	LFK_CHECK(done == 2, "recv rc=%d with %d producers done", rc, done);
	for (int i = 0; i < 2; i++) {
		int st = 0;
		if (pid[i] > 0)
			waitpid(pid[i], &st, 0);
		LFK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "producer %d status %#x", i, st);
		LFK_CHECK(c.next[i] == count, "producer %d: got %llu of %llu",
			  i, (unsigned long long)c.next[i],
			  (unsigned long long)count);
	}
	lfk_stress_moved(c.count);
	close_region(&g);
	free(buf);
	return 0;
}

/* ---- attach refuses a damaged ring ----------------------------------- */

/* A field of the ring or of its directory entry, damaged. */
struct damage {
	const char *what;
	size_t off; /* within the ring, or (entry) within the entry */
	bool entry;
	uint64_t value;
	size_t width;
};

/* Damage to a ring's header or its directory entry, one field at a time. */
static const struct damage attach_damages[] = {
	{ "magic", offsetof(struct lfk_msgring, hdr.magic), false, 0, 4 },
	{ "flags", offsetof(struct lfk_msgring, hdr.flags), false, 0, 4 },
	{ "flags+MP", offsetof(struct lfk_msgring, hdr.flags), false, 1, 4 },
	{ "bytes", offsetof(struct lfk_msgring, hdr.bytes), false, 8192, 8 },
	{ "bytes odd", offsetof(struct lfk_msgring, hdr.bytes), false, 4095,
	  8 },
	{ "data_off", offsetof(struct lfk_msgring, hdr.data_off), false, 0, 8 },
	{ "total", offsetof(struct lfk_msgring, hdr.total), false, 1, 8 },
	{ "private futex", offsetof(struct lfk_msgring, not_empty.flags), false,
	  0, 4 },
	{ "private futex 2", offsetof(struct lfk_msgring, not_full.flags),
	  false, 0, 4 },
	{ "entry bytes", offsetof(struct lfk__shm_entry, params[0]), true,
	  1ull << 40, 8 },
	{ "entry bytes 2", offsetof(struct lfk__shm_entry, params[0]), true,
	  8192, 8 },
	{ "entry flags", offsetof(struct lfk__shm_entry, params[1]), true,
	  LFK_MSGRING_MP, 8 },
	{ "entry flags 2", offsetof(struct lfk__shm_entry, params[1]), true,
	  ~0ull, 8 },
	{ "entry length", offsetof(struct lfk__shm_entry, length), true, 64,
	  8 },
};

/* Wrong names, NULLs and sizes for attach and create. */
static void attach_create_bad_arguments(struct region *g)
{
	struct lfk_msgring *r;
	LFK_CHECK(lfk_shm_msgring_attach(g->shm, "nope", &r) == -ENOENT &&
			  lfk_shm_msgring_attach(g->shm, "msgs", NULL) ==
				  -EINVAL &&
			  lfk_shm_msgring_attach(NULL, "msgs", &r) == -EINVAL,
		  "attach: bad arguments");
	LFK_CHECK(lfk_shm_msgring_create(g->shm, "x", 100, 0, &r) == -EINVAL &&
			  lfk_shm_msgring_create(g->shm, "x", 4096,
						 LFK_MSGRING_SHARED,
						 &r) == -EINVAL &&
			  lfk_shm_msgring_create(g->shm, "msgs", 4096, 0, &r) ==
				  -EEXIST &&
			  lfk_shm_msgring_create(g->shm, "big", 1u << 30, 0,
						 &r) == -ENOSPC,
		  "create: bad arguments");
}

/* Applies one damage, checks that attach refuses it, and undoes it. */
static void attach_refuses(struct region *g, const struct damage *d)
{
	struct lfk__shm_header *h = lfk_shm_base(g->shm);
	unsigned char *at =
		d->entry ? (unsigned char *)&h->dir[0] : (unsigned char *)g->r;
	unsigned char saved[8];
	struct lfk_msgring *r;
	int rc;
	memcpy(saved, at + d->off, d->width);
	memcpy(at + d->off, &d->value, d->width);
	rc = lfk_shm_msgring_attach(g->shm, "msgs", &r);
	LFK_CHECK(rc == -EPROTO && r == NULL, "%s: attach rc=%d", d->what, rc);
	memcpy(at + d->off, saved, d->width);
}

int lfk_scn_msg_shm_attach_validates(void)
{
	struct region g;
	struct lfk_msgring *r;
	if (!open_region(&g, 4096))
		return 1;
	LFK_CHECK(lfk_shm_msgring_attach(g.shm, "msgs", &r) == 0 && r == g.r,
		  "attach");
	attach_create_bad_arguments(&g);
	for (size_t i = 0;
	     i < sizeof(attach_damages) / sizeof(attach_damages[0]); i++)
		attach_refuses(&g, &attach_damages[i]);
	LFK_CHECK(lfk_shm_msgring_attach(g.shm, "msgs", &r) == 0,
		  "attach after the damage is undone");
	close_region(&g);
	return 0;
}

/* ---- producers killed between claim and commit ----------------------- */

struct doomed {
	const char *name;
	size_t stop_after; /* messages sent before the claim that stops */
	bool resume; /* when continued: commit it and exit 0 */
};

/* Sends stop_after messages, claims one more, writes half of it, and
 * stops itself there (to be killed, or continued when d->resume). */
static void claim_and_die(void *arg)
{
	struct doomed *d = arg;
	struct lfk_shm *shm;
	struct lfk_msgring *r;
	struct lfk_msgring_claim c;
	if (lfk_shm_open(d->name, &shm) != 0 ||
	    lfk_shm_msgring_attach(shm, "msgs", &r) != 0)
		_exit(3);
	for (size_t i = 0; i < d->stop_after; i++)
		if (lfk_msgring_send(r, "before", 6, WAIT_NS) != 0)
			_exit(4);
	if (lfk_msgring_claim(r, 100, &c) != 0)
		_exit(5);
	memset(c.data, 'x', 50);
	raise(SIGSTOP);
	if (!d->resume)
		_exit(6);
	memset((char *)c.data + 50, 'y', 50);
	_exit(lfk_msgring_commit(r, &c) == 0 ? 0 : 7);
}

/*
 * A live producer stopped between claim and commit is not repaired: the
 * owner word must name it as the consumer sees it.  (Under qemu-user a
 * process's own /proc/<pid>/stat is faked, with a start time that is not
 * the one other processes read, and repair took a live forked producer for
 * a dead one: its commit then failed.)
 */
int lfk_scn_msg_live_producer_not_repaired(void)
{
	struct region g;
	struct doomed d = { g.name, 1, true };
	char buf[128];
	size_t len;
	uint32_t owner = 0;
	int st = 0;
	pid_t pid;
	if (!open_region(&g, 4096))
		return 1;
	d.name = g.name;
	fflush(NULL);
	pid = lfk_fork();
	if (pid == 0)
		claim_and_die(&d);
	LFK_CHECK(pid > 0 && waitpid(pid, &st, WUNTRACED) == pid &&
			  WIFSTOPPED(st),
		  "producer stopped at its claim (status %#x)", st);
	LFK_CHECK(lfk_msgring_try_recv(g.r, buf, sizeof(buf), &len) == 0 &&
			  len == 6,
		  "the message before the claim");
	LFK_CHECK(lfk_msgring_stalled(g.r, &owner) ==
				  LFK_MSGRING_STALL_CLAIMED &&
			  owner == (uint32_t)pid,
		  "stalled at the live producer's claim (pid %u, child %d)",
		  owner, (int)pid);
	LFK_CHECK(lfk_msgring_repair(g.r) == 0,
		  "repair leaves a live producer's claim alone");
	kill(pid, SIGCONT);
	LFK_CHECK(lfk_death_exits_ok(pid), "the producer's commit after it");
	LFK_CHECK(lfk_msgring_recv(g.r, buf, sizeof(buf), &len, WAIT_NS) == 0 &&
			  len == 100 && buf[0] == 'x' && buf[99] == 'y',
		  "its message");
	close_region(&g);
	return 0;
}

/* The consumer stalls at the dead producer's record, stalled() names the
 * producer, and recv repairs the record by itself: the message after it
 * arrives, the dead one is gone. */
int lfk_scn_msg_producer_killed_then_repaired(void)
{
	struct region g;
	struct doomed d = { g.name, 2, false };
	char buf[128];
	size_t len;
	uint32_t owner = 0;
	pid_t pid;
	if (!open_region(&g, 4096))
		return 1;
	d.name = g.name;
	if (!lfk_death_kill_at_hook(-1, claim_and_die, &d, &pid)) {
		close_region(&g);
		return 1;
	}
	LFK_CHECK(lfk_msgring_try_send(g.r, "after", 5) == 0, "send after");
	for (int i = 0; i < 2; i++)
		LFK_CHECK(lfk_msgring_try_recv(g.r, buf, sizeof(buf), &len) ==
					  0 &&
				  len == 6 && memcmp(buf, "before", 6) == 0,
			  "message %d before the dead claim", i);
	LFK_CHECK(lfk_msgring_try_recv(g.r, buf, sizeof(buf), &len) == -EAGAIN,
		  "the dead claim holds the ring");
	LFK_CHECK(lfk_msgring_stalled(g.r, &owner) ==
				  LFK_MSGRING_STALL_CLAIMED &&
			  owner == (uint32_t)pid,
		  "stalled at the dead producer's claim (pid %u, child %d)",
		  owner, (int)pid);
	LFK_CHECK(lfk_msgring_recv(g.r, buf, sizeof(buf), &len, WAIT_NS) == 0 &&
			  len == 5 && memcmp(buf, "after", 5) == 0,
		  "recv repairs and gets the next message");
	LFK_CHECK(lfk_msgring_stalled(g.r, &owner) == 0 &&
			  lfk_msgring_used(g.r) == 0,
		  "nothing left");
	close_region(&g);
	return 0;
}

/* Sends checkable messages as producer 0 for ever, half of them in place,
 * one in four slowly. */
static void produce_forever(void *arg)
{
	struct lfk_shm *shm;
	struct lfk_msgring *r;
	unsigned char buf[256];
	if (lfk_shm_open(arg, &shm) != 0 ||
	    lfk_shm_msgring_attach(shm, "msgs", &r) != 0)
		_exit(3);
	for (uint64_t seq = 0;; seq++) {
		size_t len = lfk_msg_len(0, seq, sizeof(buf));
		struct lfk_msgring_claim c;
		if (seq % 2 == 0) {
			lfk_msg_fill(buf, len, 0, seq);
			lfk_msgring_send(r, buf, len, LFK_FOREVER);
			continue;
		}
		while (lfk_msgring_claim(r, len, &c) != 0)
			;
		lfk_msg_fill(c.data, len, 0, seq);
		if (seq % 4 == 1)
			usleep(100); /* slow to commit: kills land here too */
		lfk_msgring_commit(r, &c);
	}
}

/*
 * A producer killed at random moments: the survivor drains a gap-free
 * prefix of its messages, repairing the claim it may have died in (at
 * most that message is lost); then nothing is stuck and a new message goes
 * through - unless it died in the two-instruction window that
 * <lfkit/msgring.h> documents, which the scenario counts and reports.
 */
int lfk_scn_msg_producer_killed_at_random(void)
{
	struct lfk_rng rng;
	struct lfk_bound bound = lfk_bound_scaled(5000);
	unsigned unwritten = 0, repaired = 0;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (uint64_t round = 0; !lfk_bound_done(&bound, round) || round < 3;
	     round++) {
		struct region g;
		struct lfk_msg_checker c;
		unsigned char buf[256];
		uint32_t owner;
		size_t len;
		pid_t pid;
		int rc;
		if (!open_region(&g, 1024))
			return 1;
		lfk_msg_checker_init(&c, sizeof(buf));
		pid = lfk_death_fork(produce_forever, g.name);
		usleep((useconds_t)lfk_rng_below(&rng, 3000));
		LFK_CHECK(lfk_death_kill(pid), "producer not killed");
		if (lfk_msgring_stalled(g.r, &owner) ==
		    LFK_MSGRING_STALL_UNWRITTEN) {
			unwritten++;
			close_region(&g);
			continue;
		}
		for (;;) {
			rc = lfk_msgring_try_recv(g.r, buf, sizeof(buf), &len);
			if (rc == 0) {
				lfk_msg_check(&c, buf, len);
				continue;
			}
			if (rc != -EAGAIN || lfk_msgring_repair(g.r) != 1)
				break;
			repaired++;
		}
		LFK_CHECK(rc == -EAGAIN &&
				  lfk_msgring_stalled(g.r, &owner) == 0,
			  "round %llu: drained %llu messages, rc=%d, stalled",
			  (unsigned long long)round,
			  (unsigned long long)c.count, rc);
		LFK_CHECK(lfk_msgring_try_send(g.r, "\x01", 1) == 0 &&
				  lfk_msgring_try_recv(g.r, buf, sizeof(buf),
						       &len) == 0 &&
				  len == 1 && buf[0] == 1,
			  "round %llu: a new message goes through",
			  (unsigned long long)round);
		lfk_stress_moved(c.count);
		close_region(&g);
		if (lfk_failures())
			break;
	}
	fprintf(stderr,
		"msg_producer_killed_at_random: %u claims repaired, "
		"%u kills in the unwritten window\n",
		repaired, unwritten);
	return 0;
}
