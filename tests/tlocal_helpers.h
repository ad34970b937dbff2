/* SPDX-License-Identifier: MIT */
/*
 * What the per-thread family's scenario files share: a tracker that counts
 * every slot constructor and destructor (and catches a destructor run
 * twice), the stamps the tcache scenarios write into the objects they hold,
 * and the calls as expressions for scenarios that are not about errors.
 */
#ifndef LFK_TESTS_TLOCAL_HELPERS_H
#define LFK_TESTS_TLOCAL_HELPERS_H

#include <lfkit/counter.h>
#include <lfkit/ref/counter.h>
#include <lfkit/ref/tcache.h>
#include <lfkit/ref/tlocal.h>
#include <lfkit/tcache.h>
#include <lfkit/tlocal.h>

#include "tlocal_scenarios.h"

#define MAGIC 0x51a7ab1e5eed5eedull

/* Objects per thread in the threaded lfk_tlocal scenarios. */
#define TL_OBJS 3

/* A scenario that runs a parameterized test. */
#define SCN_WITH(name, fn, ...)                                                \
	int lfk_scn_##name(void)                                               \
	{                                                                      \
		return fn(__VA_ARGS__);                                        \
	}

/* ---- slot bookkeeping: every ctor and dtor counted, every dtor once ------ */

#define MAX_SERIALS 65536

struct tracker {
	uint64_t ctors, dtors, next_serial;
	uint32_t fail_ctor; /* > 0: that many ctor calls fail with -EBUSY */
	bool slow_dtor; /* exiting threads' dtors yield the CPU */
	uint32_t seen[MAX_SERIALS]; /* dtor calls per serial */
};

struct tslot {
	uint64_t magic, serial, value;
};

/* Set by the thread that destroys objects: its dtors do not yield. */
extern __thread bool tl_in_destroyer;

int track_ctor(void *slot, void *arg);
void track_dtor(void *slot, void *arg);
struct tracker *tracker_new(void);
/* Every ctor matched by exactly one dtor. */
void tracker_check(struct tracker *tr, uint64_t expect_ctors, const char *what);
/* for_each callback: counts the slots into *(long *)arg. */
void count_slot(void *slot, void *arg);

/* ---- tcache objects: who holds each one ---------------------------------- */

/* What the uniqueness tests write into every object they hold.  owner is
 * exchanged relaxed (no synchronization of its own, so the plain stamp and
 * seq stay ordered only by the cache itself: a missing release/acquire in
 * the cache shows up under TSan). */
struct uobj {
	uint64_t owner; /* 0: free; else the holder's tag */
	uint64_t stamp;
	uint64_t seq;
};

void uobj_take(struct uobj *o, uint64_t tag, uint64_t seq);
void uobj_give_back(struct uobj *o, uint64_t tag, uint64_t seq);
/* The statistics add up, and in_use is what the scenario holds. */
void check_stats(struct lfk_tcache *tc, size_t in_use, const char *what);

/* ---- objects and calls for scenarios that are not about their errors ---- */

/* NULL when create fails (the scenario then reports it). */
static inline struct lfk_tlocal *tl_new(size_t size, void *tr)
{
	struct lfk_tlocal *t;
	lfk_tlocal_create(size, track_ctor, track_dtor, tr, &t);
	return t;
}

static inline struct lfk_counter *counter_new(void)
{
	struct lfk_counter *c;
	lfk_counter_create(&c);
	return c;
}

static inline struct lfk_ref_counter *ref_counter_new(void)
{
	struct lfk_ref_counter *c;
	lfk_ref_counter_create(&c);
	return c;
}

static inline struct lfk_tcache *tcache_new(size_t obj_size, size_t max,
					    unsigned mag)
{
	struct lfk_tcache *tc;
	lfk_tcache_create(obj_size, max, mag, &tc);
	return tc;
}

/* The slot, object or value, or NULL / INT64_MIN on an error. */
static inline void *tl_slot(struct lfk_tlocal *t)
{
	void *slot;
	return lfk_tlocal_get(t, &slot) == 0 ? slot : NULL;
}

static inline void *ref_tl_slot(struct lfk_ref_tlocal *t)
{
	void *slot;
	return lfk_ref_tlocal_get(t, &slot) == 0 ? slot : NULL;
}

static inline void *tc_alloc(struct lfk_tcache *tc)
{
	void *obj;
	return lfk_tcache_alloc(tc, &obj) == 0 ? obj : NULL;
}

static inline void *ref_tc_alloc(struct lfk_ref_tcache *tc)
{
	void *obj;
	return lfk_ref_tcache_alloc(tc, &obj) == 0 ? obj : NULL;
}

static inline int64_t cnt(struct lfk_counter *c)
{
	int64_t v;
	return lfk_counter_read(c, &v) == 0 ? v : INT64_MIN;
}

static inline int64_t ref_cnt(struct lfk_ref_counter *c)
{
	int64_t v;
	return lfk_ref_counter_read(c, &v) == 0 ? v : INT64_MIN;
}

#endif
