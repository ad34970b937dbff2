/* SPDX-License-Identifier: MIT */
/*
 * The message ring under load: producers send checkable messages of
 * random lengths from 1 byte to more than half the ring (msg_payload.h),
 * one consumer checks each one (order per producer, length, every byte)
 * and, at the end, that it got exactly what every producer sent.  More
 * threads than cores: preempted producers hold claims open.  Bounded by
 * LFK_STRESS_ITEMS and LFK_STRESS_SECONDS; a receive that waits 10 s is a
 * lost wake-up and fails.
 */
#include <lfkit/msgring.h>
#include <lfkit/ref/msgring.h>
#include <stdlib.h>
#include <string.h>

#include "harness/msg_payload.h"
#include "msgring_scenarios.h"

#define RING_BYTES 4096
#define MAX_LEN 3000 /* more than half the ring */
#define WAIT_NS 10000000000ull

enum mode {
	COPY,
	ZERO_COPY,
	TWIN
};

struct stress {
	enum mode mode;
	struct lfk_msgring *r;
	struct lfk_ref_msgring *t;
	struct lfk_bound bound;
	int producers;
	uint32_t running; /* producers still sending */
	uint64_t sent[LFK_MSG_PRODUCERS];
	struct lfk_msg_checker check;
};

static int send_msg(struct stress *s, const void *buf, size_t len)
{
	if (s->mode == TWIN)
		return lfk_ref_msgring_send(s->t, buf, len, WAIT_NS);
	return lfk_msgring_send(s->r, buf, len, WAIT_NS);
}

/* claim, fill in place, commit; spins (with back-off) while full. */
static int send_in_place(struct stress *s, unsigned id, uint64_t seq,
			 size_t len)
{
	struct lfk_msgring_claim c;
	unsigned spins = 0;
	int rc;
	while ((rc = lfk_msgring_claim(s->r, len, &c)) == -EAGAIN)
		lfk_backoff(&spins);
	if (rc != 0)
		return rc;
	lfk_msg_fill(c.data, len, id, seq);
	return lfk_msgring_commit(s->r, &c);
}

static void producer(void *arg, int id)
{
	struct stress *s = arg;
	unsigned char *buf = malloc(MAX_LEN);
	uint64_t seq = 0;
	while (buf != NULL &&
	       !lfk_bound_done(&s->bound, seq * (uint64_t)s->producers)) {
		size_t len = lfk_msg_len((unsigned)id, seq, MAX_LEN);
		int rc;
		if (s->mode == ZERO_COPY) {
			rc = send_in_place(s, (unsigned)id, seq, len);
		} else {
			lfk_msg_fill(buf, len, (unsigned)id, seq);
			rc = send_msg(s, buf, len);
		}
		if (rc != 0) {
			LFK_CHECK(0, "producer %d: send rc=%d", id, rc);
			break;
		}
		seq++;
	}
	free(buf);
	s->sent[id] = seq;
	/* Acq_rel: the last producer out closes, after every send. */
	if (lfk_atomic_fetch_sub_u32(&s->running, 1, LFK_ACQ_REL) == 1) {
		if (s->mode == TWIN)
			lfk_ref_msgring_close(s->t);
		else
			lfk_msgring_close(s->r);
	}
}

/* Zero-copy consumer: wait, read in place, check, release; every fourth
 * round a burst. */
static int consume_in_place(struct stress *s, unsigned char *buf)
{
	struct lfk_msgring_msg m;
	size_t lens[8];
	int rc = lfk_msgring_wait_readable(s->r, WAIT_NS);
	if (rc != 0)
		return rc;
	if (s->check.count % 4 == 3) {
		int n = lfk_msgring_recv_burst(s->r, buf, MAX_LEN, lens, 8);
		size_t at = 0;
		for (int i = 0; i < n; i++) {
			lfk_msg_check(&s->check, buf + at, lens[i]);
			at += lens[i];
		}
		return n > 0 ? 0 : n == 0 ? -EAGAIN : n;
	}
	rc = lfk_msgring_read(s->r, &m);
	if (rc != 0)
		return rc;
	lfk_msg_check(&s->check, m.data, m.len);
	return lfk_msgring_release(s->r, &m);
}

static void consumer(void *arg, int index)
{
	struct stress *s = arg;
	unsigned char *buf = malloc(MAX_LEN);
	(void)index;
	while (buf != NULL && !lfk_failures()) {
		size_t len;
		int rc;
		if (s->mode == ZERO_COPY)
			rc = consume_in_place(s, buf);
		else if (s->mode == TWIN)
			rc = lfk_ref_msgring_recv(s->t, buf, MAX_LEN, &len,
						  WAIT_NS);
		else
			rc = lfk_msgring_recv(s->r, buf, MAX_LEN, &len,
					      WAIT_NS);
		if (rc == -EPIPE)
			break;
		if (rc == -EAGAIN && s->mode == ZERO_COPY)
			continue;
		if (rc != 0) {
			LFK_CHECK(0, "consumer: rc=%d after %llu messages", rc,
				  (unsigned long long)s->check.count);
			break;
		}
		if (s->mode != ZERO_COPY)
			lfk_msg_check(&s->check, buf, len);
	}
	free(buf);
}

static int stress(enum mode mode, unsigned flags, int producers)
{
	struct stress *s = calloc(1, sizeof(*s));
	int rc;
	if (s == NULL)
		return 1;
	s->mode = mode;
	s->producers = producers;
	s->running = (uint32_t)producers;
	s->bound = lfk_bound_scaled(4);
	lfk_msg_checker_init(&s->check, MAX_LEN);
	rc = mode == TWIN ? lfk_ref_msgring_create(RING_BYTES, flags, &s->t)
			  : lfk_msgring_create(RING_BYTES, flags, &s->r);
	LFK_CHECK(rc == 0, "create: %d", rc);
	if (rc == 0) {
		lfk_run_threads2(producers, producer, 1, consumer, s);
		for (int i = 0; i < producers; i++)
			LFK_CHECK(s->check.next[i] == s->sent[i],
				  "producer %d sent %llu, got %llu", i,
				  (unsigned long long)s->sent[i],
				  (unsigned long long)s->check.next[i]);
		lfk_stress_moved(s->check.count);
	}
	lfk_msgring_destroy(s->r);
	if (s->t != NULL)
		lfk_ref_msgring_destroy(s->t);
	free(s);
	return 0;
}

int lfk_scn_msg_stress_sp_1x1(void)
{
	return stress(COPY, 0, 1);
}

int lfk_scn_msg_stress_zero_copy_1x1(void)
{
	return stress(ZERO_COPY, 0, 1);
}

int lfk_scn_msg_stress_mp_4x1(void)
{
	return stress(COPY, LFK_MSGRING_MP, 4);
}

int lfk_scn_msg_stress_mp_8x1(void)
{
	return stress(ZERO_COPY, LFK_MSGRING_MP, lfk_stress_threads(8));
}

int lfk_scn_msg_stress_twin_4x1(void)
{
	return stress(TWIN, LFK_MSGRING_MP, 4);
}
