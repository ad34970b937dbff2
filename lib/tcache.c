/* SPDX-License-Identifier: MIT */
/*
 * The object cache's out-of-line parts (see <lfkit/tcache.h>): the depot,
 * magazine exchanges, slabs, thread caches and statistics.
 */
#include <lfkit/tcache.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/create.h"

#if !defined(LFK_HAVE_CAS2)
#error "lfk_tcache needs a double-width CAS (LFK_HAVE_CAS2) for its depot"
#endif

#define OBJ_ALIGN 16

/*
 * A Treiber stack of magazines (their first word is the link), with a
 * (pointer, tag) head changed by double-width CAS: every push and pop
 * increments the tag, so a pop that read a stale head (its node popped and
 * pushed back meanwhile: ABA) fails its CAS.  Nodes are never freed while
 * the cache lives, so reading a stale node's link is safe.
 *
 * One locked instruction per push or pop: the head is read with two plain
 * 8-byte loads, not an atomic 16-byte load (a locked cmpxchg16b on x86_64),
 * and a failed CAS hands back the exact current pair for the next try.
 * Two separate loads can see halves of different states, but the CAS only
 * succeeds on the exact pair it expects, and no pair ever recurs (the tag
 * grows by one on every change and does not wrap in 2^64 changes); so a CAS
 * that succeeds found the head unchanged since the tag was read.  A pop
 * reads the tag first (acquire: the pointer and link loads stay after it),
 * so its pointer and link loads fall in that unchanged interval: the link
 * is the one the node had on top of the stack, never one from an earlier
 * life of the node (the ABA case).  A push dereferences nothing, so any
 * mix it reads merely fails its CAS.  The halves are 8-byte aligned words,
 * single-copy atomic on every backend that has the double-width CAS.
 */
struct stack {
	lfk_pair_t head; /* lo: top node, hi: tag */
	LFK_PAD_TO_LINE(pad, sizeof(lfk_pair_t));
} LFK_CACHE_ALIGNED;

struct slab {
	struct slab *next;
};

struct lfk_tcache {
	struct lfk__tcache_hdr hdr; /* read by the fast paths */
	size_t obj_size; /* rounded up to OBJ_ALIGN */
	size_t max_objects;
	size_t created; /* objects carved from slabs (atomic) */
	struct slab *slabs; /* push-only list, freed by destroy (atomic) */
	/* Statistics: depot_net of the threads that have exited (atomic). */
	uint64_t exited_net;
	struct stack full LFK_CACHE_ALIGNED; /* magazines holding objects */
	struct stack empty; /* empty magazines */
	/* Out-of-memory fallback: objects freed when no magazine could be
	 * had, linked through their first word.  A mutex, not a lock-free
	 * stack: a stale pop would read an object its new owner is writing. */
	pthread_mutex_t loose_lock;
	void *loose;
	uint64_t loose_items; /* atomic: the unlocked "anything there?" */
};

static void stack_push(struct stack *s, void *node)
{
	/* relaxed: the CAS checks the pair, and we dereference nothing */
	lfk_pair_t old = { lfk_atomic_load_u64(&s->head.lo, LFK_RELAXED),
			   lfk_atomic_load_u64(&s->head.hi, LFK_RELAXED) };
	lfk_pair_t new;
	do {
		lfk_atomic_store_ptr((void **)node, (void *)(uintptr_t)old.lo,
				     LFK_RELAXED);
		new.lo = (uint64_t)(uintptr_t)node;
		new.hi = old.hi + 1;
		/* release: publishes the node's contents (a magazine's rounds
		 * and objects, its link) to the thread that pops it */
	} while (!lfk_atomic_cas2(&s->head, &old, new, LFK_RELEASE));
}

static void *stack_pop(struct stack *s)
{
	/* acquire: the pointer and link loads below stay after the tag (see
	 * the ABA argument above) */
	lfk_pair_t old, new;
	old.hi = lfk_atomic_load_u64(&s->head.hi, LFK_ACQUIRE);
	/* acquire: pairs with the release CAS of the push that put this
	 * node on top (a later CAS continues its release sequence), so its
	 * link and contents are visible */
	old.lo = lfk_atomic_load_u64(&s->head.lo, LFK_ACQUIRE);
	void *node;
	do {
		node = (void *)(uintptr_t)old.lo;
		if (node == NULL)
			return NULL;
		new.lo = (uint64_t)(uintptr_t)lfk_atomic_load_ptr(
			(void *const *)node, LFK_RELAXED);
		new.hi = old.hi + 1;
		/* acquire (success and failure): the node's contents, and on
		 * failure the new top's link */
	} while (!lfk_atomic_cas2(&s->head, &old, new, LFK_ACQUIRE));
	return node;
}

static size_t mag_bytes(const struct lfk_tcache *tc)
{
	return sizeof(struct lfk__tcache_mag) +
	       tc->hdr.mag_size * sizeof(void *);
}

static struct lfk__tcache_mag *mag_get_empty(struct lfk_tcache *tc)
{
	struct lfk__tcache_mag *m = stack_pop(&tc->empty);
	if (m == NULL)
		m = malloc(mag_bytes(tc));
	if (m != NULL)
		m->rounds = 0;
	return m;
}

/* Thread c hands a magazine holding n objects to the depot: to the full
 * stack if n > 0, counted in c's depot_net (only c's thread, or destroy
 * once that thread is gone, writes it; stats reads it). */
static void mag_put(struct lfk_tcache *tc, struct lfk__tcache_thread *c,
		    struct lfk__tcache_mag *m, uint32_t n)
{
	m->rounds = n;
	if (n)
		lfk_atomic_store_u64(&c->depot_net, c->depot_net + n,
				     LFK_RELAXED);
	stack_push(n ? &tc->full : &tc->empty, m);
}

/* ---- thread caches ------------------------------------------------------- */

static int thread_init(void *slot, void *arg)
{
	struct lfk__tcache_thread *c = slot;
	c->loaded = mag_get_empty(arg);
	c->prev = c->loaded ? mag_get_empty(arg) : NULL;
	if (c->prev == NULL) {
		if (c->loaded)
			mag_put(arg, c, c->loaded, 0);
		return -ENOMEM;
	}
	return 0;
}

/* The thread exits (or the cache is destroyed): its magazines go back, and
 * its share of the depot count moves to the cache (once per thread). */
static void thread_fini(void *slot, void *arg)
{
	struct lfk__tcache_thread *c = slot;
	struct lfk_tcache *tc = arg;
	mag_put(tc, c, c->loaded, c->loaded_n);
	mag_put(tc, c, c->prev, c->prev_n);
	lfk_atomic_fetch_add_u64(&tc->exited_net, c->depot_net, LFK_RELAXED);
}

static void swap_mags(struct lfk__tcache_thread *c)
{
	struct lfk__tcache_mag *m = c->loaded;
	uint32_t n = c->loaded_n;
	c->loaded = c->prev;
	lfk_atomic_store_u32(&c->loaded_n, c->prev_n, LFK_RELAXED);
	c->prev = m;
	lfk_atomic_store_u32(&c->prev_n, n, LFK_RELAXED);
}

/* ---- create / destroy ---------------------------------------------------- */

struct tcache_args {
	size_t obj_size, max_objects;
	unsigned mag_size;
};

static int tcache_init_at(void *mem, size_t bytes, const void *args)
{
	const struct tcache_args *a = args;
	struct lfk_tcache *tc = mem;
	int rc;
	memset(tc, 0, bytes);
	tc->hdr.mag_size = a->mag_size;
	tc->obj_size = (a->obj_size + OBJ_ALIGN - 1) / OBJ_ALIGN * OBJ_ALIGN;
	tc->max_objects = a->max_objects;
	rc = lfk_tlocal_create(sizeof(struct lfk__tcache_thread), thread_init,
			       thread_fini, tc, &tc->hdr.threads);
	if (rc == 0)
		pthread_mutex_init(&tc->loose_lock, NULL);
	return rc;
}

int lfk_tcache_create(size_t obj_size, size_t max_objects, unsigned mag_size,
		      struct lfk_tcache **out)
{
	struct tcache_args args = { obj_size, max_objects,
				    mag_size ? mag_size
					     : LFK_TCACHE_MAG_DEFAULT };
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (obj_size == 0 || obj_size > LFK_TCACHE_OBJ_MAX ||
	    args.mag_size > LFK_TCACHE_MAG_MAX)
		return -EINVAL;
	*out = lfk__create(LFK_CACHELINE, sizeof(struct lfk_tcache),
			   tcache_init_at, &args, &rc);
	return rc;
}

void lfk_tcache_destroy(struct lfk_tcache *tc)
{
	void *m;
	struct slab *s;
	if (tc == NULL)
		return;
	/* Every thread's magazines come back to the depot first. */
	lfk_tlocal_destroy(tc->hdr.threads);
	while ((m = stack_pop(&tc->full)) != NULL)
		free(m);
	while ((m = stack_pop(&tc->empty)) != NULL)
		free(m);
	/* Loose objects live in slabs. */
	s = lfk_atomic_load_ptr((void **)&tc->slabs, LFK_ACQUIRE);
	while (s != NULL) {
		struct slab *next = s->next;
		free(s);
		s = next;
	}
	pthread_mutex_destroy(&tc->loose_lock);
	free(tc);
}

static void loose_push(struct lfk_tcache *tc, void *obj)
{
	pthread_mutex_lock(&tc->loose_lock);
	*(void **)obj = tc->loose;
	tc->loose = obj;
	lfk_atomic_store_u64(&tc->loose_items, tc->loose_items + 1,
			     LFK_RELAXED);
	pthread_mutex_unlock(&tc->loose_lock);
}

static void *loose_pop(struct lfk_tcache *tc)
{
	void *obj = NULL;
	if (lfk_atomic_load_u64(&tc->loose_items, LFK_RELAXED) == 0)
		return NULL; /* a miss here is a miss a moment later */
	pthread_mutex_lock(&tc->loose_lock);
	if (tc->loose != NULL) {
		obj = tc->loose;
		tc->loose = *(void **)obj;
		lfk_atomic_store_u64(&tc->loose_items, tc->loose_items - 1,
				     LFK_RELAXED);
	}
	pthread_mutex_unlock(&tc->loose_lock);
	return obj;
}

/* ---- slow paths ---------------------------------------------------------- */

/* Reserves up to want objects under max_objects; returns how many. */
static size_t reserve(struct lfk_tcache *tc, size_t want)
{
	size_t cur = lfk_atomic_load_uptr(&tc->created, LFK_RELAXED), n;
	do {
		n = want;
		if (tc->max_objects) {
			if (cur >= tc->max_objects)
				return 0;
			if (n > tc->max_objects - cur)
				n = tc->max_objects - cur;
		}
	} while (!lfk_atomic_cas_weak_uptr(&tc->created, &cur, cur + n,
					   LFK_RELAXED));
	return n;
}

/* Carves a new slab of up to one magazine's worth of objects into the
 * thread's loaded magazine (which is empty).  Returns false at the maximum
 * or out of memory. */
static bool new_slab(struct lfk_tcache *tc, struct lfk__tcache_thread *c)
{
	size_t n = reserve(tc, tc->hdr.mag_size);
	struct slab *s, *head;
	char *p;
	if (n == 0)
		return false;
	s = aligned_alloc(OBJ_ALIGN, OBJ_ALIGN + n * tc->obj_size);
	if (s == NULL) {
		lfk_atomic_fetch_sub_uptr(&tc->created, n, LFK_RELAXED);
		return false;
	}
	head = lfk_atomic_load_ptr((void **)&tc->slabs, LFK_RELAXED);
	do {
		s->next = head;
		/* release: s->next, for destroy's walk */
	} while (!lfk_atomic_cas_ptr((void **)&tc->slabs, (void **)&head, s,
				     LFK_RELEASE));
	p = (char *)s + OBJ_ALIGN;
	memset(p, 0, n * tc->obj_size); /* fresh objects are zero-filled */
	for (size_t i = 0; i < n; i++)
		c->loaded->obj[i] = p + i * tc->obj_size;
	lfk_atomic_store_u32(&c->loaded_n, (uint32_t)n, LFK_RELAXED);
	return true;
}

int lfk__tcache_alloc_slow(struct lfk_tcache *tc, void **obj)
{
	struct lfk__tcache_thread *c;
	struct lfk__tcache_mag *m;
	void *slot;
	if (tc == NULL || obj == NULL)
		return -EINVAL;
	if (lfk_tlocal_get(tc->hdr.threads, &slot) != 0)
		goto loose;
	c = slot;
	if (c->loaded_n == 0) {
		if (c->prev_n > 0) {
			swap_mags(c);
		} else if ((m = stack_pop(&tc->full)) != NULL) {
			/* Bonwick: the empty previous goes to the depot, the
			 * loaded (empty) becomes previous, the full is
			 * loaded. */
			lfk_atomic_store_u64(&c->depot_net,
					     c->depot_net - m->rounds,
					     LFK_RELAXED);
			mag_put(tc, c, c->prev, 0);
			c->prev = c->loaded;
			c->loaded = m;
			lfk_atomic_store_u32(&c->loaded_n, m->rounds,
					     LFK_RELAXED);
		} else if (!new_slab(tc, c)) {
			goto loose;
		}
	}
	*obj = c->loaded->obj[c->loaded_n - 1];
	lfk_atomic_store_u32(&c->loaded_n, c->loaded_n - 1, LFK_RELAXED);
	return 0;
loose:
	*obj = loose_pop(tc);
	return *obj != NULL ? 0 : -ENOMEM;
}

int lfk__tcache_free_slow(struct lfk_tcache *tc, void *obj)
{
	struct lfk__tcache_thread *c;
	void *slot;
	if (tc == NULL || obj == NULL)
		return -EINVAL;
	if (lfk_tlocal_get(tc->hdr.threads, &slot) != 0)
		goto loose;
	c = slot;
	if (c->loaded_n == tc->hdr.mag_size) {
		if (c->prev_n == 0) {
			swap_mags(c);
		} else {
			/* Bonwick: the full previous goes to the depot, the
			 * loaded (full) becomes previous, an empty is
			 * loaded. */
			struct lfk__tcache_mag *m = mag_get_empty(tc);
			if (m == NULL)
				goto loose;
			mag_put(tc, c, c->prev, c->prev_n);
			c->prev = c->loaded;
			lfk_atomic_store_u32(&c->prev_n, c->loaded_n,
					     LFK_RELAXED);
			c->loaded = m;
			lfk_atomic_store_u32(&c->loaded_n, 0, LFK_RELAXED);
		}
	}
	c->loaded->obj[c->loaded_n] = obj;
	lfk_atomic_store_u32(&c->loaded_n, c->loaded_n + 1, LFK_RELAXED);
	return 0;
loose:
	loose_push(tc, obj);
	return 0;
}

/* ---- statistics ---------------------------------------------------------- */

struct counts {
	size_t in_magazines;
	uint64_t depot_net; /* modulo 2^64: one thread's may be "negative" */
};

static void count_thread(void *slot, void *arg)
{
	struct lfk__tcache_thread *c = slot;
	struct counts *n = arg;
	n->in_magazines += lfk_atomic_load_u32(&c->loaded_n, LFK_RELAXED) +
			   lfk_atomic_load_u32(&c->prev_n, LFK_RELAXED);
	n->depot_net += lfk_atomic_load_u64(&c->depot_net, LFK_RELAXED);
}

int lfk_tcache_stats(struct lfk_tcache *tc, struct lfk_tcache_stats *st)
{
	struct counts n = { 0, 0 };
	int64_t full;
	size_t free_n;
	if (tc == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	lfk_tlocal_for_each(tc->hdr.threads, count_thread, &n);
	st->in_magazines = n.in_magazines;
	/* Objects in full magazines: what threads put in minus what they
	 * took out; read thread by thread while they move, so clamped. */
	full = (int64_t)(n.depot_net +
			 lfk_atomic_load_u64(&tc->exited_net, LFK_RELAXED));
	st->in_depot = (full > 0 ? (size_t)full : 0) +
		       lfk_atomic_load_u64(&tc->loose_items, LFK_RELAXED);
	st->created = lfk_atomic_load_uptr(&tc->created, LFK_RELAXED);
	st->max_objects = tc->max_objects;
	free_n = st->in_magazines + st->in_depot;
	st->in_use = st->created > free_n ? st->created - free_n : 0;
	return 0;
}
