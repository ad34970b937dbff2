/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/seqarray.h - internals of <lfkit/seqarray.h>: the element slot
 * layout the inline read and write use.
 * Not part of the API: names here (lfk__*) may change in any release.
 * Included by <lfkit/seqarray.h> after struct lfk_seqarray; not on its own.
 */
#ifndef LFKIT_IMPL_SEQARRAY_H
#define LFKIT_IMPL_SEQARRAY_H

#include <stddef.h>
#include <stdint.h>

LFK_BEGIN_DECLS

struct lfk__seqarray_slot {
	struct lfk_seqlock lock;
	uint64_t data[]; /* elem_size bytes */
};

static inline struct lfk__seqarray_slot *lfk__seqarray_slot_at(
	const struct lfk_seqarray *a, size_t i)
{
	return (struct lfk__seqarray_slot *)((uintptr_t)(a + 1) +
					     i * (size_t)a->stride);
}

LFK_END_DECLS

#endif
