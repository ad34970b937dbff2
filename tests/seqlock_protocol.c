/* SPDX-License-Identifier: MIT */
/*
 * The seqlock protocol one step at a time, on lfk_seqlock and its rwlock
 * twin: the sequence inside and after sections, try_begin, abort, and
 * copies of every size at every offset.
 */
#include <lfkit/ref/seqlock.h>
#include <lfkit/seqlock.h>
#include <string.h>

#include "seqlock_helpers.h"
#include "seqlock_scenarios.h"

/* The sequence through sections, try_begin, end, abort and single-writer
 * sections, and the retries it makes a reader take. */
static void protocol_sections(struct lfk_seqlock *l)
{
	uint64_t s;
	LFK_CHECK(lfk_seqlock_sequence(l) == 0, "initial sequence");
	s = lfk_seqlock_read_begin(l);
	LFK_CHECK(s == 0 && !lfk_seqlock_read_retry(l, s), "quiet read");
	LFK_CHECK(lfk_seqlock_write_try_begin(l) == 0, "try_begin free");
	LFK_CHECK(lfk_seqlock_sequence(l) == 1, "odd inside");
	LFK_CHECK(lfk_seqlock_write_try_begin(l) == -EAGAIN, "try_begin held");
	LFK_CHECK(lfk_seqlock_read_retry(l, s), "reader must retry");
	LFK_CHECK(lfk_seqlock_write_end(l) == 0 && lfk_seqlock_sequence(l) == 2,
		  "write_end");
	LFK_CHECK(lfk_seqlock_read_retry(l, s),
		  "reader must retry after write");
	LFK_CHECK(lfk_seqlock_write_end(l) == -EINVAL, "end unheld");
	LFK_CHECK(lfk_seqlock_write_abort(l) == -EINVAL, "abort unheld");
	s = lfk_seqlock_read_begin(l);
	lfk_seqlock_write_begin(l);
	LFK_CHECK(lfk_seqlock_write_abort(l) == 0 &&
			  lfk_seqlock_sequence(l) == 2,
		  "abort restores");
	LFK_CHECK(!lfk_seqlock_read_retry(l, s), "abort needs no retry");
	lfk_seqlock_write_begin_single(l);
	LFK_CHECK(lfk_seqlock_write_end(l) == 0 && lfk_seqlock_sequence(l) == 4,
		  "single writer");
}

/* Shared words of the copy test, and the private buffers around them. */
struct copy_bufs {
	uint64_t shared[80], tshared[80];
	unsigned char src[300], dst[300], tdst[300];
};

/* One copy of `size` bytes at shared offset `off`, through the seqlock and
 * its twin, to and from private buffers misaligned by (size + off) % 3;
 * the bytes around must stay untouched. */
static void copy_one(struct lfk_seqlock *l, struct lfk_ref_seqlock *t,
		     struct lfk_rng *rng, struct copy_bufs *b, size_t size,
		     size_t off)
{
	size_t mis = (size + off) % 3;
	unsigned char *sh = (unsigned char *)b->shared + 8 + off;
	unsigned char *tsh = (unsigned char *)b->tshared + 8 + off;
	memset(b->shared, 0xa5, sizeof(b->shared));
	memset(b->tshared, 0xa5, sizeof(b->tshared));
	memset(b->dst, 0x5a, sizeof(b->dst));
	memset(b->tdst, 0x5a, sizeof(b->tdst));
	fill_random(rng, b->src, sizeof(b->src));
	LFK_CHECK(lfk_seqlock_write(l, sh, b->src + mis, size) == 0 &&
			  lfk_ref_seqlock_write(t, tsh, b->src + mis, size) ==
				  0,
		  "write size %zu off %zu", size, off);
	LFK_CHECK(memcmp(b->shared, b->tshared, sizeof(b->shared)) == 0,
		  "shared bytes differ from the twin's, size %zu off %zu", size,
		  off);
	LFK_CHECK(lfk_seqlock_read(l, b->dst + mis, sh, size) == 0 &&
			  lfk_ref_seqlock_read(t, b->tdst + mis, tsh, size) ==
				  0,
		  "read size %zu off %zu", size, off);
	LFK_CHECK(memcmp(b->dst, b->tdst, sizeof(b->dst)) == 0 &&
			  memcmp(b->dst + mis, b->src + mis, size) == 0,
		  "read back differs, size %zu off %zu", size, off);
}

/* Copies of every size from 1 to 256 bytes, at every shared offset within
 * a 16-byte span. */
static void copy_sizes(struct lfk_seqlock *l, struct lfk_ref_seqlock *t)
{
	struct lfk_rng rng;
	struct copy_bufs b;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (size_t size = 1; size <= 256 && !lfk_failures(); size++)
		for (size_t off = 0; off < 16; off++)
			copy_one(l, t, &rng, &b, size, off);
}

/* The twin's section protocol. */
static void twin_sections(struct lfk_ref_seqlock *t)
{
	uint64_t s = lfk_ref_seqlock_read_begin(t);
	LFK_CHECK(!lfk_ref_seqlock_read_retry(t, s), "twin read");
	LFK_CHECK(lfk_ref_seqlock_write_try_begin(t) == 0, "twin try_begin");
	LFK_CHECK(lfk_ref_seqlock_write_try_begin(t) == -EAGAIN, "twin held");
	LFK_CHECK(lfk_ref_seqlock_write_end(t) == 0, "twin end");
	LFK_CHECK(lfk_ref_seqlock_write_end(t) == -EINVAL, "twin end unheld");
}

int lfk_scn_seqlock_protocol(void)
{
	struct lfk_seqlock l = LFK_SEQLOCK_INIT;
	struct lfk_ref_seqlock t;
	protocol_sections(&l);
	LFK_CHECK(lfk_ref_seqlock_init(&t, LFK_REF_RWLOCK) == 0, "twin init");
	copy_sizes(&l, &t);
	twin_sections(&t);
	lfk_ref_seqlock_fini(&t);
	return 0;
}
