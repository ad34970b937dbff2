/* SPDX-License-Identifier: MIT */
/*
 * The message ring's mutex twin: the records of <lfkit/msgring.h> placed by
 * the same rule (lib/msgring_layout.h), written and read under one mutex;
 * the blocking calls sleep on a futex word bumped at every change.
 */
#include <lfkit/ref/msgring.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../futex.h"
#include "../msgring_layout.h"

#define DATA_OFF                                                               \
	((sizeof(struct lfk_ref_msgring) + LFK_CACHELINE - 1) /                \
	 LFK_CACHELINE * LFK_CACHELINE)

size_t lfk_ref_msgring_size(size_t bytes)
{
	return lfk_msgring_size(bytes) ? DATA_OFF + bytes : 0;
}

static unsigned char *at(const struct lfk_ref_msgring *r, uint64_t pos)
{
	return (unsigned char *)r + r->data_off + lfk__msg_off(pos, r->bytes);
}

static uint64_t *header(const struct lfk_ref_msgring *r, uint64_t pos)
{
	return (uint64_t *)at(r, pos);
}

int lfk_ref_msgring_init(void *mem, size_t bytes, unsigned flags)
{
	struct lfk_ref_msgring *r = (struct lfk_ref_msgring *)mem;
	pthread_mutexattr_t ma;
	size_t total = lfk_ref_msgring_size(bytes);
	if (r == NULL || (uintptr_t)mem % LFK_CACHELINE != 0 || total == 0 ||
	    (flags & ~(LFK_MSGRING_MP | LFK_MSGRING_SHARED)) != 0)
		return -EINVAL;
	memset(r, 0, total);
	r->flags = flags;
	r->bytes = bytes;
	r->data_off = DATA_OFF;
	pthread_mutexattr_init(&ma);
	if (flags & LFK_MSGRING_SHARED) {
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	}
	pthread_mutex_init(&r->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	return 0;
}

int lfk_ref_msgring_create(size_t bytes, unsigned flags,
			   struct lfk_ref_msgring **out)
{
	return lfk__msgring_alloc(lfk_ref_msgring_size(bytes), bytes, flags,
				  lfk_ref_msgring_init, (void **)out);
}

void lfk_ref_msgring_fini(struct lfk_ref_msgring *r)
{
	if (r != NULL)
		pthread_mutex_destroy(&r->lock);
}

void lfk_ref_msgring_destroy(struct lfk_ref_msgring *r)
{
	lfk_ref_msgring_fini(r);
	free(r);
}

size_t lfk_ref_msgring_max_msg(const struct lfk_ref_msgring *r)
{
	return r ? (size_t)(r->bytes - LFK_MSGRING_HDR) : 0;
}

static void lock(struct lfk_ref_msgring *r)
{
	/* A holder that died left the ring as before or after its call. */
	if (pthread_mutex_lock(&r->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&r->lock);
}

/* Under the mutex: a change sleepers may wait for.  Returns whether
 * anyone sleeps (to wake once the mutex is dropped). */
static bool bump(struct lfk_ref_msgring *r)
{
	/* Relaxed: under the mutex; the futex call reads it anew. */
	lfk_atomic_fetch_add_u32(&r->seq, 1, LFK_RELAXED);
	return r->waiters > 0;
}

static void wake(struct lfk_ref_msgring *r)
{
	lfk__futex_wake(&r->seq, INT32_MAX,
			(r->flags & LFK_MSGRING_SHARED) != 0);
}

static void unlock_changed(struct lfk_ref_msgring *r, bool changed)
{
	bool sleepers = changed && bump(r);
	pthread_mutex_unlock(&r->lock);
	if (sleepers)
		wake(r);
}

/* Sleeps (mutex dropped) until the next change or the deadline; false once
 * the deadline has passed.  changed: the caller changed the ring itself
 * (skipped padding) and must wake the others first. */
static bool wait_change(struct lfk_ref_msgring *r, uint64_t deadline,
			bool changed)
{
	struct timespec ts;
	uint32_t seen;
	if (changed && bump(r))
		wake(r);
	/* Relaxed: under the mutex; FUTEX_WAIT compares it again. */
	seen = lfk_atomic_load_u32(&r->seq, LFK_RELAXED);
	if (deadline != LFK_FOREVER && lfk_monotonic_ns() >= deadline)
		return false;
	ts.tv_sec = (time_t)(deadline / 1000000000u);
	ts.tv_nsec = (long)(deadline % 1000000000u);
	r->waiters++;
	pthread_mutex_unlock(&r->lock);
	lfk__futex_wait(&r->seq, seen, deadline == LFK_FOREVER ? NULL : &ts,
			(r->flags & LFK_MSGRING_SHARED) != 0);
	lock(r);
	r->waiters--;
	return true;
}

size_t lfk_ref_msgring_used(struct lfk_ref_msgring *r)
{
	size_t used;
	if (r == NULL)
		return 0;
	lock(r);
	used = (size_t)(r->tail - r->head);
	pthread_mutex_unlock(&r->lock);
	return used;
}

static int claim_locked(struct lfk_ref_msgring *r, size_t len,
			struct lfk_msgring_claim *c)
{
	uint64_t size = lfk__msg_record(len), take;
	int where;
	if (r->closed)
		return -EPIPE;
	while ((where = lfk__msg_place(r->tail, r->head, r->bytes, size,
				       &take)) == 1) {
		*header(r, r->tail) =
			lfk__msg_word(r->tail, LFK__MSG_PAD,
				      (uint32_t)(take / LFK_MSGRING_HDR));
		r->tail += take;
	}
	if (where < 0)
		return where;
	*header(r, r->tail) =
		lfk__msg_word(r->tail, LFK__MSG_CLAIMED, (uint32_t)len);
	c->data = at(r, r->tail) + LFK_MSGRING_HDR;
	c->len = len;
	c->lfk__pos = r->tail;
	r->tail += size;
	return 0;
}

int lfk_ref_msgring_claim(struct lfk_ref_msgring *r, size_t len,
			  struct lfk_msgring_claim *c)
{
	uint64_t tail;
	int rc;
	if (r == NULL || c == NULL)
		return -EINVAL;
	if (len > r->bytes - LFK_MSGRING_HDR)
		return -EMSGSIZE;
	lock(r);
	tail = r->tail;
	rc = claim_locked(r, len, c);
	/* Padding (rc -EAGAIN after it, too) is for the consumer to skip. */
	unlock_changed(r, r->tail != tail);
	return rc;
}

int lfk_ref_msgring_commit(struct lfk_ref_msgring *r,
			   struct lfk_msgring_claim *c)
{
	uint64_t *h;
	int rc = -EINVAL;
	if (r == NULL || c == NULL || c->len > LFK__MSG_LEN_MASK)
		return -EINVAL;
	lock(r);
	h = header(r, c->lfk__pos);
	if ((int64_t)(r->tail - c->lfk__pos) > 0 &&
	    (int64_t)(c->lfk__pos - r->head) >= 0 &&
	    *h == lfk__msg_word(c->lfk__pos, LFK__MSG_CLAIMED,
				(uint32_t)c->len)) {
		*h = lfk__msg_word(c->lfk__pos, LFK__MSG_COMMITTED,
				   (uint32_t)c->len);
		c->data = NULL;
		rc = 0;
	}
	unlock_changed(r, rc == 0);
	return rc;
}

/* Under the mutex: skips padding at head; 0 with *w the header of a
 * committed message at head, else -EAGAIN. */
static int peek_locked(struct lfk_ref_msgring *r, uint64_t *w)
{
	while (r->head != r->tail) {
		*w = *header(r, r->head);
		if (lfk__msg_word_state(*w) == LFK__MSG_COMMITTED)
			return 0;
		if (lfk__msg_word_state(*w) != LFK__MSG_PAD)
			return -EAGAIN;
		r->head += (uint64_t)lfk__msg_word_len(*w) * LFK_MSGRING_HDR;
	}
	return -EAGAIN;
}

int lfk_ref_msgring_read(struct lfk_ref_msgring *r, struct lfk_msgring_msg *m)
{
	uint64_t w;
	int rc;
	if (r == NULL || m == NULL)
		return -EINVAL;
	lock(r);
	rc = peek_locked(r, &w);
	if (rc == 0) {
		m->data = at(r, r->head) + LFK_MSGRING_HDR;
		m->len = lfk__msg_word_len(w);
		m->lfk__pos = r->head + lfk__msg_record(m->len);
	}
	unlock_changed(r, true); /* padding skipped frees room */
	return rc;
}

int lfk_ref_msgring_release(struct lfk_ref_msgring *r,
			    struct lfk_msgring_msg *m)
{
	uint64_t w;
	int rc = -EINVAL;
	if (r == NULL || m == NULL)
		return -EINVAL;
	lock(r);
	if (peek_locked(r, &w) == 0 &&
	    m->lfk__pos == r->head + lfk__msg_record(lfk__msg_word_len(w))) {
		r->head = m->lfk__pos;
		m->data = NULL;
		rc = 0;
	}
	unlock_changed(r, rc == 0);
	return rc;
}

int lfk_ref_msgring_try_send(struct lfk_ref_msgring *r, const void *buf,
			     size_t len)
{
	struct lfk_msgring_claim c;
	uint64_t tail;
	int rc;
	if (r == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	if (len > r->bytes - LFK_MSGRING_HDR)
		return -EMSGSIZE;
	lock(r);
	tail = r->tail;
	rc = claim_locked(r, len, &c);
	if (rc == 0) {
		if (len > 0)
			memcpy(c.data, buf, len);
		*header(r, c.lfk__pos) = lfk__msg_word(
			c.lfk__pos, LFK__MSG_COMMITTED, (uint32_t)len);
	}
	unlock_changed(r, r->tail != tail); /* a message, or padding */
	return rc;
}

/* Under the mutex: copies up to n messages out, as recv_burst. */
static int take_locked(struct lfk_ref_msgring *r, void *buf, size_t cap,
		       size_t *lens, size_t n)
{
	size_t got = 0, used = 0;
	uint64_t w;
	while (got < n && peek_locked(r, &w) == 0) {
		size_t len = lfk__msg_word_len(w);
		if (len > cap - used) {
			if (got > 0)
				break;
			lens[0] = len;
			return -EMSGSIZE;
		}
		if (len > 0)
			memcpy((char *)buf + used,
			       at(r, r->head) + LFK_MSGRING_HDR, len);
		used += len;
		lens[got++] = len;
		r->head += lfk__msg_record(len);
	}
	return (int)got;
}

int lfk_ref_msgring_recv_burst(struct lfk_ref_msgring *r, void *buf, size_t cap,
			       size_t *lens, size_t n)
{
	int rc;
	if (r == NULL || lens == NULL || (buf == NULL && cap > 0))
		return -EINVAL;
	lock(r);
	rc = take_locked(r, buf, cap, lens, n);
	unlock_changed(r, true);
	return rc;
}

int lfk_ref_msgring_try_recv(struct lfk_ref_msgring *r, void *buf, size_t cap,
			     size_t *len)
{
	int rc;
	if (r == NULL || len == NULL || (buf == NULL && cap > 0))
		return -EINVAL;
	lock(r);
	rc = take_locked(r, buf, cap, len, 1);
	unlock_changed(r, true);
	return rc < 0 ? rc : rc == 1 ? 0 : -EAGAIN;
}

/* Under the mutex: 0 when a message is readable, -EPIPE at the end of a
 * closed ring, else -EAGAIN. */
static int readable_locked(struct lfk_ref_msgring *r)
{
	uint64_t w;
	if (peek_locked(r, &w) == 0)
		return 0;
	return r->closed && r->head == r->tail ? -EPIPE : -EAGAIN;
}

static int wait_readable_locked(struct lfk_ref_msgring *r, uint64_t timeout)
{
	uint64_t deadline = lfk_deadline_ns(timeout);
	int rc;
	uint64_t head = r->head;
	while ((rc = readable_locked(r)) == -EAGAIN) {
		if (timeout == 0)
			return -EAGAIN;
		if (!wait_change(r, deadline, head != r->head))
			return -ETIMEDOUT;
		head = r->head;
	}
	return rc;
}

int lfk_ref_msgring_wait_readable(struct lfk_ref_msgring *r,
				  uint64_t timeout_ns)
{
	int rc;
	if (r == NULL)
		return -EINVAL;
	lock(r);
	rc = wait_readable_locked(r, timeout_ns);
	unlock_changed(r, true);
	return rc;
}

int lfk_ref_msgring_recv(struct lfk_ref_msgring *r, void *buf, size_t cap,
			 size_t *len, uint64_t timeout_ns)
{
	int rc;
	if (r == NULL || len == NULL || (buf == NULL && cap > 0))
		return -EINVAL;
	lock(r);
	rc = wait_readable_locked(r, timeout_ns);
	if (rc == 0)
		rc = take_locked(r, buf, cap, len, 1) < 0 ? -EMSGSIZE : 0;
	unlock_changed(r, true);
	return rc;
}

int lfk_ref_msgring_send(struct lfk_ref_msgring *r, const void *buf, size_t len,
			 uint64_t timeout_ns)
{
	uint64_t deadline = lfk_deadline_ns(timeout_ns), take;
	int rc;
	for (;;) {
		rc = lfk_ref_msgring_try_send(r, buf, len);
		if (rc != -EAGAIN || timeout_ns == 0)
			return rc;
		lock(r);
		/* Re-checked under the mutex: a release between our try and
		 * here bumped seq before we read it. */
		if (r->closed) {
			rc = -EPIPE;
		} else if (lfk__msg_place(r->tail, r->head, r->bytes,
					  lfk__msg_record(len), &take) < 0 &&
			   !wait_change(r, deadline, false)) {
			rc = -ETIMEDOUT;
		}
		pthread_mutex_unlock(&r->lock);
		if (rc != -EAGAIN)
			return rc;
	}
}

int lfk_ref_msgring_close(struct lfk_ref_msgring *r)
{
	if (r == NULL)
		return -EINVAL;
	lock(r);
	r->closed = 1;
	unlock_changed(r, true);
	return 0;
}

int lfk_ref_msgring_closed(struct lfk_ref_msgring *r)
{
	int closed;
	if (r == NULL)
		return 0;
	lock(r);
	closed = r->closed != 0;
	pthread_mutex_unlock(&r->lock);
	return closed;
}
