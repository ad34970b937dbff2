/*
 * lfkit/counter.h - a sharded counter.
 *
 * The pattern it replaces: one shared integer behind a lock (or one shared
 * atomic that every thread fetch-adds), where every increment fights over
 * the same cache line.  Here each thread adds to a shard of its own (a slot
 * of an lfk_tlocal, alone on its cache line), and a read sums the shards.
 *
 *     struct lfk_counter *hits = lfk_counter_create();
 *     lfk_counter_add(hits, 1);              // any thread, any time
 *     int64_t total = lfk_counter_read(hits);
 *     lfk_counter_destroy(hits);
 *
 * Only the shard's owner writes it, so an add is a relaxed load and a
 * relaxed store (no read-modify-write); readers load shards relaxed, which
 * is race-free.  Each thread remembers the shard of the counter it added to
 * last (keyed by the counter's serial number, never reused, so a counter
 * created at a destroyed one's address cannot hit a stale entry): an add
 * to that counter finds its shard with two thread-local loads.  When a thread exits, its shard is folded into a shared
 * total with one atomic add: no count is ever lost.
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

struct lfk_counter;

/* Returns a counter at 0, or NULL with errno ENOMEM.  Blocking. */
struct lfk_counter *lfk_counter_create(void);

/* Frees the counter and every shard.  No thread may use it any more; NULL
 * is ignored.  Blocking. */
void lfk_counter_destroy(struct lfk_counter *c);

/*
 * The sum of every add since creation or the last reset.  Exact when no
 * thread is adding or exiting meanwhile; otherwise some value the counter
 * went through, give or take the adds in flight.  An exiting thread's
 * shard counts until its value is in the shared total (both change under
 * the registry lock a read holds), so with non-negative adds a read is
 * never below an earlier read, thread exits included.  Returns 0 for NULL.
 * Blocking (the shard registry's lock), O(threads that used the counter).
 */
int64_t lfk_counter_read(struct lfk_counter *c);

/*
 * Sets the counter back to 0: later reads count only the adds that follow.
 * Shards are not written (their owners are their only writers); the current
 * sum becomes the new base.  Adds concurrent with a reset may fall on either
 * side of it.  Returns 0, or -EINVAL for NULL.  Blocking.
 */
int lfk_counter_reset(struct lfk_counter *c);

/* Out-of-line part of lfk_counter_add (first add of a thread, errors). */
void lfk_counter_add_slow(struct lfk_counter *c, int64_t n);

/* ---- private: what the inline fast path needs ---------------------------- */
struct lfk_counter_hdr {
	struct lfk_tlocal *shards; /* slots: one uint64_t each */
	uint64_t serial;	   /* unique, never 0: keys lfk__counter_last */
};

/* The calling thread's shard of the counter it added to last. */
struct lfk__counter_last {
	uint64_t serial; /* 0: none */
	uint64_t *shard;
};
extern __thread struct lfk__counter_last lfk__counter_last
	__attribute__((tls_model("initial-exec")));

/* Adds n to a shard: only its owner thread writes it, so a relaxed load and
 * a relaxed store (readers load it relaxed: race-free). */
static inline void lfk__counter_bump(uint64_t *shard, int64_t n)
{
	uint64_t v = lfk_atomic_load_u64(shard, LFK_RELAXED);
	lfk_atomic_store_u64(shard, v + (uint64_t)n, LFK_RELAXED);
}

/* The calling thread's shard of the counter behind h, created on its first
 * add, remembered as its last-used one; NULL if it cannot be created. */
static inline uint64_t *lfk__counter_find(const struct lfk_counter_hdr *h)
{
	uint64_t *shard = (uint64_t *)lfk_tlocal_get(h->shards);
	if (__builtin_expect(shard != NULL, 1)) {
		lfk__counter_last.serial = h->serial;
		lfk__counter_last.shard = shard;
	}
	return shard;
}

/*
 * Adds n (may be negative).  NULL is ignored.
 * Wait-free after the calling thread's first add to c: a load and a store on
 * the thread's own cache line, found with two thread-local loads when c is
 * the counter the thread added to last, else through its lfk_tlocal slot.
 * The first add is blocking (it creates the shard).  If the shard cannot be
 * created (out of memory), the add goes into a shared atomic total
 * instead: never lost.
 */
LFK__COUNTER_API void lfk_counter_add(struct lfk_counter *c, int64_t n)
{
	if (__builtin_expect(c != NULL, 1)) {
		const struct lfk_counter_hdr *h =
			(const struct lfk_counter_hdr *)(const void *)c;
		uint64_t *shard;
		if (__builtin_expect(lfk__counter_last.serial == h->serial, 1)) {
			lfk__counter_bump(lfk__counter_last.shard, n);
			return;
		}
		shard = lfk__counter_find(h);
		if (__builtin_expect(shard != NULL, 1)) {
			lfk__counter_bump(shard, n);
			return;
		}
	}
	lfk_counter_add_slow(c, n);
}

#endif
