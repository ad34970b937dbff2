/* SPDX-License-Identifier: MIT */
/* The exported ring symbols, reached past the inline versions (see
 * ring_symbol_calls.c); rings passed as void * on purpose: the tests hand
 * them rings of the wrong kind. */
#ifndef LFK_TESTS_RING_SYMBOL_CALLS_H
#define LFK_TESTS_RING_SYMBOL_CALLS_H

#include <stddef.h>
#include <stdint.h>

int lfk_test_symbol_spsc_enqueue(void *r, uint64_t v);
int lfk_test_symbol_spsc_dequeue(void *r, uint64_t *v);
int lfk_test_symbol_mpmc_enqueue_rec(void *r, const void *rec);
size_t lfk_test_symbol_mpmc_dequeue_burst(void *r, uint64_t *v, size_t n);

#endif
