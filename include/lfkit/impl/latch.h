/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/latch.h - internals of <lfkit/latch.h>: where each of the two
 * copies lives.
 * Not part of the API: names here (lfk__*) may change in any release.
 * Included by <lfkit/latch.h> after struct lfk_latch; not on its own.
 */
#ifndef LFKIT_IMPL_LATCH_H
#define LFKIT_IMPL_LATCH_H

#include <stddef.h>
#include <stdint.h>

LFK_BEGIN_DECLS

/* Copy c & 1 of the object: the copies follow the header, stride apart. */
static inline void *lfk__latch_copy(const struct lfk_latch *l, uint64_t c)
{
	return (void *)((uintptr_t)(l + 1) +
			(size_t)(c & 1) * (size_t)l->stride);
}

LFK_END_DECLS

#endif
