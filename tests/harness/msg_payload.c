/* SPDX-License-Identifier: MIT */
/* Checkable messages of any length: see msg_payload.h. */
#include "msg_payload.h"

#include "lfk_test.h"

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finalizer */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t key(unsigned id, uint64_t seq)
{
	return mix((uint64_t)id << 48 ^ seq);
}

size_t lfk_msg_len(unsigned id, uint64_t seq, size_t max_len)
{
	uint64_t h = key(id, seq);
	size_t cap = (h & 7) == 0 ? max_len : (max_len < 64 ? max_len : 64);
	return 1 + (size_t)((h >> 8) % cap);
}

/* Byte i of a message whose key is k: each 8-byte block is a hash of the
 * key and the block's index, so a checker needs no copy of the message. */
static unsigned char byte_at(uint64_t k, unsigned id, size_t i, uint64_t *block)
{
	if (i == 0)
		return (unsigned char)id;
	if (i % 8 == 0 || i == 1)
		*block = mix(k + i / 8);
	return (unsigned char)(*block >> (8 * (i % 8)));
}

void lfk_msg_fill(void *buf, size_t len, unsigned id, uint64_t seq)
{
	unsigned char *p = buf;
	uint64_t k = key(id, seq) ^ 0x5555, block = 0;
	for (size_t i = 0; i < len; i++)
		p[i] = byte_at(k, id, i, &block);
}

void lfk_msg_checker_init(struct lfk_msg_checker *c, size_t max_len)
{
	*c = (struct lfk_msg_checker){ .max_len = max_len };
}

bool lfk_msg_check(struct lfk_msg_checker *c, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t seq, k, block = 0;
	unsigned id;
	if (len == 0 || p[0] >= LFK_MSG_PRODUCERS) {
		LFK_CHECK(0, "message of %zu bytes from no producer", len);
		return false;
	}
	id = p[0];
	seq = c->next[id];
	if (len != lfk_msg_len(id, seq, c->max_len)) {
		LFK_CHECK(0,
			  "producer %u message %llu: %zu bytes, expected %zu",
			  id, (unsigned long long)seq, len,
			  lfk_msg_len(id, seq, c->max_len));
		return false;
	}
	k = key(id, seq) ^ 0x5555;
	for (size_t i = 0; i < len; i++)
		if (p[i] != byte_at(k, id, i, &block)) {
			LFK_CHECK(0,
				  "producer %u message %llu: byte %zu of %zu "
				  "differs",
				  id, (unsigned long long)seq, i, len);
			return false;
		}
	c->next[id] = seq + 1;
	c->count++;
	c->bytes += len;
	return true;
}
