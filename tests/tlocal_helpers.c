/* SPDX-License-Identifier: MIT */
/* The per-thread family's shared test helpers (see tlocal_helpers.h). */
#include "tlocal_helpers.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>

__thread bool tl_in_destroyer;

int track_ctor(void *slot, void *arg)
{
	struct tracker *tr = arg;
	struct tslot *s = slot;
	if (lfk_atomic_load_u32(&tr->fail_ctor, LFK_RELAXED) > 0) {
		lfk_atomic_fetch_sub_u32(&tr->fail_ctor, 1, LFK_RELAXED);
		return -EBUSY;
	}
	LFK_CHECK(s->magic == 0 && s->value == 0, "ctor: slot not zeroed");
	s->magic = MAGIC;
	s->serial = lfk_atomic_fetch_add_u64(&tr->next_serial, 1, LFK_RELAXED) %
		    MAX_SERIALS;
	lfk_atomic_fetch_add_u64(&tr->ctors, 1, LFK_RELAXED);
	return 0;
}

void track_dtor(void *slot, void *arg)
{
	struct tracker *tr = arg;
	struct tslot *s = slot;
	LFK_CHECK(s->magic == MAGIC, "dtor: bad slot (magic %llx)",
		  (unsigned long long)s->magic);
	LFK_CHECK(lfk_atomic_fetch_add_u32(&tr->seen[s->serial], 1,
					   LFK_RELAXED) == 0,
		  "dtor ran twice for serial %llu",
		  (unsigned long long)s->serial);
	s->magic = 0;
	lfk_atomic_fetch_add_u64(&tr->dtors, 1, LFK_RELAXED);
	/* Widens the window in which an exiting thread still uses the object
	 * that another thread is destroying. */
	for (int i = 0; tr->slow_dtor && !tl_in_destroyer && i < 3; i++)
		sched_yield();
}

struct tracker *tracker_new(void)
{
	struct tracker *tr = calloc(1, sizeof(*tr));
	if (tr == NULL)
		abort();
	return tr;
}

void tracker_check(struct tracker *tr, uint64_t expect_ctors, const char *what)
{
	uint64_t c = lfk_atomic_load_u64(&tr->ctors, LFK_RELAXED);
	uint64_t d = lfk_atomic_load_u64(&tr->dtors, LFK_RELAXED);
	LFK_CHECK(c == expect_ctors, "%s: %llu ctors, expected %llu", what,
		  (unsigned long long)c, (unsigned long long)expect_ctors);
	LFK_CHECK(d == c, "%s: %llu dtors for %llu ctors", what,
		  (unsigned long long)d, (unsigned long long)c);
	for (uint64_t i = 0; i < c && i < MAX_SERIALS; i++)
		LFK_CHECK(tr->seen[i] == 1,
			  "%s: serial %llu destroyed %u times", what,
			  (unsigned long long)i, tr->seen[i]);
}

void count_slot(void *slot, void *arg)
{
	(void)slot;
	(*(long *)arg)++;
}

void uobj_take(struct uobj *o, uint64_t tag, uint64_t seq)
{
	uint64_t prev = lfk_atomic_exchange_u64(&o->owner, tag, LFK_RELAXED);
	LFK_CHECK(prev == 0, "object %p handed to %llx while %llx holds it",
		  (void *)o, (unsigned long long)tag, (unsigned long long)prev);
	o->stamp = tag;
	o->seq = seq;
}

void uobj_give_back(struct uobj *o, uint64_t tag, uint64_t seq)
{
	uint64_t prev;
	LFK_CHECK(o->stamp == tag && o->seq == seq,
		  "object %p stamp %llx/%llu, expected %llx/%llu", (void *)o,
		  (unsigned long long)o->stamp, (unsigned long long)o->seq,
		  (unsigned long long)tag, (unsigned long long)seq);
	prev = lfk_atomic_exchange_u64(&o->owner, 0, LFK_RELAXED);
	LFK_CHECK(prev == tag, "object %p owned by %llx on free, expected %llx",
		  (void *)o, (unsigned long long)prev, (unsigned long long)tag);
}

void check_stats(struct lfk_tcache *tc, size_t in_use, const char *what)
{
	struct lfk_tcache_stats st;
	LFK_CHECK(lfk_tcache_stats(tc, &st) == 0, "stats");
	LFK_CHECK(st.in_use == in_use, "%s: in_use %zu, expected %zu", what,
		  st.in_use, in_use);
	LFK_CHECK(st.in_use + st.in_magazines + st.in_depot == st.created,
		  "%s: %zu + %zu + %zu != created %zu", what, st.in_use,
		  st.in_magazines, st.in_depot, st.created);
	LFK_CHECK(st.max_objects == 0 || st.created <= st.max_objects,
		  "%s: created %zu > max %zu", what, st.created,
		  st.max_objects);
}
