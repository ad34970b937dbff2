/* SPDX-License-Identifier: MIT */
/* Out-of-line parts of lfk_seqarray: layout, validation, read-modify-write
 * and snapshots. */
#include <lfkit/seqarray.h>

#include <stdlib.h>
#include <string.h>

#include "lib/seqarray_impl.h"

size_t lfk_seqarray_size(size_t n, size_t elem_size)
{
	size_t stride = lfk_seq__stride(elem_size, sizeof(lfk_seqlock_t));
	if (n == 0 || stride == 0 || n > (SIZE_MAX - sizeof(lfk_seqarray_t)) / stride)
		return 0;
	return sizeof(lfk_seqarray_t) + n * stride;
}

int lfk_seqarray_init(lfk_seqarray_t *a, size_t mem_size, size_t n,
		      size_t elem_size)
{
	size_t need = lfk_seqarray_size(n, elem_size);
	if (a == NULL || need == 0 || mem_size < need ||
	    (uintptr_t)a % LFK_CACHELINE != 0)
		return -EINVAL;
	memset(a, 0, need);
	a->n = n;
	a->elem_size = elem_size;
	a->stride = lfk_seq__stride(elem_size, sizeof(lfk_seqlock_t));
	a->magic = LFK_SEQARRAY_MAGIC;
	return 0;
}

int lfk_seqarray_create(lfk_seqarray_t **out, size_t n, size_t elem_size)
{
	size_t need = lfk_seqarray_size(n, elem_size);
	int rc;
	lfk_seqarray_t *a;
	if (out == NULL)
		return -EINVAL;
	a = lfk_seq__alloc(need, &rc);
	if (rc == 0)
		rc = lfk_seqarray_init(a, need, n, elem_size);
	if (rc == 0)
		*out = a;
	return rc;
}

void lfk_seqarray_destroy(lfk_seqarray_t *a)
{
	free(a);
}

size_t lfk_seqarray_length(const lfk_seqarray_t *a)
{
	return a ? (size_t)a->n : 0;
}

size_t lfk_seqarray_elem_size(const lfk_seqarray_t *a)
{
	return a ? (size_t)a->elem_size : 0;
}

int lfk_seqarray_update(lfk_seqarray_t *a, size_t i, lfk_seqarray_update_fn fn,
			void *arg)
{
	return lfk_seqarray_update_n(a, &i, 1, fn, arg);
}

int lfk_seqarray_update_n(lfk_seqarray_t *a, const size_t *idx, size_t k,
			  lfk_seqarray_update_fn fn, void *arg)
{
	struct lfk_seq_buf buf;
	size_t es = a ? (size_t)a->elem_size : 0;
	int rc = a ? lfk_seq__update_start(&buf, (size_t)a->n, es, idx, k,
					   (const void *)fn)
		   : -EINVAL;
	if (rc != 0)
		return rc;
	/* Ascending order: the one lock order of update_n and the snapshot
	 * fallback, so two of them can never wait for each other in a cycle. */
	for (size_t j = 0; j < k; j++) {
		struct lfk_seqarray_slot *s = lfk_seqarray__slot(a, idx[j]);
		lfk_seqlock_write_begin(&s->lock);
		/* no other writer can be inside: this copy is stable */
		lfk_seqlock_copy_out(buf.p + j * es, s->data, es);
	}
	rc = fn(buf.p, k, es, arg);
	for (size_t j = 0; j < k; j++) {
		struct lfk_seqarray_slot *s = lfk_seqarray__slot(a, idx[j]);
		if (rc == 0) {
			lfk_seqlock_copy_in(s->data, buf.p + j * es, es);
			lfk_seqlock_write_end(&s->lock);
		} else {
			lfk_seqlock_write_abort(&s->lock); /* nothing stored */
		}
	}
	lfk_seq__buf_put(&buf);
	return rc;
}

/* One collect: copies every element and records its (even) sequence.
 * False as soon as an element has a writer inside. */
static bool collect(const lfk_seqarray_t *a, unsigned char *dst, uint64_t *seqs)
{
	size_t n = (size_t)a->n, es = (size_t)a->elem_size;
	for (size_t i = 0; i < n; i++) {
		struct lfk_seqarray_slot *s = lfk_seqarray__slot(a, i);
		/* acquire: pairs with the release in write_end, as read_begin */
		uint64_t q = lfk_atomic_load_u64(&s->lock.seq, LFK_ACQUIRE);
		if (q & 1)
			return false;
		seqs[i] = q;
		lfk_seqlock_copy_out(dst + i * es, s->data, es);
	}
	return true;
}

/* The second collect: true if no sequence moved since the first. */
static bool unchanged(const lfk_seqarray_t *a, const uint64_t *seqs)
{
	/* seq_cst fence, not only acquire.  As acquire it orders every data
	 * load of the first collect before these reloads (pairs with the
	 * writers' release fence in write_begin, as lfk_seqlock_read_retry).
	 * seq_cst also puts all snapshots' fences in one total order: without
	 * it, on an ISA that is not multi-copy atomic (POWER), two snapshots
	 * could each see one of two independent writes to different elements
	 * and not the other (IRIW), i.e. order them oppositely, and snapshots
	 * would not be linearizable.  With it, if A's reload misses a write
	 * that B saw before its fence, A's fence precedes B's in that order,
	 * so B's reload cannot miss a write A saw before its fence (RC11's
	 * psc order; Lahav et al., PLDI 2017).  Cost: one locked no-op on x86
	 * (the acquire fence was free), dmb ish instead of dmb ishld on
	 * aarch64, hwsync instead of lwsync on POWER.
	 * TSan models no fences: there the loads themselves are acquire and
	 * the fence is only a compiler barrier (see <lfkit/atomic.h>). */
#if defined(LFK_TSAN)
	lfk_acquire_fence();
#else
	lfk_atomic_fence(LFK_SEQ_CST);
#endif
	for (size_t i = 0; i < (size_t)a->n; i++)
		if (lfk_atomic_load_u64(&lfk_seqarray__slot(a, i)->lock.seq,
					LFK_RELAXED) != seqs[i])
			return false;
	return true;
}

/*
 * Why a successful double collect is a snapshot: every element's sequence
 * was the same even value from before its data was copied (first collect)
 * until after every copy was done (second collect), so at any instant
 * between the two collects each element held the value copied.  A writer
 * changing several elements (update_n) makes all of them odd before it
 * stores and even only after, so no such instant falls inside its change.
 * If a copied value came from a write that the second collect's reload
 * would miss, the write's release fence and our fence synchronize and the
 * reload sees the odd sequence (see <lfkit/seqlock.h>).  Between
 * snapshots, the seq_cst fence in unchanged() keeps two of them from
 * ordering two independent writes oppositely.  64-bit
 * sequences do not wrap, so "unchanged" cannot be an ABA.
 *
 * The fallback holds every writer side at once (ascending, as update_n) and
 * copies: nothing can change meanwhile.  It releases them with
 * write_abort, which puts each sequence back: the data did not change, so
 * readers and other snapshots that overlapped it need not retry.
 */
int lfk_seqarray_snapshot_tries(const lfk_seqarray_t *a, void *dst,
				unsigned tries)
{
	struct lfk_seq_buf buf;
	lfk_seqarray_t *w = (lfk_seqarray_t *)a; /* the fallback locks */
	size_t n;
	int rc;
	if (a == NULL || dst == NULL)
		return -EINVAL;
	n = (size_t)a->n;
	rc = lfk_seq__buf_get(&buf, n, sizeof(uint64_t));
	if (rc != 0)
		return rc;
	for (unsigned t = 0; t < tries; t++) {
		if (collect(a, dst, (uint64_t *)(void *)buf.p) &&
		    unchanged(a, (const uint64_t *)(void *)buf.p)) {
			lfk_seq__buf_put(&buf);
			return 0;
		}
		lfk_cpu_relax();
	}
	lfk_seq__buf_put(&buf);
	for (size_t i = 0; i < n; i++)
		lfk_seqlock_write_begin(&lfk_seqarray__slot(w, i)->lock);
	for (size_t i = 0; i < n; i++)
		lfk_seqlock_copy_out((unsigned char *)dst + i * a->elem_size,
				     lfk_seqarray__slot(a, i)->data,
				     (size_t)a->elem_size);
	for (size_t i = 0; i < n; i++)
		lfk_seqlock_write_abort(&lfk_seqarray__slot(w, i)->lock);
	return 0;
}

int lfk_seqarray_snapshot(const lfk_seqarray_t *a, void *dst)
{
	return lfk_seqarray_snapshot_tries(a, dst, LFK_SEQARRAY_SNAPSHOT_TRIES);
}
