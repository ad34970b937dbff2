/* SPDX-License-Identifier: MIT */
#include "ring_ops.h"
#include "ring_pump.h"

#include <errno.h>
#include <lfkit/ref/ring.h>
#include <lfkit/ring.h>
#include <stdlib.h>

/* The table entries of a ring type T whose calls are named P##_<op>. */
#define LFK_RING_OPS_WRAPPERS(P, T)                                            \
	static void P##_destroy_any(void *r)                                   \
	{                                                                      \
		P##_destroy((T *)r);                                           \
	}                                                                      \
	static int P##_enqueue_any(void *r, uint64_t v)                        \
	{                                                                      \
		return P##_enqueue((T *)r, v);                                 \
	}                                                                      \
	static int P##_dequeue_any(void *r, uint64_t *v)                       \
	{                                                                      \
		return P##_dequeue((T *)r, v);                                 \
	}                                                                      \
	static size_t P##_enqueue_burst_any(void *r, const uint64_t *v,        \
					    size_t n)                          \
	{                                                                      \
		return P##_enqueue_burst((T *)r, v, n);                        \
	}                                                                      \
	static size_t P##_dequeue_burst_any(void *r, uint64_t *v, size_t n)    \
	{                                                                      \
		return P##_dequeue_burst((T *)r, v, n);                        \
	}                                                                      \
	static int P##_enqueue_rec_any(void *r, const void *rec)               \
	{                                                                      \
		return P##_enqueue_rec((T *)r, rec);                           \
	}                                                                      \
	static int P##_dequeue_rec_any(void *r, void *rec)                     \
	{                                                                      \
		return P##_dequeue_rec((T *)r, rec);                           \
	}                                                                      \
	static size_t P##_enqueue_burst_rec_any(void *r, const void *recs,     \
						size_t n)                      \
	{                                                                      \
		return P##_enqueue_burst_rec((T *)r, recs, n);                 \
	}                                                                      \
	static size_t P##_dequeue_burst_rec_any(void *r, void *recs, size_t n) \
	{                                                                      \
		return P##_dequeue_burst_rec((T *)r, recs, n);                 \
	}                                                                      \
	static size_t P##_count_any(void *r)                                   \
	{                                                                      \
		return P##_count((T *)r);                                      \
	}                                                                      \
	static size_t P##_capacity_any(void *r)                                \
	{                                                                      \
		return P##_capacity((T *)r);                                   \
	}

#define LFK_RING_OPS_ENTRIES(P)                                                \
	.destroy = P##_destroy_any, .enqueue = P##_enqueue_any,                \
	.dequeue = P##_dequeue_any, .enqueue_burst = P##_enqueue_burst_any,    \
	.dequeue_burst = P##_dequeue_burst_any,                                \
	.enqueue_rec = P##_enqueue_rec_any,                                    \
	.dequeue_rec = P##_dequeue_rec_any,                                    \
	.enqueue_burst_rec = P##_enqueue_burst_rec_any,                        \
	.dequeue_burst_rec = P##_dequeue_burst_rec_any,                        \
	.count = P##_count_any, .capacity = P##_capacity_any,                  \
	.pump = &P##_pump

#define LFK_RING_OPS_LFK(K)                                                    \
	LFK_RING_OPS_WRAPPERS(lfk_ring_##K, struct lfk_ring_##K)               \
	static int lfk_ring_##K##_create_any(size_t c, size_t e, void **out)   \
	{                                                                      \
		return lfk_ring_##K##_create(c, e,                             \
					     (struct lfk_ring_##K **)out);     \
	}                                                                      \
	static int lfk_ring_##K##_create_at_any(size_t c, size_t e,            \
						uint64_t first, void **out)    \
	{                                                                      \
		size_t bytes = lfk_ring_##K##_size(c, e);                      \
		void *mem;                                                     \
		int rc;                                                        \
		*out = NULL;                                                   \
		if (bytes == 0)                                                \
			return -EINVAL;                                        \
		mem = aligned_alloc(LFK_RING_ALIGN, bytes);                    \
		if (mem == NULL)                                               \
			return -ENOMEM;                                        \
		rc = lfk_ring_##K##_init_at(mem, c, e, first);                 \
		if (rc != 0)                                                   \
			free(mem);                                             \
		else                                                           \
			*out = mem;                                            \
		return rc;                                                     \
	}

/* The pump of a ring whose u64 calls are named P##_<op>. */
#define LFK_RING_OPS_PUMP(P, T)                                                \
	LFK_RING_PUMP_DEFINE(P, T, P##_enqueue, P##_dequeue,                   \
			     P##_enqueue_burst, P##_dequeue_burst, NULL)

LFK_RING_OPS_LFK(spsc)
LFK_RING_OPS_LFK(mpmc)
LFK_RING_OPS_LFK(lfmpmc)
LFK_RING_OPS_WRAPPERS(lfk_ref_ring, struct lfk_ref_ring)
LFK_RING_OPS_PUMP(lfk_ring_spsc, struct lfk_ring_spsc)
LFK_RING_OPS_PUMP(lfk_ring_mpmc, struct lfk_ring_mpmc)
LFK_RING_OPS_PUMP(lfk_ring_lfmpmc, struct lfk_ring_lfmpmc)
LFK_RING_OPS_PUMP(lfk_ref_ring, struct lfk_ref_ring)

static int ref_create_any(size_t c, size_t e, void **out)
{
	return lfk_ref_ring_create(c, e, (struct lfk_ref_ring **)out);
}

static int ref_create_at_any(size_t c, size_t e, uint64_t first, void **out)
{
	(void)first;
	return ref_create_any(c, e, out);
}

const struct lfk_ring_ops lfk_ring_ops_spsc = {
	.name = "spsc",
	.multi = false,
	.create = lfk_ring_spsc_create_any,
	.create_at = lfk_ring_spsc_create_at_any,
	LFK_RING_OPS_ENTRIES(lfk_ring_spsc),
};

const struct lfk_ring_ops lfk_ring_ops_mpmc = {
	.name = "mpmc",
	.multi = true,
	.create = lfk_ring_mpmc_create_any,
	.create_at = lfk_ring_mpmc_create_at_any,
	LFK_RING_OPS_ENTRIES(lfk_ring_mpmc),
};

const struct lfk_ring_ops lfk_ring_ops_lfmpmc = {
	.name = "lfmpmc",
	.multi = true,
	.create = lfk_ring_lfmpmc_create_any,
	.create_at = lfk_ring_lfmpmc_create_at_any,
	LFK_RING_OPS_ENTRIES(lfk_ring_lfmpmc),
};

const struct lfk_ring_ops lfk_ring_ops_ref = {
	.name = "ref",
	.multi = true,
	.create = ref_create_any,
	.create_at = ref_create_at_any,
	LFK_RING_OPS_ENTRIES(lfk_ref_ring),
};

/* The generic handle (struct lfk_ring, <lfkit/ring.h>) over each kind: the
 * same table, so every test that takes a table runs it too. */
LFK_RING_OPS_WRAPPERS(lfk_ring, struct lfk_ring)
LFK_RING_OPS_PUMP(lfk_ring, struct lfk_ring)

#define LFK_RING_OPS_ANY(K, KIND)                                              \
	static int any_##K##_create(size_t c, size_t e, void **out)            \
	{                                                                      \
		return lfk_ring_create(KIND, c, e, (struct lfk_ring **)out);   \
	}                                                                      \
	static int any_##K##_create_at(size_t c, size_t e, uint64_t first,     \
				       void **out)                             \
	{                                                                      \
		int rc = lfk_ring_##K##_create_at_any(c, e, first, out);       \
		if (rc == 0)                                                   \
			*out = lfk_ring_from_##K((struct lfk_ring_##K *)*out); \
		return rc;                                                     \
	}                                                                      \
	const struct lfk_ring_ops lfk_ring_ops_any_##K = {                     \
		.name = "any_" #K,                                             \
		.multi = (KIND) != LFK_RING_SPSC,                              \
		.create = any_##K##_create,                                    \
		.create_at = any_##K##_create_at,                              \
		LFK_RING_OPS_ENTRIES(lfk_ring),                                \
	};

LFK_RING_OPS_ANY(spsc, LFK_RING_SPSC)
LFK_RING_OPS_ANY(mpmc, LFK_RING_MPMC)
LFK_RING_OPS_ANY(lfmpmc, LFK_RING_LFMPMC)
