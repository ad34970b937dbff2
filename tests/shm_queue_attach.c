/* SPDX-License-Identifier: MIT */
/*
 * Attach of the blocking queue and of its mutex twin, on copies of a real
 * region with one field damaged each: every damage that would make the
 * queue's operations reach outside the mapping, or lose cross-process
 * wake-ups, must be refused with -EPROTO.
 */
#include "shm_scenarios.h"

#include <errno.h>
#include <lfkit/ref/queue.h>
#include <lfkit/shm.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/shm_layout.h"

/* A region holding one queue "q" (entry 0) and one twin queue "t" (entry 1),
 * and a scratch image of the same size to damage. */
struct images {
	char name[64];
	struct lfk_shm *shm;
	size_t size;
	char *img;
};

static bool images_make(struct images *im, size_t elem_size)
{
	struct lfk_queue *q;
	struct lfk_ref_queue *t;
	snprintf(im->name, sizeof(im->name), "/lfk-test-qattach-%ld",
		 (long)getpid());
	if (lfk_shm_create(im->name, 1 << 18, 0600, &im->shm) != 0)
		return false;
	im->size = lfk_shm_size(im->shm);
	im->img = aligned_alloc(LFK_RING_ALIGN, im->size);
	return im->img != NULL &&
	       lfk_shm_queue_create(im->shm, "q", LFK_RING_MPMC, 16, elem_size,
				    &q) == 0 &&
	       lfk_shm_ref_queue_create(im->shm, "t", 16, elem_size, &t) == 0;
}

static void images_free(struct images *im)
{
	free(im->img);
	lfk_shm_close(im->shm);
	lfk_shm_unlink(im->name);
}

/* A fresh copy of the region; returns the queue (or twin) inside it. */
static void *fresh(struct images *im, int entry)
{
	const struct lfk__shm_header *h = (const void *)im->img;
	memcpy(im->img, lfk_shm_base(im->shm), im->size);
	return im->img + h->dir[entry].offset;
}

static int queue_attach(struct images *im)
{
	struct lfk_queue *q;
	return lfk__shm_queue_attach_image(im->img, im->size, "q", &q);
}

static int twin_attach(struct images *im)
{
	struct lfk_ref_queue *t;
	return lfk__shm_ref_queue_attach_image(im->img, im->size, "t", &t);
}

int lfk_scn_queue_attach_rejects_damage(void)
{
	struct images im;
	struct lfk_queue *q;
	struct lfk_ref_ring *r;
	struct lfk_ref_queue *t;
	/* 16-byte records: elem_words 2.  2 + 2^29 words wrap to 16 bytes in
	 * 32-bit arithmetic, 2 + 2^61 in 64-bit arithmetic. */
	if (!images_make(&im, 16))
		return 1;
	q = fresh(&im, 0);
	LFK_CHECK(queue_attach(&im) == 0, "clean queue");
	q->hdr.elem_words += 1u << 29;
	LFK_CHECK(queue_attach(&im) == -EPROTO,
		  "queue: an element size that wraps in 32 bits");
	q = fresh(&im, 0);
	q->hdr.ring_off = 0; /* the ring over the queue's own fields */
	LFK_CHECK(queue_attach(&im) == -EPROTO,
		  "queue: a ring over the queue's header");
	/* The ring's own header copied over the producers' counter, and the
	 * ring moved there: its geometry checks pass, its indices are the
	 * queue's counters. */
	q = fresh(&im, 0);
	memcpy((char *)q + LFK_RING_ALIGN, (char *)q + q->hdr.ring_off,
	       sizeof(struct lfk_ring_hdr));
	q->hdr.ring_off = LFK_RING_ALIGN;
	LFK_CHECK(queue_attach(&im) == -EPROTO,
		  "queue: a ring over the queue's counters");
	q = fresh(&im, 0);
	q->not_empty.flags = 0;
	LFK_CHECK(queue_attach(&im) == -EPROTO,
		  "queue: a private eventcount (not_empty)");
	q = fresh(&im, 0);
	q->not_full.flags = 0;
	LFK_CHECK(queue_attach(&im) == -EPROTO,
		  "queue: a private eventcount (not_full)");
	q = fresh(&im, 0);
	q->all_done.flags = 7;
	LFK_CHECK(queue_attach(&im) == -EPROTO,
		  "queue: unknown eventcount flags (all_done)");
	t = fresh(&im, 1);
	LFK_CHECK(twin_attach(&im) == 0, "clean twin");
	r = (struct lfk_ref_ring *)((char *)t + t->ring_off);
	r->elem_words += (uint64_t)1 << 61;
	LFK_CHECK(twin_attach(&im) == -EPROTO,
		  "twin: an element size that wraps in 64 bits");
	images_free(&im);
	return 0;
}
