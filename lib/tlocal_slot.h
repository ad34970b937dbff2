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

#define LFK_TL_MAX_SIZE (1u << 20)
#define LFK_TL_HDR LFK_CACHELINE

struct lfk_tl_spec {
	size_t slot_size; /* header included */
	lfk_tlocal_ctor_fn ctor;
	lfk_tlocal_dtor_fn dtor;
	void *arg;
};

/* 0, or -EINVAL for a size out of 1 .. LFK_TL_MAX_SIZE. */
int lfk_tl_spec_init(struct lfk_tl_spec *sp, size_t size,
		     lfk_tlocal_ctor_fn ctor, lfk_tlocal_dtor_fn dtor,
		     void *arg) __attribute__((visibility("hidden")));

/* A zeroed slot whose data the ctor has initialized; returns its header,
 * or NULL with errno (ENOMEM, or the ctor's error). */
void *lfk_tl_slot_new(const struct lfk_tl_spec *sp)
	__attribute__((visibility("hidden")));

/* Runs the dtor on the slot's data and frees the slot. */
void lfk_tl_slot_finish(const struct lfk_tl_spec *sp, void *hdr)
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

static inline void *lfk_tl_slot_data(void *hdr)
{
	return (char *)hdr + LFK_TL_HDR;
}

#endif
