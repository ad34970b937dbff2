/* SPDX-License-Identifier: MIT */
/*
 * The message ring's non-blocking calls: layout, claim/commit, read/release
 * and the copying calls on top.  The protocol is in <lfkit/msgring.h>; its
 * ordering edges are labelled here:
 *   M1  commit's release store of the header  ->  read's acquire load:
 *       the message bytes (and the pid word) before the consumer reads them;
 *   M2  release's release store of head  ->  claim's acquire load of head
 *       (or of the producers' copy of it, stored with release after such
 *       a load): the consumer's reads of freed bytes before a producer
 *       rewrites them;
 *   C1  claim's seq_cst move of tail and seq_cst load of closed, against
 *       close's seq_cst store and the consumer's seq_cst loads of closed and
 *       then tail (lib/msgring_wait.c): a store-buffering pair, so either
 *       the claim sees the close or the consumer that sees the close also
 *       sees the claim (and waits for its commit).
 */
#include <lfkit/msgring.h>
#include <stdlib.h>
#include <string.h>

#include "lib/create.h"
#include "msgring_layout.h"
#include "msgring_self.h"

size_t lfk_msgring_size(size_t bytes)
{
	size_t total;
	if (bytes < LFK_MSGRING_MIN_BYTES || bytes > LFK_MSGRING_MAX_BYTES ||
	    (bytes & (bytes - 1)) != 0 ||
	    __builtin_add_overflow(sizeof(struct lfk_msgring), bytes, &total))
		return 0;
	return total;
}

static unsigned char *data_of(const struct lfk_msgring *r)
{
	return (unsigned char *)r + r->hdr.data_off;
}

int lfk_msgring_init(void *mem, size_t bytes, unsigned flags)
{
	struct lfk_msgring *r = (struct lfk_msgring *)mem;
	unsigned ec = (flags & LFK_MSGRING_SHARED) ? LFK_EVENTCOUNT_SHARED : 0;
	size_t total = lfk_msgring_size(bytes);
	if (r == NULL || (uintptr_t)mem % LFK_CACHELINE != 0 || total == 0 ||
	    (flags & ~(LFK_MSGRING_MP | LFK_MSGRING_SHARED)) != 0)
		return -EINVAL;
	memset(r, 0, total); /* no stale word may pass for a header */
	r->hdr.flags = flags;
	r->hdr.bytes = bytes;
	r->hdr.data_off = sizeof(*r);
	r->hdr.total = total;
	lfk_eventcount_init(&r->not_empty, ec);
	lfk_eventcount_init(&r->not_full, ec);
	/* Last, so a half-built ring is never recognized; the memory is
	 * handed to other threads by whatever publishes it. */
	r->hdr.magic = LFK_MSGRING_MAGIC;
	return 0;
}

/* What lfk__msgring_alloc hands lfk__create: the ring's own init. */
struct msgring_args {
	int (*init)(void *mem, size_t bytes, unsigned flags);
	size_t bytes;
	unsigned flags;
};

static int msgring_init_at(void *mem, size_t total, const void *args)
{
	const struct msgring_args *a = args;
	(void)total; /* the size function's, as init computes it again */
	return a->init(mem, a->bytes, a->flags);
}

int lfk__msgring_alloc(size_t total, size_t bytes, unsigned flags,
		       int (*init)(void *mem, size_t bytes, unsigned flags),
		       void **out)
{
	struct msgring_args args = { init, bytes, flags };
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if ((flags & LFK_MSGRING_SHARED) != 0)
		return -EINVAL;
	*out = lfk__create(LFK_CACHELINE, total, msgring_init_at, &args, &rc);
	return rc;
}

int lfk_msgring_create(size_t bytes, unsigned flags, struct lfk_msgring **out)
{
	return lfk__msgring_alloc(lfk_msgring_size(bytes), bytes, flags,
				  lfk_msgring_init, (void **)out);
}

void lfk_msgring_destroy(struct lfk_msgring *r)
{
	free(r);
}

size_t lfk_msgring_max_msg(const struct lfk_msgring *r)
{
	return r ? (size_t)(r->hdr.bytes - LFK_MSGRING_HDR) : 0;
}

size_t lfk_msgring_bytes(const struct lfk_msgring *r)
{
	return r ? (size_t)r->hdr.bytes : 0;
}

size_t lfk_msgring_used(const struct lfk_msgring *r)
{
	uint64_t head, tail;
	if (r == NULL)
		return 0;
	/* Acquire (M2's load side): head first, and then a tail at least as
	 * new as the one the consumer saw before it stored head, so tail -
	 * head >= 0 (two relaxed loads may pair a new head with an older
	 * tail on a weakly ordered machine). */
	head = lfk_atomic_load_u64(&r->head, LFK_ACQUIRE);
	/* Relaxed: a snapshot. */
	tail = lfk_atomic_load_u64(&r->tail, LFK_RELAXED);
	return (size_t)(tail - head);
}

/*
 * Where a record of `size` bytes goes at tail t (lfk__msg_place): against
 * the producers' copy of head first, and against head itself (refreshing
 * the copy) only when the copy says there is no room.  A copy that lags
 * head by more than the ring (racing refreshes may store an older value)
 * is not used.
 */
static int place_below_head(struct lfk_msgring *r, uint64_t t, uint64_t size,
			    uint64_t *take)
{
	/* Acquire (M2's chain): pairs with the release that stored the copy,
	 * after its own acquire load of head, so the consumer's reads of the
	 * bytes below it come before our reuse of them. */
	uint64_t h = lfk_atomic_load_u64(&r->head_seen, LFK_ACQUIRE);
	int where;
	if (t - h <= r->hdr.bytes &&
	    (where = lfk__msg_place(t, h, r->hdr.bytes, size, take)) >= 0)
		return where;
	/* Acquire (M2): the consumer's reads of the bytes we reuse. */
	h = lfk_atomic_load_u64(&r->head, LFK_ACQUIRE);
	/* Release: hands M2 on to the producers that use the copy. */
	lfk_atomic_store_u64(&r->head_seen, h, LFK_RELEASE);
	return lfk__msg_place(t, h, r->hdr.bytes, size, take);
}

/*
 * Moves tail past `take` bytes for the placement lfk__msg_place chose:
 * 0 (the record), 1 (padding first), or -EAGAIN.  *pos is where the claim
 * starts.  Seq_cst (C1): with one producer a store, with many a CAS.
 */
static int move_tail(struct lfk_msgring *r, uint64_t size, uint64_t *pos,
		     uint64_t *take)
{
	bool mp = (r->hdr.flags & LFK_MSGRING_MP) != 0;
	/* Relaxed: with one producer our own value; with many the CAS checks
	 * it. */
	uint64_t t = lfk_atomic_load_u64(&r->tail, LFK_RELAXED);
	for (;;) {
		int where = place_below_head(r, t, size, take);
		if (where < 0)
			return where;
		*pos = t;
		if (!mp) {
			/* Seq_cst (C1); nobody else moves tail. */
			lfk_atomic_store_u64(&r->tail, t + *take, LFK_SEQ_CST);
			return where;
		}
		/* Seq_cst (C1); a failure reloads t. */
		if (lfk_atomic_cas_u64(&r->tail, &t, t + *take, LFK_SEQ_CST))
			return where;
	}
}

/* Writes the header of a claim at pos: the owner word, then the state
 * word with release, so that whoever sees the state sees the owner (M1's
 * kind).  Two stores: the window in which a dying producer leaves a claim
 * nobody can size (<lfkit/msgring.h>). */
static void write_header(struct lfk_msgring *r, uint64_t pos, uint32_t state,
			 uint32_t len, uint64_t owner)
{
	uint64_t *h = lfk__msg_header(r, pos);
	/* Relaxed: published by the release store below. */
	lfk_atomic_store_u64(&h[1], owner, LFK_RELAXED);
	/* Release: the pid word before the state (the repairer acquires). */
	lfk_atomic_store_u64(&h[0], lfk__msg_word(pos, state, len),
			     LFK_RELEASE);
}

/* Wakes the consumer if it sleeps, after a header store. */
static void wake_consumer(struct lfk_msgring *r)
{
	/* Fn of the eventcount's Dekker argument: our header store before
	 * the load of the consumer's waiter count. */
	lfk_atomic_fence(LFK_SEQ_CST);
	lfk_eventcount_notify_fenced(&r->not_empty);
}

static bool is_closed(const struct lfk_msgring *r, int order)
{
	return lfk_atomic_load_u64(&r->closed, order) != 0;
}

int lfk_msgring_claim(struct lfk_msgring *r, size_t len,
		      struct lfk_msgring_claim *c)
{
	uint64_t pos, take, size, owner;
	int where;
	if (r == NULL || c == NULL)
		return -EINVAL;
	if (len > r->hdr.bytes - LFK_MSGRING_HDR)
		return -EMSGSIZE;
	/* Relaxed: an early exit only; the seq_cst load below decides. */
	if (is_closed(r, LFK_RELAXED))
		return -EPIPE;
	/* Before tail moves: the header follows the move at once. */
	owner = (r->hdr.flags & LFK_MSGRING_SHARED) ? lfk__msg_self() : 0;
	size = lfk__msg_record(len);
	while ((where = move_tail(r, size, &pos, &take)) == 1) {
		write_header(r, pos, LFK__MSG_PAD,
			     (uint32_t)(take / LFK_MSGRING_HDR), owner);
		/* Only the consumer frees padding (it moves head past it at
		 * its next call): wake it, the room may be what we need. */
		wake_consumer(r);
	}
	if (where < 0)
		return where;
	write_header(r, pos, LFK__MSG_CLAIMED, (uint32_t)len, owner);
	/* Seq_cst (C1): after our move of tail. */
	if (is_closed(r, LFK_SEQ_CST)) {
		write_header(r, pos, LFK__MSG_PAD,
			     (uint32_t)(size / LFK_MSGRING_HDR), owner);
		wake_consumer(r);
		return -EPIPE;
	}
	c->data =
		data_of(r) + lfk__msg_off(pos, r->hdr.bytes) + LFK_MSGRING_HDR;
	c->len = len;
	c->lfk__pos = pos;
	return 0;
}

int lfk_msgring_commit(struct lfk_msgring *r, struct lfk_msgring_claim *c)
{
	uint64_t *h, w, want;
	if (r == NULL || c == NULL || c->len > LFK__MSG_LEN_MASK)
		return -EINVAL;
	h = lfk__msg_header(r, c->lfk__pos);
	want = lfk__msg_word(c->lfk__pos, LFK__MSG_CLAIMED, (uint32_t)c->len);
	/* Relaxed: our own header, unless a repairer turned it into padding
	 * (then the CAS below fails). */
	w = lfk_atomic_load_u64(&h[0], LFK_RELAXED);
	if (w != want)
		return w == lfk__msg_word(c->lfk__pos, LFK__MSG_PAD,
					  (uint32_t)(lfk__msg_record(c->len) /
						     LFK_MSGRING_HDR))
			       ? -EPROTO
			       : -EINVAL;
	want = lfk__msg_word(c->lfk__pos, LFK__MSG_COMMITTED, (uint32_t)c->len);
	/* Release (M1), both: the message bytes before the consumer's
	 * acquire.  On a shared ring a CAS, not a store: a repairer may have
	 * taken the record meanwhile. */
	if (!(r->hdr.flags & LFK_MSGRING_SHARED))
		lfk_atomic_store_u64(&h[0], want, LFK_RELEASE);
	else if (!lfk_atomic_cas_u64(&h[0], &w, want, LFK_RELEASE))
		return -EPROTO;
	c->data = NULL;
	wake_consumer(r);
	return 0;
}

int lfk__msgring_peek(const struct lfk_msgring *r, uint64_t from, uint64_t *at,
		      uint64_t *word)
{
	uint64_t bytes = r->hdr.bytes, h = from;
	/* Relaxed: an old tail only reports "empty" sooner.  Nothing at or
	 * past tail is read: the bytes there are an older lap's, and a word
	 * of an old message can carry the tag of a small position. */
	uint64_t tail = lfk_atomic_load_u64(&r->tail, LFK_RELAXED);
	for (;;) {
		uint64_t off = lfk__msg_off(h, bytes), size, w;
		uint32_t state;
		*at = h;
		*word = 0;
		if (h >= tail)
			return -EAGAIN;
		/* Acquire (M1): the message bytes and the pid word. */
		w = lfk_atomic_load_u64(lfk__msg_header(r, h), LFK_ACQUIRE);
		state = lfk__msg_word_state(w);
		*word = w;
		if (lfk__msg_word_tag(w) != lfk__msg_tag(h) || state == 0 ||
		    state == LFK__MSG_CLAIMED)
			return -EAGAIN;
		size = state == LFK__MSG_PAD
			       ? (uint64_t)lfk__msg_word_len(w) *
					 LFK_MSGRING_HDR
			       : lfk__msg_record(lfk__msg_word_len(w));
		if (size == 0 || size > bytes - off)
			return -EPROTO;
		if (state == LFK__MSG_COMMITTED)
			return 0;
		h += size; /* padding: skip it (head moves at the release) */
	}
}

/* Relaxed: only the consumer moves head. */
uint64_t lfk__msgring_head(const struct lfk_msgring *r)
{
	return lfk_atomic_load_u64(&r->head, LFK_RELAXED);
}

void lfk__msgring_free_to(struct lfk_msgring *r, uint64_t to)
{
	if (to == lfk__msgring_head(r))
		return;
	/* Release (M2): our reads of the freed bytes before their reuse. */
	lfk_atomic_store_u64(&r->head, to, LFK_RELEASE);
	/* Fn of the Dekker argument: head before the producers' waiter
	 * count. */
	lfk_atomic_fence(LFK_SEQ_CST);
	lfk_eventcount_notify_fenced(&r->not_full);
}

int lfk_msgring_read(struct lfk_msgring *r, struct lfk_msgring_msg *m)
{
	uint64_t h, w;
	int rc;
	if (r == NULL || m == NULL)
		return -EINVAL;
	rc = lfk__msgring_peek(r, lfk__msgring_head(r), &h, &w);
	if (rc != -EPROTO)
		lfk__msgring_free_to(r, h);
	if (rc != 0)
		return rc;
	m->data = data_of(r) + lfk__msg_off(h, r->hdr.bytes) + LFK_MSGRING_HDR;
	m->len = lfk__msg_word_len(w);
	m->lfk__pos = h + lfk__msg_record(m->len);
	return 0;
}

int lfk_msgring_release(struct lfk_msgring *r, struct lfk_msgring_msg *m)
{
	uint64_t h, w;
	if (r == NULL || m == NULL)
		return -EINVAL;
	if (lfk__msgring_peek(r, lfk__msgring_head(r), &h, &w) != 0 ||
	    m->lfk__pos != h + lfk__msg_record(lfk__msg_word_len(w)))
		return -EINVAL;
	m->data = NULL;
	lfk__msgring_free_to(r, m->lfk__pos);
	return 0;
}

int lfk_msgring_try_send(struct lfk_msgring *r, const void *buf, size_t len)
{
	struct lfk_msgring_claim c;
	int rc;
	if (buf == NULL && len > 0)
		return -EINVAL;
	rc = lfk_msgring_claim(r, len, &c);
	if (rc != 0)
		return rc;
	if (len > 0)
		memcpy(c.data, buf, len);
	return lfk_msgring_commit(r, &c);
}

int lfk_msgring_try_recv(struct lfk_msgring *r, void *buf, size_t cap,
			 size_t *len)
{
	struct lfk_msgring_msg m;
	int rc;
	if (len == NULL || (buf == NULL && cap > 0))
		return -EINVAL;
	rc = lfk_msgring_read(r, &m);
	if (rc != 0)
		return rc;
	*len = m.len;
	if (m.len > cap)
		return -EMSGSIZE;
	if (m.len > 0)
		memcpy(buf, m.data, m.len);
	lfk__msgring_free_to(r, m.lfk__pos);
	return 0;
}

int lfk_msgring_recv_burst(struct lfk_msgring *r, void *buf, size_t cap,
			   size_t *lens, size_t n)
{
	size_t got = 0, used = 0;
	uint64_t h, w, end;
	int rc = 0;
	if (r == NULL || lens == NULL || (buf == NULL && cap > 0))
		return -EINVAL;
	end = lfk__msgring_head(r);
	while (got < n) {
		size_t len;
		rc = lfk__msgring_peek(r, end, &h, &w);
		if (rc == -EPROTO)
			break;
		end = h; /* padding passed is freed with the rest */
		if (rc != 0)
			break;
		len = lfk__msg_word_len(w);
		if (len > cap - used) {
			rc = -EMSGSIZE;
			lens[got] = len;
			break;
		}
		memcpy((char *)buf + used,
		       data_of(r) + lfk__msg_off(h, r->hdr.bytes) +
			       LFK_MSGRING_HDR,
		       len);
		used += len;
		lens[got++] = len;
		end = h + lfk__msg_record(len);
	}
	lfk__msgring_free_to(r, end);
	if (got == 0 && (rc == -EPROTO || rc == -EMSGSIZE))
		return rc;
	return (int)got;
}

int lfk_msgring_close(struct lfk_msgring *r)
{
	if (r == NULL)
		return -EINVAL;
	/* Seq_cst (C1): against each claim's move of tail.  A store, not an
	 * RMW: it only has to be in the single order S, and a store keeps
	 * close wait-free (fetch_or is a CAS loop on x86_64). */
	lfk_atomic_store_u64(&r->closed, 1, LFK_SEQ_CST);
	/* Fn of the Dekker argument: the closed word before the waiter
	 * loads; every sleeper re-checks after waking. */
	lfk_atomic_fence(LFK_SEQ_CST);
	lfk_eventcount_notify_fenced(&r->not_empty);
	lfk_eventcount_notify_fenced(&r->not_full);
	return 0;
}

int lfk_msgring_closed(const struct lfk_msgring *r)
{
	/* Relaxed: a snapshot. */
	return r != NULL && is_closed(r, LFK_RELAXED);
}
