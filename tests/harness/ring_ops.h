/* SPDX-License-Identifier: MIT */
/*
 * One operations table over every ring and its mutex twin, so that tests
 * and benchmarks run the same code against all of them: tests call the
 * per-operation entries, benchmarks the pump (ring_pump.h), whose loops have
 * the ring's inline operations compiled in.
 */
#ifndef LFK_TESTS_RING_OPS_H
#define LFK_TESTS_RING_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lfk_ring_pump;

struct lfk_ring_ops {
	const char *name; /* "spsc", "mpmc", "lfmpmc", "ref" */
	bool multi; /* several producers and consumers allowed */
	int (*create)(size_t capacity, size_t elem_size, void **out);
	/* Indices start at first_index (wrap-around tests); the twin has no
	 * free-running indices and ignores it. */
	int (*create_at)(size_t capacity, size_t elem_size,
			 uint64_t first_index, void **out);
	void (*destroy)(void *r);
	int (*enqueue)(void *r, uint64_t v);
	int (*dequeue)(void *r, uint64_t *v);
	size_t (*enqueue_burst)(void *r, const uint64_t *v, size_t n);
	size_t (*dequeue_burst)(void *r, uint64_t *v, size_t n);
	int (*enqueue_rec)(void *r, const void *rec);
	int (*dequeue_rec)(void *r, void *rec);
	size_t (*enqueue_burst_rec)(void *r, const void *recs, size_t n);
	size_t (*dequeue_burst_rec)(void *r, void *recs, size_t n);
	size_t (*count)(void *r);
	size_t (*capacity)(void *r);
	/* Producer, consumer and pair loops over the u64 calls. */
	const struct lfk_ring_pump *pump;
};

extern const struct lfk_ring_ops lfk_ring_ops_spsc;
extern const struct lfk_ring_ops lfk_ring_ops_mpmc;
extern const struct lfk_ring_ops lfk_ring_ops_lfmpmc;
extern const struct lfk_ring_ops lfk_ring_ops_ref;
/* The generic handle, struct lfk_ring, over a ring of each kind. */
extern const struct lfk_ring_ops lfk_ring_ops_any_spsc;
extern const struct lfk_ring_ops lfk_ring_ops_any_mpmc;
extern const struct lfk_ring_ops lfk_ring_ops_any_lfmpmc;

#endif
