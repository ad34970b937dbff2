/* SPDX-License-Identifier: MIT */
/* Out-of-line parts of the seqlock: the waiting slow paths, shared by
 * lfk_seqlock, lfk_seqarray and lfk_latch. */
#include <lfkit/seqlock.h>

#include <sched.h>

/* Spins this many times with cpu_relax before yielding the CPU: a write
 * section is a few dozen nanoseconds unless its writer was preempted, and
 * then only giving up the CPU lets it finish (on an oversubscribed machine
 * the writer may be waiting for our core). */
#define LFK_SEQLOCK_SPINS 128

static void wait_step(unsigned *spins)
{
	if (++*spins < LFK_SEQLOCK_SPINS) {
		lfk_cpu_relax();
	} else {
		sched_yield();
		*spins = 0;
	}
}

uint64_t lfk__seqlock_wait_even(const uint64_t *seq)
{
	unsigned spins = 0;
	for (;;) {
		/* acquire: as in lfk_seqlock_read_begin, whose slow path
		 * this is */
		uint64_t s = lfk_atomic_load_u64(seq, LFK_ACQUIRE);
		if (!(s & 1))
			return s;
		wait_step(&spins);
	}
}

void lfk__seqlock_wait_enter(uint64_t *seq)
{
	unsigned spins = 0;
	for (;;) {
		uint64_t s = lfk_atomic_load_u64(seq, LFK_RELAXED);
		if (lfk__seqlock_enter(seq, &s))
			return;
		wait_step(&spins);
	}
}
