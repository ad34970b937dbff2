/*
 * libFuzzer target: random and mutated region images through the attach
 * path (validation, directory lookup, ring geometry check).  Whatever the
 * bytes, the answer is an error code or a ring whose every offset lies in
 * the image; AddressSanitizer turns any stray access into a crash.
 * Built and run by .ci/run with clang -fsanitize=fuzzer,address.
 */
#include <lfkit/ref/queue.h>
#include <lfkit/shm.h>
#include <stdlib.h>
#include <string.h>

#include "lib/shm_layout.h"

static void try_attach(void *img, size_t size, const char *name)
{
	static const int kinds[] = { LFK_RING_SPSC, LFK_RING_MPMC,
				     LFK_RING_LFMPMC };
	for (int k = 0; k < 3; k++) {
		void *r;
		if (lfk__shm_ring_attach_image(img, size, name, kinds[k], &r) != 0)
			continue;
		/* Read-only use of every region the geometry names. */
		switch (kinds[k]) {
		case LFK_RING_SPSC:
			(void)lfk_ring_spsc_count(r);
			break;
		case LFK_RING_MPMC:
			(void)lfk_ring_mpmc_count(r);
			break;
		default:
			(void)lfk_ring_lfmpmc_count(r);
			break;
		}
	}
}

static void try_seqarray(void *img, size_t size, const char *name)
{
	lfk_seqarray_t *a;
	if (lfk__shm_seqarray_attach_image(img, size, name, &a) != 0)
		return;
	/* Touch the first and the last element's slot, sequence and bytes. */
	for (size_t i = 0; i < lfk_seqarray_length(a); i += lfk_seqarray_length(a) - 1) {
		struct lfk_seqarray_slot *slot = lfk_seqarray__slot(a, i);
		volatile unsigned char sink = 0;
		(void)lfk_atomic_load_u64(&slot->lock.seq, LFK_RELAXED);
		for (size_t b = 0; b < lfk_seqarray_elem_size(a); b++)
			sink ^= ((unsigned char *)slot->data)[b];
		(void)sink;
		if (lfk_seqarray_length(a) == 1)
			break;
	}
}

static void try_queue(void *img, size_t size, const char *name)
{
	struct lfk_queue *q;
	if (lfk__shm_queue_attach_image(img, size, name, &q) != 0)
		return;
	(void)lfk_queue_capacity(q);
	(void)lfk_queue_count(q);
}

static void try_ref_queue(void *img, size_t size, const char *name)
{
	struct lfk_ref_queue *q;
	const struct lfk_ref_ring *r;
	volatile unsigned char sink = 0;
	if (lfk__shm_ref_queue_attach_image(img, size, name, &q) != 0)
		return;
	/* No locking (the mutex is whatever the bytes say): touch the last
	 * byte of the last slot, as the queue's operations may. */
	r = (const struct lfk_ref_ring *)((char *)q + q->ring_off);
	sink ^= *((const unsigned char *)r + r->data_off +
		  lfk_ref_queue_capacity(q) * lfk_ref_queue_elem_size(q) - 1);
	(void)sink;
}

/* Makes directory entry 0 describe a real object of 8-byte elements. */
static void real_entry(struct lfk__shm_header *h, const char *name,
		       uint32_t kind, size_t off, size_t bytes, size_t capacity)
{
	memset(&h->dir[0], 0, sizeof(h->dir[0]));
	strcpy(h->dir[0].name, name);
	h->dir[0].kind = kind;
	h->dir[0].state = LFK__SHM_READY;
	h->dir[0].offset = off;
	h->dir[0].length = bytes;
	h->dir[0].params[0] = capacity;
	h->dir[0].params[1] = 8;
	if (h->dir_used == 0 || h->dir_used > LFK_SHM_DIR_ENTRIES)
		h->dir_used = 1;
}

static void try_sync(void *img, size_t size, const char *name)
{
	lfk_event_t *e;
	lfk_sem_t *s;
	if (lfk__shm_event_attach_image(img, size, name, &e) == 0)
		(void)lfk_event_is_set(e);
	if (lfk__shm_sem_attach_image(img, size, name, &s) == 0)
		(void)lfk_sem_value(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = sizeof(struct lfk__shm_header) + 65536;
	struct lfk__shm_header *h;
	char *img;
	/* The image is exactly its allocation, so that AddressSanitizer
	 * catches a read one byte past its end. */
	if (size > cap)
		size = cap;
	size -= size % LFK_RING_ALIGN;
	if (size == 0)
		return 0;
	img = aligned_alloc(LFK_RING_ALIGN, size);
	if (img == NULL)
		return 0;
	memcpy(img, data, size);
	h = (struct lfk__shm_header *)img;
	/* Half the inputs get a valid preamble so that the fuzzer reaches
	 * the directory and ring checks instead of dying at the magic. */
	if (size >= sizeof(*h) && (data[0] & 1)) {
		h->magic = LFK__SHM_MAGIC;
		h->abi_version = LFK_SHM_ABI_VERSION;
#if defined(__x86_64__)
		h->arch = 1;
#elif defined(__aarch64__)
		h->arch = 2;
#else
		h->arch = 0xff;
#endif
		h->word_size = sizeof(void *);
		h->cacheline = LFK_CACHELINE;
		h->endian = LFK__SHM_ENDIAN;
		h->header_size = sizeof(*h);
		h->total_size = size;
		h->heap_next = size;
		/* Sometimes a real ring in entry 0, named "r", so that the
		 * ring geometry checks see valid and near-valid rings;
		 * sometimes a real mutex-twin queue, named "q". */
		size_t capacity = 1 + data[2] % 64, off = sizeof(*h), bytes = 0;
		if ((data[0] & 6) == 4) {
			bytes = lfk_ref_queue_size(capacity, 8);
			if (off + bytes > size ||
			    lfk_ref_queue_init_flags(img + off, capacity, 8,
						     LFK_REF_SHARED) != 0)
				bytes = 0;
			else
				real_entry(h, "q", LFK_SHM_REF_QUEUE, off, bytes,
					   capacity);
		} else if (data[0] & 2) {
			struct lfk_ring_hdr rh;
			int kind = 1 + data[1] % 3;
			bytes = lfk__ring_layout(kind, capacity, 8, &rh);
			if (bytes == 0 || off + bytes > size ||
			    lfk__ring_init(kind, img + off, capacity, 8, 0) != 0)
				bytes = 0;
			else
				real_entry(h, "r", (uint32_t)kind, off, bytes,
					   capacity);
		}
		/* let the input's tail damage the object */
		if (bytes != 0 && (data[3] & 1))
			img[off + data[4] % bytes] ^= data[5];
	}
	(void)lfk_shm_validate(img, size);
	if (size >= sizeof(*h)) {
		for (int i = 0; i < LFK_SHM_DIR_ENTRIES; i++) {
			char name[LFK_SHM_OBJECT_NAME_MAX + 1];
			memcpy(name, h->dir[i].name, LFK_SHM_OBJECT_NAME_MAX);
			name[LFK_SHM_OBJECT_NAME_MAX] = '\0';
			try_attach(img, size, name);
			try_seqarray(img, size, name);
			try_queue(img, size, name);
			try_sync(img, size, name);
			try_ref_queue(img, size, name);
		}
	}
	free(img);
	return 0;
}
