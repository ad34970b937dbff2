/* SPDX-License-Identifier: MIT */
/* The out-of-line parts of the ring pumps (ring_pump.h): set-up, checks,
 * and the slow paths the loops take when they stop or wait. */
#include "ring_pump.h"

#include <string.h>

void lfk_pump_run_init(struct lfk_pump_run *run, int producers,
		       uint64_t per_producer, uint32_t burst,
		       uint64_t budget_ns)
{
	memset(run, 0, sizeof(*run));
	run->producers = (uint32_t)producers;
	run->per_producer = per_producer;
	run->burst = burst < 1			  ? 1
		     : burst > LFK_PUMP_MAX_BURST ? LFK_PUMP_MAX_BURST
						  : burst;
	run->deadline_ns = budget_ns ? lfk_now_ns() + budget_ns : 0;
	/* Far longer than any drain of a bounded queue takes. */
	run->stuck_ns = 10ull * 1000000000u;
}

/* xor of 1..n */
static uint64_t xor_upto(uint64_t n)
{
	switch (n % 4) {
	case 0:
		return n;
	case 1:
		return 1;
	case 2:
		return n + 1;
	default:
		return 0;
	}
}

struct lfk_pump_tally lfk_pump_expected(int id, uint64_t n)
{
	uint64_t base = lfk_pump_base(id);
	/* n(n+1)/2 without overflowing first: halve the even factor. */
	uint64_t tri = n % 2 ? (n + 1) / 2 * n : n / 2 * (n + 1);
	struct lfk_pump_tally t = {
		.count = n,
		.sum = n * base + tri,
		.xor = (n % 2 ? base : 0) ^ xor_upto(n),
	};
	return t;
}

void lfk_pump_add(struct lfk_pump_tally *to, const struct lfk_pump_tally *t)
{
	to->count += t->count;
	to->sum += t->sum;
	to->xor ^= t->xor ;
}

bool lfk_pump_verify(const struct lfk_pump_run *run,
		     const struct lfk_pump_tally *put,
		     const struct lfk_pump_tally *taken)
{
	return !run->gave_up && put->count > 0 && put->count == run->produced &&
	       put->count == taken->count && put->sum == taken->sum &&
	       put->xor == taken->xor
		;
}

/* Whether producers may go on: no stop yet, and the deadline not passed
 * (a producer that sees it passed stops the others). */
bool lfk_pump_keep_going(struct lfk_pump_run *run)
{
	if (lfk_atomic_load_u64(&run->stop, LFK_RELAXED))
		return false;
	if (run->deadline_ns && lfk_now_ns() >= run->deadline_ns) {
		lfk_atomic_store_u64(&run->stop, 1, LFK_RELAXED);
		return false;
	}
	return true;
}

/* A producer found the queue full: back off; true when it must stop.  The
 * clock is read only once it has started to yield. */
bool lfk_pump_producer_wait(struct lfk_pump_run *run, unsigned *spins)
{
	lfk_backoff(spins);
	if (*spins < 16)
		return false;
	return !lfk_pump_keep_going(run);
}

void lfk_pump_producer_end(struct lfk_pump_run *run, int id, uint64_t n,
			   struct lfk_pump_tally *out, void (*finish)(void *q),
			   void *q)
{
	*out = lfk_pump_expected(id, n);
	lfk_atomic_fetch_add_u64(&run->produced, n, LFK_RELAXED);
	/* The acq_rel chain on `finished` carries every producer's count to
	 * the last one, whose release of all_done carries them on. */
	if (lfk_atomic_fetch_add_u64(&run->finished, 1, LFK_ACQ_REL) + 1 ==
	    run->producers) {
		if (finish != NULL)
			finish(q);
		run->all_done_ns = lfk_now_ns();
		lfk_atomic_store_u64(&run->all_done, 1, LFK_RELEASE);
	}
}

/* A consumer found the queue empty (rc -EAGAIN) or closed (-EPIPE): true
 * when it is done; otherwise it has backed off. */
bool lfk_pump_consumer_idle(struct lfk_pump_run *run, long rc, uint64_t count,
			    uint64_t *flushed, unsigned *spins)
{
	bool done = rc == -EPIPE;
	if (done || lfk_atomic_load_u64(&run->all_done, LFK_ACQUIRE)) {
		if (count != *flushed) {
			lfk_atomic_fetch_add_u64(&run->consumed,
						 count - *flushed, LFK_RELAXED);
			*flushed = count;
		}
		if (done)
			return true;
		if (lfk_atomic_load_u64(&run->consumed, LFK_RELAXED) >=
		    lfk_atomic_load_u64(&run->produced, LFK_RELAXED))
			return true;
		/* Items are missing: after stuck_ns, give the run up (it
		 * fails verification) rather than hang. */
		if (*spins % 1024 == 1023 &&
		    lfk_now_ns() - run->all_done_ns > run->stuck_ns) {
			lfk_atomic_store_u64(&run->gave_up, 1, LFK_RELAXED);
			return true;
		}
	}
	lfk_backoff(spins);
	return false;
}
