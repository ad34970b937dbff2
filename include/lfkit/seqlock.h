/* SPDX-License-Identifier: MIT */
/*
 * lfkit/seqlock.h - sequence locks: readers that never write shared memory.
 *
 * A seqlock guards read-mostly data (a routing table, prices, configuration,
 * statistics) with one sequence word.  A writer makes the word odd, changes
 * the data, and makes it even again; a reader notes an even value, copies
 * the data, and checks that the word did not move.  Readers only load: no
 * cache line bounces between readers and no reader ever delays a writer.
 * Technique: Lameter's seqlock (Linux include/linux/seqlock.h), with the
 * reader made race-free in the C11 model as described by Boehm, "Can seqlocks
 * get along with programming language memory models?" (MSPC 2012).
 *
 * Reading:
 *     uint64_t s;
 *     do {
 *             s = lfk_seqlock_read_begin(&l);
 *             x = lfk_seqlock_load_u64(&shared.x);   // never plain loads
 *             y = lfk_seqlock_load_u64(&shared.y);
 *     } while (lfk_seqlock_read_retry(&l, s));
 * or, for a whole object: lfk_seqlock_read(&l, &copy, &shared, sizeof(copy)).
 * Writing:
 *     lfk_seqlock_write_begin(&l);
 *     lfk_seqlock_store_u64(&shared.x, x);           // never plain stores
 *     lfk_seqlock_write_end(&l);
 * or lfk_seqlock_write(&l, &shared, &value, sizeof(value)).
 *
 * The protected data must be accessed through the load/store/copy helpers
 * below (relaxed atomic accesses): a plain load racing with a writer's store
 * is a data race, undefined behaviour in C11, even if the sequence check
 * would discard the value afterwards.  The helpers compile to plain moves.
 *
 * Memory orders (the protocol, and why each order is the weakest correct one):
 *   writer  begin: seq becomes odd (CAS, acquire: the previous writer's data
 *                  stores happen before ours); then a release fence, so that
 *                  the odd value is ordered before every data store after it.
 *           data:  relaxed stores.
 *           end:   seq becomes even with a release store: every data store
 *                  is ordered before the even value.
 *   reader  begin: acquire load of seq; an even value synchronizes with the
 *                  release store of the writer that made it even, so the
 *                  data loads that follow see at least that writer's data.
 *           data:  relaxed loads.
 *           retry: acquire fence, then reload seq.  If any data load read a
 *                  value stored by a later writer, that store follows the
 *                  writer's release fence: the fences synchronize, the
 *                  writer's odd store happens before our reload, and the
 *                  reload sees a different sequence: we retry.
 * ThreadSanitizer does not model stand-alone fences; in TSan builds the
 * fence pairs become acquire data loads and release data stores (see
 * LFK_LOAD_BEFORE_ACQ_FENCE in <lfkit/atomic.h>), which give the same
 * argument with the synchronization on the data itself.
 *
 * Progress: readers are not wait-free.  A reader retries while a write is in
 * progress, and spins (then yields the CPU) for as long as a writer is
 * stalled between begin and end, for instance preempted.  Under a writer that
 * updates continuously, readers can starve.  If readers must never wait for a
 * writer, use the two-copy lfk_latch (<lfkit/latch.h>).  Writers are
 * blocking: they wait for each other on the sequence word.
 *
 * Layout: struct lfk_seqlock is one 64-bit word (64 bits: a reader can never
 * see the same value after a wrap-around).  Put it next to the data it guards,
 * on the same cache line where possible, and keep unrelated hot data off
 * that line.
 */
#ifndef LFKIT_SEQLOCK_H
#define LFKIT_SEQLOCK_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lfkit/atomic.h>

/* The calls defined in this header are static inline; lib/seqlock_symbols.c
 * defines LFK__SEQLOCK_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__SEQLOCK_API
#define LFK__SEQLOCK_API static inline
#endif

LFK_BEGIN_DECLS

struct lfk_seqlock {
	uint64_t seq; /* odd while a writer is inside */
};

#define LFK_SEQLOCK_INIT                                                       \
	{                                                                      \
		0                                                              \
	}

/* Puts the lock in its initial (unlocked, even) state: 0, or -EINVAL for
 * NULL or l not aligned to 8 bytes (a misaligned sequence word could tear).
 * Not thread-safe.  Wait-free. */
LFK__SEQLOCK_API int lfk_seqlock_init(struct lfk_seqlock *l)
{
	if (l == NULL || (uintptr_t)l % sizeof(l->seq) != 0)
		return -EINVAL;
	lfk_atomic_store_u64(&l->seq, 0, LFK_RELAXED);
	return 0;
}

/* ---- protected data accessors ------------------------------------------- */

#include <lfkit/impl/seqlock.h>

/* Reads one protected word inside a read section.  Wait-free. */
LFK__SEQLOCK_API uint64_t lfk_seqlock_load_u64(const uint64_t *p)
{
	/* relaxed (acquire under TSan): ordered by the fence in read_retry */
	return lfk_atomic_load_u64(p, LFK_LOAD_BEFORE_ACQ_FENCE);
}

/* The same for a 32-bit protected word.  Wait-free. */
LFK__SEQLOCK_API uint32_t lfk_seqlock_load_u32(const uint32_t *p)
{
	/* relaxed (acquire under TSan): ordered by the fence in read_retry */
	return lfk_atomic_load_u32(p, LFK_LOAD_BEFORE_ACQ_FENCE);
}

/* Writes one protected word inside a write section.  Wait-free. */
LFK__SEQLOCK_API void lfk_seqlock_store_u64(uint64_t *p, uint64_t v)
{
	/* relaxed (release under TSan): ordered by the fence in write_begin */
	lfk_atomic_store_u64(p, v, LFK_STORE_AFTER_REL_FENCE);
}

/* The same for a 32-bit protected word.  Wait-free. */
LFK__SEQLOCK_API void lfk_seqlock_store_u32(uint32_t *p, uint32_t v)
{
	/* relaxed (release under TSan): ordered by the fence in write_begin */
	lfk_atomic_store_u32(p, v, LFK_STORE_AFTER_REL_FENCE);
}

/*
 * Whether an object can be copied by lfk_seqlock_read/write: both pointers
 * non-NULL and a non-zero size.  Any size and alignment: the copies use
 * 64-bit accesses where the protected side is 8-byte aligned and 32-, 16-
 * and 8-bit accesses at the edges.  Cannot fail.  Wait-free.
 */
LFK__SEQLOCK_API bool lfk_seqlock_copy_ok(const void *shared, const void *priv,
					  size_t size)
{
	return shared != NULL && priv != NULL && size != 0;
}

/*
 * Copies size bytes out of protected memory (inside a read section): the
 * widest loads the ISA has (16 bytes on x86_64 and aarch64), each a relaxed
 * atomic access (acquire under TSan), any alignment.  A copy can be torn
 * while a writer is inside; read_retry then tells the caller to discard it.
 * Preconditions as lfk_seqlock_copy_ok.  This is the one copy step of every
 * seqlock read (lfk_seqlock_read, lfk_seqarray_read, the latch).
 * Cannot fail.  Wait-free.
 */
LFK__SEQLOCK_API void lfk_seqlock_copy_out(void *dst, const void *src,
					   size_t size)
{
	/* relaxed (acquire under TSan): ordered by the fence in read_retry */
	lfk_load_bytes_before_acq_fence(dst, src, size);
}

/* Copies size bytes into protected memory (inside a write section), with
 * relaxed atomic stores (release under TSan).  Preconditions as
 * lfk_seqlock_copy_ok.  Cannot fail.  Wait-free. */
LFK__SEQLOCK_API void lfk_seqlock_copy_in(void *dst, const void *src,
					  size_t size)
{
	unsigned char *d = (unsigned char *)dst;
	const unsigned char *s = (const unsigned char *)src;
	while (size != 0 && (uintptr_t)d % 8 != 0) {
		size_t k = lfk__seqlock_store_edge(d, s, size);
		s += k, d += k, size -= k;
	}
	LFK_ATOMIC_UNROLL
	for (; size >= 8; s += 8, d += 8, size -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		lfk_seqlock_store_u64((lfk__seq_u64_t *)d, w);
	}
	while (size != 0) {
		size_t k = lfk__seqlock_store_edge(d, s, size);
		s += k, d += k, size -= k;
	}
}

/* ---- reader side --------------------------------------------------------- */

/*
 * Starts a read section; returns the sequence to hand to read_retry.
 * Blocking: waits while a writer is inside (spinning a little, then yielding
 * the CPU so that a preempted writer can finish).
 */
LFK__SEQLOCK_API uint64_t lfk_seqlock_read_begin(const struct lfk_seqlock *l)
{
	/* acquire: pairs with the release in write_end, so the data loads
	 * that follow see everything the last writer stored */
	uint64_t s = lfk_atomic_load_u64(&l->seq, LFK_ACQUIRE);
	if (__builtin_expect(s & 1, 0))
		s = lfk__seqlock_wait_even(&l->seq);
	return s;
}

/*
 * Ends a read section: true if a writer got in since read_begin returned
 * start, in which case everything read must be discarded and the section
 * redone.  Wait-free.
 */
LFK__SEQLOCK_API bool lfk_seqlock_read_retry(const struct lfk_seqlock *l,
					     uint64_t start)
{
	/* acquire fence: the data loads above are ordered before the reload;
	 * pairs with the release fence in write_begin (see the header) */
	lfk_acquire_fence();
	return lfk_atomic_load_u64(&l->seq, LFK_RELAXED) != start;
}

/*
 * Copies the protected object src (size bytes) to dst, consistently: the
 * copy is the object as some writer left it, never a mix of two writes.
 * Any size and alignment.  Returns 0, or -EINVAL when a pointer is NULL or
 * size is 0.  Blocking (see read_begin): retries
 * while writers keep writing.
 */
LFK__SEQLOCK_API int lfk_seqlock_read(const struct lfk_seqlock *l, void *dst,
				      const void *src, size_t size)
{
	uint64_t s;
	if (l == NULL || !lfk_seqlock_copy_ok(src, dst, size))
		return -EINVAL;
	do {
		s = lfk_seqlock_read_begin(l);
		lfk_seqlock_copy_out(dst, src, size);
	} while (lfk_seqlock_read_retry(l, s));
	return 0;
}

/* ---- writer side --------------------------------------------------------- */

/*
 * Enters the write section.  Any number of writers may call it: they are
 * serialized on the sequence word itself (no separate mutex).  Blocking:
 * waits while another writer is inside.
 */
LFK__SEQLOCK_API void lfk_seqlock_write_begin(struct lfk_seqlock *l)
{
	uint64_t s = lfk_atomic_load_u64(&l->seq, LFK_RELAXED);
	if (!lfk__seqlock_enter(&l->seq, &s))
		lfk__seqlock_wait_enter(&l->seq);
	/* release fence: the odd sequence is ordered before the data stores
	 * that follow; pairs with the acquire fence in read_retry */
	lfk_release_fence();
}

/*
 * Enters the write section if no writer is inside: returns 0, or -EAGAIN
 * (nothing done) when another writer holds it.  Wait-free on x86_64 and LSE
 * (one CAS), lock-free on LL/SC.
 */
LFK__SEQLOCK_API int lfk_seqlock_write_try_begin(struct lfk_seqlock *l)
{
	uint64_t s = lfk_atomic_load_u64(&l->seq, LFK_RELAXED);
	if (!lfk__seqlock_enter(&l->seq, &s))
		return -EAGAIN;
	/* release fence: as in write_begin */
	lfk_release_fence();
	return 0;
}

/*
 * Enters the write section for a caller that is the only writer (or whose
 * writers are serialized by other means): a store instead of a CAS.  Using
 * it while another writer may be inside corrupts the lock.  Wait-free.
 */
LFK__SEQLOCK_API void lfk_seqlock_write_begin_single(struct lfk_seqlock *l)
{
	uint64_t s = lfk_atomic_load_u64(&l->seq, LFK_RELAXED);
	/* release: as the CAS in lfk__seqlock_enter, for the latch's readers */
	lfk_atomic_store_u64(&l->seq, s + 1, LFK_RELEASE);
	/* release fence: as in write_begin */
	lfk_release_fence();
}

/*
 * Leaves the write section: the sequence becomes even, one step past the
 * value before write_begin.  Returns 0, or -EINVAL if the lock was not
 * write-locked (nothing done).  Wait-free.
 */
LFK__SEQLOCK_API int lfk_seqlock_write_end(struct lfk_seqlock *l)
{
	/* only the writer inside changes an odd sequence: relaxed reads our
	 * own */
	uint64_t s = lfk_atomic_load_u64(&l->seq, LFK_RELAXED);
	if (!(s & 1))
		return -EINVAL;
	/* release: orders the data stores before the even value; pairs with
	 * the acquire load in read_begin (and in the next writer's CAS) */
	lfk_atomic_store_u64(&l->seq, s + 1, LFK_RELEASE);
	return 0;
}

/*
 * Leaves a write section that changed nothing: the sequence goes back to its
 * value before write_begin, so readers that overlapped it need not retry.
 * Correct only if no protected word was stored in the section.  Returns 0 or
 * -EINVAL (not write-locked).  Wait-free.
 */
LFK__SEQLOCK_API int lfk_seqlock_write_abort(struct lfk_seqlock *l)
{
	uint64_t s = lfk_atomic_load_u64(&l->seq, LFK_RELAXED);
	if (!(s & 1))
		return -EINVAL;
	/* release: the next writer's acquire CAS reads this value, so our
	 * predecessor's stores still happen before its own */
	lfk_atomic_store_u64(&l->seq, s - 1, LFK_RELEASE);
	return 0;
}

/*
 * Writes size bytes of src into the protected object dst in one write
 * section (multi-writer safe).  Returns 0, or -EINVAL as lfk_seqlock_read
 * (any size and alignment).  Blocking: waits for other writers.
 */
LFK__SEQLOCK_API int lfk_seqlock_write(struct lfk_seqlock *l, void *dst,
				       const void *src, size_t size)
{
	if (l == NULL || !lfk_seqlock_copy_ok(dst, src, size))
		return -EINVAL;
	lfk_seqlock_write_begin(l);
	lfk_seqlock_copy_in(dst, src, size);
	return lfk_seqlock_write_end(l);
}

/* The sequence now (even: no writer inside).  For tests and statistics.
 * Cannot fail (l must be valid).  Wait-free. */
LFK__SEQLOCK_API uint64_t lfk_seqlock_sequence(const struct lfk_seqlock *l)
{
	return lfk_atomic_load_u64(&l->seq, LFK_RELAXED);
}

/* ---- a writer that never comes back (out of line, lib/seq_repair.c) ---- */

/*
 * lfk_seqlock_read, but gives up when the object has stayed inside one
 * write for timeout_ns (nanoseconds on CLOCK_MONOTONIC; UINT64_MAX, i.e.
 * LFK_FOREVER, never): the case of a writer that died between its begin and
 * its end in another process, whose readers would otherwise spin for ever.
 * It reuses the read steps (copy_out, read_retry) and reads the clock only
 * while a write is in progress.  A time bound rather than a count of
 * tries, so that it means the same on every machine and a writer merely
 * preempted for a while is waited for.
 * Returns 0; -ETIMEDOUT (dst unspecified; *stuck_seq, if not NULL, gets
 * the odd sequence the write is stuck at, for lfk_seqlock_repair); -EAGAIN
 * for timeout 0 and a write in progress (never blocks; *stuck_seq as for
 * -ETIMEDOUT); -EINVAL as lfk_seqlock_read.  Blocking, bounded by
 * timeout_ns per write it meets (a stream of completed writes can still
 * make it retry).
 */
int lfk_seqlock_read_timed(const struct lfk_seqlock *l, void *dst,
			   const void *src, size_t size, uint64_t timeout_ns,
			   uint64_t *stuck_seq);

/*
 * Finishes a write left inside at the odd sequence stuck_seq by a writer
 * known to be dead (its process was reaped): takes the writer side over
 * with a CAS from stuck_seq (of several repairers one wins), writes size
 * bytes of src into the protected object dst, and ends the write.  Never
 * call it for a writer that may still be running.
 * Returns 0; -EAGAIN when the sequence is no longer stuck_seq (the writer
 * finished after all, or someone repaired it first); -EINVAL (NULL, bad
 * sizes as lfk_seqlock_write, stuck_seq even).  Wait-free.
 */
int lfk_seqlock_repair(struct lfk_seqlock *l, uint64_t stuck_seq, void *dst,
		       const void *src, size_t size);

LFK_END_DECLS

#endif
