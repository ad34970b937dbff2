/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ring.h - bounded FIFO ring queues.
 *
 * Three rings share one API shape:
 *
 *   lfk_ring_spsc    one producer, one consumer.  Every operation is
 *                    wait-free.  Never reports full or empty spuriously.
 *   lfk_ring_mpmc    any number of producers and consumers; per-slot sequence
 *                    numbers (Vyukov's bounded MPMC queue).  BLOCKING: a
 *                    producer stopped between reserving a slot and publishing
 *                    it makes every consumer report empty at that slot until
 *                    it resumes (later items wait behind it: FIFO), and a
 *                    consumer stopped between reserving and releasing a slot
 *                    makes producers report full when they lap around to it.
 *   lfk_ring_lfmpmc  any number of producers and consumers, truly lock-free:
 *                    the SCQ design (Nikolaev, "A Scalable, Portable, and
 *                    Memory-Efficient Lock-Free FIFO Queue", DISC 2019) in
 *                    its double-width form: one ring of 2n 16-byte entries
 *                    {cycle and flags, value}, head and tail moved by
 *                    fetch-and-add, entries by double-width CAS, with a
 *                    threshold that bounds failed dequeues.  A thread
 *                    stopped at any instruction never prevents the others
 *                    from completing their operations.  Needs a 16-byte CAS
 *                    (x86_64 cmpxchg16b, aarch64, or the compiler's; where
 *                    the compiler's may take a lock, every update of an
 *                    entry goes through it).
 *
 * When an operation may fail although the ring was not full (empty) at any
 * instant of the call:
 *   spsc    never.
 *   mpmc    enqueue reports full when its slot's previous item is still being
 *           copied out by a consumer that reserved it (the ring's count may be
 *           below capacity); dequeue reports empty when the next slot was
 *           reserved by a producer that has not published it yet, even if
 *           later slots are already published (count() > 0).  Both
 *           report -EAGAIN, rather than spin, at a slot whose sequence is
 *           ahead of the index that reaches it while that index does not
 *           move: only a damaged (shared) region looks like that.
 *   lfmpmc  enqueue reports full when every place is held by an item or by
 *           an operation in flight: a producer holds one from the start of
 *           its enqueue until it has published, a consumer from the moment
 *           it takes an item until it has freed its entry (or, for records,
 *           copied it out), so with one stopped thread the ring accepts
 *           capacity - 1 items.  Dequeue reports
 *           empty only when no published item is available (an item whose
 *           producer has not published it is not in the ring yet), as long
 *           as at most LFK_RING_LFMPMC_THREADS threads use the ring at once
 *           (more than Linux can run), with one exception: on a ring whose
 *           dequeue budget is spent (a fresh or long-drained ring), an item
 *           whose producer stopped between publishing and resetting the
 *           budget is found when it is next at head, but not while an
 *           earlier position's producer has not published yet; the next
 *           enqueue ends that.
 *
 * Items are fixed-size records of elem_size bytes (a multiple of 8, copied in
 * and out).  elem_size 8 is the main form: 64-bit values, uintptr_t or
 * pointers, through the plain enqueue/dequeue calls.  Records use the _rec
 * calls.  The u64 calls on a ring whose elem_size is not 8 return -EINVAL.
 *
 * Capacity is honoured exactly: a ring never holds more than the capacity it
 * was created with (1 up to LFK_RING_MAX_CAPACITY), although it rounds its
 * slot count up to a power of two internally (twice that, at least 4
 * entries, for lfmpmc).
 *
 * Memory: lfk_ring_<kind>_size(capacity, elem_size) gives the bytes needed;
 * lfk_ring_<kind>_init() lays the ring out in caller-provided memory that is
 * aligned to LFK_RING_ALIGN (128 bytes).  Nothing inside is a pointer (only offsets from
 * the ring's start), so a ring can live in memory shared between processes.
 * lfk_ring_<kind>_create()/_destroy() allocate and free aligned memory.
 *
 * Errors (negative errno): -EINVAL for NULL, misaligned memory, capacity 0 or
 * above LFK_RING_MAX_CAPACITY, elem_size 0 or not a multiple of 8 or above
 * LFK_RING_MAX_ELEM_SIZE, or a ring of the wrong kind; -EAGAIN when full
 * (enqueue) or empty (dequeue); -ENOMEM when create cannot allocate.
 *
 * Per-kind headers hold the inline operations:
 *   <lfkit/ring_spsc.h>, <lfkit/ring_mpmc.h>, <lfkit/ring_lfmpmc.h>
 * For each kind K:
 *   size_t lfk_ring_K_size(size_t capacity, size_t elem_size)   0 if invalid
 *   int    lfk_ring_K_init(void *mem, size_t capacity, size_t elem_size)
 *   int    lfk_ring_K_create(size_t capacity, size_t elem_size,
 *                            struct lfk_ring_K **out)
 *   void   lfk_ring_K_destroy(struct lfk_ring_K *r)
 *   int    lfk_ring_K_enqueue(r, uint64_t v)          0 or -EAGAIN
 *   int    lfk_ring_K_dequeue(r, uint64_t *v)         0 or -EAGAIN
 *   size_t lfk_ring_K_enqueue_burst(r, const uint64_t *v, size_t n)
 *   size_t lfk_ring_K_dequeue_burst(r, uint64_t *v, size_t n)
 *                                 up to n items, in order; returns how many
 *   int    lfk_ring_K_enqueue_rec(r, const void *rec) / dequeue_rec(r, rec)
 *   size_t lfk_ring_K_enqueue_burst_rec / dequeue_burst_rec(r, recs, n)
 *   size_t lfk_ring_K_count(r)     approximate under concurrency, exact when
 *                                  quiescent (lfmpmc: an item a consumer
 *                                  has read but not yet freed still counts,
 *                                  so a stopped or dead consumer keeps it
 *                                  one too high, per stopped consumer)
 *   size_t lfk_ring_K_capacity(r)  elem_size(r)
 *   int    lfk_ring_K_init_at(mem, capacity, elem_size, first_index)
 *                                  init with the internal indices starting at
 *                                  first_index (tests run them through the
 *                                  2^32 and 2^64 wrap-around)
 * Burst and u64 calls return 0 moved / -EINVAL for an elem_size mismatch.
 */
#ifndef LFKIT_RING_H
#define LFKIT_RING_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lfkit/atomic.h>

LFK_BEGIN_DECLS

#define LFK_RING_MAX_CAPACITY ((size_t)1 << 30)
#define LFK_RING_MAX_ELEM_SIZE ((size_t)1 << 16)
/* Threads that may work on one lfmpmc ring at once with every guarantee
 * intact (see <lfkit/ring_lfmpmc.h>): 2^22, Linux's PID_MAX_LIMIT, so every
 * thread a 64-bit Linux system can run.  It sizes the dequeue budget, not
 * the ring's memory. */
#define LFK_RING_LFMPMC_THREADS (1 << 22)

/* Hot indices of different owners sit this far apart: two lines, because
 * x86's adjacent-line prefetcher fetches lines in 128-byte pairs. */
#define LFK_RING_ALIGN (2 * LFK_CACHELINE)

enum lfk_ring_kind {
	LFK_RING_SPSC = 1,
	LFK_RING_MPMC = 2,
	LFK_RING_LFMPMC = 3,
};

/* Read-mostly geometry, on a line of its own at the start of every ring. */
struct lfk_ring_hdr {
	uint32_t kind;       /* enum lfk_ring_kind */
	uint32_t elem_words; /* elem_size / 8 */
	uint64_t capacity;   /* the exact maximum count */
	uint64_t slots;      /* power of two */
	uint64_t mask;       /* slots - 1 */
	uint64_t data_off;   /* byte offset of the slot array from the ring */
	uint64_t bytes;      /* total size of the ring */
	uint32_t order;      /* log2(slots) */
	uint32_t pad0;
	uint64_t aux_off[2]; /* lfmpmc: byte offsets of its rings' entries */
} __attribute__((aligned(LFK_RING_ALIGN)));

/*
 * Test hooks: a test program defines LFK_RING_TEST_HOOKS before including
 * this header and provides lfk_ring_test_hook(); it is called at the points
 * where a stopped thread matters for progress.  In every other build the
 * hook compiles to nothing.
 */
enum lfk_ring_hook_point {
	LFK_HOOK_MPMC_ENQ_CAPACITY,   /* slot seen free, head not yet read */
	LFK_HOOK_MPMC_ENQ_RESERVED,   /* slot reserved, not yet published */
	LFK_HOOK_MPMC_DEQ_RESERVED,   /* slot reserved, not yet released */
	LFK_HOOK_LFMPMC_ENQ_SLOT,     /* place taken, item not published */
	LFK_HOOK_LFMPMC_DEQ_SLOT,     /* item read, its entry not yet freed */
	LFK_HOOK_LFMPMC_DEQ_EMPTY,    /* found empty, not yet charged to the
					 dequeue budget */
	LFK_HOOK_QUEUE_PUT_REGISTERED, /* lfk_queue put in flight, ring not tried */
	LFK_HOOK_QUEUE_PUT_PUBLISHED,  /* item in the ring, not marked delivered */
	LFK_HOOK_QUEUE_GET_REGISTERED, /* lfk_queue get in flight, ring not tried */
	LFK_HOOK_QUEUE_GET_TAKEN,      /* item taken, get not marked done */
	LFK_HOOK_LFMPMC_ENQ_PUBLISHED, /* item published, budget not reset */
	LFK_HOOK_LFMPMC_DEQ_BLOCK,     /* burst sized its block, not taken it */
	LFK_HOOK_LFMPMC_DEQ_BLOCK_MISSED,  /* burst found nothing, not charged */
	LFK_HOOK_LFMPMC_DEQ_BLOCK_CHARGED, /* burst charged, not yet returned */
};
#if defined(LFK_RING_TEST_HOOKS)
void lfk_ring_test_hook(enum lfk_ring_hook_point point);
#define LFK_RING_HOOK(point) lfk_ring_test_hook(point)
#else
#define LFK_RING_HOOK(point) ((void)0)
#endif

/* Copies one element of `words` 64-bit words; with words a compile-time 1
 * (the u64 calls) this is a single move. */
static inline void lfk__ring_copy(void *dst, const void *src, uint32_t words)
{
	if (words == 1)
		*(uint64_t *)dst = *(const uint64_t *)src;
	else
		memcpy(dst, src, (size_t)words * 8);
}

/* Signed distance a - b of two positions on a 64-bit index that wraps. */
static inline int64_t lfk__ring_diff(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b);
}

static inline size_t lfk__ring_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Items between a head and a tail read separately (so possibly out of
 * step under concurrency): clamped to 0..capacity. */
static inline size_t lfk__ring_count(uint64_t head, uint64_t tail,
				     uint64_t capacity)
{
	if (lfk__ring_diff(tail, head) <= 0)
		return 0;
	return lfk__ring_min((size_t)(tail - head), (size_t)capacity);
}

/* Validation shared by every kind's size/init (lib/ring.c). */
int lfk__ring_check_params(size_t capacity, size_t elem_size);
/* The geometry of a ring of `kind` (enum lfk_ring_kind): fills *h, offsets
 * included, and returns the total bytes, or 0 for invalid parameters. */
size_t lfk__ring_layout(int kind, size_t capacity, size_t elem_size,
			struct lfk_ring_hdr *h);
/* Lays a ring of `kind` out in mem, indices starting at first: 0 or
 * -EINVAL. */
int lfk__ring_init(int kind, void *mem, size_t capacity, size_t elem_size,
		   uint64_t first);

/*
 * The public calls are static inline by default, so they inline into the
 * caller; lib/ring_symbols.c defines LFK_RING_API empty before including
 * this header, which turns the same definitions into exported symbols of
 * liblfkit for callers that cannot use the inline versions (other
 * languages, a stable ABI).
 */
#ifndef LFK_RING_API
#define LFK_RING_API static inline
#endif

/*
 * The kind check: a ring of one kind used through another kind's calls
 * (easy to get with a cast) would lose or invent items, so those calls
 * return -EINVAL (0 moved for bursts).  The check costs a compare on the
 * header line the call reads anyway, but the inline fast path leaves it
 * out: it runs in the exported symbols (lib/ring_symbols.c, the calls other
 * languages reach) and, inline too, in any build that defines LFK_DEBUG
 * before including this header.  init and the shared-memory attach calls
 * check the kind always.
 */
#define LFK__RING_KIND_spsc LFK_RING_SPSC
#define LFK__RING_KIND_mpmc LFK_RING_MPMC
#define LFK__RING_KIND_lfmpmc LFK_RING_LFMPMC
#if defined(LFK_DEBUG) || defined(LFK__RING_SYMBOLS)
#define LFK__RING_WRONG_KIND(r, K) ((r)->hdr.kind != LFK__RING_KIND_##K)
#else
#define LFK__RING_WRONG_KIND(r, K) 0
#endif

/*
 * The public calls of a kind K, generated from its two cores:
 *   size_t lfk__ring_K_put(r, const void *src, size_t n, uint32_t words)
 *   size_t lfk__ring_K_get(r, void *dst, size_t n, uint32_t words)
 * which move up to n elements of `words` words and return how many moved.
 */
#define LFK__RING_DEFINE_API(K)                                                \
	LFK_RING_API size_t lfk_ring_##K##_enqueue_burst(                     \
		struct lfk_ring_##K *r, const uint64_t *v, size_t n)           \
	{                                                                      \
		if (r == NULL || v == NULL || r->hdr.elem_words != 1 ||       \
		    LFK__RING_WRONG_KIND(r, K))                                \
			return 0;                                              \
		return lfk__ring_##K##_put(r, v, n, 1);                        \
	}                                                                      \
	LFK_RING_API size_t lfk_ring_##K##_dequeue_burst(                     \
		struct lfk_ring_##K *r, uint64_t *v, size_t n)                 \
	{                                                                      \
		if (r == NULL || v == NULL || r->hdr.elem_words != 1 ||       \
		    LFK__RING_WRONG_KIND(r, K))                                \
			return 0;                                              \
		return lfk__ring_##K##_get(r, v, n, 1);                        \
	}                                                                      \
	LFK_RING_API int lfk_ring_##K##_enqueue(struct lfk_ring_##K *r,       \
						 uint64_t v)                   \
	{                                                                      \
		if (r == NULL || r->hdr.elem_words != 1 ||                     \
		    LFK__RING_WRONG_KIND(r, K))                                \
			return -EINVAL;                                        \
		return lfk__ring_##K##_put(r, &v, 1, 1) ? 0 : -EAGAIN;         \
	}                                                                      \
	LFK_RING_API int lfk_ring_##K##_dequeue(struct lfk_ring_##K *r,       \
						 uint64_t *v)                  \
	{                                                                      \
		if (r == NULL || v == NULL || r->hdr.elem_words != 1 ||       \
		    LFK__RING_WRONG_KIND(r, K))                                \
			return -EINVAL;                                        \
		return lfk__ring_##K##_get(r, v, 1, 1) ? 0 : -EAGAIN;          \
	}                                                                      \
	LFK_RING_API size_t lfk_ring_##K##_enqueue_burst_rec(                 \
		struct lfk_ring_##K *r, const void *recs, size_t n)            \
	{                                                                      \
		if (r == NULL || recs == NULL || LFK__RING_WRONG_KIND(r, K))   \
			return 0;                                              \
		return lfk__ring_##K##_put(r, recs, n, r->hdr.elem_words);     \
	}                                                                      \
	LFK_RING_API size_t lfk_ring_##K##_dequeue_burst_rec(                 \
		struct lfk_ring_##K *r, void *recs, size_t n)                  \
	{                                                                      \
		if (r == NULL || recs == NULL || LFK__RING_WRONG_KIND(r, K))   \
			return 0;                                              \
		return lfk__ring_##K##_get(r, recs, n, r->hdr.elem_words);     \
	}                                                                      \
	LFK_RING_API int lfk_ring_##K##_enqueue_rec(struct lfk_ring_##K *r,   \
						     const void *rec)          \
	{                                                                      \
		if (r == NULL || rec == NULL || LFK__RING_WRONG_KIND(r, K))    \
			return -EINVAL;                                        \
		return lfk__ring_##K##_put(r, rec, 1, r->hdr.elem_words)       \
			       ? 0                                             \
			       : -EAGAIN;                                      \
	}                                                                      \
	LFK_RING_API int lfk_ring_##K##_dequeue_rec(struct lfk_ring_##K *r,   \
						     void *rec)                \
	{                                                                      \
		if (r == NULL || rec == NULL || LFK__RING_WRONG_KIND(r, K))    \
			return -EINVAL;                                        \
		return lfk__ring_##K##_get(r, rec, 1, r->hdr.elem_words)       \
			       ? 0                                             \
			       : -EAGAIN;                                      \
	}                                                                      \
	LFK_RING_API size_t lfk_ring_##K##_capacity(                          \
		const struct lfk_ring_##K *r)                                  \
	{                                                                      \
		return r ? (size_t)r->hdr.capacity : 0;                        \
	}                                                                      \
	LFK_RING_API size_t lfk_ring_##K##_elem_size(                         \
		const struct lfk_ring_##K *r)                                  \
	{                                                                      \
		return r ? (size_t)r->hdr.elem_words * 8 : 0;                  \
	}                                                                      \
	size_t lfk_ring_##K##_size(size_t capacity, size_t elem_size);         \
	int lfk_ring_##K##_init(void *mem, size_t capacity, size_t elem_size); \
	int lfk_ring_##K##_init_at(void *mem, size_t capacity,                 \
				   size_t elem_size, uint64_t first_index);    \
	int lfk_ring_##K##_create(size_t capacity, size_t elem_size,           \
				  struct lfk_ring_##K **out);                  \
	void lfk_ring_##K##_destroy(struct lfk_ring_##K *r);

#include <lfkit/ring_spsc.h>
#include <lfkit/ring_mpmc.h>
#include <lfkit/ring_lfmpmc.h>

LFK_END_DECLS

#endif
