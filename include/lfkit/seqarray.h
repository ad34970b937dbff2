/* SPDX-License-Identifier: MIT */
/*
 * lfkit/seqarray.h - an array of fixed-size elements, one seqlock each.
 *
 * n elements of elem_size bytes (a non-zero multiple of 8).  Each element
 * sits in a slot of its own: its sequence word first, then its bytes, the
 * slot padded to whole cache lines, so writers of different elements never
 * share a line and a reader of one element touches only that element's
 * lines.
 *
 * When to use it: read-mostly tables read far more often than written, where
 * readers must not slow each other down or slow the writers (prices per
 * instrument, per-port statistics, a routing table of fixed-size entries).
 * Readers only load: any number of them read in parallel without writing a
 * single shared line.  Writers to different elements proceed in parallel.
 *
 * Guarantees:
 *   read(i)      returns element i as one write left it, never torn.
 *   write(i)     replaces element i atomically with respect to readers.
 *   update(i)    read-modify-write of element i under its writer side:
 *                concurrent updates of one element never lose each other.
 *   update_n     the same over several elements at once (taken in ascending
 *                index order, so that it cannot deadlock with other
 *                update_n calls or with a snapshot's fallback).
 *   snapshot     the whole array as it was at one instant (linearizable):
 *                a double collect over the sequences; after
 *                LFK_SEQARRAY_SNAPSHOT_TRIES failed collects (writers keep
 *                changing elements) it takes every element's writer side in
 *                ascending order, copies, and releases them unchanged, so it
 *                always finishes.
 *
 * Progress: every operation is blocking.  read waits while its element's
 * writer is inside (and can starve under a writer that never pauses);
 * writers wait for writers of the same element; snapshot waits in its
 * fallback for the writers inside.  No operation waits for a reader.
 *
 * Placement: the array lives in caller-provided memory of
 * lfk_seqarray_size(n, elem_size) bytes aligned to LFK_CACHELINE, and holds
 * no pointers, so it can live in memory shared between processes that map
 * it at different addresses.  lfk_seqarray_create/destroy allocate it.
 *
 * Errors: -EINVAL for a NULL pointer, an index >= n, a zero or misaligned
 * size, or indices that are not strictly ascending; -ENOMEM when a large
 * temporary buffer cannot be allocated (update_n and snapshot of big
 * arrays only).  See <lfkit/seqlock.h> for the memory-order argument, which
 * applies to every element.
 */
#ifndef LFKIT_SEQARRAY_H
#define LFKIT_SEQARRAY_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/atomic.h>
#include <lfkit/seqlock.h>

/* The calls defined in this header are static inline; lib/seqarray_symbols.c
 * defines LFK__SEQARRAY_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__SEQARRAY_API
#define LFK__SEQARRAY_API static inline
#endif

LFK_BEGIN_DECLS

/* "lfkSeqAr": identifies an initialized array (e.g. in shared memory). */
#define LFK_SEQARRAY_MAGIC 0x6c666b5365714172ull

/* Double collects a snapshot tries before falling back to the writer sides. */
#define LFK_SEQARRAY_SNAPSHOT_TRIES 8

struct lfk_seqarray {
	/* Written once by init, read-only afterwards. */
	uint64_t magic;
	uint64_t n;
	uint64_t elem_size;
	uint64_t stride; /* bytes per slot: whole cache lines */
	LFK_PAD_TO_LINE(pad, 4 * sizeof(uint64_t));
	/* n slots follow: { struct lfk_seqlock seq; elem bytes; padding } */
} LFK_CACHE_ALIGNED;

/*
 * Bytes of memory an array of n elements of elem_size bytes needs, or 0 if
 * n is 0, elem_size is 0 or not a multiple of 8, or the size overflows.
 * Wait-free.
 */
size_t lfk_seqarray_size(size_t n, size_t elem_size);

/*
 * Initializes an array in mem (mem_size bytes, aligned to LFK_CACHELINE):
 * every element all zero bytes.  Returns 0, or -EINVAL (NULL, misaligned,
 * too small, or n / elem_size invalid as in lfk_seqarray_size).  Not
 * thread-safe: publish the array to other threads afterwards.  Wait-free
 * (O(size) stores).
 */
int lfk_seqarray_init(struct lfk_seqarray *mem, size_t mem_size, size_t n,
		      size_t elem_size);

/* Allocates and initializes an array into *out (NULL on failure).  Returns
 * 0, -EINVAL (out NULL, n / elem_size invalid as in lfk_seqarray_size) or
 * -ENOMEM.  Blocking (malloc). */
int lfk_seqarray_create(size_t n, size_t elem_size, struct lfk_seqarray **out);

/* Frees an array from lfk_seqarray_create (NULL is ignored).  No thread
 * may use it any more.  Blocking (free). */
void lfk_seqarray_destroy(struct lfk_seqarray *a);

/* The number of elements.  Cannot fail; 0 for NULL (no array is empty).
 * Wait-free. */
size_t lfk_seqarray_length(const struct lfk_seqarray *a);

/* The bytes per element.  Cannot fail; 0 for NULL.  Wait-free. */
size_t lfk_seqarray_elem_size(const struct lfk_seqarray *a);

/* ---- inline fast paths --------------------------------------------------- */

#include <lfkit/impl/seqarray.h>

/*
 * Copies element i to dst (elem_size bytes, any alignment), never torn.
 * Returns 0, or -EINVAL (NULL, i >= n).  Blocking: waits while a writer of
 * element i is inside.
 */
LFK__SEQARRAY_API int lfk_seqarray_read(const struct lfk_seqarray *a, size_t i,
					void *dst)
{
	if (a == NULL || dst == NULL || i >= a->n)
		return -EINVAL;
	struct lfk__seqarray_slot *s = lfk__seqarray_slot_at(a, i);
	uint64_t seq;
	do {
		seq = lfk_seqlock_read_begin(&s->lock);
		lfk_seqlock_copy_out(dst, s->data, (size_t)a->elem_size);
	} while (lfk_seqlock_read_retry(&s->lock, seq));
	return 0;
}

/*
 * Replaces element i with src (elem_size bytes).  Returns 0, or -EINVAL
 * (NULL, i >= n).  Blocking: waits for other writers of element i (writers
 * of other elements do not interfere).
 */
LFK__SEQARRAY_API int lfk_seqarray_write(struct lfk_seqarray *a, size_t i,
					 const void *src)
{
	if (a == NULL || src == NULL || i >= a->n)
		return -EINVAL;
	struct lfk__seqarray_slot *s = lfk__seqarray_slot_at(a, i);
	lfk_seqlock_write_begin(&s->lock);
	lfk_seqlock_copy_in(s->data, src, (size_t)a->elem_size);
	return lfk_seqlock_write_end(&s->lock);
}

/* ---- a writer that never comes back (out of line) ------------------------ */

/*
 * lfk_seqarray_read, but gives up when element i has stayed inside one
 * write for timeout_ns (nanoseconds on CLOCK_MONOTONIC; LFK_FOREVER as
 * lfk_seqarray_read): the case of a writer that died between its begin and
 * its end, in another process sharing the array, whose readers would
 * otherwise spin for ever.  The clock is read only while the element is
 * being written, so an uncontended read costs what lfk_seqarray_read does.
 * A time bound, not a count of tries: the same bound then means the same on
 * every machine, and a writer merely preempted for a while is waited for.
 * Returns 0; -ETIMEDOUT (dst unspecified; *stuck_seq, if not NULL, gets the
 * odd sequence the element is stuck at, for lfk_seqarray_repair); -EAGAIN
 * for timeout 0 and a write in progress (*stuck_seq as above); -EINVAL
 * (NULL a or dst, i >= n).  Blocking, bounded by timeout_ns per write it
 * meets (a stream of completed writes can still make it retry, as read).
 */
int lfk_seqarray_read_timed(const struct lfk_seqarray *a, size_t i, void *dst,
			    uint64_t timeout_ns, uint64_t *stuck_seq);

/*
 * Finishes, with the value src, a write of element i that was left inside
 * at the odd sequence stuck_seq by a writer known to be dead (its process
 * was reaped, or lfk_seqarray_read_timed timed out and you know why).  It
 * takes the element's writer side over from the dead writer (a CAS from
 * stuck_seq, so of several repairers one wins), stores src and ends the
 * write: readers and writers waiting on the element go on, and see src.
 * Never call it for a writer that may still be running: it would write the
 * element at the same time.
 * Returns 0; -EAGAIN when the element's sequence is no longer stuck_seq
 * (the writer finished after all, or someone repaired it first); -EINVAL
 * (NULL, i >= n, stuck_seq even).  Wait-free.
 */
int lfk_seqarray_repair(struct lfk_seqarray *a, size_t i, uint64_t stuck_seq,
			const void *src);

/* ---- read-modify-write and snapshots (out of line) ----------------------- */

/*
 * The modification of update / update_n: elems holds k elements, elem_size
 * bytes each, in the order of the indices (a private copy of their current
 * values).  Change them in place and return 0 to store them, or non-zero to
 * leave every element unchanged (that value is returned to the caller; use
 * a negative errno or a positive code of your own).  It runs while the
 * elements' writer sides are held: keep it short, and do not call the
 * array's writing operations or snapshot from it.
 */
typedef int (*lfk_seqarray_update_fn)(void *elems, size_t k, size_t elem_size,
				      void *arg);

/*
 * Read-modify-write of element i: fn sees its current value and may change
 * it.  Returns 0, fn's non-zero value (nothing changed), or -EINVAL (NULL,
 * i >= n).  Blocking: waits for other writers of element i.
 */
int lfk_seqarray_update(struct lfk_seqarray *a, size_t i,
			lfk_seqarray_update_fn fn, void *arg);

/*
 * Read-modify-write of k elements at once (idx strictly ascending, every
 * index < n): readers and snapshots see all of the change or none of it
 * element by element, and a snapshot sees it all or nothing.  Returns 0,
 * fn's non-zero value (nothing changed), -EINVAL (NULL, k == 0, an index
 * out of range or out of order) or -ENOMEM (k * elem_size above 4 KiB and
 * no memory for the copy).  Blocking.
 */
int lfk_seqarray_update_n(struct lfk_seqarray *a, const size_t *idx, size_t k,
			  lfk_seqarray_update_fn fn, void *arg);

/*
 * Copies the whole array to dst (n * elem_size bytes) as it was at one
 * instant.  Returns 0, -EINVAL (NULL) or -ENOMEM (arrays of more than 512
 * elements need a temporary buffer).  Blocking: finishes under any write
 * load, by holding every element's writer side briefly if
 * LFK_SEQARRAY_SNAPSHOT_TRIES double collects fail.
 */
int lfk_seqarray_snapshot(const struct lfk_seqarray *a, void *dst);

/* lfk_seqarray_snapshot with a chosen number of double collects before the
 * fallback (0: take the writer sides at once).  Returns and blocks as
 * lfk_seqarray_snapshot. */
int lfk_seqarray_snapshot_tries(const struct lfk_seqarray *a, void *dst,
				unsigned tries);

LFK_END_DECLS

#endif
