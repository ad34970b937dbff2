/* SPDX-License-Identifier: MIT */
/*
 * The message ring against its mutex twin: seeded random sequences of
 * every non-blocking call applied to both, every return value, length and
 * byte compared.  Both place records by the same rule, so they must agree
 * exactly, -EAGAIN at a wrap included.
 */
#include <lfkit/msgring.h>
#include <lfkit/ref/msgring.h>
#include <string.h>

#include "harness/msg_payload.h"
#include "msgring_scenarios.h"

#define CLAIMS 4

struct pair {
	struct lfk_msgring *r;
	struct lfk_ref_msgring *t;
	struct lfk_msgring_claim rc[CLAIMS], tc[CLAIMS];
	int claims;
	bool reading; /* a read not yet released */
	struct lfk_msgring_msg rm, tm;
	uint64_t seq;
	size_t max;
};

static size_t random_len(struct lfk_rng *g, size_t max)
{
	switch (lfk_rng_below(g, 8)) {
	case 0:
		return max + lfk_rng_below(g, 3); /* at and past the limit */
	case 1:
		return (size_t)lfk_rng_below(g, max + 1);
	default:
		return (size_t)lfk_rng_below(g, 40);
	}
}

static void send_one(struct pair *p, struct lfk_rng *g)
{
	unsigned char buf[4096];
	size_t len = random_len(g, p->max);
	int a, b;
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (len > 0)
		lfk_msg_fill(buf, len, 1, p->seq++);
	a = lfk_msgring_try_send(p->r, buf, len);
	b = lfk_ref_msgring_try_send(p->t, buf, len);
	LFK_CHECK(a == b, "try_send(%zu): %d, twin %d", len, a, b);
}

static void claim_one(struct pair *p, struct lfk_rng *g)
{
	size_t len = random_len(g, p->max);
	int a, b;
	if (p->claims == CLAIMS)
		return;
	a = lfk_msgring_claim(p->r, len, &p->rc[p->claims]);
	b = lfk_ref_msgring_claim(p->t, len, &p->tc[p->claims]);
	LFK_CHECK(a == b, "claim(%zu): %d, twin %d", len, a, b);
	if (a != 0 || b != 0)
		return;
	if (len > 0) {
		lfk_msg_fill(p->rc[p->claims].data, len, 1, p->seq);
		lfk_msg_fill(p->tc[p->claims].data, len, 1, p->seq++);
	}
	p->claims++;
}

static void commit_one(struct pair *p, struct lfk_rng *g)
{
	int i, a, b;
	if (p->claims == 0)
		return;
	i = (int)lfk_rng_below(g, (uint64_t)p->claims);
	a = lfk_msgring_commit(p->r, &p->rc[i]);
	b = lfk_ref_msgring_commit(p->t, &p->tc[i]);
	LFK_CHECK(a == 0 && b == 0, "commit: %d, twin %d", a, b);
	p->claims--;
	p->rc[i] = p->rc[p->claims];
	p->tc[i] = p->tc[p->claims];
}

static void same_msg(const char *what, int a, int b, size_t la, size_t lb,
		     const void *da, const void *db)
{
	LFK_CHECK(a == b, "%s: %d, twin %d", what, a, b);
	if (a == 0 && b == 0)
		LFK_CHECK(la == lb && (la == 0 || memcmp(da, db, la) == 0),
			  "%s: %zu bytes, twin %zu, or bytes differ", what, la,
			  lb);
}

static void read_one(struct pair *p, struct lfk_rng *g)
{
	int a, b;
	if (!p->reading) {
		a = lfk_msgring_read(p->r, &p->rm);
		b = lfk_ref_msgring_read(p->t, &p->tm);
		same_msg("read", a, b, p->rm.len, p->tm.len, p->rm.data,
			 p->tm.data);
		p->reading = a == 0 && b == 0;
		return;
	}
	if (lfk_rng_below(g, 2) == 0) {
		a = lfk_msgring_release(p->r, &p->rm);
		b = lfk_ref_msgring_release(p->t, &p->tm);
		LFK_CHECK(a == 0 && b == 0, "release: %d, twin %d", a, b);
		p->reading = false;
	}
}

static void recv_one(struct pair *p, struct lfk_rng *g)
{
	static unsigned char x[4096], y[4096];
	size_t cap = random_len(g, p->max), la = 0, lb = 0;
	size_t lx[8], ly[8];
	int a, b, n = (int)lfk_rng_below(g, 9);
	if (cap > sizeof(x))
		cap = sizeof(x);
	p->reading = false; /* whatever was read is taken or re-read */
	if (lfk_rng_below(g, 2) == 0) {
		a = lfk_msgring_try_recv(p->r, x, cap, &la);
		b = lfk_ref_msgring_try_recv(p->t, y, cap, &lb);
		same_msg("try_recv", a, b, la, lb, x, y);
		if (a == -EMSGSIZE)
			LFK_CHECK(la == lb, "-EMSGSIZE lengths %zu, %zu", la,
				  lb);
		return;
	}
	a = lfk_msgring_recv_burst(p->r, x, cap, lx, (size_t)n);
	b = lfk_ref_msgring_recv_burst(p->t, y, cap, ly, (size_t)n);
	LFK_CHECK(a == b, "burst(%zu, %d): %d, twin %d", cap, n, a, b);
	if (a > 0) {
		size_t total = 0;
		for (int i = 0; i < a; i++)
			total += lx[i];
		LFK_CHECK(memcmp(lx, ly, (size_t)a * sizeof(lx[0])) == 0 &&
				  memcmp(x, y, total) == 0,
			  "burst: lengths or bytes differ");
	}
}

/* One random call on both (send, claim, commit, read or recv), then the
 * bytes used compared; until the bound or a failure. */
static void random_calls(struct pair *p, struct lfk_rng *g,
			 struct lfk_bound *bound, uint64_t *ops)
{
	for (uint64_t i = 0; i < 20000 && !lfk_failures(); i++, (*ops)++) {
		switch (lfk_rng_below(g, 6)) {
		case 0:
			send_one(p, g);
			break;
		case 1:
			claim_one(p, g);
			break;
		case 2:
			commit_one(p, g);
			break;
		case 3:
			read_one(p, g);
			break;
		default:
			recv_one(p, g);
		}
		LFK_CHECK(lfk_msgring_used(p->r) == lfk_ref_msgring_used(p->t),
			  "used %zu, twin %zu after %llu ops",
			  lfk_msgring_used(p->r), lfk_ref_msgring_used(p->t),
			  (unsigned long long)i);
		if (lfk_bound_done(bound, *ops))
			break;
	}
}

/* Closes both with claims outstanding, commits them, and drains both to
 * the end, message by message alike. */
static void close_and_drain(struct pair *p, struct lfk_rng *g)
{
	int a, b;
	lfk_msgring_close(p->r);
	lfk_ref_msgring_close(p->t);
	while (p->claims > 0)
		commit_one(p, g);
	do {
		unsigned char x[4096], y[4096];
		size_t la = 0, lb = 0;
		a = lfk_msgring_recv(p->r, x, sizeof(x), &la, 0);
		b = lfk_ref_msgring_recv(p->t, y, sizeof(y), &lb, 0);
		same_msg("drain", a, b, la, lb, x, y);
	} while (a == 0 && b == 0);
	LFK_CHECK(a == -EPIPE, "drained: %d", a);
}

static int differential(unsigned flags)
{
	static const size_t sizes[] = { 64, 256, 4096 };
	struct lfk_bound bound = lfk_bound_scaled(4);
	struct lfk_rng g;
	uint64_t ops = 0;
	lfk_rng_seed(&g, lfk_test_seed());
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct pair p = { 0 };
		if (lfk_msgring_create(sizes[s], flags, &p.r) != 0 ||
		    lfk_ref_msgring_create(sizes[s], flags, &p.t) != 0) {
			LFK_CHECK(0, "create %zu", sizes[s]);
			return 1;
		}
		p.max = lfk_msgring_max_msg(p.r);
		LFK_CHECK(p.max == lfk_ref_msgring_max_msg(p.t), "max_msg");
		random_calls(&p, &g, &bound, &ops);
		close_and_drain(&p, &g);
		lfk_msgring_destroy(p.r);
		lfk_ref_msgring_destroy(p.t);
		if (lfk_failures())
			break;
	}
	lfk_stress_moved(ops);
	return 0;
}

int lfk_scn_msg_differential_vs_twin_sp(void)
{
	return differential(0);
}

int lfk_scn_msg_differential_vs_twin_mp(void)
{
	return differential(LFK_MSGRING_MP);
}
