/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/eventcount.h - internals of <lfkit/eventcount.h>: the halves
 * of the eventcount word and the notify slow path.
 * Not part of the API: names here (lfk__*) may change in any release.
 * Included by <lfkit/eventcount.h>; do not include it directly.
 */
#ifndef LFKIT_IMPL_EVENTCOUNT_H
#define LFKIT_IMPL_EVENTCOUNT_H

#include <stdint.h>

LFK_BEGIN_DECLS

struct lfk_eventcount;

static inline uint32_t lfk__ec_epoch(uint64_t word)
{
	return (uint32_t)(word >> 32);
}

static inline uint32_t lfk__ec_waiters(uint64_t word)
{
	return (uint32_t)word;
}

/* The epoch half of the word, as the 32-bit futex word the kernel sees. */
static inline uint32_t *lfk__ec_futex(struct lfk_eventcount *ec)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint32_t *)&ec->word + 1;
#else
	return (uint32_t *)&ec->word;
#endif
}

/* Claims every registered waiter (epoch + 1, count 0) and wakes them.  The
 * slow half of notify, for a word w that showed waiters. */
void lfk__eventcount_wake(struct lfk_eventcount *ec, uint64_t w);

LFK_END_DECLS

#endif
