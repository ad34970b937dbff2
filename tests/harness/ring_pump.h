/* SPDX-License-Identifier: MIT */
/*
 * Ring pumps: the bulk loops that move items through a queue, one producer
 * loop, one consumer loop and one single-thread pair loop per queue
 * implementation.  The per-item operations are the queue's inline calls,
 * pasted into the loops by LFK_RING_PUMP_DEFINE, so a benchmark pays no
 * function-pointer call per item; the loops themselves are reached through
 * a struct lfk_ring_pump (one indirect call per thread per run).
 *
 * Items encode (producer, sequence): (producer + 1) << 40 | seq, seq
 * counting from 1.  Producers put seq 1..n in order; consumers add up count,
 * sum and xor of what they take; a run adds up when the consumers' totals
 * equal the producers' (lfk_pump_verify).
 *
 * Stopping: a producer stops after per_producer items, or when the run's
 * deadline passes (checked every 256 items and while it backs off), and then
 * every producer stops at its next item (the shared stop flag), so that a
 * structure that collapses still ends its run soon after its time budget.  The last producer to
 * finish calls the pump's finish hook (a blocking queue closes itself there)
 * and raises all_done.  Consumers stop when their queue reports it is closed
 * (-EPIPE), or when all_done is up and the items taken by all consumers
 * equal the items put.
 *
 * Back-off: whenever a try-operation reports full or empty, the thread calls
 * lfk_backoff() (a few cpu_relax, then sched_yield), reset on progress: the
 * same policy for every implementation.
 */
#ifndef LFK_TESTS_RING_PUMP_H
#define LFK_TESTS_RING_PUMP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/atomic.h>

#include "lfk_threads.h"

#define LFK_PUMP_SEQ_BITS 40
#define LFK_PUMP_MAX_BURST 64
/* Producers look at the stop flag after every put (a line nobody writes
 * until the end: a hit in their cache), at the clock every
 * LFK_PUMP_CLOCK_EVERY items. */
#define LFK_PUMP_CLOCK_EVERY 256

struct lfk_pump_tally {
	uint64_t count, sum, xor;
};

struct lfk_pump_run {
	/* Set by lfk_pump_run_init before the threads start. */
	uint64_t per_producer; /* items each producer puts at most */
	uint64_t deadline_ns; /* lfk_now_ns() time producers stop; 0: none */
	uint64_t stuck_ns; /* consumers give up this long after all_done */
	uint32_t producers;
	uint32_t burst; /* items per call: 1, or up to LFK_PUMP_MAX_BURST */
	/* Shared while the run goes on, each on a line of its own. */
	uint64_t stop LFK_CACHE_ALIGNED; /* producers stop now */
	uint64_t finished LFK_CACHE_ALIGNED; /* producers that finished */
	uint64_t produced; /* items they put */
	uint64_t all_done LFK_CACHE_ALIGNED; /* every producer finished */
	uint64_t all_done_ns;
	uint64_t consumed LFK_CACHE_ALIGNED; /* taken, once all_done */
	uint64_t gave_up; /* a consumer timed out: the run is broken */
};

/* The loops of one queue implementation. */
struct lfk_ring_pump {
	/* Producer `id` of run->producers. */
	void (*produce)(void *q, struct lfk_pump_run *run, int id,
			struct lfk_pump_tally *out);
	void (*consume)(void *q, struct lfk_pump_run *run,
			struct lfk_pump_tally *out);
	/* n enqueue+dequeue pairs on one thread, items of producer 0. */
	void (*pair)(void *q, uint64_t n, struct lfk_pump_tally *out);
};

void lfk_pump_run_init(struct lfk_pump_run *run, int producers,
		       uint64_t per_producer, uint32_t burst,
		       uint64_t budget_ns);

/* What producer `id` put when it put seq 1..n (closed forms). */
struct lfk_pump_tally lfk_pump_expected(int id, uint64_t n);

/* Sums tallies; whether what the consumers took is what the producers put
 * (and the run was not given up, and moved something). */
void lfk_pump_add(struct lfk_pump_tally *to, const struct lfk_pump_tally *t);
bool lfk_pump_verify(const struct lfk_pump_run *run,
		     const struct lfk_pump_tally *put,
		     const struct lfk_pump_tally *taken);

/* Slow paths of the loops, out of line. */
bool lfk_pump_keep_going(struct lfk_pump_run *run);
bool lfk_pump_producer_wait(struct lfk_pump_run *run, unsigned *spins);
void lfk_pump_producer_end(struct lfk_pump_run *run, int id, uint64_t n,
			   struct lfk_pump_tally *out, void (*finish)(void *q),
			   void *q);
bool lfk_pump_consumer_idle(struct lfk_pump_run *run, long rc, uint64_t count,
			    uint64_t *flushed, unsigned *spins);

static inline uint64_t lfk_pump_base(int id)
{
	return (uint64_t)(id + 1) << LFK_PUMP_SEQ_BITS;
}

/* Whether a producer that has just put item seq must stop. */
static inline bool lfk_pump_must_stop(struct lfk_pump_run *run, uint64_t seq)
{
	if (lfk_atomic_load_u64(&run->stop, LFK_RELAXED))
		return true;
	return seq % LFK_PUMP_CLOCK_EVERY == 0 && !lfk_pump_keep_going(run);
}

/*
 * Builds burst calls out of single ones for a queue without a burst API:
 *   size_t P##_putn(T *q, const uint64_t *v, size_t n)  moved; stops at full
 *   long   P##_getn(T *q, uint64_t *v, size_t n)         moved, 0 when empty,
 *                                                        -EPIPE when closed
 */
#define LFK_RING_PUMP_SINGLES(P, T, PUT, GET)                                  \
	static inline size_t P##_putn(T *q, const uint64_t *v, size_t n)       \
	{                                                                      \
		size_t i;                                                      \
		for (i = 0; i < n; i++)                                        \
			if (PUT(q, v[i]) != 0)                                 \
				break;                                         \
		return i;                                                      \
	}                                                                      \
	static inline long P##_getn(T *q, uint64_t *v, size_t n)               \
	{                                                                      \
		size_t i;                                                      \
		for (i = 0; i < n; i++) {                                      \
			int rc = GET(q, &v[i]);                                \
			if (rc != 0)                                           \
				return i > 0	      ? (long)i                \
				       : rc == -EPIPE ? rc                     \
						      : 0;                     \
		}                                                              \
		return (long)i;                                                \
	}

/*
 * Defines `static const struct lfk_ring_pump P##_pump` for a queue of type T
 * whose operations are (inline functions or macros):
 *   int  PUT(T *q, uint64_t v)                 0, or -EAGAIN when full
 *   int  GET(T *q, uint64_t *v)                0, -EAGAIN when empty,
 *                                              -EPIPE when closed and drained
 *   size_t PUTN(T *q, const uint64_t *v, size_t n)   moved (0: full)
 *   long GETN(T *q, uint64_t *v, size_t n)     moved, 0 when empty, -EPIPE
 *   FINISH: void (*)(void *q) called once all producers are done, or NULL
 */
#define LFK_RING_PUMP_DEFINE(P, T, PUT, GET, PUTN, GETN, FINISH)               \
	static void P##_pump_produce(void *q_, struct lfk_pump_run *run,       \
				     int id, struct lfk_pump_tally *out)       \
	{                                                                      \
		T *q = q_;                                                     \
		const uint64_t n = run->per_producer,                          \
			       base = lfk_pump_base(id);                       \
		const size_t burst = run->burst;                               \
		uint64_t seq = 1;                                              \
		unsigned spins = 0;                                            \
		if (burst <= 1) {                                              \
			while (seq <= n) {                                     \
				if (PUT(q, base | seq) == 0) {                 \
					spins = 0;                             \
					if (lfk_pump_must_stop(run, seq++))    \
						break;                         \
				} else if (lfk_pump_producer_wait(run,         \
								  &spins)) {   \
					break;                                 \
				}                                              \
			}                                                      \
		} else {                                                       \
			uint64_t buf[LFK_PUMP_MAX_BURST];                      \
			while (seq <= n) {                                     \
				size_t k = n - seq + 1 < burst                 \
						   ? (size_t)(n - seq + 1)     \
						   : burst,                    \
				       done = 0;                               \
				for (size_t i = 0; i < k; i++)                 \
					buf[i] = base | (seq + i);             \
				while (done < k) {                             \
					size_t m =                             \
						PUTN(q, buf + done, k - done); \
					if (m > 0) {                           \
						done += m;                     \
						spins = 0;                     \
					} else if (lfk_pump_producer_wait(     \
							   run, &spins)) {     \
						break;                         \
					}                                      \
				}                                              \
				if (done < k ||                                \
				    (lfk_atomic_load_u64(&run->stop,           \
							 LFK_RELAXED) ||       \
				     (seq / LFK_PUMP_CLOCK_EVERY !=            \
					      (seq + done) /                   \
						      LFK_PUMP_CLOCK_EVERY &&  \
				      !lfk_pump_keep_going(run)))) {           \
					seq += done;                           \
					break;                                 \
				}                                              \
				seq += done;                                   \
			}                                                      \
		}                                                              \
		lfk_pump_producer_end(run, id, seq - 1, out, FINISH, q);       \
	}                                                                      \
	static void P##_pump_consume(void *q_, struct lfk_pump_run *run,       \
				     struct lfk_pump_tally *out)               \
	{                                                                      \
		T *q = q_;                                                     \
		const size_t burst = run->burst;                               \
		uint64_t count = 0, sum = 0, x = 0, flushed = 0;               \
		unsigned spins = 0;                                            \
		if (burst <= 1) {                                              \
			for (;;) {                                             \
				uint64_t v;                                    \
				int rc = GET(q, &v);                           \
				if (rc == 0) {                                 \
					count++;                               \
					sum += v;                              \
					x ^= v;                                \
					spins = 0;                             \
				} else if (lfk_pump_consumer_idle(             \
						   run, rc, count, &flushed,   \
						   &spins)) {                  \
					break;                                 \
				}                                              \
			}                                                      \
		} else {                                                       \
			uint64_t buf[LFK_PUMP_MAX_BURST];                      \
			for (;;) {                                             \
				long m = (long)GETN(q, buf, burst);            \
				if (m > 0) {                                   \
					for (long i = 0; i < m; i++) {         \
						sum += buf[i];                 \
						x ^= buf[i];                   \
					}                                      \
					count += (uint64_t)m;                  \
					spins = 0;                             \
				} else if (lfk_pump_consumer_idle(             \
						   run, m ? m : -EAGAIN,       \
						   count, &flushed, &spins)) { \
					break;                                 \
				}                                              \
			}                                                      \
		}                                                              \
		out->count = count;                                            \
		out->sum = sum;                                                \
		out->xor = x;                                                  \
	}                                                                      \
	static void P##_pump_pair(void *q_, uint64_t n,                        \
				  struct lfk_pump_tally *out)                  \
	{                                                                      \
		T *q = q_;                                                     \
		const uint64_t base = lfk_pump_base(0);                        \
		uint64_t i, sum = 0, x = 0;                                    \
		for (i = 1; i <= n; i++) {                                     \
			uint64_t v;                                            \
			if (PUT(q, base | i) != 0 || GET(q, &v) != 0)          \
				break;                                         \
			sum += v;                                              \
			x ^= v;                                                \
		}                                                              \
		out->count = i - 1;                                            \
		out->sum = sum;                                                \
		out->xor = x;                                                  \
	}                                                                      \
	static const struct lfk_ring_pump P##_pump = {                         \
		.produce = P##_pump_produce,                                   \
		.consume = P##_pump_consume,                                   \
		.pair = P##_pump_pair,                                         \
	};

#endif
