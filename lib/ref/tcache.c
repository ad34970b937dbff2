/* SPDX-License-Identifier: MIT */
/* The object cache's reference twin: a mutex-guarded free list. */
#include <lfkit/ref/tcache.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/create.h"

/* Every object carries a header linking it into the list of all objects
 * (for destroy); a free object's first word links the free list. */
struct ref_obj {
	struct ref_obj *all;
	void *pad; /* keeps the object 16-byte aligned */
};

struct lfk_ref_tcache {
	pthread_mutex_t lock;
	size_t obj_size, max_objects, created, nfree;
	struct ref_obj *all;
	void *free;
};

static int tcache_init_at(void *mem, size_t bytes, const void *args)
{
	const size_t *a = args; /* obj_size, max_objects */
	struct lfk_ref_tcache *tc = mem;
	memset(tc, 0, bytes);
	tc->obj_size = a[0] < sizeof(void *) ? sizeof(void *) : a[0];
	tc->max_objects = a[1];
	return -pthread_mutex_init(&tc->lock, NULL);
}

int lfk_ref_tcache_create(size_t obj_size, size_t max_objects,
			  unsigned mag_size, struct lfk_ref_tcache **out)
{
	size_t args[2] = { obj_size, max_objects };
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (obj_size == 0 || obj_size > LFK_TCACHE_OBJ_MAX ||
	    mag_size > LFK_TCACHE_MAG_MAX)
		return -EINVAL;
	*out = lfk__create(_Alignof(struct lfk_ref_tcache),
			   sizeof(struct lfk_ref_tcache), tcache_init_at, args,
			   &rc);
	return rc;
}

void lfk_ref_tcache_destroy(struct lfk_ref_tcache *tc)
{
	if (tc == NULL)
		return;
	while (tc->all != NULL) {
		struct ref_obj *o = tc->all;
		tc->all = o->all;
		free(o);
	}
	pthread_mutex_destroy(&tc->lock);
	free(tc);
}

int lfk_ref_tcache_alloc(struct lfk_ref_tcache *tc, void **out)
{
	void *obj = NULL;
	if (tc == NULL || out == NULL)
		return -EINVAL;
	pthread_mutex_lock(&tc->lock);
	if (tc->free != NULL) {
		obj = tc->free;
		tc->free = *(void **)obj;
		tc->nfree--;
	} else if (tc->max_objects == 0 || tc->created < tc->max_objects) {
		struct ref_obj *o = malloc(sizeof(*o) + tc->obj_size);
		if (o != NULL) {
			o->all = tc->all;
			tc->all = o;
			tc->created++;
			obj = o + 1;
		}
	}
	pthread_mutex_unlock(&tc->lock);
	*out = obj;
	return obj != NULL ? 0 : -ENOMEM;
}

int lfk_ref_tcache_free(struct lfk_ref_tcache *tc, void *obj)
{
	if (tc == NULL || obj == NULL)
		return -EINVAL;
	pthread_mutex_lock(&tc->lock);
	*(void **)obj = tc->free;
	tc->free = obj;
	tc->nfree++;
	pthread_mutex_unlock(&tc->lock);
	return 0;
}

int lfk_ref_tcache_stats(struct lfk_ref_tcache *tc, struct lfk_tcache_stats *st)
{
	if (tc == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&tc->lock);
	st->created = tc->created;
	st->in_depot = tc->nfree;
	st->in_use = tc->created - tc->nfree;
	st->max_objects = tc->max_objects;
	pthread_mutex_unlock(&tc->lock);
	return 0;
}
