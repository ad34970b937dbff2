/* SPDX-License-Identifier: MIT */
/*
 * Shared-memory regions: creation, mapping, the header and its directory,
 * and the validation every open and attach goes through.
 */
#include <errno.h>
#include <fcntl.h>
#include <lfkit/ref/queue.h>
#include <lfkit/shm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm_layout.h"

struct lfk_shm {
	void *base;
	size_t size;
	int fd; /* kept open: every attach re-checks the file's size */
};

static const uint64_t region_max = (uint64_t)1 << 40;

/* Objects start right after the header, which is a whole number of
 * LFK_RING_ALIGN blocks (it is aligned to one). */
#define HEAP_START sizeof(struct lfk__shm_header)
_Static_assert(sizeof(struct lfk__shm_header) % LFK_RING_ALIGN == 0,
	       "the header ends on an object boundary");

void (*lfk__shm_create_hook)(int step);

static void create_step(int step)
{
	if (lfk__shm_create_hook != NULL)
		lfk__shm_create_hook(step);
}

static uint32_t this_arch(void)
{
#if defined(__x86_64__)
	return 1;
#elif defined(__aarch64__)
	return 2;
#else
	return 0xff;
#endif
}

/* v rounded up to a multiple of `to` (a power of two) in *out; false if
 * that wraps. */
static bool round_up(uint64_t v, uint64_t to, uint64_t *out)
{
	if (__builtin_add_overflow(v, to - 1, out))
		return false;
	*out &= ~(to - 1);
	return true;
}

static bool region_name_ok(const char *name)
{
	size_t len;
	if (name == NULL || name[0] != '/')
		return false;
	len = strnlen(name, LFK_SHM_REGION_NAME_MAX + 1);
	return len > 1 && len <= LFK_SHM_REGION_NAME_MAX &&
	       strchr(name + 1, '/') == NULL;
}

static bool object_name_ok(const char *name)
{
	size_t len;
	if (name == NULL)
		return false;
	len = strnlen(name, LFK_SHM_OBJECT_NAME_MAX + 1);
	return len > 0 && len <= LFK_SHM_OBJECT_NAME_MAX;
}

/*
 * What a region needs to know of an object kind: how many bytes an object
 * of these parameters takes (0: invalid parameters), how to lay it out, and
 * how to check, at attach, that the object under a directory entry is what
 * the entry says (0 or -EPROTO; only fields fixed at init are read, since
 * other processes may be using the object).  The entry's params are what
 * create recorded: rings and queues capacity, elem_size (and the queue's
 * ring kind); seqarrays n, elem_size; a semaphore its value; bytes their
 * length.
 */
struct shm_kind {
	uint32_t kind; /* enum lfk_shm_kind */
	size_t (*size)(uint32_t kind, const uint64_t p[3]);
	int (*init)(uint32_t kind, void *mem, const uint64_t p[3],
		    size_t bytes);
	int (*check)(uint32_t kind, const void *obj,
		     const struct lfk__shm_entry *e);
};

/* The descriptor of kind, or NULL for an unknown kind (the table is
 * below, with the kinds' functions). */
static const struct shm_kind *kind_find(uint32_t kind);

static bool kind_known(uint32_t kind)
{
	return kind_find(kind) != NULL;
}

int lfk_shm_validate(const void *base, size_t size)
{
	const struct lfk__shm_header *h = base;
	uint64_t used, heap;
	if (base == NULL)
		return -EINVAL;
	if ((uintptr_t)base % LFK_RING_ALIGN != 0 || size < sizeof(*h))
		return -EPROTO;
	/* Pairs with the creator's release of the magic: the rest of the
	 * header was written before it. */
	if (lfk_atomic_load_u64(&h->magic, LFK_ACQUIRE) != LFK__SHM_MAGIC)
		return -EPROTO;
	if (h->abi_version != LFK_SHM_ABI_VERSION || h->arch != this_arch() ||
	    h->word_size != sizeof(void *) || h->cacheline != LFK_CACHELINE ||
	    h->endian != LFK__SHM_ENDIAN || h->header_size != sizeof(*h) ||
	    h->total_size != size)
		return -EPROTO;
	/* Pairs with the directory writer's release of heap_next/dir_used. */
	heap = lfk_atomic_load_u64(&h->heap_next, LFK_ACQUIRE);
	used = lfk_atomic_load_u64(&h->dir_used, LFK_ACQUIRE);
	if (heap < HEAP_START || heap > size || used > LFK_SHM_DIR_ENTRIES)
		return -EPROTO;
	for (uint64_t i = 0; i < used; i++) {
		const struct lfk__shm_entry *e = &h->dir[i];
		if (e->state != LFK__SHM_FREE && e->state != LFK__SHM_READY)
			return -EPROTO;
		if (e->state != LFK__SHM_READY)
			continue;
		if (memchr(e->name, '\0', sizeof(e->name)) == NULL ||
		    e->name[0] == '\0' || !kind_known(e->kind) ||
		    e->offset < sizeof(*h) || e->offset % LFK_RING_ALIGN != 0 ||
		    e->length == 0 || e->offset > heap ||
		    e->length > heap - e->offset)
			return -EPROTO;
	}
	return 0;
}

/* Finds a ready entry by name in a validated region. */
static const struct lfk__shm_entry *find(const struct lfk__shm_header *h,
					 const char *name)
{
	/* Pairs with the release that published the entry count. */
	uint64_t used = lfk_atomic_load_u64(&h->dir_used, LFK_ACQUIRE);
	for (uint64_t i = 0; i < used && i < LFK_SHM_DIR_ENTRIES; i++) {
		const struct lfk__shm_entry *e = &h->dir[i];
		/* Pairs with the release that made the entry ready. */
		if (lfk_atomic_load_u32(&e->state, LFK_ACQUIRE) ==
			    LFK__SHM_READY &&
		    strncmp(e->name, name, sizeof(e->name)) == 0)
			return e;
	}
	return NULL;
}

int lfk__shm_lookup(void *base, size_t size, const char *name, uint32_t kind,
		    const struct lfk__shm_entry **entry)
{
	const struct lfk__shm_entry *e;
	int rc = lfk_shm_validate(base, size);
	if (rc != 0)
		return rc;
	if (!object_name_ok(name))
		return -EINVAL;
	e = find(base, name);
	if (e == NULL)
		return -ENOENT;
	if (e->kind != kind)
		return -EPROTO;
	*entry = e;
	return 0;
}

static int lock_dir(struct lfk__shm_header *h)
{
	int rc = pthread_mutex_lock(&h->lock);
	if (rc == EOWNERDEAD) {
		/* A process died inside a directory update.  Entries become
		 * ready only at the end of an update, so the directory is
		 * consistent; at worst some heap space was lost. */
		pthread_mutex_consistent(&h->lock);
		rc = 0;
	}
	return -rc;
}

/*
 * Whether the handle's mapping is still backed by its file.  A region's file
 * can be truncated behind a mapping (by ftruncate from any process); the
 * first touch of a page past the new end would then be a SIGBUS, so every
 * attach and create checks the size first.  It cannot stop a truncation
 * that races the call; processes sharing a region trust each other not to.
 */
static int region_intact(const struct lfk_shm *shm)
{
	struct stat st;
	if (shm == NULL)
		return -EINVAL;
	if (fstat(shm->fd, &st) != 0)
		return -errno;
	return st.st_size >= 0 && (uint64_t)st.st_size >= shm->size ? 0
								    : -EPROTO;
}

/*
 * Adds an object: reserves `bytes` at an aligned offset, lays the object out,
 * then publishes the entry.  Serialized by the directory lock.
 */
static int add_object(struct lfk_shm *shm, const char *name, uint32_t kind,
		      size_t bytes, const uint64_t params[3], void **out)
{
	struct lfk__shm_header *h;
	struct lfk__shm_entry *e;
	uint64_t off, used, span;
	int rc;
	if (shm == NULL || out == NULL || !object_name_ok(name) || bytes == 0 ||
	    !round_up(bytes, LFK_RING_ALIGN, &span))
		return -EINVAL;
	*out = NULL;
	h = shm->base;
	rc = region_intact(shm);
	if (rc == 0)
		rc = lfk_shm_validate(shm->base, shm->size);
	if (rc != 0)
		return rc;
	rc = lock_dir(h);
	if (rc != 0)
		return rc;
	/* Re-read under the lock; validate saw them in bounds, and only
	 * directory updates (serialized here) move them. */
	used = h->dir_used;
	off = h->heap_next;
	if (find(h, name) != NULL) {
		rc = -EEXIST;
	} else if (used >= LFK_SHM_DIR_ENTRIES || off > h->total_size ||
		   span > h->total_size - off) {
		rc = -ENOSPC;
	} else {
		e = &h->dir[used];
		memset(e, 0, sizeof(*e));
		rc = kind_find(kind)->init(kind, (char *)shm->base + off,
					   params, bytes);
		if (rc == 0) {
			strncpy(e->name, name, sizeof(e->name) - 1);
			e->kind = kind;
			e->offset = off;
			e->length = bytes;
			e->params[0] = params[0];
			e->params[1] = params[1];
			e->params[2] = params[2];
			/* The object and the entry are written before the
			 * entry is seen as ready. */
			lfk_atomic_store_u32(&e->state, LFK__SHM_READY,
					     LFK_RELEASE);
			/* Published after the object it covers. */
			lfk_atomic_store_u64(&h->heap_next, off + span,
					     LFK_RELEASE);
			/* Makes the new entry visible to find(). */
			lfk_atomic_store_u64(&h->dir_used, used + 1,
					     LFK_RELEASE);
			*out = (char *)shm->base + off;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* ---- the object kinds: one descriptor each -------------------------- */

static size_t ring_size(uint32_t kind, const uint64_t p[3])
{
	return lfk_ring_size((enum lfk_ring_kind)kind, (size_t)p[0],
			     (size_t)p[1]);
}

static int ring_init(uint32_t kind, void *mem, const uint64_t p[3],
		     size_t bytes)
{
	(void)bytes;
	return lfk_ring_init(mem, (enum lfk_ring_kind)kind, (size_t)p[0],
			     (size_t)p[1]);
}

/* The ring's own geometry must be the one its parameters give, and fit the
 * entry: every offset the ring operations use is then in bounds. */
static int ring_check(uint32_t kind, const void *obj,
		      const struct lfk__shm_entry *e)
{
	struct lfk_ring_hdr want;
	if (lfk__ring_layout((int)kind, (size_t)e->params[0],
			     (size_t)e->params[1], &want) == 0 ||
	    want.bytes != e->length || memcmp(obj, &want, sizeof(want)) != 0)
		return -EPROTO;
	return 0;
}

static size_t seqarray_size(uint32_t kind, const uint64_t p[3])
{
	(void)kind;
	return lfk_seqarray_size((size_t)p[0], (size_t)p[1]);
}

static int seqarray_init(uint32_t kind, void *mem, const uint64_t p[3],
			 size_t bytes)
{
	(void)kind;
	return lfk_seqarray_init(mem, bytes, (size_t)p[0], (size_t)p[1]);
}

/* The array's header must match its directory entry, and its slots (whole
 * cache lines, each holding a sequence word and an element) must fit the
 * entry: every slot address is then in bounds. */
static int seqarray_check(uint32_t kind, const void *obj,
			  const struct lfk__shm_entry *e)
{
	const struct lfk_seqarray *a = (const struct lfk_seqarray *)obj;
	(void)kind;
	if (lfk_seqarray_size((size_t)e->params[0], (size_t)e->params[1]) !=
		    e->length ||
	    a->magic != LFK_SEQARRAY_MAGIC || a->n != e->params[0] ||
	    a->elem_size != e->params[1] || a->stride % LFK_CACHELINE != 0 ||
	    a->stride < a->elem_size + sizeof(struct lfk_seqlock) ||
	    a->stride > (e->length - sizeof(*a)) / a->n)
		return -EPROTO;
	return 0;
}

static size_t queue_size(uint32_t kind, const uint64_t p[3])
{
	(void)kind;
	return lfk_queue_size((enum lfk_ring_kind)p[2], (size_t)p[0],
			      (size_t)p[1]);
}

static int queue_init(uint32_t kind, void *mem, const uint64_t p[3],
		      size_t bytes)
{
	(void)kind, (void)bytes;
	return lfk_queue_init(mem, (enum lfk_ring_kind)p[2], (size_t)p[0],
			      (size_t)p[1], LFK_QUEUE_SHARED);
}

/* The queue's header and its ring's geometry must be what the directory's
 * parameters give, within the entry; the ring must lie past the queue's
 * own fields (else its indices are the queue's counters), and every
 * eventcount must use shared futexes (a private one loses every wake-up
 * that crosses processes).  Element sizes are compared in 64 bits:
 * elem_words * 8 wraps in 32. */
static int queue_check(uint32_t kind, const void *obj,
		       const struct lfk__shm_entry *e)
{
	const struct lfk_queue *q = (const struct lfk_queue *)obj;
	struct lfk_ring_hdr want;
	if (queue_size(kind, e->params) != e->length ||
	    q->hdr.magic != LFK__QUEUE_MAGIC || q->hdr.kind != e->params[2] ||
	    (uint64_t)q->hdr.elem_words * 8 != e->params[1] ||
	    q->hdr.flags != LFK_QUEUE_SHARED || q->hdr.bytes != e->length ||
	    q->hdr.ring_off < sizeof(*q) ||
	    q->hdr.ring_off % LFK_RING_ALIGN != 0 ||
	    q->hdr.ring_off >= e->length ||
	    q->not_empty.flags != LFK_EVENTCOUNT_SHARED ||
	    q->not_full.flags != LFK_EVENTCOUNT_SHARED ||
	    q->all_done.flags != LFK_EVENTCOUNT_SHARED ||
	    lfk__ring_layout((int)e->params[2], (size_t)e->params[0],
			     (size_t)e->params[1], &want) == 0 ||
	    want.bytes > e->length - q->hdr.ring_off ||
	    memcmp((const char *)q + q->hdr.ring_off, &want, sizeof(want)) != 0)
		return -EPROTO;
	return 0;
}

static size_t ref_queue_size(uint32_t kind, const uint64_t p[3])
{
	(void)kind;
	return lfk_ref_queue_size((size_t)p[0], (size_t)p[1]);
}

static int ref_queue_init(uint32_t kind, void *mem, const uint64_t p[3],
			  size_t bytes)
{
	(void)kind, (void)bytes;
	return lfk_ref_queue_init_flags(mem, (size_t)p[0], (size_t)p[1],
					LFK_REF_SHARED);
}

/* The queue's ring must sit where init puts it, with the geometry the
 * directory's parameters give, its slots within the entry: every slot
 * address (data_off + (pos % capacity) * elem_size) is then in bounds. */
static int ref_queue_check(uint32_t kind, const void *obj,
			   const struct lfk__shm_entry *e)
{
	const struct lfk_ref_queue *q = (const struct lfk_ref_queue *)obj;
	const struct lfk_ref_ring *r;
	size_t ring_off = lfk__ref_queue_ring_offset();
	if (ref_queue_size(kind, e->params) != e->length ||
	    q->ring_off != ring_off)
		return -EPROTO;
	r = (const struct lfk_ref_ring *)((const char *)q + ring_off);
	/* elem_words compared without multiplying: * 8 wraps in 64 bits. */
	if (r->capacity != e->params[0] || e->params[1] % 8 != 0 ||
	    r->elem_words != e->params[1] / 8 || r->data_off != sizeof(*r) ||
	    r->flags != LFK_REF_SHARED ||
	    ring_off + lfk_ref_ring_size((size_t)r->capacity,
					 (size_t)e->params[1]) >
		    e->length)
		return -EPROTO;
	return 0;
}

static size_t event_size(uint32_t kind, const uint64_t p[3])
{
	(void)kind, (void)p;
	return sizeof(struct lfk_event);
}

static int event_init(uint32_t kind, void *mem, const uint64_t p[3],
		      size_t bytes)
{
	(void)kind, (void)p, (void)bytes;
	return lfk_event_init((struct lfk_event *)mem, LFK_SYNC_SHARED);
}

/* A synchronization object checks against `fresh`, one newly initialized
 * for sharing: the same length, and the same tag word (the object's kind
 * and its shared flag) at the same offset. */
static int sync_check(const void *obj, const struct lfk__shm_entry *e,
		      const void *fresh, size_t bytes, size_t tag_off)
{
	if (e->length != bytes ||
	    memcmp((const char *)obj + tag_off, (const char *)fresh + tag_off,
		   sizeof(uint32_t)) != 0)
		return -EPROTO;
	return 0;
}

static int event_check(uint32_t kind, const void *obj,
		       const struct lfk__shm_entry *e)
{
	struct lfk_event fresh;
	(void)kind;
	lfk_event_init(&fresh, LFK_SYNC_SHARED);
	return sync_check(obj, e, &fresh, sizeof(fresh),
			  offsetof(struct lfk_event, tag));
}

static size_t sem_size(uint32_t kind, const uint64_t p[3])
{
	(void)kind;
	return p[0] > LFK_SEM_VALUE_MAX ? 0 : sizeof(struct lfk_sem);
}

static int sem_init(uint32_t kind, void *mem, const uint64_t p[3], size_t bytes)
{
	(void)kind, (void)bytes;
	return lfk_sem_init((struct lfk_sem *)mem, LFK_SYNC_SHARED,
			    (uint32_t)p[0]);
}

static int sem_check(uint32_t kind, const void *obj,
		     const struct lfk__shm_entry *e)
{
	struct lfk_sem fresh;
	(void)kind;
	lfk_sem_init(&fresh, LFK_SYNC_SHARED, 0);
	return sync_check(obj, e, &fresh, sizeof(fresh),
			  offsetof(struct lfk_sem, tag));
}

static size_t bytes_size(uint32_t kind, const uint64_t p[3])
{
	(void)kind;
	return (size_t)p[0];
}

static int bytes_init(uint32_t kind, void *mem, const uint64_t p[3],
		      size_t bytes)
{
	(void)kind, (void)p;
	memset(mem, 0, bytes);
	return 0;
}

/* Raw bytes carry no header: validate's bounds are all there is. */
static int bytes_check(uint32_t kind, const void *obj,
		       const struct lfk__shm_entry *e)
{
	(void)kind, (void)obj, (void)e;
	return 0;
}

static const struct shm_kind shm_kinds[] = {
	{ LFK_SHM_RING_SPSC, ring_size, ring_init, ring_check },
	{ LFK_SHM_RING_MPMC, ring_size, ring_init, ring_check },
	{ LFK_SHM_RING_LFMPMC, ring_size, ring_init, ring_check },
	{ LFK_SHM_BYTES, bytes_size, bytes_init, bytes_check },
	{ LFK_SHM_SEQARRAY, seqarray_size, seqarray_init, seqarray_check },
	{ LFK_SHM_QUEUE, queue_size, queue_init, queue_check },
	{ LFK_SHM_REF_QUEUE, ref_queue_size, ref_queue_init, ref_queue_check },
	{ LFK_SHM_EVENT, event_size, event_init, event_check },
	{ LFK_SHM_SEM, sem_size, sem_init, sem_check },
	{ LFK_SHM_MSGRING, lfk__shm_msgring_size, lfk__shm_msgring_init,
	  lfk__shm_msgring_check },
};

static const struct shm_kind *kind_find(uint32_t kind)
{
	for (size_t i = 0; i < sizeof(shm_kinds) / sizeof(shm_kinds[0]); i++)
		if (shm_kinds[i].kind == kind)
			return &shm_kinds[i];
	return NULL;
}

/* ---- create and attach, for every kind ------------------------------- */

/* Creates an object of a known `kind` with parameters p under name. */
static int create_object(struct lfk_shm *shm, const char *name, uint32_t kind,
			 const uint64_t p[3], void **out)
{
	size_t bytes = kind_find(kind)->size(kind, p);
	if (bytes == 0)
		return -EINVAL;
	return add_object(shm, name, kind, bytes, p, out);
}

/* Finds the object of a known `kind` under name in a raw image and checks
 * it; *out gets it, *length (when asked) its entry's length. */
static int attach_image(void *base, size_t size, const char *name,
			uint32_t kind, void **out, uint64_t *length)
{
	const struct lfk__shm_entry *e;
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	rc = lfk__shm_lookup(base, size, name, kind, &e);
	if (rc == 0)
		rc = kind_find(kind)->check(kind, (char *)base + e->offset, e);
	if (rc != 0)
		return rc;
	*out = (char *)base + e->offset;
	if (length != NULL)
		*length = e->length;
	return 0;
}

/* attach_image on a handle's mapping, after checking the file's size. */
static int attach(struct lfk_shm *shm, const char *name, uint32_t kind,
		  void **out, uint64_t *length)
{
	int rc = region_intact(shm);
	if (rc != 0) {
		if (out != NULL)
			*out = NULL;
		return rc;
	}
	return attach_image(shm->base, shm->size, name, kind, out, length);
}

int lfk_shm_ring_create(struct lfk_shm *shm, const char *name,
			enum lfk_ring_kind kind, size_t capacity,
			size_t elem_size, struct lfk_ring **out)
{
	const uint64_t p[3] = { capacity, elem_size, 0 };
	void *ring;
	int rc;
	if (out == NULL || !lfk__ring_kind_ok((uint32_t)kind))
		return -EINVAL;
	*out = NULL;
	rc = create_object(shm, name, (uint32_t)kind, p, &ring);
	if (rc == 0)
		*out = (struct lfk_ring *)ring;
	return rc;
}

int lfk__shm_ring_attach_image(void *base, size_t size, const char *name,
			       int kind, void **out)
{
	if (out == NULL || kind < 0 || !lfk__ring_kind_ok((uint32_t)kind))
		return -EINVAL;
	return attach_image(base, size, name, (uint32_t)kind, out, NULL);
}

/* The typed ring calls: the kind filled in, the pointer typed. */
#define LFK__SHM_DEFINE_RING(K, KIND)                                          \
	int lfk_shm_ring_##K##_create(struct lfk_shm *shm, const char *name,   \
				      size_t capacity, size_t elem_size,       \
				      struct lfk_ring_##K **out)               \
	{                                                                      \
		struct lfk_ring *r;                                            \
		int rc;                                                        \
		if (out == NULL)                                               \
			return -EINVAL;                                        \
		rc = lfk_shm_ring_create(shm, name, KIND, capacity, elem_size, \
					 &r);                                  \
		*out = lfk_ring_to_##K(r);                                     \
		return rc;                                                     \
	}                                                                      \
	int lfk_shm_ring_##K##_attach(struct lfk_shm *shm, const char *name,   \
				      struct lfk_ring_##K **out)               \
	{                                                                      \
		return attach(shm, name, KIND, (void **)out, NULL);            \
	}
LFK__SHM_DEFINE_RING(spsc, LFK_RING_SPSC)
LFK__SHM_DEFINE_RING(mpmc, LFK_RING_MPMC)
LFK__SHM_DEFINE_RING(lfmpmc, LFK_RING_LFMPMC)
#undef LFK__SHM_DEFINE_RING

int lfk_shm_ring_attach(struct lfk_shm *shm, const char *name,
			struct lfk_ring **out)
{
	int rc = -EPROTO;
	/* The entry's kind decides: under another kind than k the lookup
	 * says -EPROTO, and the next kind is tried. */
	for (uint32_t k = LFK_RING_SPSC; rc == -EPROTO && k <= LFK_RING_LFMPMC;
	     k++)
		rc = attach(shm, name, k, (void **)out, NULL);
	return rc;
}

int lfk_shm_seqarray_create(struct lfk_shm *shm, const char *name, size_t n,
			    size_t elem_size, struct lfk_seqarray **out)
{
	const uint64_t p[3] = { n, elem_size, 0 };
	return create_object(shm, name, LFK_SHM_SEQARRAY, p, (void **)out);
}

int lfk_shm_queue_create(struct lfk_shm *shm, const char *name, int kind,
			 size_t capacity, size_t elem_size,
			 struct lfk_queue **out)
{
	const uint64_t p[3] = { capacity, elem_size, (uint64_t)kind };
	return create_object(shm, name, LFK_SHM_QUEUE, p, (void **)out);
}

int lfk_shm_ref_queue_create(struct lfk_shm *shm, const char *name,
			     size_t capacity, size_t elem_size,
			     struct lfk_ref_queue **out)
{
	const uint64_t p[3] = { capacity, elem_size, 0 };
	return create_object(shm, name, LFK_SHM_REF_QUEUE, p, (void **)out);
}

int lfk_shm_event_create(struct lfk_shm *shm, const char *name,
			 struct lfk_event **out)
{
	const uint64_t p[3] = { 0, 0, 0 };
	return create_object(shm, name, LFK_SHM_EVENT, p, (void **)out);
}

int lfk_shm_sem_create(struct lfk_shm *shm, const char *name, uint32_t value,
		       struct lfk_sem **out)
{
	const uint64_t p[3] = { value, 0, 0 };
	return create_object(shm, name, LFK_SHM_SEM, p, (void **)out);
}

int lfk_shm_msgring_create(struct lfk_shm *shm, const char *name, size_t bytes,
			   unsigned flags, struct lfk_msgring **out)
{
	const uint64_t p[3] = { bytes, flags | LFK_MSGRING_SHARED, 0 };
	if ((flags & ~LFK_MSGRING_MP) != 0)
		return -EINVAL;
	return create_object(shm, name, LFK_SHM_MSGRING, p, (void **)out);
}

int lfk_shm_bytes_create(struct lfk_shm *shm, const char *name, size_t bytes,
			 void **out)
{
	const uint64_t p[3] = { bytes, 0, 0 };
	return create_object(shm, name, LFK_SHM_BYTES, p, out);
}

/* The attach paths of the other kinds, on a raw image (the fuzz tests) and
 * on a handle. */
#define LFK__SHM_DEFINE_ATTACH(K, KIND, T)                                     \
	int lfk__shm_##K##_attach_image(void *base, size_t size,               \
					const char *name, T **out)             \
	{                                                                      \
		return attach_image(base, size, name, KIND, (void **)out,      \
				    NULL);                                     \
	}                                                                      \
	int lfk_shm_##K##_attach(struct lfk_shm *shm, const char *name,        \
				 T **out)                                      \
	{                                                                      \
		return attach(shm, name, KIND, (void **)out, NULL);            \
	}
LFK__SHM_DEFINE_ATTACH(seqarray, LFK_SHM_SEQARRAY, struct lfk_seqarray)
LFK__SHM_DEFINE_ATTACH(queue, LFK_SHM_QUEUE, struct lfk_queue)
LFK__SHM_DEFINE_ATTACH(ref_queue, LFK_SHM_REF_QUEUE, struct lfk_ref_queue)
LFK__SHM_DEFINE_ATTACH(event, LFK_SHM_EVENT, struct lfk_event)
LFK__SHM_DEFINE_ATTACH(sem, LFK_SHM_SEM, struct lfk_sem)
LFK__SHM_DEFINE_ATTACH(msgring, LFK_SHM_MSGRING, struct lfk_msgring)
#undef LFK__SHM_DEFINE_ATTACH

int lfk_shm_bytes_attach(struct lfk_shm *shm, const char *name, void **out,
			 size_t *bytes)
{
	uint64_t length = 0;
	int rc;
	if (shm == NULL || out == NULL || bytes == NULL)
		return -EINVAL;
	rc = attach(shm, name, LFK_SHM_BYTES, out, &length);
	if (rc == 0)
		*bytes = (size_t)length;
	return rc;
}

/*
 * Creation, and what other processes see of a region while it is made.
 *
 * A region's file exists before its header does: shm_open(O_CREAT) makes an
 * empty file, then the backing store is reserved (it reads as zeros) and the
 * header written, the magic last.  Until the magic is there the region is
 * "being created" - its file is empty or its magic is 0 - and lfk_shm_open
 * answers -EAGAIN, never -EPROTO.
 *
 * The creator holds an exclusive flock on the file from the moment it owns
 * the name until the magic is written.  The kernel drops a flock when its
 * holder dies, so a later lfk_shm_create that finds the name held by a
 * region still being created, and can take the lock, knows the creator is
 * gone: it builds the region itself, in the same file.  It never unlinks
 * the name, so it cannot remove a region that another process has just
 * made under it.
 */

/* Whether the region in fd (locked by the caller) is still being created:
 * an empty file, or a header whose magic was never written. */
static bool unfinished(int fd)
{
	struct stat st;
	uint64_t magic;
	if (fstat(fd, &st) != 0)
		return false;
	if (st.st_size == 0)
		return true;
	return st.st_size >= (off_t)HEAP_START &&
	       pread(fd, &magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	       magic == 0;
}

static int lock_file(int fd, int how)
{
	while (flock(fd, how) != 0) {
		if (errno != EINTR)
			return errno == EWOULDBLOCK ? -EEXIST : -errno;
	}
	return 0;
}

/*
 * Takes the name for a new region: a descriptor of its file, locked, that
 * holds no finished region - a new file, or one whose creator died.
 * -EEXIST if a finished region, or a live creator, has the name.
 */
static int claim(const char *name, mode_t mode)
{
	/* A few rounds: the name can vanish (unlink) between two calls. */
	for (int round = 0; round < 4; round++) {
		int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, mode);
		bool fresh = fd >= 0;
		int rc;
		if (!fresh) {
			if (errno != EEXIST)
				return -errno;
			fd = shm_open(name, O_RDWR, 0);
			if (fd < 0 && errno == ENOENT)
				continue;
			if (fd < 0)
				return -errno;
		}
		/* Our new file: wait out a reclaimer that took it before we
		 * locked it (it finishes the region; we then find it done).
		 * Someone else's file: ours only if its creator is gone. */
		rc = lock_file(fd, fresh ? LOCK_EX : LOCK_EX | LOCK_NB);
		if (rc == 0 && unfinished(fd))
			return fd;
		close(fd); /* drops the lock */
		return rc != 0 ? rc : -EEXIST;
	}
	return -EEXIST;
}

/* Reserves `total` bytes for the claimed file fd and writes the header,
 * the magic last; then lets go of the file's lock. */
static int build(struct lfk_shm *shm, int fd, uint64_t total)
{
	struct lfk__shm_header *h;
	pthread_mutexattr_t ma;
	int rc;
	/* ftruncate first: a reclaimed file may be longer than this region.
	 * Then reserve every page now, so that a region tmpfs cannot hold
	 * fails here with -ENOSPC instead of a SIGBUS at a later first
	 * touch. */
	if (ftruncate(fd, (off_t)total) != 0)
		return -errno;
	rc = posix_fallocate(fd, 0, (off_t)total);
	if (rc != 0)
		return -rc;
	shm->base =
		mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shm->base == MAP_FAILED)
		return -errno;
	shm->size = total;
	shm->fd = fd;
	create_step(LFK__SHM_STEP_RESERVED);
	h = shm->base;
	memset(h, 0, sizeof(*h)); /* a dead creator's partial header */
	h->abi_version = LFK_SHM_ABI_VERSION;
	h->arch = this_arch();
	h->word_size = sizeof(void *);
	h->cacheline = LFK_CACHELINE;
	h->endian = LFK__SHM_ENDIAN;
	h->header_size = sizeof(*h);
	h->total_size = total;
	h->heap_next = HEAP_START;
	h->dir_used = 0;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&h->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	create_step(LFK__SHM_STEP_HEADER);
	/* Last: an opener that sees the magic sees the whole header. */
	lfk_atomic_store_u64(&h->magic, LFK__SHM_MAGIC, LFK_RELEASE);
	flock(fd, LOCK_UN);
	return 0;
}

int lfk_shm_create(const char *name, size_t size, mode_t mode,
		   struct lfk_shm **out)
{
	struct lfk_shm *shm;
	uint64_t total;
	int fd, rc;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (!region_name_ok(name) || size == 0 || size > region_max ||
	    !round_up(size, LFK_RING_ALIGN, &total) ||
	    __builtin_add_overflow(total, HEAP_START, &total))
		return -EINVAL;
	shm = calloc(1, sizeof(*shm));
	if (shm == NULL)
		return -ENOMEM;
	fd = claim(name, mode);
	if (fd < 0) {
		free(shm);
		return fd;
	}
	create_step(LFK__SHM_STEP_CLAIMED);
	rc = build(shm, fd, total);
	if (rc != 0) {
		/* The name is ours (new, or its creator died): free it. */
		if (shm->base != NULL && shm->base != MAP_FAILED)
			munmap(shm->base, total);
		shm_unlink(name);
		close(fd);
		free(shm);
		return rc;
	}
	*out = shm;
	return 0;
}

/*
 * One attempt at mapping the region in fd: -EAGAIN while it is being
 * created, -EPROTO if it is not a whole lfkit region of this ABI, *size the
 * file's size seen.
 */
static int map_region(struct lfk_shm *shm, int fd, off_t *size)
{
	struct stat st;
	int rc;
	if (fstat(fd, &st) != 0)
		return -errno;
	*size = st.st_size;
	if (st.st_size == 0)
		return -EAGAIN;
	if (st.st_size < (off_t)HEAP_START ||
	    (uint64_t)st.st_size > region_max + LFK_RING_ALIGN * 64)
		return -EPROTO;
	shm->size = (size_t)st.st_size;
	shm->base = mmap(NULL, shm->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	if (shm->base == MAP_FAILED)
		return -errno;
	/* Pairs with the creator's release of the magic (as in validate). */
	if (lfk_atomic_load_u64(&((struct lfk__shm_header *)shm->base)->magic,
				LFK_ACQUIRE) == 0)
		rc = -EAGAIN;
	else
		rc = lfk_shm_validate(shm->base, shm->size);
	if (rc != 0)
		munmap(shm->base, shm->size);
	return rc;
}

int lfk_shm_open(const char *name, struct lfk_shm **out)
{
	struct lfk_shm *shm;
	struct stat st;
	off_t seen = 0;
	int fd, rc;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (!region_name_ok(name))
		return -EINVAL;
	shm = calloc(1, sizeof(*shm));
	if (shm == NULL)
		return -ENOMEM;
	fd = shm_open(name, O_RDWR, 0);
	if (fd < 0) {
		rc = -errno;
		free(shm);
		return rc;
	}
	/* A creator that reclaims a dead creator's file resizes it: a size
	 * that changed under the mapping is worth another look. */
	for (int round = 0; round < 3; round++) {
		rc = map_region(shm, fd, &seen);
		if (rc != -EPROTO || fstat(fd, &st) != 0 || st.st_size == seen)
			break;
	}
	if (rc != 0) {
		close(fd);
		free(shm);
		return rc;
	}
	shm->fd = fd;
	*out = shm;
	return 0;
}

int lfk_shm_close(struct lfk_shm *shm)
{
	if (shm == NULL)
		return -EINVAL;
	munmap(shm->base, shm->size);
	close(shm->fd);
	free(shm);
	return 0;
}

int lfk_shm_unlink(const char *name)
{
	if (!region_name_ok(name))
		return -EINVAL;
	return shm_unlink(name) == 0 ? 0 : -errno;
}

void *lfk_shm_base(const struct lfk_shm *shm)
{
	return shm ? shm->base : NULL;
}

size_t lfk_shm_size(const struct lfk_shm *shm)
{
	return shm ? shm->size : 0;
}
