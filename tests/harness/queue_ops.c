/* SPDX-License-Identifier: MIT */
#include "queue_ops.h"

#include <lfkit/queue.h>
#include <lfkit/ref/queue.h>

/* The table entries of a queue type T whose calls are named P##_<op>. */
#define LFK_QUEUE_OPS_WRAPPERS(P, T)                                           \
	static void P##_destroy_any(void *q)                                   \
	{                                                                      \
		P##_destroy((T *)q);                                           \
	}                                                                      \
	static int P##_put_any(void *q, uint64_t v, uint64_t t)                \
	{                                                                      \
		return P##_put((T *)q, v, t);                                  \
	}                                                                      \
	static int P##_get_any(void *q, uint64_t *v, uint64_t t)               \
	{                                                                      \
		return P##_get((T *)q, v, t);                                  \
	}                                                                      \
	static int P##_put_rec_any(void *q, const void *rec, uint64_t t)       \
	{                                                                      \
		return P##_put_rec((T *)q, rec, t);                            \
	}                                                                      \
	static int P##_get_rec_any(void *q, void *rec, uint64_t t)             \
	{                                                                      \
		return P##_get_rec((T *)q, rec, t);                            \
	}                                                                      \
	static int P##_close_any(void *q)                                      \
	{                                                                      \
		return P##_close((T *)q);                                      \
	}                                                                      \
	static int P##_task_done_any(void *q)                                  \
	{                                                                      \
		return P##_task_done((T *)q);                                  \
	}                                                                      \
	static int P##_join_any(void *q, uint64_t t)                           \
	{                                                                      \
		return P##_join((T *)q, t);                                    \
	}                                                                      \
	static size_t P##_count_any(void *q)                                   \
	{                                                                      \
		return P##_count((T *)q);                                      \
	}                                                                      \
	static size_t P##_capacity_any(void *q)                                \
	{                                                                      \
		return P##_capacity((T *)q);                                   \
	}

#define LFK_QUEUE_OPS_ENTRIES(P)                                               \
	.destroy = P##_destroy_any, .put = P##_put_any, .get = P##_get_any,    \
	.put_rec = P##_put_rec_any, .get_rec = P##_get_rec_any,                \
	.close = P##_close_any, .task_done = P##_task_done_any,                \
	.join = P##_join_any, .count = P##_count_any,                          \
	.capacity = P##_capacity_any

LFK_QUEUE_OPS_WRAPPERS(lfk_queue, struct lfk_queue)
LFK_QUEUE_OPS_WRAPPERS(lfk_ref_queue, struct lfk_ref_queue)

#define LFK_QUEUE_CREATE(K, KIND)                                              \
	static int create_##K(size_t c, size_t e, void **out)                  \
	{                                                                      \
		return lfk_queue_create(KIND, c, e, (struct lfk_queue **)out); \
	}

LFK_QUEUE_CREATE(spsc, LFK_RING_SPSC)
LFK_QUEUE_CREATE(mpmc, LFK_RING_MPMC)
LFK_QUEUE_CREATE(lfmpmc, LFK_RING_LFMPMC)

static int create_ref(size_t c, size_t e, void **out)
{
	return lfk_ref_queue_create(c, e, (struct lfk_ref_queue **)out);
}

const struct lfk_queue_ops lfk_queue_ops_spsc = {
	.name = "queue_spsc",
	.multi = false,
	.create = create_spsc,
	LFK_QUEUE_OPS_ENTRIES(lfk_queue),
};

const struct lfk_queue_ops lfk_queue_ops_mpmc = {
	.name = "queue_mpmc",
	.multi = true,
	.create = create_mpmc,
	LFK_QUEUE_OPS_ENTRIES(lfk_queue),
};

const struct lfk_queue_ops lfk_queue_ops_lfmpmc = {
	.name = "queue_lfmpmc",
	.multi = true,
	.create = create_lfmpmc,
	LFK_QUEUE_OPS_ENTRIES(lfk_queue),
};

const struct lfk_queue_ops lfk_queue_ops_ref = {
	.name = "ref",
	.multi = true,
	.create = create_ref,
	LFK_QUEUE_OPS_ENTRIES(lfk_ref_queue),
};

const struct lfk_queue_ops *const lfk_queue_ops_all[] = {
	&lfk_queue_ops_spsc,
	&lfk_queue_ops_mpmc,
	&lfk_queue_ops_lfmpmc,
	&lfk_queue_ops_ref,
	NULL,
};
