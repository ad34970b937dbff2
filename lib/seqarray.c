/* SPDX-License-Identifier: MIT */
/* Out-of-line parts of lfk_seqarray: layout, validation, read-modify-write
 * and snapshots. */
#include <lfkit/seqarray.h>

#include <stdlib.h>
#include <string.h>

#include "lib/create.h"
#include "lib/seqarray_impl.h"

size_t lfk_seqarray_size(size_t n, size_t elem_size)
{
	size_t stride = lfk__seq_stride(elem_size, sizeof(struct lfk_seqlock));
	if (n == 0 || stride == 0 ||
	    n > (SIZE_MAX - sizeof(struct lfk_seqarray)) / stride)
		return 0;
	return sizeof(struct lfk_seqarray) + n * stride;
}

int lfk_seqarray_init(struct lfk_seqarray *a, size_t mem_size, size_t n,
		      size_t elem_size)
{
	size_t need = lfk_seqarray_size(n, elem_size);
	if (a == NULL || need == 0 || mem_size < need ||
	    (uintptr_t)a % LFK_CACHELINE != 0)
		return -EINVAL;
	memset(a, 0, need);
	a->n = n;
	a->elem_size = elem_size;
	a->stride = lfk__seq_stride(elem_size, sizeof(struct lfk_seqlock));
	a->magic = LFK_SEQARRAY_MAGIC;
	return 0;
}

struct seqarray_args {
	size_t n, elem_size;
};

static int seqarray_init_at(void *mem, size_t bytes, const void *args)
{
	const struct seqarray_args *a = args;
	return lfk_seqarray_init(mem, bytes, a->n, a->elem_size);
}

int lfk_seqarray_create(size_t n, size_t elem_size, struct lfk_seqarray **out)
{
	struct seqarray_args args = { n, elem_size };
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__create(LFK_CACHELINE, lfk_seqarray_size(n, elem_size),
			   seqarray_init_at, &args, &rc);
	return rc;
}

void lfk_seqarray_destroy(struct lfk_seqarray *a)
{
	free(a);
}

size_t lfk_seqarray_length(const struct lfk_seqarray *a)
{
	return a ? (size_t)a->n : 0;
}

size_t lfk_seqarray_elem_size(const struct lfk_seqarray *a)
{
	return a ? (size_t)a->elem_size : 0;
}

int lfk_seqarray_update(struct lfk_seqarray *a, size_t i,
			lfk_seqarray_update_fn fn, void *arg)
{
	return lfk_seqarray_update_n(a, &i, 1, fn, arg);
}

int lfk_seqarray_update_n(struct lfk_seqarray *a, const size_t *idx, size_t k,
			  lfk_seqarray_update_fn fn, void *arg)
{
	struct lfk__seq_buf buf;
	size_t es = a ? (size_t)a->elem_size : 0;
	int rc = a ? lfk__seq_update_start(&buf, (size_t)a->n, es, idx, k,
					   (const void *)fn)
		   : -EINVAL;
	if (rc != 0)
		return rc;
	/* Ascending order: the one lock order of update_n and the snapshot
	 * fallback, so two of them can never wait for each other in a cycle. */
	for (size_t j = 0; j < k; j++) {
		struct lfk__seqarray_slot *s = lfk__seqarray_slot_at(a, idx[j]);
		lfk_seqlock_write_begin(&s->lock);
		/* no other writer can be inside: this copy is stable */
		lfk_seqlock_copy_out(buf.p + j * es, s->data, es);
	}
	rc = fn(buf.p, k, es, arg);
	for (size_t j = 0; j < k; j++) {
		struct lfk__seqarray_slot *s = lfk__seqarray_slot_at(a, idx[j]);
		if (rc == 0) {
			lfk_seqlock_copy_in(s->data, buf.p + j * es, es);
			lfk_seqlock_write_end(&s->lock);
		} else {
			lfk_seqlock_write_abort(&s->lock); /* nothing stored */
		}
	}
	lfk__seq_buf_put(&buf);
	return rc;
}

/* One collect: copies every element and records its (even) sequence.
 * False as soon as an element has a writer inside. */
static bool collect(const struct lfk_seqarray *a, unsigned char *dst,
		    uint64_t *seqs)
{
	size_t n = (size_t)a->n, es = (size_t)a->elem_size;
	for (size_t i = 0; i < n; i++) {
		struct lfk__seqarray_slot *s = lfk__seqarray_slot_at(a, i);
		/* acquire: pairs with the release in write_end, as
		 * read_begin */
		uint64_t q = lfk_atomic_load_u64(&s->lock.seq, LFK_ACQUIRE);
		if (q & 1)
			return false;
		seqs[i] = q;
		lfk_seqlock_copy_out(dst + i * es, s->data, es);
	}
	return true;
}

/* The second collect: true if no sequence moved since the first. */
static bool unchanged(const struct lfk_seqarray *a, const uint64_t *seqs)
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
		if (lfk_atomic_load_u64(&lfk__seqarray_slot_at(a, i)->lock.seq,
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
int lfk_seqarray_snapshot_tries(const struct lfk_seqarray *a, void *dst,
				unsigned tries)
{
	struct lfk__seq_buf buf;
	struct lfk_seqarray *w =
		(struct lfk_seqarray *)a; /* the fallback locks */
	size_t n;
	int rc;
	if (a == NULL || dst == NULL)
		return -EINVAL;
	n = (size_t)a->n;
	rc = lfk__seq_buf_get(&buf, n, sizeof(uint64_t));
	if (rc != 0)
		return rc;
	for (unsigned t = 0; t < tries; t++) {
		if (collect(a, dst, (uint64_t *)(void *)buf.p) &&
		    unchanged(a, (const uint64_t *)(void *)buf.p)) {
			lfk__seq_buf_put(&buf);
			return 0;
		}
		lfk_cpu_relax();
	}
	lfk__seq_buf_put(&buf);
	for (size_t i = 0; i < n; i++)
		lfk_seqlock_write_begin(&lfk__seqarray_slot_at(w, i)->lock);
	for (size_t i = 0; i < n; i++)
		lfk_seqlock_copy_out((unsigned char *)dst + i * a->elem_size,
				     lfk__seqarray_slot_at(a, i)->data,
				     (size_t)a->elem_size);
	for (size_t i = 0; i < n; i++)
		lfk_seqlock_write_abort(&lfk__seqarray_slot_at(w, i)->lock);
	return 0;
}

int lfk_seqarray_snapshot(const struct lfk_seqarray *a, void *dst)
{
	return lfk_seqarray_snapshot_tries(a, dst, LFK_SEQARRAY_SNAPSHOT_TRIES);
}
