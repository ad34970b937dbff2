/* SPDX-License-Identifier: MIT */
/* The sharded counter's out-of-line parts (see <lfkit/counter.h>). */
#include <lfkit/counter.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/create.h"
#include "tlocal_slot.h"

struct lfk_counter {
	struct lfk__counter_hdr hdr;
	/* Shards of exited threads, and adds whose shard could not be
	 * created.  Touched once per thread lifetime: no padding needed. */
	uint64_t folded;
	uint64_t base; /* the sum at the last reset */
};

__thread struct lfk__counter_last lfk__counter_last
	__attribute__((tls_model("initial-exec")));

/* Serial numbers of counters: 64 bits never wrap, 0 is never handed out. */
static uint64_t next_serial = 1;

/*
 * A shard's destructor: its thread exits, or the counter is destroyed.  On
 * thread exit it runs under the shard registry's lock, in the critical
 * section that unlinks the shard (lfk__tlocal_dtor_under_lock), and a read
 * loads folded under that same lock: a read sees the shard linked or its
 * value folded, never neither (which made reads go backwards) nor both.
 */
static void fold_shard(void *slot, void *arg)
{
	struct lfk_counter *c = arg;
	uint64_t v = lfk_atomic_load_u64(slot, LFK_RELAXED);
	/* Forget the shard if it is this thread's last-used one, so that an
	 * add from a later thread-exit destructor does not find it freed
	 * (destroy runs this on its own thread for every slot: only its own
	 * entry can match). */
	if (lfk__counter_last.shard == slot)
		lfk__counter_last.serial = 0;
	/* relaxed: the registry lock orders it against reads */
	lfk_atomic_fetch_add_u64(&c->folded, v, LFK_RELAXED);
}

static int counter_init_at(void *mem, size_t bytes, const void *unused)
{
	struct lfk_counter *c = mem;
	int rc;
	(void)unused;
	memset(c, 0, bytes);
	rc = lfk_tlocal_create(sizeof(uint64_t), NULL, fold_shard, c,
			       &c->hdr.shards);
	if (rc != 0)
		return rc;
	lfk__tlocal_dtor_under_lock(c->hdr.shards);
	/* relaxed: only uniqueness matters; the counter is published to
	 * other threads by the caller */
	c->hdr.serial = lfk_atomic_fetch_add_u64(&next_serial, 1, LFK_RELAXED);
	return 0;
}

int lfk_counter_create(struct lfk_counter **out)
{
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__create(_Alignof(struct lfk_counter),
			   sizeof(struct lfk_counter), counter_init_at, NULL,
			   &rc);
	return rc;
}

void lfk_counter_destroy(struct lfk_counter *c)
{
	if (c == NULL)
		return;
	lfk_tlocal_destroy(c->hdr.shards);
	free(c);
}

int lfk__counter_add_slow(struct lfk_counter *c, int64_t n)
{
	void *shard;
	if (c == NULL)
		return -EINVAL;
	if (lfk_tlocal_get(c->hdr.shards, &shard) == 0)
		lfk__counter_bump(shard, n);
	else /* relaxed: as fold_shard's add, ordered by the registry lock */
		lfk_atomic_fetch_add_u64(&c->folded, (uint64_t)n, LFK_RELAXED);
	return 0;
}

struct sum {
	struct lfk_counter *c;
	uint64_t total;
	bool have_folded;
};

/* Runs under the registry lock: the first call also takes folded, so that
 * the shards and folded are one consistent view (see fold_shard). */
static void sum_shard(void *slot, void *arg)
{
	struct sum *s = arg;
	if (!s->have_folded) {
		s->total += lfk_atomic_load_u64(&s->c->folded, LFK_RELAXED);
		s->have_folded = true;
	}
	s->total += lfk_atomic_load_u64(slot, LFK_RELAXED);
}

static uint64_t raw_sum(struct lfk_counter *c)
{
	struct sum s = { c, 0, false };
	lfk_tlocal_for_each(c->hdr.shards, sum_shard, &s);
	/* No shard was linked: then none was between unlink and fold either,
	 * and folded read now holds every exited thread's adds. */
	if (!s.have_folded)
		s.total += lfk_atomic_load_u64(&c->folded, LFK_RELAXED);
	return s.total;
}

int lfk_counter_read(struct lfk_counter *c, int64_t *value)
{
	if (c == NULL || value == NULL)
		return -EINVAL;
	*value = (int64_t)(raw_sum(c) -
			   lfk_atomic_load_u64(&c->base, LFK_RELAXED));
	return 0;
}

int lfk_counter_reset(struct lfk_counter *c)
{
	if (c == NULL)
		return -EINVAL;
	lfk_atomic_store_u64(&c->base, raw_sum(c), LFK_RELAXED);
	return 0;
}
