/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ref/tlocal.h - the thread-local storage's reference twin: one
 * pthread key per object, a registry of slots behind one global mutex.
 * Same API shape as <lfkit/tlocal.h>; get() after first use is a
 * pthread_getspecific call (wait-free), everything else is blocking.
 *
 * Limits it inherits from pthread keys, which lfk_tlocal does not have:
 *   - at most PTHREAD_KEYS_MAX (1024 on glibc) objects at once, fewer if the
 *     program uses keys of its own (create fails with -EAGAIN);
 *   - destroy must not race with a thread that is exiting with a slot of the
 *     object: pthread_key_delete does not wait for a destructor already
 *     started, so that destructor could see a freed slot.
 */
#ifndef LFKIT_REF_TLOCAL_H
#define LFKIT_REF_TLOCAL_H

#include <stddef.h>

#include <lfkit/tlocal.h>

LFK_BEGIN_DECLS

struct lfk_ref_tlocal;

/* As lfk_tlocal_create: 0, -EINVAL, -ENOMEM, -EAGAIN (no pthread key). */
int lfk_ref_tlocal_create(size_t size, lfk_tlocal_ctor_fn ctor,
			  lfk_tlocal_dtor_fn dtor, void *arg,
			  struct lfk_ref_tlocal **out);
void lfk_ref_tlocal_destroy(struct lfk_ref_tlocal *t);
/* As lfk_tlocal_get: 0, -EINVAL, -ENOMEM, the ctor's error. */
int lfk_ref_tlocal_get(struct lfk_ref_tlocal *t, void **slot);
/* As lfk_tlocal_for_each: 0, or -EINVAL (t or fn NULL). */
int lfk_ref_tlocal_for_each(struct lfk_ref_tlocal *t, lfk_tlocal_visit_fn fn,
			    void *arg);

LFK_END_DECLS

#endif
