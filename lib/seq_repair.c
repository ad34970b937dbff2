/* SPDX-License-Identifier: MIT */
/*
 * A seqlock (or a seqarray element) after its writer died inside a write
 * (another process killed between its begin and its end): a read that
 * gives up instead of spinning for ever, and a repair that finishes the
 * dead writer's write.  The protocol is the seqlock's (<lfkit/seqlock.h>);
 * these reuse its steps.
 */
#include <lfkit/eventcount.h> /* LFK_FOREVER, lfk_deadline_ns */
#include <lfkit/seqarray.h>
#include <sched.h>

/* Spins with cpu_relax before each wait yields the CPU instead. */
#define SPINS_BEFORE_YIELD 64

int lfk_seqlock_read_timed(const struct lfk_seqlock *l, void *dst,
			   const void *src, size_t size, uint64_t timeout_ns,
			   uint64_t *stuck_seq)
{
	uint64_t stuck = 0, deadline = 0; /* the write we wait for, its bound */
	unsigned spins = 0;
	if (l == NULL || !lfk_seqlock_copy_ok(src, dst, size))
		return -EINVAL;
	for (;;) {
		/* Acquire: as lfk_seqlock_read_begin (pairs with the release
		 * in write_end). */
		uint64_t seq = lfk_atomic_load_u64(&l->seq, LFK_ACQUIRE);
		if (!(seq & 1)) {
			lfk_seqlock_copy_out(dst, src, size);
			if (!lfk_seqlock_read_retry(l, seq))
				return 0;
			continue;
		}
		if (timeout_ns == 0) { /* never blocks: not even one spin */
			if (stuck_seq != NULL)
				*stuck_seq = seq;
			return -EAGAIN;
		}
		if (seq != stuck) { /* a write we have not waited for yet */
			stuck = seq;
			deadline = lfk_deadline_ns(timeout_ns);
			spins = 0;
		} else if (deadline != LFK_FOREVER &&
			   lfk_monotonic_ns() >= deadline) {
			if (stuck_seq != NULL)
				*stuck_seq = seq;
			return -ETIMEDOUT;
		}
		if (spins++ < SPINS_BEFORE_YIELD)
			lfk_cpu_relax();
		else
			sched_yield();
	}
}

int lfk_seqlock_repair(struct lfk_seqlock *l, uint64_t stuck_seq, void *dst,
		       const void *src, size_t size)
{
	uint64_t expect = stuck_seq;
	if (l == NULL || !lfk_seqlock_copy_ok(dst, src, size) ||
	    !(stuck_seq & 1))
		return -EINVAL;
	/* Acq_rel, as write_begin's CAS: the dead writer's stores (and its
	 * predecessors') before ours.  stuck + 2 is still odd, so readers keep
	 * waiting, and a second repairer of the same stuck write fails here. */
	if (!lfk_atomic_cas_u64(&l->seq, &expect, stuck_seq + 2, LFK_ACQ_REL))
		return -EAGAIN;
	/* Release fence: the new odd sequence before the data stores; pairs
	 * with the acquire fence in read_retry (as write_begin). */
	lfk_release_fence();
	lfk_seqlock_copy_in(dst, src, size);
	return lfk_seqlock_write_end(l);
}

int lfk_seqarray_read_timed(const struct lfk_seqarray *a, size_t i, void *dst,
			    uint64_t timeout_ns, uint64_t *stuck_seq)
{
	struct lfk__seqarray_slot *s;
	if (a == NULL || dst == NULL || i >= a->n)
		return -EINVAL;
	s = lfk__seqarray_slot_at(a, i);
	return lfk_seqlock_read_timed(&s->lock, dst, s->data,
				      (size_t)a->elem_size, timeout_ns,
				      stuck_seq);
}

int lfk_seqarray_repair(struct lfk_seqarray *a, size_t i, uint64_t stuck_seq,
			const void *src)
{
	struct lfk__seqarray_slot *s;
	if (a == NULL || src == NULL || i >= a->n)
		return -EINVAL;
	s = lfk__seqarray_slot_at(a, i);
	return lfk_seqlock_repair(&s->lock, stuck_seq, s->data, src,
				  (size_t)a->elem_size);
}
