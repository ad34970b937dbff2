/* SPDX-License-Identifier: MIT */
/*
 * The message ring's blocking calls (spin briefly, then sleep on an
 * eventcount), the end of a closed ring, and the repair of a record whose
 * producer died between claim and commit.  The protocol is in
 * <lfkit/msgring.h>, the edges C1 and M1 in lib/msgring.c, the wake-up
 * argument in <lfkit/eventcount.h>.
 */
#include <lfkit/msgring.h>
#include <pthread.h>
#include <unistd.h>

#include "msgring_layout.h"
#include "msgring_self.h"
#include "proc_alive.h"

/* Tries before a blocking call sleeps (as lfk_queue's, lib/queue.c). */
#define SPINS 100

static pthread_once_t self_once = PTHREAD_ONCE_INIT;
static uint64_t self_word;

static void read_self(void)
{
	uint32_t pid = (uint32_t)getpid();
	self_word = (lfk__proc_start(pid) & 0xffffffffu) << 32 | pid;
}

static void init_self(void)
{
	read_self();
	/* A child claims as itself. */
	pthread_atfork(NULL, NULL, read_self);
}

uint64_t lfk__msg_self(void)
{
	pthread_once(&self_once, init_self);
	return self_word;
}

bool lfk__msg_owner_gone(uint64_t owner)
{
	uint32_t pid = (uint32_t)owner, start = (uint32_t)(owner >> 32);
	uint32_t now;
	if (pid == 0)
		return false; /* a private ring's claim: nobody to ask */
	if (!lfk__proc_alive(pid, 0))
		return true;
	/* The pid was reused when its process started at another time. */
	now = (uint32_t)lfk__proc_start(pid);
	return now != 0 && start != 0 && now != start;
}

int lfk_msgring_stalled(const struct lfk_msgring *r, uint32_t *pid)
{
	uint64_t at, w, tail;
	int rc;
	if (r == NULL || pid == NULL)
		return -EINVAL;
	*pid = 0;
	rc = lfk__msgring_peek(r, lfk__msgring_head(r), &at, &w);
	if (rc != -EAGAIN)
		return rc;
	/* Relaxed: a snapshot, after the record seen at `at`. */
	tail = lfk_atomic_load_u64(&r->tail, LFK_RELAXED);
	if ((int64_t)(tail - at) <= 0)
		return 0; /* nothing claimed: empty */
	if (lfk__msg_word_tag(w) != lfk__msg_tag(at) ||
	    lfk__msg_word_state(w) != LFK__MSG_CLAIMED)
		return LFK_MSGRING_STALL_UNWRITTEN;
	/* Relaxed: ordered after peek's acquire of the state (write_header
	 * stores the pid word first, then the state with release). */
	*pid = (uint32_t)lfk_atomic_load_u64(&lfk__msg_header(r, at)[1],
					     LFK_RELAXED);
	return LFK_MSGRING_STALL_CLAIMED;
}

int lfk_msgring_repair(struct lfk_msgring *r)
{
	uint64_t at, w, owner, size, *h;
	int rc;
	if (r == NULL)
		return -EINVAL;
	if (!(r->hdr.flags & LFK_MSGRING_SHARED))
		return 0;
	rc = lfk__msgring_peek(r, lfk__msgring_head(r), &at, &w);
	if (rc != -EAGAIN)
		return rc == 0 ? 0 : rc;
	if (lfk__msg_word_tag(w) != lfk__msg_tag(at) ||
	    lfk__msg_word_state(w) != LFK__MSG_CLAIMED)
		return 0;
	h = lfk__msg_header(r, at);
	/* Relaxed: after peek's acquire of the state, as in stalled. */
	owner = lfk_atomic_load_u64(&h[1], LFK_RELAXED);
	size = lfk__msg_record(lfk__msg_word_len(w));
	/* Relaxed: a claimed record lies below tail in a sound ring; head
	 * must never pass tail. */
	if (size > r->hdr.bytes - lfk__msg_off(at, r->hdr.bytes) ||
	    (int64_t)(lfk_atomic_load_u64(&r->tail, LFK_RELAXED) - at) <
		    (int64_t)size)
		return -EPROTO;
	if (!lfk__msg_owner_gone(owner))
		return 0;
	/* Relaxed: the owner is gone, so nothing it wrote is read; the CAS
	 * only settles a race with a commit by an owner wrongly taken for
	 * dead (commit then returns -EPROTO). */
	if (!lfk_atomic_cas_u64(
		    &h[0], &w,
		    lfk__msg_word(at, LFK__MSG_PAD,
				  (uint32_t)(size / LFK_MSGRING_HDR)),
		    LFK_RELAXED))
		return 0;
	lfk__msgring_free_to(r, at + size);
	return 1;
}

static bool deadline_passed(uint64_t deadline)
{
	return deadline != LFK_FOREVER && lfk_monotonic_ns() >= deadline;
}

/*
 * Whether read would find a message now: 0 yes, -EAGAIN no, -EPIPE the
 * end (closed, and nothing claimed at or after the record read finds),
 * -EPROTO.  *stalled: a record is claimed there and not committed.
 */
static int readable(struct lfk_msgring *r, bool *stalled)
{
	uint64_t at, w;
	int rc = lfk__msgring_peek(r, lfk__msgring_head(r), &at, &w);
	*stalled = false;
	if (rc != -EAGAIN)
		return rc;
	/* Padding passed: its room may be what a producer waits for. */
	lfk__msgring_free_to(r, at);
	/* Seq_cst, both (C1): the closed word, then tail.  A claim that
	 * missed the close moved tail before, in the single order S. */
	if (lfk_atomic_load_u64(&r->closed, LFK_SEQ_CST) != 0 &&
	    lfk_atomic_load_u64(&r->tail, LFK_SEQ_CST) == at)
		return -EPIPE;
	*stalled = lfk__msg_word_tag(w) == lfk__msg_tag(at) &&
		   lfk__msg_word_state(w) == LFK__MSG_CLAIMED;
	return -EAGAIN;
}

/* Waits until readable() says 0, -EPIPE or -EPROTO, or until deadline;
 * repairs a dead producer's record while it waits on a shared ring. */
static int wait_readable_until(struct lfk_msgring *r, uint64_t deadline)
{
	bool shared = (r->hdr.flags & LFK_MSGRING_SHARED) != 0, stalled;
	for (int spins = 0;; spins++) {
		uint64_t until = deadline;
		uint32_t key;
		int rc = readable(r, &stalled);
		if (rc != -EAGAIN)
			return rc;
		if (spins < SPINS) {
			lfk_cpu_relax();
			continue;
		}
		if (stalled && shared) {
			if (lfk_msgring_repair(r) > 0)
				continue;
			until = lfk_deadline_ns(LFK_MSGRING_POLL_NS);
			until = until < deadline ? until : deadline;
		}
		key = lfk_eventcount_prepare_wait(&r->not_empty);
		rc = readable(r, &stalled);
		if (rc != -EAGAIN || deadline_passed(deadline)) {
			lfk_eventcount_cancel_wait(&r->not_empty, key);
			return rc != -EAGAIN ? rc : -ETIMEDOUT;
		}
		lfk_eventcount_wait(&r->not_empty, key, until);
	}
}

int lfk_msgring_wait_readable(struct lfk_msgring *r, uint64_t timeout_ns)
{
	bool stalled;
	int rc;
	if (r == NULL)
		return -EINVAL;
	rc = readable(r, &stalled);
	if (rc != -EAGAIN || timeout_ns == 0)
		return rc;
	return wait_readable_until(r, lfk_deadline_ns(timeout_ns));
}

int lfk_msgring_recv(struct lfk_msgring *r, void *buf, size_t cap, size_t *len,
		     uint64_t timeout_ns)
{
	uint64_t deadline;
	int rc = lfk_msgring_try_recv(r, buf, cap, len);
	if (rc != -EAGAIN)
		return rc;
	deadline = lfk_deadline_ns(timeout_ns);
	for (;;) {
		rc = timeout_ns == 0 ? lfk_msgring_wait_readable(r, 0)
				     : wait_readable_until(r, deadline);
		if (rc != 0)
			return rc;
		rc = lfk_msgring_try_recv(r, buf, cap, len);
		if (rc != -EAGAIN)
			return rc;
	}
}

int lfk_msgring_send(struct lfk_msgring *r, const void *buf, size_t len,
		     uint64_t timeout_ns)
{
	uint64_t deadline;
	int rc = lfk_msgring_try_send(r, buf, len);
	if (rc != -EAGAIN || timeout_ns == 0)
		return rc;
	deadline = lfk_deadline_ns(timeout_ns);
	for (int spins = 0;; spins++) {
		uint32_t key;
		if (spins < SPINS) {
			lfk_cpu_relax();
			rc = lfk_msgring_try_send(r, buf, len);
			if (rc != -EAGAIN)
				return rc;
			continue;
		}
		key = lfk_eventcount_prepare_wait(&r->not_full);
		rc = lfk_msgring_try_send(r, buf, len);
		if (rc != -EAGAIN || deadline_passed(deadline)) {
			lfk_eventcount_cancel_wait(&r->not_full, key);
			return rc != -EAGAIN ? rc : -ETIMEDOUT;
		}
		lfk_eventcount_wait(&r->not_full, key, deadline);
	}
}
