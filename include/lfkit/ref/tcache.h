/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ref/tcache.h - the object cache's reference twin: one free list
 * behind one mutex, objects malloc'd one at a time.  Same API shape as
 * <lfkit/tcache.h> (mag_size is accepted and ignored; in_magazines is always
 * 0, in_depot counts the free list).  Every operation is blocking.
 */
#ifndef LFKIT_REF_TCACHE_H
#define LFKIT_REF_TCACHE_H

#include <stddef.h>

#include <lfkit/tcache.h>

LFK_BEGIN_DECLS

struct lfk_ref_tcache;

/* As lfk_tcache_create: 0, -EINVAL (out NULL, the same bounds) or -ENOMEM. */
int lfk_ref_tcache_create(size_t obj_size, size_t max_objects,
			  unsigned mag_size, struct lfk_ref_tcache **out);
/* Frees every object, in use or not.  NULL is ignored. */
void lfk_ref_tcache_destroy(struct lfk_ref_tcache *tc);
/* As lfk_tcache_alloc: 0, -ENOMEM (max_objects in use, or out of memory;
 * *obj is NULL), -EINVAL (tc or obj NULL). */
int lfk_ref_tcache_alloc(struct lfk_ref_tcache *tc, void **obj);
/* 0, or -EINVAL if tc or obj is NULL. */
int lfk_ref_tcache_free(struct lfk_ref_tcache *tc, void *obj);
/* 0, or -EINVAL. */
int lfk_ref_tcache_stats(struct lfk_ref_tcache *tc,
			 struct lfk_tcache_stats *st);

LFK_END_DECLS

#endif
