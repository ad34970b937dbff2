/* SPDX-License-Identifier: MIT */
/*
 * The message ring one call at a time: sizes, bad input, every length,
 * zero-copy, the wrap, small buffers, bursts, close and timeouts.
 */
#include <lfkit/msgring.h>
#include <lfkit/ref/msgring.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/lfk_cases.h"
#include "harness/msg_payload.h"
#include "msgring_scenarios.h"

#define MS 1000000ull
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct lfk_msgring *make(size_t bytes, unsigned flags)
{
	struct lfk_msgring *r = NULL;
	LFK_CHECK(lfk_msgring_create(bytes, flags, &r) == 0, "create %zu",
		  bytes);
	return r;
}

/*
 * try_send on a ring the consumer has emptied: a message that does not fit
 * before the end leaves padding there and fails once (-EAGAIN: only the
 * consumer frees padding); the consumer's next call passes the padding,
 * and the message then fits.
 */
static int send_past_padding(struct lfk_msgring *r, const void *buf, size_t len)
{
	size_t got;
	int rc = lfk_msgring_try_send(r, buf, len);
	if (rc != -EAGAIN)
		return rc;
	LFK_CHECK(lfk_msgring_try_recv(r, NULL, 0, &got) == -EAGAIN &&
			  lfk_msgring_used(r) == 0,
		  "the consumer passes the padding");
	return lfk_msgring_try_send(r, buf, len);
}

int lfk_scn_msg_sizes(void)
{
	static const struct {
		size_t bytes;
		bool ok;
	} cases[] = {
		{ 0, false },
		{ 1, false },
		{ 32, false },
		{ 63, false },
		{ 64, true },
		{ 96, false },
		{ 4096, true },
		{ 1u << 30, true },
		{ (1u << 30) + 64, false },
		{ 1ull << 31, false },
		{ SIZE_MAX, false },
		{ (SIZE_MAX >> 1) + 1, false },
	};
	for (size_t i = 0; i < COUNT(cases); i++) {
		size_t got = lfk_msgring_size(cases[i].bytes);
		size_t twin = lfk_ref_msgring_size(cases[i].bytes);
		LFK_CHECK((got != 0) == cases[i].ok &&
				  (!cases[i].ok ||
				   got == sizeof(struct lfk_msgring) +
						   cases[i].bytes),
			  "size(%zu) = %zu", cases[i].bytes, got);
		LFK_CHECK((twin != 0) == cases[i].ok, "twin size(%zu) = %zu",
			  cases[i].bytes, twin);
	}
	return 0;
}

/* The objects the bad-input rows act on, in the order the rows use them. */
struct bad_ctx {
	struct lfk_msgring *r, *out;
	struct lfk_msgring_claim c;
	struct lfk_msgring_msg m;
	unsigned char *mem;
	char buf[8];
	size_t len, lens[2];
	uint32_t pid;
	int rc;
};

/* The call's result when it left c->out NULL (see lfk_case_out_cleared). */
#define CLEARED(call) (c->rc = (call), lfk_case_out_cleared(c->rc, c->out))

/* Rows run in order: claim, commit, read and release walk one message. */
#define MSG_BAD_CASES(X)                                                       \
	X(create_null, -EINVAL, lfk_msgring_create(256, 0, NULL))              \
	X(create_size_not_pow2, -EINVAL,                                       \
	  CLEARED(lfk_msgring_create(100, 0, &c->out)))                        \
	X(create_shared_needs_region, -EINVAL,                                 \
	  lfk_msgring_create(256, LFK_MSGRING_SHARED, &c->out))                \
	X(create_unknown_flag, -EINVAL, lfk_msgring_create(256, 8, &c->out))   \
	X(init_null, -EINVAL, lfk_msgring_init(NULL, 256, 0))                  \
	X(init_misaligned, -EINVAL, lfk_msgring_init(c->mem + 8, 256, 0))      \
	X(init_flags, -EINVAL, lfk_msgring_init(c->mem, 64, 4))                \
	X(init_in_place, 0, lfk_msgring_init(c->mem, 64, 0))                   \
	X(claim_null_ring, -EINVAL, lfk_msgring_claim(NULL, 1, &c->c))         \
	X(claim_null_out, -EINVAL, lfk_msgring_claim(c->r, 1, NULL))           \
	X(claim_beyond_max_msg, -EMSGSIZE,                                     \
	  lfk_msgring_claim(c->r, 241, &c->c))                                 \
	X(send_beyond_max_msg, -EMSGSIZE,                                      \
	  lfk_msgring_try_send(c->r, c->buf, SIZE_MAX))                        \
	X(send_null_buf, -EINVAL, lfk_msgring_try_send(c->r, NULL, 1))         \
	X(commit_null, -EINVAL, lfk_msgring_commit(c->r, NULL))                \
	X(commit_no_claim, -EINVAL,                                            \
	  (c->c.len = 3, c->c.lfk__pos = 0, lfk_msgring_commit(c->r, &c->c)))  \
	X(claim, 0, lfk_msgring_claim(c->r, 3, &c->c))                         \
	X(commit_len_changed, -EINVAL,                                         \
	  (c->c.len = 4, lfk_msgring_commit(c->r, &c->c)))                     \
	X(commit, 0, (c->c.len = 3, lfk_msgring_commit(c->r, &c->c)))          \
	X(commit_twice, -EINVAL, lfk_msgring_commit(c->r, &c->c))              \
	X(read_null_ring, -EINVAL, lfk_msgring_read(NULL, &c->m))              \
	X(read_null_msg, -EINVAL, lfk_msgring_read(c->r, NULL))                \
	X(read_len, 3,                                                         \
	  lfk_msgring_read(c->r, &c->m) == 0 ? (long)c->m.len : -1L)           \
	X(release_wrong_msg, -EINVAL,                                          \
	  (c->m.lfk__pos += 16, lfk_msgring_release(c->r, &c->m)))             \
	X(release_null, -EINVAL, lfk_msgring_release(c->r, NULL))              \
	X(release, 0, (c->m.lfk__pos -= 16, lfk_msgring_release(c->r, &c->m))) \
	X(release_twice, -EINVAL, lfk_msgring_release(c->r, &c->m))            \
	X(try_recv_null_len, -EINVAL,                                          \
	  lfk_msgring_try_recv(c->r, c->buf, 8, NULL))                         \
	X(try_recv_null_buf, -EINVAL,                                          \
	  lfk_msgring_try_recv(c->r, NULL, 8, &c->len))                        \
	X(try_recv_null_ring, -EINVAL,                                         \
	  lfk_msgring_try_recv(NULL, c->buf, 8, &c->len))                      \
	X(burst_null_lens, -EINVAL,                                            \
	  lfk_msgring_recv_burst(c->r, c->buf, 8, NULL, 2))                    \
	X(burst_null_ring, -EINVAL,                                            \
	  lfk_msgring_recv_burst(NULL, c->buf, 8, c->lens, 2))                 \
	X(send_null_ring, -EINVAL, lfk_msgring_send(NULL, c->buf, 1, 0))       \
	X(recv_null_ring, -EINVAL,                                             \
	  lfk_msgring_recv(NULL, c->buf, 1, &c->len, 0))                       \
	X(wait_readable_null, -EINVAL, lfk_msgring_wait_readable(NULL, 0))     \
	X(close_null, -EINVAL, lfk_msgring_close(NULL))                        \
	X(closed_null, 0, lfk_msgring_closed(NULL))                            \
	X(stalled_null_ring, -EINVAL, lfk_msgring_stalled(NULL, &c->pid))      \
	X(stalled_null_pid, -EINVAL, lfk_msgring_stalled(c->r, NULL))          \
	X(repair_null, -EINVAL, lfk_msgring_repair(NULL))                      \
	X(max_msg_null, 0, (long)lfk_msgring_max_msg(NULL))                    \
	X(bytes_null, 0, (long)lfk_msgring_bytes(NULL))                        \
	X(used_null, 0, (long)lfk_msgring_used(NULL))                          \
	X(private_ring_needs_no_repair, 0, lfk_msgring_repair(c->r))

#define LFK_CASE_CTX struct bad_ctx
MSG_BAD_CASES(LFK_CASE_FN)
static const struct lfk_case bad_cases[] = { MSG_BAD_CASES(LFK_CASE_ROW) };

int lfk_scn_msg_bad_input(void)
{
	static unsigned char mem[1024] __attribute__((aligned(64)));
	struct bad_ctx c = { .r = make(256, 0), .mem = mem };
	if (c.r == NULL)
		return 1;
	c.out = c.r;
	LFK_CHECK_CASES(bad_cases, &c, NULL, "lfk_msgring");
	lfk_msgring_destroy(c.r);
	lfk_msgring_destroy(NULL);
	return 0;
}

/* Every length from 0 to max_msg goes through, in order, intact. */
int lfk_scn_msg_roundtrip_every_length(void)
{
	struct lfk_msgring *r = make(1024, 0);
	unsigned char in[1024], out[1024];
	size_t max, len;
	if (r == NULL)
		return 1;
	max = lfk_msgring_max_msg(r);
	LFK_CHECK(max == 1008 && lfk_msgring_bytes(r) == 1024, "max_msg %zu",
		  max);
	for (size_t n = 0; n <= max; n++) {
		if (n > 0)
			lfk_msg_fill(in, n, 1, n);
		LFK_CHECK(send_past_padding(r, in, n) == 0, "send %zu", n);
		memset(out, 0xee, sizeof(out));
		LFK_CHECK(lfk_msgring_try_recv(r, out, sizeof(out), &len) ==
					  0 &&
				  len == n && memcmp(in, out, n) == 0,
			  "recv %zu: got %zu", n, len);
		if (lfk_failures())
			break;
	}
	LFK_CHECK(lfk_msgring_try_recv(r, out, sizeof(out), &len) == -EAGAIN &&
			  lfk_msgring_used(r) == 0,
		  "empty at the end");
	lfk_msgring_destroy(r);
	return 0;
}

/* Zero-copy: several claims outstanding, committed out of order, read in
 * claim order; read without release returns the same message. */
int lfk_scn_msg_zero_copy_in_place(void)
{
	struct lfk_msgring *r = make(512, LFK_MSGRING_MP);
	struct lfk_msgring_claim c[3];
	struct lfk_msgring_msg m, again;
	if (r == NULL)
		return 1;
	for (int i = 0; i < 3; i++) {
		LFK_CHECK(lfk_msgring_claim(r, 10 + i, &c[i]) == 0, "claim %d",
			  i);
		memset(c[i].data, 'a' + i, 10 + i);
	}
	LFK_CHECK(lfk_msgring_commit(r, &c[2]) == 0 &&
			  lfk_msgring_commit(r, &c[1]) == 0,
		  "commit 2, 1");
	LFK_CHECK(lfk_msgring_read(r, &m) == -EAGAIN,
		  "the first claim holds the rest back");
	LFK_CHECK(lfk_msgring_commit(r, &c[0]) == 0, "commit 0");
	for (int i = 0; i < 3; i++) {
		LFK_CHECK(lfk_msgring_read(r, &m) == 0 &&
				  lfk_msgring_read(r, &again) == 0 &&
				  m.data == again.data && m.len == 10u + i &&
				  ((const char *)m.data)[m.len - 1] == 'a' + i,
			  "message %d in place", i);
		LFK_CHECK(lfk_msgring_release(r, &m) == 0, "release %d", i);
	}
	LFK_CHECK(lfk_msgring_read(r, &m) == -EAGAIN, "empty");
	lfk_msgring_destroy(r);
	return 0;
}

/* A record that does not fit before the end leaves padding there; a
 * message of max_msg fits an empty ring wherever head was, once the
 * consumer has passed that padding. */
int lfk_scn_msg_wrap_pads_and_max_fits(void)
{
	struct lfk_msgring *r = make(256, 0);
	unsigned char in[256], out[256];
	size_t len;
	if (r == NULL)
		return 1;
	lfk_msg_fill(in, sizeof(in), 2, 7);
	for (size_t skew = 1; skew <= 200; skew += 13) {
		/* Move head and tail to an odd place, then send the largest
		 * message: padding to the end, then the message at 0. */
		LFK_CHECK(lfk_msgring_try_send(r, in, skew) == 0 &&
				  lfk_msgring_try_recv(r, out, sizeof(out),
						       &len) == 0,
			  "skew %zu", skew);
		LFK_CHECK(send_past_padding(r, in, 240) == 0,
			  "max_msg after skew %zu", skew);
		LFK_CHECK(lfk_msgring_try_send(r, in, 1) == -EAGAIN,
			  "full after max_msg");
		LFK_CHECK(lfk_msgring_try_recv(r, out, sizeof(out), &len) ==
					  0 &&
				  len == 240 && memcmp(in, out, len) == 0,
			  "max_msg back after skew %zu", skew);
		LFK_CHECK(lfk_msgring_used(r) == 0, "all freed: %zu",
			  lfk_msgring_used(r));
		if (lfk_failures())
			break;
	}
	lfk_msgring_destroy(r);
	return 0;
}

int lfk_scn_msg_recv_cap_too_small(void)
{
	struct lfk_msgring *r = make(256, 0);
	char out[64];
	size_t len = 0;
	if (r == NULL)
		return 1;
	LFK_CHECK(lfk_msgring_try_send(r, "hello world", 11) == 0, "send");
	LFK_CHECK(lfk_msgring_try_recv(r, out, 5, &len) == -EMSGSIZE &&
			  len == 11,
		  "cap 5: -EMSGSIZE, len 11 (got %zu)", len);
	LFK_CHECK(lfk_msgring_recv(r, out, 5, &len, 10 * MS) == -EMSGSIZE,
		  "blocking recv: -EMSGSIZE");
	LFK_CHECK(lfk_msgring_try_recv(r, out, sizeof(out), &len) == 0 &&
			  len == 11 && memcmp(out, "hello world", 11) == 0,
		  "the message stayed");
	LFK_CHECK(lfk_msgring_try_send(r, NULL, 0) == 0 &&
			  lfk_msgring_try_recv(r, NULL, 0, &len) == 0 &&
			  len == 0,
		  "an empty message, no buffer");
	lfk_msgring_destroy(r);
	return 0;
}

int lfk_scn_msg_burst(void)
{
	struct lfk_msgring *r = make(1024, 0);
	unsigned char in[64], out[256];
	size_t lens[8];
	int n;
	if (r == NULL)
		return 1;
	for (int i = 0; i < 6; i++) {
		lfk_msg_fill(in, 10 * (i + 1), 3, (uint64_t)i);
		LFK_CHECK(lfk_msgring_try_send(r, in, 10 * (i + 1)) == 0,
			  "send %d", i);
	}
	n = lfk_msgring_recv_burst(r, out, 5, lens, 8);
	LFK_CHECK(n == -EMSGSIZE && lens[0] == 10, "first too big: %d", n);
	n = lfk_msgring_recv_burst(r, out, 65, lens, 8);
	LFK_CHECK(n == 3 && lens[0] == 10 && lens[1] == 20 && lens[2] == 30,
		  "burst stops where cap ends: %d", n);
	lfk_msg_fill(in, 20, 3, 1);
	LFK_CHECK(memcmp(out + 10, in, 20) == 0, "back to back");
	n = lfk_msgring_recv_burst(r, out, sizeof(out), lens, 1);
	LFK_CHECK(n == 1 && lens[0] == 40, "burst of at most 1: %d", n);
	n = lfk_msgring_recv_burst(r, out, sizeof(out), lens, 8);
	LFK_CHECK(n == 2 && lens[1] == 60, "the rest: %d", n);
	n = lfk_msgring_recv_burst(r, out, sizeof(out), lens, 8);
	LFK_CHECK(n == 0 && lfk_msgring_used(r) == 0, "empty: %d", n);
	lfk_msgring_destroy(r);
	return 0;
}

/* Close: claims and sends fail, what was claimed before still arrives
 * once committed, and then the consumer gets -EPIPE. */
int lfk_scn_msg_close_semantics(void)
{
	struct lfk_msgring *r = make(256, LFK_MSGRING_MP);
	struct lfk_msgring_claim c;
	char out[32];
	size_t len;
	if (r == NULL)
		return 1;
	LFK_CHECK(lfk_msgring_try_send(r, "one", 3) == 0, "send");
	LFK_CHECK(lfk_msgring_claim(r, 3, &c) == 0, "claim");
	LFK_CHECK(lfk_msgring_close(r) == 0 && lfk_msgring_closed(r) == 1 &&
			  lfk_msgring_close(r) == 0,
		  "close twice");
	LFK_CHECK(lfk_msgring_try_send(r, "x", 1) == -EPIPE &&
			  lfk_msgring_send(r, "x", 1, LFK_FOREVER) == -EPIPE,
		  "send after close");
	LFK_CHECK(lfk_msgring_recv(r, out, sizeof(out), &len, 0) == 0 &&
			  len == 3 && memcmp(out, "one", 3) == 0,
		  "drains");
	LFK_CHECK(lfk_msgring_recv(r, out, sizeof(out), &len, 0) == -EAGAIN &&
			  lfk_msgring_wait_readable(r, 10 * MS) == -ETIMEDOUT,
		  "a claim still to come: not the end yet");
	memcpy(c.data, "two", 3);
	LFK_CHECK(lfk_msgring_commit(r, &c) == 0, "commit after close");
	LFK_CHECK(lfk_msgring_recv(r, out, sizeof(out), &len, LFK_FOREVER) ==
				  0 &&
			  len == 3 && memcmp(out, "two", 3) == 0,
		  "the claim made before close arrives");
	LFK_CHECK(lfk_msgring_recv(r, out, sizeof(out), &len, LFK_FOREVER) ==
				  -EPIPE &&
			  lfk_msgring_wait_readable(r, 0) == -EPIPE,
		  "then the end");
	lfk_msgring_destroy(r);
	return 0;
}

struct sleeper {
	struct lfk_msgring *r;
	int rc;
};

static void *recv_forever(void *p)
{
	struct sleeper *s = p;
	char out[8];
	size_t len;
	s->rc = lfk_msgring_recv(s->r, out, sizeof(out), &len, LFK_FOREVER);
	return NULL;
}

static void *send_forever(void *p)
{
	struct sleeper *s = p;
	s->rc = lfk_msgring_send(s->r, "0123456789", 10, LFK_FOREVER);
	return NULL;
}

/* A receiver asleep on an empty ring and a sender asleep on a full one
 * both wake at close with -EPIPE. */
int lfk_scn_msg_close_wakes_sleepers(void)
{
	struct lfk_msgring *rx = make(64, 0), *tx = make(64, 0);
	struct sleeper a = { rx, 1 }, b = { tx, 1 };
	pthread_t ta, tb;
	if (rx == NULL || tx == NULL)
		return 1;
	while (lfk_msgring_try_send(tx, "0123456789", 10) == 0)
		;
	pthread_create(&ta, NULL, recv_forever, &a);
	pthread_create(&tb, NULL, send_forever, &b);
	/* Until both sleep (or the close comes first: -EPIPE all the same). */
	for (int i = 0;
	     i < 1000 && (lfk_eventcount_waiters(&rx->not_empty) == 0 ||
			  lfk_eventcount_waiters(&tx->not_full) == 0);
	     i++)
		usleep(1000);
	lfk_msgring_close(rx);
	lfk_msgring_close(tx);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	LFK_CHECK(a.rc == -EPIPE && b.rc == -EPIPE, "recv %d, send %d", a.rc,
		  b.rc);
	lfk_msgring_destroy(rx);
	lfk_msgring_destroy(tx);
	return 0;
}

int lfk_scn_msg_timeouts(void)
{
	struct lfk_msgring *r = make(64, 0);
	char out[64];
	size_t len;
	uint64_t t0;
	if (r == NULL)
		return 1;
	LFK_CHECK(lfk_msgring_recv(r, out, sizeof(out), &len, 0) == -EAGAIN &&
			  lfk_msgring_wait_readable(r, 0) == -EAGAIN,
		  "timeout 0 on empty: -EAGAIN");
	t0 = lfk_now_ns();
	LFK_CHECK(lfk_msgring_recv(r, out, sizeof(out), &len, 20 * MS) ==
			  -ETIMEDOUT,
		  "recv times out");
	LFK_CHECK(lfk_now_ns() - t0 >= 20 * MS, "not before the timeout");
	LFK_CHECK(lfk_msgring_send(r, out, 40, 0) == 0, "fill");
	LFK_CHECK(lfk_msgring_send(r, out, 40, 0) == -EAGAIN, "full: -EAGAIN");
	t0 = lfk_now_ns();
	LFK_CHECK(lfk_msgring_send(r, out, 40, 20 * MS) == -ETIMEDOUT,
		  "send times out");
	LFK_CHECK(lfk_now_ns() - t0 >= 20 * MS, "not before the timeout");
	LFK_CHECK(lfk_msgring_wait_readable(r, 0) == 0, "readable");
	lfk_msgring_destroy(r);
	return 0;
}
