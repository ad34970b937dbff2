/* SPDX-License-Identifier: MIT */
/*
 * lfkit/counter.h - a sharded counter.
 *
 * The pattern it replaces: one shared integer behind a lock (or one shared
 * atomic that every thread fetch-adds), where every increment fights over
 * the same cache line.  Here each thread adds to a shard of its own (a slot
 * of an lfk_tlocal, alone on its cache line), and a read sums the shards.
 *
 *     struct lfk_counter *hits;
 *     lfk_counter_create(&hits);
 *     lfk_counter_add(hits, 1);              // any thread, any time
 *     int64_t total;
 *     lfk_counter_read(hits, &total);
 *     lfk_counter_destroy(hits);
 *
 * Only the shard's owner writes it, so an add is a relaxed load and a
 * relaxed store (no read-modify-write); readers load shards relaxed, which
 * is race-free.  Each thread remembers the shard of the counter it added to
 * last (keyed by the counter's serial number, never reused, so a counter
 * created at a destroyed one's address cannot hit a stale entry): an add
 * to that counter finds its shard with two thread-local loads.  When a
 * thread exits, its shard is folded into a shared total with one atomic
 * add: no count is ever lost.
 *
 * Arithmetic wraps modulo 2^64 (read as int64_t).
 */
#ifndef LFKIT_COUNTER_H
#define LFKIT_COUNTER_H

#include <stdint.h>

#include <lfkit/atomic.h>
#include <lfkit/tlocal.h>

/* The calls defined in this header are static inline; lib/counter_symbols.c
 * defines LFK__COUNTER_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__COUNTER_API
#define LFK__COUNTER_API static inline
#endif

LFK_BEGIN_DECLS

struct lfk_counter;

/* Creates a counter at 0 into *out (NULL on failure).  Returns 0, -EINVAL
 * (out NULL) or -ENOMEM.  Blocking. */
int lfk_counter_create(struct lfk_counter **out);

/* Frees the counter and every shard.  No thread may use it any more; NULL
 * is ignored.  Blocking. */
void lfk_counter_destroy(struct lfk_counter *c);

/*
 * The sum of every add since creation or the last reset.  Exact when no
 * thread is adding or exiting meanwhile; otherwise some value the counter
 * went through, give or take the adds in flight.  An exiting thread's
 * shard counts until its value is in the shared total (both change under
 * the registry lock a read holds), so with non-negative adds a read is
 * never below an earlier read, thread exits included.  Stores the sum in
 * *value and returns 0, or returns -EINVAL (c or value NULL).
 * Blocking (the shard registry's lock), O(threads that used the counter).
 */
int lfk_counter_read(struct lfk_counter *c, int64_t *value);

/*
 * Sets the counter back to 0: later reads count only the adds that follow.
 * Shards are not written (their owners are their only writers); the current
 * sum becomes the new base.  Adds concurrent with a reset may fall on either
 * side of it.  Returns 0, or -EINVAL for NULL.  Blocking.
 */
int lfk_counter_reset(struct lfk_counter *c);

#include <lfkit/impl/counter.h>

/*
 * lfk_counter_add: adds n (may be negative).  Returns 0, or -EINVAL (c
 * NULL).
 * Wait-free after the calling thread's first add to c: a load and a store on
 * the thread's own cache line, found with two thread-local loads when c is
 * the counter the thread added to last, else through its lfk_tlocal slot.
 * The first add is blocking (it creates the shard).  If the shard cannot be
 * created (out of memory), the add goes into a shared atomic total
 * instead: never lost.
 */
LFK__COUNTER_API int lfk_counter_add(struct lfk_counter *c, int64_t n)
{
	if (__builtin_expect(c != NULL, 1)) {
		const struct lfk__counter_hdr *h =
			(const struct lfk__counter_hdr *)(const void *)c;
		uint64_t *shard;
		if (__builtin_expect(lfk__counter_last.serial == h->serial,
				     1)) {
			lfk__counter_bump(lfk__counter_last.shard, n);
			return 0;
		}
		shard = lfk__counter_find(h);
		if (__builtin_expect(shard != NULL, 1)) {
			lfk__counter_bump(shard, n);
			return 0;
		}
	}
	return lfk__counter_add_slow(c, n);
}

LFK_END_DECLS

#endif
