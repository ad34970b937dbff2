/* SPDX-License-Identifier: MIT */
/*
 * Checkable messages of any length for the message ring's tests and
 * benchmark.  Message `seq` of producer `id` has a length and bytes that
 * both follow from (id, seq): byte 0 is the producer's id, the others a
 * hash of (id, seq, index).  A consumer that keeps the next seq of each
 * producer checks every message it gets - order per producer, length and
 * content - so a lost, duplicated, reordered or torn message shows even
 * when it is 1 byte long.
 */
#ifndef LFK_TESTS_MSG_PAYLOAD_H
#define LFK_TESTS_MSG_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Producers a checker follows (ids 0 .. LFK_MSG_PRODUCERS - 1). */
#define LFK_MSG_PRODUCERS 64

/* The length of message seq of producer id: 1 .. max_len, mostly short,
 * one in eight anywhere up to max_len. */
size_t lfk_msg_len(unsigned id, uint64_t seq, size_t max_len);

/* Writes message seq of producer id, of length len (>= 1), to buf. */
void lfk_msg_fill(void *buf, size_t len, unsigned id, uint64_t seq);

struct lfk_msg_checker {
	size_t max_len;
	uint64_t next[LFK_MSG_PRODUCERS]; /* next seq expected per producer */
	uint64_t count, bytes;
};

void lfk_msg_checker_init(struct lfk_msg_checker *c, size_t max_len);

/* Checks one message got; false (and a failed check that says why) when
 * it is not the next message of its producer. */
bool lfk_msg_check(struct lfk_msg_checker *c, const void *buf, size_t len);

#endif
