/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/tlocal.h - internals of <lfkit/tlocal.h>: the object header
 * and the thread vector the inline lfk_tlocal_get reads, and its out-of-
 * line part.
 * Not part of the API: names here (lfk__*) may change in any release.
 * Included by <lfkit/tlocal.h>; do not include it directly.
 */
#ifndef LFKIT_IMPL_TLOCAL_H
#define LFKIT_IMPL_TLOCAL_H

#include <stdint.h>

LFK_BEGIN_DECLS

struct lfk_tlocal;

/* The first member of every struct lfk_tlocal. */
struct lfk__tlocal_hdr {
	uint32_t id;
};

/* The calling thread's slot vector: vec[id] is its slot of object id, or
 * NULL.  Only the thread itself reads it without a lock; another thread
 * (lfk_tlocal_destroy) may clear an entry, hence the atomic accesses. */
struct lfk__tlocal_tls {
	void **vec;
	uint32_t cap;
};
extern __thread struct lfk__tlocal_tls lfk__tlocal_tls
	__attribute__((tls_model("initial-exec")));

/* Out-of-line part of lfk_tlocal_get: creates the calling thread's slot.
 * Same arguments, results and errors as lfk_tlocal_get. */
int lfk__tlocal_get_slow(struct lfk_tlocal *t, void **slot);

LFK_END_DECLS

#endif
