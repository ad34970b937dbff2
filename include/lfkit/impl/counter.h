/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/counter.h - internals of <lfkit/counter.h>: the counter
 * header, the thread's last-used shard and the steps of the inline
 * lfk_counter_add, and its out-of-line part.
 * Not part of the API: names here (lfk__*) may change in any release.
 * Included by <lfkit/counter.h>; do not include it directly.
 */
#ifndef LFKIT_IMPL_COUNTER_H
#define LFKIT_IMPL_COUNTER_H

#include <stdint.h>

#include <lfkit/atomic.h>
#include <lfkit/tlocal.h>

LFK_BEGIN_DECLS

struct lfk_counter;

struct lfk__counter_hdr {
	struct lfk_tlocal *shards; /* slots: one uint64_t each */
	uint64_t serial; /* unique, never 0: keys lfk__counter_last */
};

/* The calling thread's shard of the counter it added to last. */
struct lfk__counter_last {
	uint64_t serial; /* 0: none */
	uint64_t *shard;
};
extern __thread struct lfk__counter_last lfk__counter_last
	__attribute__((tls_model("initial-exec")));

/* Adds n to a shard: only its owner thread writes it, so a relaxed load and
 * a relaxed store (readers load it relaxed: race-free). */
static inline void lfk__counter_bump(uint64_t *shard, int64_t n)
{
	uint64_t v = lfk_atomic_load_u64(shard, LFK_RELAXED);
	lfk_atomic_store_u64(shard, v + (uint64_t)n, LFK_RELAXED);
}

/* The calling thread's shard of the counter behind h, created on its first
 * add, remembered as its last-used one; NULL if it cannot be created. */
static inline uint64_t *lfk__counter_find(const struct lfk__counter_hdr *h)
{
	void *shard;
	if (__builtin_expect(lfk_tlocal_get(h->shards, &shard) != 0, 0))
		return NULL;
	lfk__counter_last.serial = h->serial;
	lfk__counter_last.shard = (uint64_t *)shard;
	return (uint64_t *)shard;
}

/* Out-of-line part of lfk_counter_add (first add of a thread, errors);
 * returns as lfk_counter_add. */
int lfk__counter_add_slow(struct lfk_counter *c, int64_t n);

LFK_END_DECLS

#endif
