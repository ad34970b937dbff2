/* SPDX-License-Identifier: MIT */
/*
 * Bad input to the per-thread family and its twins, one table row per call:
 * NULL objects and out-pointers, sizes out of range, NULL destroys that
 * must be no-ops; then a slot constructor that fails.
 */
#include <errno.h>
#include <stdlib.h>

#include "harness/lfk_cases.h"
#include "tlocal_helpers.h"

/* The live objects the calls need, and where the calls write. */
struct bad_ctx {
	struct lfk_tlocal *t, *t_out;
	struct lfk_tcache *tc, *tc_out;
	struct lfk_ref_tcache *rtc_out;
	struct lfk_ref_tlocal *rt_out;
	struct lfk_tcache_stats st;
	void *slot;
	int64_t v;
	int obj;
	int rc; /* a create's return, before its out-pointer is read */
};

/* A create that fails must clear its out-pointer: start from garbage. */
static void poison_outs(void *ctx)
{
	struct bad_ctx *c = ctx;
	c->t_out = (struct lfk_tlocal *)c;
	c->tc_out = (struct lfk_tcache *)c;
	c->rtc_out = (struct lfk_ref_tcache *)c;
	c->rt_out = (struct lfk_ref_tlocal *)c;
}

/* (the comma orders the call before the read of its out-pointer) */
#define CLEARED(call, out) (c->rc = (call), lfk_case_out_cleared(c->rc, (out)))
#define NO_OP(call) ((call), 0)

#define TLOCAL_BAD_CASES(X)                                                    \
	X(tlocal_create_size_0, -EINVAL,                                       \
	  CLEARED(lfk_tlocal_create(0, NULL, NULL, NULL, &c->t_out),           \
		  c->t_out))                                                   \
	X(tlocal_create_too_big, -EINVAL,                                      \
	  lfk_tlocal_create((1u << 20) + 1, NULL, NULL, NULL, &c->t_out))      \
	X(tlocal_create_out_null, -EINVAL,                                     \
	  lfk_tlocal_create(8, NULL, NULL, NULL, NULL))                        \
	X(tlocal_get_null, -EINVAL, lfk_tlocal_get(NULL, &c->slot))            \
	X(tlocal_for_each_null, -EINVAL,                                       \
	  lfk_tlocal_for_each(NULL, count_slot, NULL))                         \
	X(tlocal_destroy_null, 0, NO_OP(lfk_tlocal_destroy(NULL)))             \
	X(tlocal_for_each_fn_null, -EINVAL,                                    \
	  lfk_tlocal_for_each(c->t, NULL, NULL))                               \
	X(tlocal_get_out_null, -EINVAL, lfk_tlocal_get(c->t, NULL))            \
	X(counter_add_null, -EINVAL, lfk_counter_add(NULL, 1))                 \
	X(counter_read_null, -EINVAL, lfk_counter_read(NULL, &c->v))           \
	X(counter_reset_null, -EINVAL, lfk_counter_reset(NULL))                \
	X(counter_destroy_null, 0, NO_OP(lfk_counter_destroy(NULL)))           \
	X(ref_counter_add_null, -EINVAL, lfk_ref_counter_add(NULL, 1))         \
	X(ref_counter_read_null, -EINVAL, lfk_ref_counter_read(NULL, &c->v))   \
	X(ref_counter_reset_null, -EINVAL, lfk_ref_counter_reset(NULL))        \
	X(ref_counter_destroy_null, 0, NO_OP(lfk_ref_counter_destroy(NULL)))   \
	X(tcache_create_size_0, -EINVAL,                                       \
	  CLEARED(lfk_tcache_create(0, 0, 0, &c->tc_out), c->tc_out))          \
	X(tcache_create_obj_too_big, -EINVAL,                                  \
	  CLEARED(lfk_tcache_create(LFK_TCACHE_OBJ_MAX + 1, 0, 0, &c->tc_out), \
		  c->tc_out))                                                  \
	X(tcache_create_mag_too_big, -EINVAL,                                  \
	  CLEARED(lfk_tcache_create(16, 0, LFK_TCACHE_MAG_MAX + 1,             \
				    &c->tc_out),                               \
		  c->tc_out))                                                  \
	X(ref_tcache_create_size_0, -EINVAL,                                   \
	  CLEARED(lfk_ref_tcache_create(0, 0, 0, &c->rtc_out), c->rtc_out))    \
	X(ref_tcache_create_obj_too_big, -EINVAL,                              \
	  CLEARED(lfk_ref_tcache_create(LFK_TCACHE_OBJ_MAX + 1, 0, 0,          \
					&c->rtc_out),                          \
		  c->rtc_out))                                                 \
	X(ref_tcache_create_mag_too_big, -EINVAL,                              \
	  CLEARED(lfk_ref_tcache_create(16, 0, LFK_TCACHE_MAG_MAX + 1,         \
					&c->rtc_out),                          \
		  c->rtc_out))                                                 \
	X(tcache_create_out_null, -EINVAL, lfk_tcache_create(8, 0, 0, NULL))   \
	X(ref_tcache_create_out_null, -EINVAL,                                 \
	  lfk_ref_tcache_create(8, 0, 0, NULL))                                \
	X(counter_create_out_null, -EINVAL, lfk_counter_create(NULL))          \
	X(ref_counter_create_out_null, -EINVAL, lfk_ref_counter_create(NULL))  \
	X(ref_tlocal_create_out_null, -EINVAL,                                 \
	  lfk_ref_tlocal_create(8, NULL, NULL, NULL, NULL))                    \
	X(tcache_alloc_null, -EINVAL, lfk_tcache_alloc(NULL, &c->slot))        \
	X(tcache_free_null, -EINVAL, lfk_tcache_free(NULL, &c->obj))           \
	X(tcache_stats_null, -EINVAL, lfk_tcache_stats(NULL, &c->st))          \
	X(tcache_destroy_null, 0, NO_OP(lfk_tcache_destroy(NULL)))             \
	X(tcache_free_obj_null, -EINVAL, lfk_tcache_free(c->tc, NULL))         \
	X(tcache_stats_out_null, -EINVAL, lfk_tcache_stats(c->tc, NULL))       \
	X(ref_tcache_alloc_null, -EINVAL,                                      \
	  lfk_ref_tcache_alloc(NULL, &c->slot))                                \
	X(ref_tcache_free_null, -EINVAL, lfk_ref_tcache_free(NULL, &c->obj))   \
	X(ref_tcache_stats_null, -EINVAL, lfk_ref_tcache_stats(NULL, &c->st))  \
	X(ref_tcache_destroy_null, 0, NO_OP(lfk_ref_tcache_destroy(NULL)))     \
	X(ref_tlocal_create_size_0, -EINVAL,                                   \
	  CLEARED(lfk_ref_tlocal_create(0, NULL, NULL, NULL, &c->rt_out),      \
		  c->rt_out))                                                  \
	X(ref_tlocal_get_null, -EINVAL, lfk_ref_tlocal_get(NULL, &c->slot))    \
	X(ref_tlocal_for_each_null, -EINVAL,                                   \
	  lfk_ref_tlocal_for_each(NULL, count_slot, NULL))

#define LFK_CASE_CTX struct bad_ctx
TLOCAL_BAD_CASES(LFK_CASE_FN)

static const struct lfk_case bad_cases[] = { TLOCAL_BAD_CASES(LFK_CASE_ROW) };

/* A failing ctor fails the get, leaves no slot, and is retried. */
static void ctor_failure_is_retried(struct lfk_tlocal *t, struct tracker *tr)
{
	struct tslot *s;
	void *slot;
	long n = 0;
	tr->fail_ctor = 1;
	LFK_CHECK(lfk_tlocal_get(t, &slot) == -EBUSY && slot == NULL,
		  "get must fail with the ctor's error");
	LFK_CHECK(lfk_tlocal_for_each(t, count_slot, &n) == 0 && n == 0,
		  "no slot after a failed ctor");
	s = tl_slot(t);
	LFK_CHECK(s != NULL && s->magic == MAGIC,
		  "get after the ctor recovers");
}

int lfk_scn_bad_input(void)
{
	struct tracker *tr = tracker_new();
	struct bad_ctx c = { .t = tl_new(sizeof(struct tslot), tr),
			     .tc = tcache_new(8, 0, 0) };
	LFK_CHECK(c.t != NULL && c.tc != NULL, "create");
	if (c.t == NULL || c.tc == NULL)
		return 1;
	LFK_CHECK_CASES(bad_cases, &c, poison_outs, "tlocal");
	ctor_failure_is_retried(c.t, tr);
	lfk_tlocal_destroy(c.t);
	lfk_tcache_destroy(c.tc);
	tracker_check(tr, 1, "bad_input");
	free(tr);
	return 0;
}
