/* SPDX-License-Identifier: MIT */
/*
 * lfkit/latch.h - the two-copy seqlock: readers that never wait for a writer.
 *
 * A seqlock reader waits while a writer is inside, and starves under a
 * writer that never pauses or that was preempted mid-write.  The latch
 * keeps two copies of the object and steers readers to the copy the writer
 * is not touching (the technique behind Linux's seqcount_latch, see
 * include/linux/seqlock.h and Documentation/locking/seqlock.rst).
 *
 * The protocol, with u = seq / 2 the number of completed writes:
 *   write number u+1 makes seq odd (2u+1), fills copy (u+1) & 1, and makes
 *   seq even (2u+2): the new copy is live, the old one becomes the next
 *   write's target.
 *   a reader loads seq = s, copies copy (s/2) & 1 - the copy of the last
 *   completed write, which the writer in progress (if any) does not touch -
 *   and reloads seq.  That copy is overwritten only by write number
 *   s/2 + 2, which first makes seq 2*(s/2) + 3; the reader retries only if
 *   the reload is that far, i.e. only if writers lapped it twice while it
 *   copied.
 * Orders: the odd and even sequence stores are both release (the odd one
 * is read by readers too, who then read the copy finished before it); the
 * writer's release fence after making seq odd pairs with the reader's
 * acquire fence before its reload, exactly as in <lfkit/seqlock.h>.
 *
 * Progress: reads are lock-free: they never wait, and retry only when,
 * during one copy, a write completed and the next one started; a reader is
 * delayed only by writers that make progress.  Writes are blocking:
 * writers wait for each other (they serialize on the sequence word, so
 * several writers are allowed) but never for readers.
 *
 * Placement: in caller-provided memory of lfk_latch_size(obj_size) bytes
 * aligned to LFK_CACHELINE, no pointers inside (fit for shared memory);
 * lfk_latch_create/destroy allocate it.  obj_size is a non-zero multiple
 * of 8.  Errors: -EINVAL for NULL pointers or bad sizes, -ENOMEM.
 */
#ifndef LFKIT_LATCH_H
#define LFKIT_LATCH_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/atomic.h>
#include <lfkit/seqlock.h>

/* The calls defined in this header are static inline; lib/latch_symbols.c
 * defines LFK__LATCH_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__LATCH_API
#define LFK__LATCH_API static inline
#endif

LFK_BEGIN_DECLS

/* "lfkLatch" */
#define LFK_LATCH_MAGIC 0x6c666b4c61746368ull

struct lfk_latch {
	/* 2 * completed writes, odd while one is in progress */
	struct lfk_seqlock lock;
	/* Written once by init, read-only afterwards. */
	uint64_t magic;
	uint64_t obj_size;
	uint64_t stride; /* bytes per copy: whole cache lines */
	LFK_PAD_TO_LINE(pad, 4 * sizeof(uint64_t));
	/* two copies follow, each starting on a line of its own */
} LFK_CACHE_ALIGNED;

/* Bytes a latch for an object of obj_size bytes needs, or 0 if obj_size is
 * 0, not a multiple of 8, or too large.  Wait-free. */
size_t lfk_latch_size(size_t obj_size);

/* Initializes a latch in mem (mem_size bytes, LFK_CACHELINE-aligned); the
 * object starts as all zero bytes.  0 or -EINVAL (NULL, misaligned, too
 * small, or obj_size invalid as in lfk_latch_size).  Not thread-safe.
 * Wait-free (O(size) stores). */
int lfk_latch_init(struct lfk_latch *mem, size_t mem_size, size_t obj_size);

/* Allocates and initializes a latch into *out (NULL on failure).  Returns
 * 0, -EINVAL (out NULL, obj_size invalid as in lfk_latch_size) or -ENOMEM.
 * Blocking (malloc). */
int lfk_latch_create(size_t obj_size, struct lfk_latch **out);

/* Frees a latch from lfk_latch_create (NULL is ignored).  No thread may
 * use it any more.  Blocking (free). */
void lfk_latch_destroy(struct lfk_latch *l);

/* The object's size in bytes.  Cannot fail; 0 for NULL.  Wait-free. */
size_t lfk_latch_obj_size(const struct lfk_latch *l);

#include <lfkit/impl/latch.h>

/*
 * Copies the object (obj_size bytes) to dst, never torn: the value of the
 * last write completed when the read started, or of a later one.  Returns
 * 0 or -EINVAL (NULL).  Lock-free: never waits for a writer.
 */
LFK__LATCH_API int lfk_latch_read(const struct lfk_latch *l, void *dst)
{
	if (l == NULL || dst == NULL)
		return -EINVAL;
	for (;;) {
		/* acquire: pairs with the release stores of both sequence
		 * values, so the live copy's data is visible */
		uint64_t s = lfk_atomic_load_u64(&l->lock.seq, LFK_ACQUIRE);
		lfk_seqlock_copy_out(dst, lfk__latch_copy(l, s >> 1),
				     (size_t)l->obj_size);
		/* acquire fence, then reload (see lfk_seqlock_read_retry) */
		lfk_acquire_fence();
		if (lfk_atomic_load_u64(&l->lock.seq, LFK_RELAXED) -
			    (s & ~(uint64_t)1) <
		    3)
			return 0;
	}
}

/*
 * Replaces the object with src (obj_size bytes).  Several writers may call
 * it; they are serialized.  Returns 0 or -EINVAL (NULL).  Blocking: waits
 * for other writers only.
 */
LFK__LATCH_API int lfk_latch_write(struct lfk_latch *l, const void *src)
{
	if (l == NULL || src == NULL)
		return -EINVAL;
	lfk_seqlock_write_begin(&l->lock);
	/* seq is now 2u+1: fill copy u+1, which no reader is steered to */
	uint64_t s = lfk_atomic_load_u64(&l->lock.seq, LFK_RELAXED);
	lfk_seqlock_copy_in(lfk__latch_copy(l, (s >> 1) + 1), src,
			    (size_t)l->obj_size);
	return lfk_seqlock_write_end(&l->lock);
}

LFK_END_DECLS

#endif
