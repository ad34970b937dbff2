/* SPDX-License-Identifier: MIT */
/* What several of the queue's scenario files share (queue_helpers.c). */
#ifndef LFK_TESTS_QUEUE_HELPERS_H
#define LFK_TESTS_QUEUE_HELPERS_H

#include <lfkit/atomic.h>
#include <lfkit/queue.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/lfk_test.h"
#include "harness/queue_ops.h"

#define MS 1000000ull
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Items of the multi-threaded scenarios: (producer + 1) << SEQ_BITS | seq. */
#define MAX_THREADS LFK_STRESS_MAX_THREADS
#define SEQ_BITS 40

void sleep_ns(uint64_t ns);
/* Zeroed memory aligned to a cache line (any size, unlike aligned_alloc). */
void *zalloc_lines(size_t size);

/* Acquire: pairs with the release (or acq_rel) writes of add() and of the
 * scenarios' stores. */
static inline uint64_t load(const uint64_t *p)
{
	return lfk_atomic_load_u64(p, LFK_ACQUIRE);
}

/* Acq_rel: orders what the thread did before against load()s after. */
static inline void add(uint64_t *p, uint64_t v)
{
	lfk_atomic_fetch_add_u64(p, v, LFK_ACQ_REL);
}

/* o->create, checked: the queue, or NULL after a failed check. */
void *must_create(const struct lfk_queue_ops *o, size_t cap, size_t es);

/* Runs check on a fresh queue (capacity cap, u64 items) of every
 * implementation; returns 0. */
int each_impl(size_t cap,
	      void (*check)(const struct lfk_queue_ops *o, void *q));

/* Per-thread totals of the items moved, each on its own line. */
struct tally {
	uint64_t count, sum, xor_;
	uint64_t pad[5];
};
void tally_item(struct tally *t, uint64_t v);
void tally_into(struct tally *total, const struct tally *t);

/*
 * A lost wake-up is a hang: the watchdog fails the scenario when the
 * counter `progress` does not move for LFK_WATCHDOG_SECONDS (default 10),
 * and closes the queue to release the threads (and exits the program if
 * even that does not help).
 */
struct watchdog {
	pthread_t tid;
	const struct lfk_queue_ops *ops;
	void *q;
	const uint64_t *progress; /* any counter the workers keep moving */
	uint64_t stop;
	uint64_t fired;
	double limit_s;
};
void watchdog_start(struct watchdog *w, const struct lfk_queue_ops *ops,
		    void *q, const uint64_t *progress);
/* Stops the watchdog; returns whether it fired. */
bool watchdog_stop(struct watchdog *w);

#endif
