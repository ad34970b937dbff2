/* SPDX-License-Identifier: MIT */
/*
 * The layout of an lfkit shared-memory region's header (internal to the
 * library and its tests; the public contract is <lfkit/shm.h>).
 */
#ifndef LFKIT_LIB_SHM_LAYOUT_H
#define LFKIT_LIB_SHM_LAYOUT_H

#include <lfkit/shm.h>
#include <pthread.h>
#include <stdint.h>

#define LFK__SHM_MAGIC 0x4d4853544b49464cull /* "LFIKTSHM" little-endian */
#define LFK__SHM_ENDIAN 0x01020304u
#define LFK__SHM_FREE 0u
#define LFK__SHM_READY 1u

struct lfk__shm_entry {
	char name[LFK_SHM_OBJECT_NAME_MAX + 1];
	uint32_t kind; /* enum lfk_shm_kind */
	uint32_t state; /* LFK__SHM_FREE or LFK__SHM_READY */
	uint64_t offset; /* from the region's start */
	uint64_t length;
	uint64_t params[3]; /* rings and queues: capacity, elem_size, [kind];
			       seqarrays: n, elem_size; bytes: length */
};

struct lfk__shm_header {
	uint64_t magic; /* written last by the creator */
	uint32_t abi_version;
	uint32_t arch; /* ISA code: 1 x86_64, 2 aarch64 */
	uint32_t word_size;
	uint32_t cacheline;
	uint32_t endian;
	uint32_t header_size;
	uint64_t total_size; /* the whole mapping, header included */
	uint64_t heap_next; /* offset of the first unallocated byte */
	uint64_t dir_used; /* directory entries in use */
	pthread_mutex_t lock; /* robust, process-shared: directory updates */
	struct lfk__shm_entry dir[LFK_SHM_DIR_ENTRIES];
} __attribute__((aligned(LFK_RING_ALIGN)));

/*
 * Test hook: lfk_shm_create calls lfk__shm_create_hook (when set) at each of
 * these steps, so that a test can stop a creator exactly there.
 */
enum lfk__shm_create_step {
	LFK__SHM_STEP_CLAIMED = 1, /* the name is ours, the file still empty */
	LFK__SHM_STEP_RESERVED = 2, /* the store reserved, the header zeros */
	LFK__SHM_STEP_HEADER = 3, /* the header written but for its magic */
};
extern void (*lfk__shm_create_hook)(int step);

/* The attach path on a raw image (the fuzz test drives it directly). */
int lfk__shm_lookup(void *base, size_t size, const char *name, uint32_t kind,
		    const struct lfk__shm_entry **entry);
int lfk__shm_ring_attach_image(void *base, size_t size, const char *name,
			       int kind, void **out);
int lfk__shm_seqarray_attach_image(void *base, size_t size, const char *name,
				   struct lfk_seqarray **out);
int lfk__shm_queue_attach_image(void *base, size_t size, const char *name,
				struct lfk_queue **out);
int lfk__shm_event_attach_image(void *base, size_t size, const char *name,
				struct lfk_event **out);
int lfk__shm_sem_attach_image(void *base, size_t size, const char *name,
			      struct lfk_sem **out);
int lfk__shm_msgring_attach_image(void *base, size_t size, const char *name,
				  struct lfk_msgring **out);
/* The message ring's descriptor in lib/shm.c's table of kinds (size, init,
 * check at attach), written beside the ring in lib/msgring_shm.c. */
size_t lfk__shm_msgring_size(uint32_t kind, const uint64_t p[3]);
int lfk__shm_msgring_init(uint32_t kind, void *mem, const uint64_t p[3],
			  size_t bytes);
int lfk__shm_msgring_check(uint32_t kind, const void *obj,
			   const struct lfk__shm_entry *e);
int lfk__shm_ref_queue_attach_image(void *base, size_t size, const char *name,
				    struct lfk_ref_queue **out);

#endif
