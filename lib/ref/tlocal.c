/* SPDX-License-Identifier: MIT */
/* The thread-local storage's reference twin: a pthread key per object. */
#include <lfkit/ref/tlocal.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../tlocal_slot.h"

/* One mutex for every registry: the twin is the simple reference. */
static pthread_mutex_t ref_lock = PTHREAD_MUTEX_INITIALIZER;

struct ref_slot {
	struct lfk_ref_tlocal *obj;
	struct ref_slot *prev, *next;
};

struct lfk_ref_tlocal {
	pthread_key_t key;
	struct lfk__tl_spec spec;
	struct ref_slot *head;
};

static void unlink_slot(struct ref_slot *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		s->obj->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

/* The key's destructor: the slot's thread exits. */
static void slot_exit(void *p)
{
	struct ref_slot *s = p;
	struct lfk_ref_tlocal *t;
	pthread_mutex_lock(&ref_lock);
	t = s->obj;
	unlink_slot(s);
	pthread_mutex_unlock(&ref_lock);
	lfk__tl_slot_finish(&t->spec, s);
}

static int tlocal_init_at(void *mem, size_t bytes, const void *spec)
{
	struct lfk_ref_tlocal *t = mem;
	memset(t, 0, bytes);
	t->spec = *(const struct lfk__tl_spec *)spec;
	return -pthread_key_create(&t->key, slot_exit);
}

int lfk_ref_tlocal_create(size_t size, lfk_tlocal_ctor_fn ctor,
			  lfk_tlocal_dtor_fn dtor, void *arg,
			  struct lfk_ref_tlocal **out)
{
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__tl_create(sizeof(struct lfk_ref_tlocal),
			      _Alignof(struct lfk_ref_tlocal), tlocal_init_at,
			      size, ctor, dtor, arg, &rc);
	return rc;
}

void lfk_ref_tlocal_destroy(struct lfk_ref_tlocal *t)
{
	struct ref_slot *s;
	if (t == NULL)
		return;
	pthread_key_delete(t->key); /* no destructor starts after this */
	pthread_mutex_lock(&ref_lock);
	s = t->head;
	t->head = NULL;
	pthread_mutex_unlock(&ref_lock);
	while (s != NULL) {
		struct ref_slot *next = s->next;
		lfk__tl_slot_finish(&t->spec, s);
		s = next;
	}
	free(t);
}

int lfk_ref_tlocal_get(struct lfk_ref_tlocal *t, void **slot)
{
	struct ref_slot *s;
	int rc;
	if (t == NULL || slot == NULL)
		return -EINVAL;
	*slot = NULL;
	s = pthread_getspecific(t->key);
	if (s != NULL) {
		*slot = lfk__tl_slot_data(s);
		return 0;
	}
	s = lfk__tl_slot_new(&t->spec, &rc);
	if (s == NULL)
		return rc;
	s->obj = t;
	rc = pthread_setspecific(t->key, s);
	if (rc != 0) {
		lfk__tl_slot_finish(&t->spec, s);
		return -rc;
	}
	pthread_mutex_lock(&ref_lock);
	s->next = t->head;
	if (t->head)
		t->head->prev = s;
	t->head = s;
	pthread_mutex_unlock(&ref_lock);
	*slot = lfk__tl_slot_data(s);
	return 0;
}

int lfk_ref_tlocal_for_each(struct lfk_ref_tlocal *t, lfk_tlocal_visit_fn fn,
			    void *arg)
{
	if (t == NULL || fn == NULL)
		return -EINVAL;
	pthread_mutex_lock(&ref_lock);
	for (struct ref_slot *s = t->head; s != NULL; s = s->next)
		fn(lfk__tl_slot_data(s), arg);
	pthread_mutex_unlock(&ref_lock);
	return 0;
}
