/* SPDX-License-Identifier: MIT */
/*
 * Internal: what lfk_tlocal and its pthread_key twin share: the validated
 * description of an object's slots, and making / finishing one slot (a
 * cache-line header of the implementation's own, then the user's data
 * padded to whole lines).
 */
#ifndef LFK_LIB_TLOCAL_SLOT_H
#define LFK_LIB_TLOCAL_SLOT_H

#include <lfkit/tlocal.h>

#include "lib/create.h"

#define LFK__TL_MAX_SIZE (1u << 20)
#define LFK__TL_HDR LFK_CACHELINE

struct lfk__tl_spec {
	size_t slot_size; /* header included */
	lfk_tlocal_ctor_fn ctor;
	lfk_tlocal_dtor_fn dtor;
	void *arg;
};

/* 0, or -EINVAL for a size out of 1 .. LFK__TL_MAX_SIZE. */
int lfk__tl_spec_init(struct lfk__tl_spec *sp, size_t size,
		      lfk_tlocal_ctor_fn ctor, lfk_tlocal_dtor_fn dtor,
		      void *arg) __attribute__((visibility("hidden")));

/*
 * The create step of lfk_tlocal and of its twin: validates the slot
 * description (-EINVAL), then allocates obj_size bytes aligned to align and
 * runs init with the validated struct lfk__tl_spec as its args (see
 * lfk__create).  Returns the object, or NULL with *rc set.
 */
void *lfk__tl_create(size_t obj_size, size_t align, lfk__init_fn init,
		     size_t size, lfk_tlocal_ctor_fn ctor,
		     lfk_tlocal_dtor_fn dtor, void *arg, int *rc)
	__attribute__((visibility("hidden")));

/* A zeroed slot whose data the ctor has initialized; returns its header
 * (*rc = 0), or NULL with *rc = -ENOMEM or the ctor's error. */
void *lfk__tl_slot_new(const struct lfk__tl_spec *sp, int *rc)
	__attribute__((visibility("hidden")));

/* Runs the dtor on the slot's data and frees the slot. */
void lfk__tl_slot_finish(const struct lfk__tl_spec *sp, void *hdr)
	__attribute__((visibility("hidden")));

/*
 * For lfk_counter: an exiting thread runs the destructor of its slot of t
 * under t's registry lock, in the same critical section that takes the
 * slot out of the registry, so lfk_tlocal_for_each sees the slot linked or
 * its destructor done, never the gap between.  The destructor must then be
 * short, must not block, and must not use t (get or for_each: the lock is
 * not recursive).  Call right after create, before any thread uses t.
 */
void lfk__tlocal_dtor_under_lock(struct lfk_tlocal *t)
	__attribute__((visibility("hidden")));

static inline void *lfk__tl_slot_data(void *hdr)
{
	return (char *)hdr + LFK__TL_HDR;
}

#endif
