/* SPDX-License-Identifier: MIT */
/*
 * The bad-input table of the seqlock module: a row names a call (a thunk),
 * its two arguments and the result it must give, on the primary and, when
 * the row says so, on the twin too.
 */
#ifndef LFK_TESTS_SEQLOCK_BAD_INPUT_H
#define LFK_TESTS_SEQLOCK_BAD_INPUT_H

#include <lfkit/latch.h>
#include <lfkit/ref/seqlock.h>
#include <lfkit/seqarray.h>
#include <lfkit/seqlock.h>

/* The objects the rows call, primary and twin, and memory to place them. */
struct bad_ctx {
	struct lfk_seqlock l;
	struct lfk_ref_seqlock t;
	struct lfk_seqarray *a;
	struct lfk_ref_seqarray *ta;
	struct lfk_latch *lt;
	struct lfk_ref_latch *tl;
	unsigned char *mem; /* LFK_CACHELINE-aligned, room for any of them */
	size_t sa_need, sa_tneed, la_need; /* seqarray (4, 8), latch (8) */
	uint64_t obj[8], buf[64];
};

/* Which pointer argument a row passes as NULL (or, N_MIS, misaligned). */
enum {
	N_NONE,
	N_OBJ,
	N_SHARED,
	N_PRIV,
	N_FN,
	N_MIS
};

/* A call on the primary (twin 0) or the twin (twin 1). */
typedef int (*bad_call)(struct bad_ctx *c, int twin, size_t x, size_t y);

struct bad_row {
	const char *name;
	bad_call call;
	size_t x, y;
	int want;
	int sides; /* 1: the primary's call only, 2: the twin's as well */
};

/* The rows of lfk_seqarray and its twin (seqlock_bad_seqarray.c). */
extern const struct bad_row seqarray_bad_rows[];
extern const size_t seqarray_bad_count;

#endif
