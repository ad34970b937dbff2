/* SPDX-License-Identifier: MIT */
/*
 * Calls into liblfkit's exported ring symbols, not the inline versions of
 * <lfkit/ring.h>: this file declares the few it needs itself (including the
 * header would turn every name into its static inline twin), as a caller
 * from another language reaches them.
 */
#include <stddef.h>
#include <stdint.h>

#include "ring_symbol_calls.h"

struct lfk_ring_spsc;
struct lfk_ring_mpmc;
int lfk_ring_spsc_enqueue(struct lfk_ring_spsc *r, uint64_t v);
int lfk_ring_spsc_dequeue(struct lfk_ring_spsc *r, uint64_t *v);
int lfk_ring_mpmc_enqueue_rec(struct lfk_ring_mpmc *r, const void *rec);
size_t lfk_ring_mpmc_dequeue_burst(struct lfk_ring_mpmc *r, uint64_t *v,
				   size_t n);

int lfk_test_symbol_spsc_enqueue(void *r, uint64_t v)
{
	return lfk_ring_spsc_enqueue(r, v);
}

int lfk_test_symbol_spsc_dequeue(void *r, uint64_t *v)
{
	return lfk_ring_spsc_dequeue(r, v);
}

int lfk_test_symbol_mpmc_enqueue_rec(void *r, const void *rec)
{
	return lfk_ring_mpmc_enqueue_rec(r, rec);
}

size_t lfk_test_symbol_mpmc_dequeue_burst(void *r, uint64_t *v, size_t n)
{
	return lfk_ring_mpmc_dequeue_burst(r, v, n);
}
