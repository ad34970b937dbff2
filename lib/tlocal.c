/* SPDX-License-Identifier: MIT */
/*
 * Per-object thread-local storage: the slow paths (see <lfkit/tlocal.h>).
 *
 * Three kinds of record:
 *   object  struct lfk_tlocal: an id, the slot size, ctor/dtor, and a
 *           registry (doubly linked list) of its slots under obj->lock.
 *   thread  struct tl_thread: the thread's list of slots and its vector
 *           (vec[id] -> slot data) under thr->lock; created on the thread's
 *           first slot, registered with the library's one pthread key so
 *           that thread_exit() runs when the thread ends.
 *   slot    one cache-line header (links in both lists) followed by the
 *           user's data, padded to whole cache lines.
 * A slot is linked in both lists, or in neither: it is linked and unlinked
 * with both locks held, in the order obj->lock then thr->lock.  Whoever
 * unlinks it (the exiting thread or lfk_tlocal_destroy) owns it and runs its
 * destructor, so each destructor runs exactly once.
 *
 * The exit/destroy race.  The exiting thread finds its first slot under
 * thr->lock only, and must then take obj->lock, which it may not do while
 * holding thr->lock.  Before dropping thr->lock it pins the object
 * (obj->pins): the slot is still linked, so destroy has not finished and the
 * object's memory is alive.  Destroy, after unlinking every slot, waits until
 * no pin is left, so the object outlives every exiting thread that saw one
 * of its slots, including the destructor that thread runs.
 */
#include <lfkit/tlocal.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tlocal_slot.h"

struct tl_thread;

struct tl_slot {
	struct lfk_tlocal *obj;
	struct tl_thread *thr;
	struct tl_slot *obj_prev, *obj_next;
	struct tl_slot *thr_prev, *thr_next;
};
_Static_assert(sizeof(struct tl_slot) <= LFK__TL_HDR, "slot header size");

struct lfk_tlocal {
	struct lfk__tlocal_hdr hdr; /* the id the fast path reads */
	struct lfk__tl_spec spec;
	pthread_mutex_t lock; /* the registry: head, and the obj links */
	pthread_cond_t unpinned;
	struct tl_slot *head;
	uint32_t pins; /* exiting threads that may still touch this object */
	bool dtor_locked; /* see lfk__tlocal_dtor_under_lock */
};

struct tl_thread {
	pthread_mutex_t lock; /* head, the thr links, vec entries */
	struct tl_slot *head;
	void **vec;
	uint32_t cap;
};

__thread struct lfk__tlocal_tls lfk__tlocal_tls
	__attribute__((tls_model("initial-exec")));
static __thread struct tl_thread *tl_self;

/* ---- ids, and the library's pthread key ---------------------------------- */

static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *ids_free; /* stack of released ids */
static uint32_t ids_nfree, ids_capfree, ids_next;

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static int key_error;

static void thread_exit(void *p);

static void make_key(void)
{
	key_error = pthread_key_create(&exit_key, thread_exit);
}

static int id_get(uint32_t *id)
{
	int rc = 0;
	pthread_mutex_lock(&ids_lock);
	if (ids_nfree > 0)
		*id = ids_free[--ids_nfree];
	else if (ids_next < UINT32_MAX)
		*id = ids_next++;
	else
		rc = -ENOMEM;
	pthread_mutex_unlock(&ids_lock);
	return rc;
}

/* Cannot fail: the stack grows ahead of need (id_reserve at create). */
static void id_put(uint32_t id)
{
	pthread_mutex_lock(&ids_lock);
	ids_free[ids_nfree++] = id;
	pthread_mutex_unlock(&ids_lock);
}

/* Makes room in the free-id stack for every id handed out so far. */
static int id_reserve(void)
{
	int rc = 0;
	pthread_mutex_lock(&ids_lock);
	if (ids_capfree <= ids_next) {
		uint32_t cap = ids_capfree ? ids_capfree * 2 : 64;
		uint32_t *p = realloc(ids_free, cap * sizeof(*p));
		if (p == NULL) {
			rc = -ENOMEM;
		} else {
			ids_free = p;
			ids_capfree = cap;
		}
	}
	pthread_mutex_unlock(&ids_lock);
	return rc;
}

/* ---- slots, shared with the twin ----------------------------------------- */

int lfk__tl_spec_init(struct lfk__tl_spec *sp, size_t size,
		      lfk_tlocal_ctor_fn ctor, lfk_tlocal_dtor_fn dtor,
		      void *arg)
{
	if (size == 0 || size > LFK__TL_MAX_SIZE)
		return -EINVAL;
	sp->slot_size = LFK__TL_HDR + (size + LFK_CACHELINE - 1) /
					      LFK_CACHELINE * LFK_CACHELINE;
	sp->ctor = ctor;
	sp->dtor = dtor;
	sp->arg = arg;
	return 0;
}

void *lfk__tl_slot_new(const struct lfk__tl_spec *sp, int *rc)
{
	void *hdr = aligned_alloc(LFK_CACHELINE, sp->slot_size);
	*rc = hdr == NULL ? -ENOMEM : 0;
	if (hdr == NULL)
		return NULL;
	memset(hdr, 0, sp->slot_size);
	if (sp->ctor &&
	    (*rc = sp->ctor(lfk__tl_slot_data(hdr), sp->arg)) != 0) {
		free(hdr);
		return NULL;
	}
	return hdr;
}

void lfk__tl_slot_finish(const struct lfk__tl_spec *sp, void *hdr)
{
	if (sp->dtor)
		sp->dtor(lfk__tl_slot_data(hdr), sp->arg);
	free(hdr);
}

/* ---- objects ------------------------------------------------------------- */

void *lfk__tl_create(size_t obj_size, size_t align, lfk__init_fn init,
		     size_t size, lfk_tlocal_ctor_fn ctor,
		     lfk_tlocal_dtor_fn dtor, void *arg, int *rc)
{
	struct lfk__tl_spec spec;
	*rc = lfk__tl_spec_init(&spec, size, ctor, dtor, arg);
	return *rc ? NULL : lfk__create(align, obj_size, init, &spec, rc);
}

static int tlocal_init_at(void *mem, size_t bytes, const void *spec)
{
	struct lfk_tlocal *t = mem;
	int rc;
	pthread_once(&key_once, make_key);
	if (key_error != 0)
		return -key_error;
	memset(t, 0, bytes);
	rc = id_reserve();
	if (rc == 0)
		rc = id_get(&t->hdr.id);
	if (rc != 0)
		return rc;
	t->spec = *(const struct lfk__tl_spec *)spec;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->unpinned, NULL);
	return 0;
}

int lfk_tlocal_create(size_t size, lfk_tlocal_ctor_fn ctor,
		      lfk_tlocal_dtor_fn dtor, void *arg,
		      struct lfk_tlocal **out)
{
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__tl_create(sizeof(struct lfk_tlocal),
			      _Alignof(struct lfk_tlocal), tlocal_init_at, size,
			      ctor, dtor, arg, &rc);
	return rc;
}

/* Both locks held. */
static void slot_link(struct tl_slot *s)
{
	struct lfk_tlocal *t = s->obj;
	struct tl_thread *thr = s->thr;
	s->obj_prev = NULL;
	s->obj_next = t->head;
	if (t->head)
		t->head->obj_prev = s;
	t->head = s;
	s->thr_prev = NULL;
	s->thr_next = thr->head;
	if (thr->head)
		thr->head->thr_prev = s;
	thr->head = s;
	lfk_atomic_store_ptr(&thr->vec[t->hdr.id], lfk__tl_slot_data(s),
			     LFK_RELAXED);
}

/* Both locks held.  Clears the owner's vector entry: its fast path must not
 * find the slot again (the id may be reused by a new object). */
static void slot_unlink(struct tl_slot *s)
{
	struct lfk_tlocal *t = s->obj;
	struct tl_thread *thr = s->thr;
	if (s->obj_prev)
		s->obj_prev->obj_next = s->obj_next;
	else
		t->head = s->obj_next;
	if (s->obj_next)
		s->obj_next->obj_prev = s->obj_prev;
	if (s->thr_prev)
		s->thr_prev->thr_next = s->thr_next;
	else
		thr->head = s->thr_next;
	if (s->thr_next)
		s->thr_next->thr_prev = s->thr_prev;
	lfk_atomic_store_ptr(&thr->vec[t->hdr.id], NULL, LFK_RELAXED);
}

/* Runs the destructor of a slot nobody else can reach any more. */
static void slot_finish(struct tl_slot *s)
{
	lfk__tl_slot_finish(&s->obj->spec, s);
}

void lfk_tlocal_destroy(struct lfk_tlocal *t)
{
	struct tl_slot *mine = NULL, *s;
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	while ((s = t->head) != NULL) {
		pthread_mutex_lock(&s->thr->lock);
		slot_unlink(s);
		pthread_mutex_unlock(&s->thr->lock);
		s->obj_next = mine; /* reuse the link for a private list */
		mine = s;
	}
	pthread_mutex_unlock(&t->lock);
	while ((s = mine) != NULL) {
		mine = s->obj_next;
		slot_finish(s);
	}
	/* Exiting threads that pinned the object may still be in a
	 * destructor of one of its slots. */
	pthread_mutex_lock(&t->lock);
	while (lfk_atomic_load_u32(&t->pins, LFK_RELAXED) != 0)
		pthread_cond_wait(&t->unpinned, &t->lock);
	pthread_mutex_unlock(&t->lock);
	id_put(t->hdr.id);
	pthread_cond_destroy(&t->unpinned);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

void lfk__tlocal_dtor_under_lock(struct lfk_tlocal *t)
{
	t->dtor_locked = true;
}

int lfk_tlocal_for_each(struct lfk_tlocal *t, lfk_tlocal_visit_fn fn, void *arg)
{
	if (t == NULL || fn == NULL)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	for (struct tl_slot *s = t->head; s != NULL; s = s->obj_next)
		fn(lfk__tl_slot_data(s), arg);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* ---- threads ------------------------------------------------------------- */

static struct tl_thread *thread_self(void)
{
	struct tl_thread *thr = tl_self;
	if (thr != NULL)
		return thr;
	thr = calloc(1, sizeof(*thr));
	if (thr == NULL)
		return NULL;
	if (pthread_setspecific(exit_key, thr) != 0) {
		free(thr);
		return NULL;
	}
	pthread_mutex_init(&thr->lock, NULL);
	tl_self = thr;
	return thr;
}

/* thr->lock held.  Makes vec[id] exist; the old vector, if replaced, is
 * returned for freeing after the lock is dropped (only this thread reads
 * its vector without the lock). */
static int vec_fit(struct tl_thread *thr, uint32_t id, void ***old)
{
	uint32_t cap;
	void **vec;
	*old = NULL;
	if (id < thr->cap)
		return 0;
	cap = thr->cap ? thr->cap : 16;
	while (cap <= id)
		cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
	vec = calloc(cap, sizeof(*vec));
	if (vec == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < thr->cap; i++)
		vec[i] = lfk_atomic_load_ptr(&thr->vec[i], LFK_RELAXED);
	*old = thr->vec;
	thr->vec = vec;
	thr->cap = cap;
	lfk__tlocal_tls.vec = vec;
	lfk__tlocal_tls.cap = cap;
	return 0;
}

int lfk__tlocal_get_slow(struct lfk_tlocal *t, void **slot)
{
	struct tl_thread *thr;
	struct tl_slot *s;
	void **old;
	int rc;

	if (t == NULL || slot == NULL)
		return -EINVAL;
	/* The fast path may have missed only because the vector is short. */
	if (t->hdr.id < lfk__tlocal_tls.cap) {
		*slot = lfk_atomic_load_ptr(&lfk__tlocal_tls.vec[t->hdr.id],
					    LFK_RELAXED);
		if (*slot != NULL)
			return 0;
	}
	*slot = NULL;
	thr = thread_self();
	if (thr == NULL)
		return -ENOMEM;
	s = lfk__tl_slot_new(&t->spec, &rc);
	if (s == NULL)
		return rc;
	s->obj = t;
	s->thr = thr;
	pthread_mutex_lock(&t->lock);
	pthread_mutex_lock(&thr->lock);
	rc = vec_fit(thr, t->hdr.id, &old);
	if (rc == 0)
		slot_link(s);
	pthread_mutex_unlock(&thr->lock);
	pthread_mutex_unlock(&t->lock);
	free(old);
	if (rc != 0) {
		slot_finish(s);
		return -ENOMEM;
	}
	*slot = lfk__tl_slot_data(s);
	return 0;
}

static void unpin(struct lfk_tlocal *t)
{
	pthread_mutex_lock(&t->lock);
	/* relaxed: pins is only decremented, and only read, under t->lock */
	if (lfk_atomic_fetch_sub_u32(&t->pins, 1, LFK_RELAXED) == 1)
		pthread_cond_broadcast(&t->unpinned);
	pthread_mutex_unlock(&t->lock);
}

/* The pthread key destructor: claims and finishes every slot of the thread
 * that destroy has not claimed first.  Destructors it runs may create new
 * slots for this thread; the loop picks them up too. */
static void thread_exit(void *p)
{
	struct tl_thread *thr = p;
	for (;;) {
		struct tl_slot *s;
		struct lfk_tlocal *t;
		bool mine;
		pthread_mutex_lock(&thr->lock);
		s = thr->head;
		if (s == NULL) {
			pthread_mutex_unlock(&thr->lock);
			break;
		}
		t = s->obj;
		/* relaxed: the increment is ordered before destroy's check by
		 * thr->lock (destroy unlinks s under it, later than this). */
		lfk_atomic_fetch_add_u32(&t->pins, 1, LFK_RELAXED);
		pthread_mutex_unlock(&thr->lock);

		pthread_mutex_lock(&t->lock);
		pthread_mutex_lock(&thr->lock);
		/* Only this thread adds to its list, so s is still linked
		 * exactly when it is still the head. */
		mine = thr->head == s;
		if (mine)
			slot_unlink(s);
		pthread_mutex_unlock(&thr->lock);
		if (mine && t->dtor_locked) {
			slot_finish(s); /* still under t->lock */
			mine = false;
		}
		pthread_mutex_unlock(&t->lock);
		if (mine)
			slot_finish(s);
		unpin(t);
	}
	/* No slot refers to thr any more: nobody else can reach it. */
	if (tl_self == thr) {
		tl_self = NULL;
		lfk__tlocal_tls.vec = NULL;
		lfk__tlocal_tls.cap = 0;
	}
	pthread_mutex_destroy(&thr->lock);
	free(thr->vec);
	free(thr);
}
