/* SPDX-License-Identifier: MIT */
/*
 * One operations table over the blocking queue (on each ring kind) and its
 * mutex twin, so that tests and benchmarks run the same code against all of
 * them (as ring_ops.h does for the rings).
 */
#ifndef LFK_TESTS_QUEUE_OPS_H
#define LFK_TESTS_QUEUE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lfk_queue_ops {
	const char
		*name; /* "queue_spsc", "queue_mpmc", "queue_lfmpmc", "ref" */
	bool multi; /* several producers and consumers allowed */
	int (*create)(size_t capacity, size_t elem_size, void **out);
	void (*destroy)(void *q);
	int (*put)(void *q, uint64_t v, uint64_t timeout_ns);
	int (*get)(void *q, uint64_t *v, uint64_t timeout_ns);
	int (*put_rec)(void *q, const void *rec, uint64_t timeout_ns);
	int (*get_rec)(void *q, void *rec, uint64_t timeout_ns);
	int (*close)(void *q);
	int (*task_done)(void *q);
	int (*join)(void *q, uint64_t timeout_ns);
	size_t (*count)(void *q);
	size_t (*capacity)(void *q);
};

extern const struct lfk_queue_ops lfk_queue_ops_spsc;
extern const struct lfk_queue_ops lfk_queue_ops_mpmc;
extern const struct lfk_queue_ops lfk_queue_ops_lfmpmc;
extern const struct lfk_queue_ops lfk_queue_ops_ref;

/* Every table above, NULL-terminated. */
extern const struct lfk_queue_ops *const lfk_queue_ops_all[];

#endif
