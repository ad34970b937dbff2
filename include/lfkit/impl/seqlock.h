/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/seqlock.h - internals of <lfkit/seqlock.h>: the may_alias word
 * views and edge copies of the copy helpers, and the writer-entry step and
 * slow paths of the inline sections.
 * Not part of the API: names here (lfk__*) may change in any release.
 * Included by <lfkit/seqlock.h>; do not include it directly.
 */
#ifndef LFKIT_IMPL_SEQLOCK_H
#define LFKIT_IMPL_SEQLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lfkit/atomic.h>

LFK_BEGIN_DECLS

/* may_alias views: protected objects are of any type; the helpers read and
 * write them as 16-, 32- and 64-bit words. */
typedef uint64_t __attribute__((may_alias)) lfk__seq_u64_t;
typedef uint32_t __attribute__((may_alias)) lfk__seq_u32_t;
typedef uint16_t __attribute__((may_alias)) lfk__seq_u16_t;

/* The widest access (4, 2 or 1 bytes) that addr's alignment and the
 * remaining size allow, for the unaligned edges of a copy. */
static inline size_t lfk__seqlock_edge(const void *addr, size_t size)
{
	uintptr_t a = (uintptr_t)addr;
	if (size >= 4 && a % 4 == 0)
		return 4;
	if (size >= 2 && a % 2 == 0)
		return 2;
	return 1;
}

/* Copies one edge piece into protected memory; returns its size. */
static inline size_t lfk__seqlock_store_edge(unsigned char *d,
					     const unsigned char *s,
					     size_t size)
{
	size_t k = lfk__seqlock_edge(d, size);
	/* relaxed (release under TSan): ordered by the fence in write_begin */
	if (k == 4) {
		uint32_t w;
		memcpy(&w, s, 4);
		lfk_atomic_store_u32((lfk__seq_u32_t *)d, w,
				     LFK_STORE_AFTER_REL_FENCE);
	} else if (k == 2) {
		uint16_t w;
		memcpy(&w, s, 2);
		lfk_atomic_store_u16((lfk__seq_u16_t *)d, w,
				     LFK_STORE_AFTER_REL_FENCE);
	} else {
		lfk_atomic_store_u8(d, *s, LFK_STORE_AFTER_REL_FENCE);
	}
	return k;
}

/* Out of line: waits (spins, then yields) until seq is even; returns it. */
uint64_t lfk__seqlock_wait_even(const uint64_t *seq);

/*
 * Tries once to enter a write section from the even value s: on success the
 * sequence is s + 1 (odd) and the caller is the one writer inside.
 * acq_rel: acquire so that the previous writer's stores happen before ours;
 * release so that a reader who loads the odd value also sees everything
 * before it (the two-copy latch relies on this, a plain seqlock reader only
 * waits on odd values).
 */
static inline bool lfk__seqlock_enter(uint64_t *seq, uint64_t *s)
{
	if (*s & 1)
		return false;
	return lfk_atomic_cas_u64(seq, s, *s + 1, LFK_ACQ_REL);
}

/* Out of line: waits until the writer side is free and takes it. */
void lfk__seqlock_wait_enter(uint64_t *seq);

LFK_END_DECLS

#endif
