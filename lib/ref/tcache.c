/* SPDX-License-Identifier: MIT */
/* The object cache's reference twin: a mutex-guarded free list. */
#include <lfkit/ref/tcache.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

struct lfk_ref_tcache *lfk_ref_tcache_create(size_t obj_size,
					     size_t max_objects,
					     unsigned mag_size)
{
	struct lfk_ref_tcache *tc;
	if (obj_size == 0 || obj_size > LFK_TCACHE_OBJ_MAX ||
	    mag_size > LFK_TCACHE_MAG_MAX) {
		errno = EINVAL;
		return NULL;
	}
	tc = calloc(1, sizeof(*tc));
	if (tc == NULL)
		return NULL;
	pthread_mutex_init(&tc->lock, NULL);
	tc->obj_size = obj_size < sizeof(void *) ? sizeof(void *) : obj_size;
	tc->max_objects = max_objects;
	return tc;
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

void *lfk_ref_tcache_alloc(struct lfk_ref_tcache *tc)
{
	void *obj = NULL;
	if (tc == NULL) {
		errno = EINVAL;
		return NULL;
	}
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
	if (obj == NULL)
		errno = ENOMEM;
	return obj;
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
