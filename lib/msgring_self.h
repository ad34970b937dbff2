/* SPDX-License-Identifier: MIT */
/*
 * lib/msgring_self.h - the message ring's internal calls shared by its
 * files: the owner word a claim records, and the consumer's view of the
 * records at head (internal, not installed).
 */
#ifndef LFKIT_LIB_MSGRING_SELF_H
#define LFKIT_LIB_MSGRING_SELF_H

#include <lfkit/msgring.h>
#include <stdbool.h>

#include "msgring_layout.h"

/* This process as a claim records it: start time (low 32 bits, clock ticks
 * after boot) << 32 | pid.  Cached; renewed in a child after fork. */
uint64_t lfk__msg_self(void);

/* Whether the owner word of a claim names a process that is gone. */
bool lfk__msg_owner_gone(uint64_t owner);

/*
 * Walks from position `from` (head, or past a message already taken) over
 * padding to the next record: 0 with *at its position and *word its header
 * when it is a committed message, -EAGAIN when the record at *at is not
 * committed (*word as read), -EPROTO when a header is out of bounds.
 */
int lfk__msgring_peek(const struct lfk_msgring *r, uint64_t from, uint64_t *at,
		      uint64_t *word);

/* The header of the record at position pos: its state word, then the
 * owner word. */
static inline uint64_t *lfk__msg_header(const struct lfk_msgring *r,
					uint64_t pos)
{
	return (uint64_t *)((char *)r + r->hdr.data_off +
			    lfk__msg_off(pos, r->hdr.bytes));
}

/* The consumer's head. */
uint64_t lfk__msgring_head(const struct lfk_msgring *r);

/* Frees everything before position `to` (padding passed, messages taken)
 * and wakes sleeping producers; nothing when head is already there. */
void lfk__msgring_free_to(struct lfk_msgring *r, uint64_t to);

#endif
