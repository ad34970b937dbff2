/* SPDX-License-Identifier: MIT */
/*
 * lfkit/shm.h - named shared-memory regions that hold lfkit structures.
 *
 * Python's multiprocessing.shared_memory gives processes a common block of
 * bytes and leaves synchronization to them; an lfkit region gives them the
 * lock-free structures themselves.  The lifecycle is explicit, as in Python:
 *   lfk_shm_create(name, size, mode, &shm)   new region (-EEXIST if it exists)
 *   lfk_shm_open(name, &shm)                 map an existing one (-ENOENT)
 *   lfk_shm_close(shm)                       unmap; the region lives on
 *   lfk_shm_unlink(name)                     remove the name; memory goes
 *                                            when the last process unmaps
 * Backed by POSIX shared memory (shm_open + mmap).  Names follow shm_open:
 * "/name", at most LFK_SHM_REGION_NAME_MAX bytes, no other slash.
 *
 * Layout: the region starts with a header (magic, ABI version, architecture,
 * word size, cache-line size, total size) and a directory of named objects
 * (kind, offset, length, parameters); objects follow, each aligned to
 * LFK_RING_ALIGN.  Everything inside is an offset from the region's start,
 * never a pointer, so every process may map the region at its own address.
 *
 * Validation: open and every attach check the header and the directory
 * entry they use: a wrong magic, version, architecture, kind, size, an offset
 * or length past the end of the mapping, or a truncated file gives -EPROTO,
 * never a crash.  Fuzz tests feed mutated images to this path (field by
 * field, with boundary values) and use every object that attaches.
 *
 * Creation: until lfk_shm_create has written the whole header, open answers
 * -EAGAIN (retryable), never -EPROTO.  A creator that dies half way leaves a
 * name that open keeps answering -EAGAIN for, and that the next
 * lfk_shm_create of that name reclaims.
 * Validation protects against wrong, stale or damaged regions; processes
 * that share a region trust each other not to corrupt it while they use it.
 *
 * Directory updates (creating objects) are serialized by a robust,
 * process-shared mutex in the header: blocking, and recovered if a process
 * dies while holding it.  Attaching and using objects takes no lock.
 */
#ifndef LFKIT_SHM_H
#define LFKIT_SHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <lfkit/msgring.h>
#include <lfkit/queue.h>
#include <lfkit/ring.h>
#include <lfkit/seqarray.h>
#include <lfkit/sync.h>

LFK_BEGIN_DECLS

#define LFK_SHM_REGION_NAME_MAX 200
#define LFK_SHM_OBJECT_NAME_MAX 31 /* bytes, without the terminating NUL */
#define LFK_SHM_DIR_ENTRIES 64
/* The layout of a region and of every object in it.  2: the lfmpmc ring's
 * double-width entries, the spsc ring's producer limit, the queue's
 * per-process records and the creation state; 3: the twin queue's futex
 * condition words; 4: the lfmpmc ring's n {seq, value} entries, no
 * credits or thresholds, and the message ring's producers' copy of head.
 * A region of another version opens with -EPROTO. */
#define LFK_SHM_ABI_VERSION 4

enum lfk_shm_kind {
	LFK_SHM_RING_SPSC = LFK_RING_SPSC,
	LFK_SHM_RING_MPMC = LFK_RING_MPMC,
	LFK_SHM_RING_LFMPMC = LFK_RING_LFMPMC,
	LFK_SHM_BYTES = 16, /* raw bytes, for the caller's own layout */
	LFK_SHM_SEQARRAY = 17, /* a struct lfk_seqarray */
	LFK_SHM_QUEUE = 18, /* an lfk_queue over a ring (LFK_QUEUE_SHARED) */
	LFK_SHM_REF_QUEUE = 19, /* an lfk_ref_queue (LFK_REF_SHARED) */
	LFK_SHM_EVENT = 20, /* an struct lfk_event (LFK_SYNC_SHARED) */
	LFK_SHM_SEM = 21, /* an struct lfk_sem (LFK_SYNC_SHARED) */
	LFK_SHM_MSGRING = 22, /* an lfk_msgring (LFK_MSGRING_SHARED) */
};

struct lfk_shm; /* a process's handle on a mapped region */
struct lfk_ref_queue; /* <lfkit/ref/queue.h> */

/* Creates and maps a new region of at least `size` bytes for objects (the
 * header comes on top), with permission bits `mode` (e.g. 0600).  Every
 * page is reserved now (posix_fallocate), so a region that POSIX shared
 * memory cannot hold fails here instead of with SIGBUS at a later touch.
 * A region whose creator died before finishing it is reclaimed: built anew
 * in the same file (keeping that file's permission bits).
 * Errors: -EINVAL (bad name, size 0 or above 2^40, NULL out), -EEXIST (a
 * region has the name, or another process is creating one under it),
 * -ENOSPC (no room for the backing store), -ENOMEM, or another negative
 * errno from shm_open/ftruncate/posix_fallocate/mmap.  Blocking. */
int lfk_shm_create(const char *name, size_t size, mode_t mode,
		   struct lfk_shm **out);

/* Maps an existing region and validates its header.  Keeps a descriptor of
 * the region's file open (close releases it), to check its size at every
 * attach.
 * Errors: -EINVAL, -ENOENT, -EAGAIN (the region is being created, or its
 * creator died before finishing it and no create has reclaimed it yet:
 * retry later), -EPROTO (not an lfkit region of this ABI and architecture,
 * or truncated), -ENOMEM, other negative errno.  Does not block. */
int lfk_shm_open(const char *name, struct lfk_shm **out);

/* Unmaps the region and frees the handle.  Objects attached through it
 * must not be used afterwards.  Returns 0 or -EINVAL for NULL. */
int lfk_shm_close(struct lfk_shm *shm);

/* Removes the region's name: 0, -EINVAL, -ENOENT. */
int lfk_shm_unlink(const char *name);

/* The mapping's address and length in this process. */
void *lfk_shm_base(const struct lfk_shm *shm);
size_t lfk_shm_size(const struct lfk_shm *shm);

/*
 * Checks that `size` bytes at `base` are an lfkit region of this ABI and
 * architecture whose directory is consistent (every used entry within the
 * mapping, names terminated, kinds known).  0 or -EPROTO (-EINVAL for NULL).
 * Wait-free; it never writes.
 */
int lfk_shm_validate(const void *base, size_t size);

/*
 * Rings in a region.  create lays a ring of `kind` (LFK_RING_SPSC, _MPMC,
 * _LFMPMC) out under `name` and gives its generic handle (<lfkit/ring.h>);
 * the typed creates do the same for their kind.
 * attach finds a ring by name and checks that it is of the kind asked for
 * and that its own geometry matches the directory and fits in the mapping;
 * *out is the ring in this process's mapping, typed.
 * Errors: -EINVAL (bad arguments: NULL, bad kind, bad name, bad capacity or
 * elem_size as lfk_ring_<kind>_size), -EEXIST (name taken, create), -ENOENT
 * (no such name, attach), -ENOSPC (region or directory full), -EPROTO
 * (validation failed, the region's file was truncated, or the object under
 * `name` is of another kind: a ring of another kind too).  Blocking (create
 * takes the directory lock); attach is wait-free but for the fstat that
 * checks the file's size.
 */
int lfk_shm_ring_create(struct lfk_shm *shm, const char *name,
			enum lfk_ring_kind kind, size_t capacity,
			size_t elem_size, struct lfk_ring **out);
int lfk_shm_ring_spsc_create(struct lfk_shm *shm, const char *name,
			     size_t capacity, size_t elem_size,
			     struct lfk_ring_spsc **out);
int lfk_shm_ring_mpmc_create(struct lfk_shm *shm, const char *name,
			     size_t capacity, size_t elem_size,
			     struct lfk_ring_mpmc **out);
int lfk_shm_ring_lfmpmc_create(struct lfk_shm *shm, const char *name,
			       size_t capacity, size_t elem_size,
			       struct lfk_ring_lfmpmc **out);
int lfk_shm_ring_spsc_attach(struct lfk_shm *shm, const char *name,
			     struct lfk_ring_spsc **out);
int lfk_shm_ring_mpmc_attach(struct lfk_shm *shm, const char *name,
			     struct lfk_ring_mpmc **out);
int lfk_shm_ring_lfmpmc_attach(struct lfk_shm *shm, const char *name,
			       struct lfk_ring_lfmpmc **out);
/* Attaches the ring under name whatever its kind, as the generic handle of
 * <lfkit/ring.h> (lfk_ring_kind_of tells which).  Errors as the typed
 * attach calls (-EPROTO when the object is not a ring). */
int lfk_shm_ring_attach(struct lfk_shm *shm, const char *name,
			struct lfk_ring **out);

/* A seqlock-protected array (<lfkit/seqarray.h>) of n elements of
 * elem_size bytes under a name; attach checks the array's header against
 * the directory.  Errors as for rings. */
int lfk_shm_seqarray_create(struct lfk_shm *shm, const char *name, size_t n,
			    size_t elem_size, struct lfk_seqarray **out);
int lfk_shm_seqarray_attach(struct lfk_shm *shm, const char *name,
			    struct lfk_seqarray **out);

/* A blocking queue (<lfkit/queue.h>) over a ring of `kind`, with shared
 * futexes so that processes sleep and wake each other.  Errors as for
 * rings. */
int lfk_shm_queue_create(struct lfk_shm *shm, const char *name, int kind,
			 size_t capacity, size_t elem_size,
			 struct lfk_queue **out);
int lfk_shm_queue_attach(struct lfk_shm *shm, const char *name,
			 struct lfk_queue **out);

/* The blocking queue's mutex twin (<lfkit/ref/queue.h>) with
 * LFK_REF_SHARED: a process-shared, robust mutex and condition variables
 * on shared futex words; what a process that dies leaves
 * is documented there.  attach checks the queue's geometry against the
 * directory.  Errors as for rings. */
int lfk_shm_ref_queue_create(struct lfk_shm *shm, const char *name,
			     size_t capacity, size_t elem_size,
			     struct lfk_ref_queue **out);
int lfk_shm_ref_queue_attach(struct lfk_shm *shm, const char *name,
			     struct lfk_ref_queue **out);

/* An event (like threading.Event) and a counting semaphore shared between
 * processes (<lfkit/sync.h>, initialized with LFK_SYNC_SHARED); attach
 * checks the object was made for sharing.  Errors as for rings. */
int lfk_shm_event_create(struct lfk_shm *shm, const char *name,
			 struct lfk_event **out);
int lfk_shm_event_attach(struct lfk_shm *shm, const char *name,
			 struct lfk_event **out);
int lfk_shm_sem_create(struct lfk_shm *shm, const char *name, uint32_t value,
		       struct lfk_sem **out);
int lfk_shm_sem_attach(struct lfk_shm *shm, const char *name,
		       struct lfk_sem **out);

/*
 * A message ring (<lfkit/msgring.h>) of `bytes` bytes of data space, made
 * with flags | LFK_MSGRING_SHARED (flags: 0 or LFK_MSGRING_MP).  attach
 * checks the ring's geometry, flags and shared futexes against the
 * directory.  Errors as for rings (-EINVAL also for a bad `bytes` or
 * unknown flags).  create is O(bytes) (it zeroes the data space).
 */
int lfk_shm_msgring_create(struct lfk_shm *shm, const char *name, size_t bytes,
			   unsigned flags, struct lfk_msgring **out);
int lfk_shm_msgring_attach(struct lfk_shm *shm, const char *name,
			   struct lfk_msgring **out);

/* Raw bytes under a name, for the caller's own data: create zero-fills
 * `bytes` bytes; attach returns them and their length. */
int lfk_shm_bytes_create(struct lfk_shm *shm, const char *name, size_t bytes,
			 void **out);
int lfk_shm_bytes_attach(struct lfk_shm *shm, const char *name, void **out,
			 size_t *bytes);

LFK_END_DECLS

#endif
