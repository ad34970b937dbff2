/* SPDX-License-Identifier: MIT */
/*
 * lib/msgring_layout.h - the record format of <lfkit/msgring.h> and the
 * rule that places a claim, shared by the ring and its mutex twin so that
 * both accept and refuse exactly the same claims (internal, not installed).
 */
#ifndef LFKIT_LIB_MSGRING_LAYOUT_H
#define LFKIT_LIB_MSGRING_LAYOUT_H

#include <lfkit/msgring.h>
#include <stdbool.h>

/* Header states; 0 is never written (zeroed memory is no header). */
#define LFK__MSG_CLAIMED 1u
#define LFK__MSG_COMMITTED 2u
#define LFK__MSG_PAD 3u /* length field: the record's size / 16 */

#define LFK__MSG_LEN_MASK ((1u << 30) - 1)

static inline uint32_t lfk__msg_tag(uint64_t pos)
{
	return (uint32_t)(pos / LFK_MSGRING_HDR);
}

static inline uint64_t lfk__msg_word(uint64_t pos, uint32_t state, uint32_t len)
{
	return (uint64_t)lfk__msg_tag(pos) << 32 | (uint64_t)state << 30 | len;
}

static inline uint32_t lfk__msg_word_tag(uint64_t w)
{
	return (uint32_t)(w >> 32);
}

static inline uint32_t lfk__msg_word_state(uint64_t w)
{
	return (uint32_t)(w >> 30) & 3u;
}

static inline uint32_t lfk__msg_word_len(uint64_t w)
{
	return (uint32_t)w & LFK__MSG_LEN_MASK;
}

/* The offset of position pos in a data space of `bytes`: pos modulo bytes,
 * rounded down to a header (positions are multiples of 16 in a sound ring;
 * a damaged one stays within the data space all the same). */
static inline uint64_t lfk__msg_off(uint64_t pos, uint64_t bytes)
{
	return pos & (bytes - LFK_MSGRING_HDR);
}

/* The size of the record of a len-byte message (len <= max_msg). */
static inline uint64_t lfk__msg_record(uint64_t len)
{
	return LFK_MSGRING_HDR +
	       ((len + LFK_MSGRING_HDR - 1) & ~(uint64_t)(LFK_MSGRING_HDR - 1));
}

/*
 * Where a claim of a record of `size` bytes goes when tail and head are as
 * given, in a data space of `bytes`: *take is what to move tail by.
 *   0        the record fits at tail (*take == size);
 *   1        it does not fit before the end: claim the *take bytes up to
 *            the end as padding first, then claim again;
 *   -EAGAIN  no room for what must be taken now.
 */
static inline int lfk__msg_place(uint64_t tail, uint64_t head, uint64_t bytes,
				 uint64_t size, uint64_t *take)
{
	uint64_t off = lfk__msg_off(tail, bytes), room = bytes - (tail - head);
	int pad = off + size > bytes;
	*take = pad ? bytes - off : size;
	return *take <= room ? pad : -EAGAIN;
}

/*
 * create for the ring and its twin, through lfk__create: allocates `total`
 * bytes aligned to LFK_CACHELINE and lays the ring out with init; 0, or
 * -EINVAL (out NULL, total 0, LFK_MSGRING_SHARED in flags), -ENOMEM, or
 * init's error.
 */
int lfk__msgring_alloc(size_t total, size_t bytes, unsigned flags,
		       int (*init)(void *mem, size_t bytes, unsigned flags),
		       void **out);

#endif
