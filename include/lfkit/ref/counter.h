/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ref/counter.h - the sharded counter's reference twin: one int64_t
 * behind one mutex.  Same API shape as <lfkit/counter.h>; every operation is
 * blocking.  The tests hold lfk_counter against it; the benchmarks race it.
 */
#ifndef LFKIT_REF_COUNTER_H
#define LFKIT_REF_COUNTER_H

#include <stdint.h>

#include <lfkit/config.h>

LFK_BEGIN_DECLS

struct lfk_ref_counter;

/* As lfk_counter_create: 0, -EINVAL (out NULL) or -ENOMEM. */
int lfk_ref_counter_create(struct lfk_ref_counter **out);
/* NULL is ignored. */
void lfk_ref_counter_destroy(struct lfk_ref_counter *c);
/* Adds n (wraps modulo 2^64): 0, or -EINVAL for NULL. */
int lfk_ref_counter_add(struct lfk_ref_counter *c, int64_t n);
/* Stores the value in *value: 0, or -EINVAL (c or value NULL). */
int lfk_ref_counter_read(struct lfk_ref_counter *c, int64_t *value);
/* Sets it to 0; -EINVAL for NULL. */
int lfk_ref_counter_reset(struct lfk_ref_counter *c);

LFK_END_DECLS

#endif
