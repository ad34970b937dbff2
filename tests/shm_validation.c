/* SPDX-License-Identifier: MIT */
/*
 * Validation of a region's image: a copy of a valid region, damaged one
 * field at a time (the region header, the directory, a ring's geometry, a
 * seqarray's header, the mutex twin's ring), must be refused with -EPROTO
 * by validation and attach, never crash; and so must a truncated file.
 */
#include <errno.h>
#include <fcntl.h>
#include <lfkit/ref/queue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/shm_layout.h"
#include "shm_helpers.h"

/* The live region and the scratch image that each case damages. */
struct damage {
	struct lfk_shm *s;
	size_t size;
	char *img;
	struct lfk__shm_header *h;
};

/* Entry 0: a lock-free ring "ring"; the region header and directory. */
static void damage_region(struct damage *d)
{
	char *img = d->img;
	size_t size = d->size;
	struct lfk__shm_header *h = d->h;
	void *r;
#define DAMAGE(what, stmt)                                                     \
	do {                                                                   \
		memcpy(img, lfk_shm_base(d->s), size);                         \
		LFK_CHECK(lfk_shm_validate(img, size) == 0, "clean copy");     \
		stmt;                                                          \
		LFK_CHECK(lfk__shm_ring_attach_image(img, size, "ring",        \
						     LFK_RING_LFMPMC,          \
						     &r) == -EPROTO,           \
			  "attach accepted %s", what);                         \
	} while (0)
	DAMAGE("a wrong magic", h->magic ^= 1);
	DAMAGE("a wrong version", h->abi_version++);
	DAMAGE("a wrong architecture", h->arch ^= 3);
	DAMAGE("a wrong word size", h->word_size = 4);
	DAMAGE("a wrong cache line", h->cacheline = 128);
	DAMAGE("a wrong byte order", h->endian = 0x04030201);
	DAMAGE("a wrong total size", h->total_size += 4096);
	DAMAGE("a heap past the end", h->heap_next = size + 128);
	DAMAGE("too many entries", h->dir_used = LFK_SHM_DIR_ENTRIES + 1);
	DAMAGE("an unknown kind", h->dir[0].kind = 77);
	DAMAGE("an offset past the end", h->dir[0].offset = size);
	DAMAGE("a misaligned offset", h->dir[0].offset += 8);
	DAMAGE("a length past the end", h->dir[0].length = size);
	DAMAGE("an unterminated name", memset(h->dir[0].name, 'x', 32));
	DAMAGE("a bad entry state", h->dir[0].state = 9);
	DAMAGE("a ring geometry that disagrees",
	       ((struct lfk_ring_hdr *)(img + h->dir[0].offset))->mask = 1023);
	DAMAGE("a capacity that disagrees", h->dir[0].params[0] = 1000);
#undef DAMAGE
}

/* Entry 1: a seqarray "table"; its own header. */
static void damage_seqarray(struct damage *d)
{
	char *img = d->img;
	size_t size = d->size;
	struct lfk__shm_header *h = d->h;
	struct lfk_seqarray *sa;
	LFK_CHECK(lfk_shm_seqarray_create(d->s, "table", 8, 16, &sa) == 0,
		  "seqarray");
#define DAMAGE(what, stmt)                                                     \
	do {                                                                   \
		struct lfk_seqarray *out;                                      \
		memcpy(img, lfk_shm_base(d->s), size);                         \
		LFK_CHECK(lfk__shm_seqarray_attach_image(img, size, "table",   \
							 &out) == 0,           \
			  "clean copy");                                       \
		stmt;                                                          \
		LFK_CHECK(lfk__shm_seqarray_attach_image(img, size, "table",   \
							 &out) == -EPROTO,     \
			  "seqarray attach accepted %s", what);                \
	} while (0)
	DAMAGE("a wrong magic",
	       ((struct lfk_seqarray *)(img + h->dir[1].offset))->magic++);
	DAMAGE("a wrong length",
	       ((struct lfk_seqarray *)(img + h->dir[1].offset))->n = 9);
	DAMAGE("a huge stride",
	       ((struct lfk_seqarray *)(img + h->dir[1].offset))->stride =
		       1 << 20);
	DAMAGE("a short stride",
	       ((struct lfk_seqarray *)(img + h->dir[1].offset))->stride = 8);
	DAMAGE("an entry length that disagrees", h->dir[1].length -= 128);
#undef DAMAGE
}

/* Entry 2: the mutex twin of the queue "twin"; its ring's geometry. */
static void damage_ref_queue(struct damage *d)
{
	char *img = d->img;
	size_t size = d->size;
	struct lfk__shm_header *h = d->h;
	struct lfk_ref_queue *rq;
	LFK_CHECK(lfk_shm_ref_queue_create(d->s, "twin", 8, 16, &rq) == 0,
		  "ref queue");
#define RING2                                                                  \
	((struct lfk_ref_ring *)(img + h->dir[2].offset +                      \
				 ((struct lfk_ref_queue *)(img +               \
							   h->dir[2].offset))  \
					 ->ring_off))
#define DAMAGE(what, stmt)                                                     \
	do {                                                                   \
		struct lfk_ref_queue *out;                                     \
		memcpy(img, lfk_shm_base(d->s), size);                         \
		LFK_CHECK(lfk__shm_ref_queue_attach_image(img, size, "twin",   \
							  &out) == 0,          \
			  "clean copy");                                       \
		stmt;                                                          \
		LFK_CHECK(lfk__shm_ref_queue_attach_image(img, size, "twin",   \
							  &out) == -EPROTO,    \
			  "ref queue attach accepted %s", what);               \
	} while (0)
	DAMAGE("a moved ring",
	       ((struct lfk_ref_queue *)(img + h->dir[2].offset))->ring_off +=
	       64);
	DAMAGE("a wrong capacity", RING2->capacity = 1 << 20);
	DAMAGE("a wrong element size", RING2->elem_words = 1000);
	DAMAGE("a moved data area", RING2->data_off = 1 << 20);
	DAMAGE("a private twin", RING2->flags = 0);
	DAMAGE("an entry length that disagrees", h->dir[2].length += 128);
	DAMAGE("a capacity that disagrees", h->dir[2].params[0] = 9);
	DAMAGE("another kind", h->dir[2].kind = LFK_SHM_QUEUE);
#undef RING2
#undef DAMAGE
}

int lfk_scn_validation_rejects_damage(void)
{
	char name[64];
	struct damage d;
	void *r;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600,
			   &d.s) != 0)
		return 1;
	lfk_shm_ring_create(d.s, "ring", LFK_RING_LFMPMC, 16, 8,
			    (struct lfk_ring **)&r);
	d.size = lfk_shm_size(d.s);
	d.img = aligned_alloc(LFK_RING_ALIGN, d.size);
	d.h = (struct lfk__shm_header *)d.img;
	damage_region(&d);
	damage_seqarray(&d);
	damage_ref_queue(&d);
	LFK_CHECK(lfk_shm_validate(d.img, sizeof(*d.h) - 1) == -EPROTO,
		  "a short image");
	LFK_CHECK(lfk_shm_validate(d.img + 8, d.size - 8) == -EPROTO,
		  "a misaligned image");
	free(d.img);
	lfk_shm_close(d.s);
	lfk_shm_unlink(name);
	return 0;
}

int lfk_scn_truncated_file(void)
{
	char name[64];
	struct lfk_shm *s;
	int fd;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600,
			   &s) != 0)
		return 1;
	lfk_shm_close(s);
	fd = shm_open(name, O_RDWR, 0);
	LFK_CHECK(fd >= 0 && ftruncate(fd, 4096) == 0, "truncate");
	close(fd);
	LFK_CHECK(lfk_shm_open(name, &s) == -EPROTO, "truncated region opened");
	fd = shm_open(name, O_RDWR, 0);
	LFK_CHECK(fd >= 0 && ftruncate(fd, 10) == 0, "truncate more");
	close(fd);
	LFK_CHECK(lfk_shm_open(name, &s) == -EPROTO, "tiny region opened");
	lfk_shm_unlink(name);
	return 0;
}
