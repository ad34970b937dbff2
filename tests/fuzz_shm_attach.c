/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: damaged region images through the attach path, then every
 * object that attaches is used.
 *
 * Raw random bytes rarely hit the one field that matters, so the input is
 * not an image but a list of mutations of a real region (built once: every
 * kind of object, see base_image) - structure-aware fuzzing in the manner of
 * libprotobuf-mutator, with the boundary values of "value profile" fuzzers:
 *   - a field of the region header, of a directory entry, or a 4- or
 *     8-byte word of an object's header (what init fixes: ring geometry,
 *     queue header, its eventcounts' flags and its ring's geometry, the
 *     seqarray header, the twin's ring geometry and indices, sync tags),
 *   - set to 0, 1, all ones, 2^31, 2^32, 2^63, the real value +-1, +-128,
 *     doubled, plus 2^29 or 2^61 (the same once multiplied by 8 in 32 or 64
 *     bits) or any 2^k, with one bit flipped, the image size (-128), an
 *     offset inside the header or another object's offset, or raw bytes;
 *   - or raw bytes written anywhere in the header and directory.
 * Every directory name is then attached as every kind, and what attaches is
 * used with calls that cannot block: enqueue/dequeue (single, burst, record),
 * put/get with timeout 0, seqarray read/write/snapshot, event and semaphore
 * try calls.  The answer must be an error code or an object whose every
 * access stays in the image; AddressSanitizer (the image is exactly its
 * allocation) turns a stray access into a crash.
 *
 * Run by libFuzzer (tests/fuzz-run) and, over the corpus in
 * tests/fuzz-corpus/attach, by the plain driver tests/fuzz_replay.c in make
 * check.
 */
#include <lfkit/ref/queue.h>
#include <lfkit/shm.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_image.h"
#include "lib/shm_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The real region every input mutates: a copy of its image. */
static void *base;
static size_t base_size;

static void base_image(void)
{
	char name[64];
	struct lfk_shm *s;
	void *p;
	struct lfk_queue *q;
	struct lfk_ref_queue *t;
	struct lfk_seqarray *a;
	struct lfk_event *e;
	struct lfk_sem *m;
	int rc;
	snprintf(name, sizeof(name), "/lfk-fuzz-base-%ld", (long)getpid());
	rc = lfk_shm_create(name, 1 << 16, 0600, &s);
	lfk_shm_unlink(name);
	if (rc != 0)
		abort();
	/* Fixed contents, so that a corpus input means the same on every
	 * run: a few items in each ring and queue. */
	rc |= lfk_shm_ring_create(s, "spsc", LFK_RING_SPSC, 4, 8,
				  (struct lfk_ring **)&p);
	lfk_ring_spsc_enqueue(p, 1);
	rc |= lfk_shm_ring_create(s, "mpmc", LFK_RING_MPMC, 3, 24,
				  (struct lfk_ring **)&p);
	lfk_ring_mpmc_enqueue_rec(p, (uint64_t[3]){ 1, 2, 3 });
	rc |= lfk_shm_ring_create(s, "lfmpmc", LFK_RING_LFMPMC, 5, 8,
				  (struct lfk_ring **)&p);
	lfk_ring_lfmpmc_enqueue(p, 2);
	rc |= lfk_shm_queue_create(s, "queue", LFK_RING_MPMC, 4, 8, &q);
	lfk_queue_put(q, 3, 0);
	rc |= lfk_shm_queue_create(s, "lfqueue", LFK_RING_LFMPMC, 2, 16, &q);
	rc |= lfk_shm_ref_queue_create(s, "twin", 4, 8, &t);
	lfk_ref_queue_put(t, 4, 0);
	rc |= lfk_shm_seqarray_create(s, "table", 3, 24, &a);
	rc |= lfk_shm_event_create(s, "event", &e);
	rc |= lfk_shm_sem_create(s, "sem", 2, &m);
	rc |= lfk_shm_bytes_create(s, "bytes", 100, &p);
	base = lfk_fuzz_snapshot(s, rc, &base_size);
}

/* ---- reading the input -------------------------------------------------- */

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t next_byte(struct input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static uint64_t next_u64(struct input *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | next_byte(in);
	return v;
}

/* ---- mutations ------------------------------------------------------------ */

struct field {
	size_t off;
	size_t width; /* 4 or 8 */
};

#define HDR_FIELD(f)                                                           \
	{                                                                      \
		offsetof(struct lfk__shm_header, f),                           \
			sizeof(((struct lfk__shm_header *)0)->f)               \
	}
static const struct field header_fields[] = {
	HDR_FIELD(magic),	HDR_FIELD(abi_version), HDR_FIELD(arch),
	HDR_FIELD(word_size),	HDR_FIELD(cacheline),	HDR_FIELD(endian),
	HDR_FIELD(header_size), HDR_FIELD(total_size),	HDR_FIELD(heap_next),
	HDR_FIELD(dir_used),
};
#undef HDR_FIELD

#define ENTRY_FIELD(f)                                                         \
	{                                                                      \
		offsetof(struct lfk__shm_entry, f),                            \
			sizeof(((struct lfk__shm_entry *)0)->f)                \
	}
static const struct field entry_fields[] = {
	{ offsetof(struct lfk__shm_entry, name), 8 },
	{ offsetof(struct lfk__shm_entry, name) + 24, 8 }, /* its last bytes */
	ENTRY_FIELD(kind),
	ENTRY_FIELD(state),
	ENTRY_FIELD(offset),
	ENTRY_FIELD(length),
	ENTRY_FIELD(params[0]),
	ENTRY_FIELD(params[1]),
	ENTRY_FIELD(params[2]),
};
#undef ENTRY_FIELD

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t load(const char *img, struct field f)
{
	uint32_t v32;
	uint64_t v64;
	if (f.width == 4) {
		memcpy(&v32, img + f.off, 4);
		return v32;
	}
	memcpy(&v64, img + f.off, 8);
	return v64;
}

static void store(char *img, struct field f, uint64_t v)
{
	uint32_t v32 = (uint32_t)v;
	if (f.width == 4)
		memcpy(img + f.off, &v32, 4);
	else
		memcpy(img + f.off, &v, 8);
}

/* A boundary value for a field whose real value is `real`. */
static uint64_t boundary(struct input *in, const char *img, uint64_t real)
{
	const struct lfk__shm_header *h = (const void *)img;
	switch (next_byte(in) % 20) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return UINT64_MAX;
	case 3:
		return (uint64_t)1 << 31;
	case 4:
		return (uint64_t)1 << 32;
	case 5:
		return (uint64_t)1 << 63;
	case 6:
		return real + 1;
	case 7:
		return real - 1;
	case 8:
		return real + LFK_RING_ALIGN;
	case 9:
		return real - LFK_RING_ALIGN;
	case 10:
		return real * 2;
	/* Values whose product by 8 (words to bytes) or 64 equals the real
	 * one's in 32- or 64-bit arithmetic. */
	case 11:
		return real + ((uint64_t)1 << 29);
	case 12:
		return real + ((uint64_t)1 << 61);
	case 13:
		return real + ((uint64_t)1 << (next_byte(in) % 64));
	case 14:
		return real ^ ((uint64_t)1 << (next_byte(in) % 64));
	case 15:
		return base_size;
	case 16:
		return base_size - LFK_RING_ALIGN;
	case 17: /* into the header */
		return (uint64_t)next_byte(in) * 64 % sizeof(*h);
	case 18: /* another object */
		return h->dir[next_byte(in) % LFK_SHM_DIR_ENTRIES].offset;
	default:
		return next_u64(in);
	}
}

/*
 * The parts of an object that init fixes and attach can check: its header
 * fields, wherever they lie.  An object's live state (ring indices and slot
 * sequences, queue counters, futex words) is left alone: processes that
 * share a region trust each other with it, and a damaged index can make an
 * operation wait for a change no one will make (see docs/shm.md).
 */
struct span {
	size_t off, len;
};

static size_t object_spans(uint32_t kind, struct span out[5])
{
	const size_t ring = sizeof(struct lfk_ring_hdr);
	const size_t twin_ring = lfk__ref_queue_ring_offset();
	switch (kind) {
	case LFK_SHM_RING_SPSC:
	case LFK_SHM_RING_MPMC:
	case LFK_SHM_RING_LFMPMC:
		out[0] = (struct span){ 0, ring };
		return 1;
	case LFK_SHM_QUEUE:
		out[0] = (struct span){ 0,
					sizeof(((struct lfk_queue *)0)->hdr) };
		out[1] = (struct span){ offsetof(struct lfk_queue, not_empty),
					16 };
		out[2] = (struct span){ offsetof(struct lfk_queue, not_full),
					16 };
		out[3] = (struct span){ offsetof(struct lfk_queue, all_done),
					16 };
		out[4] = (struct span){ sizeof(struct lfk_queue), ring };
		return 5;
	case LFK_SHM_REF_QUEUE:
		out[0] =
			(struct span){ offsetof(struct lfk_ref_queue, ring_off),
				       8 };
		out[1] = (struct span){
			twin_ring + offsetof(struct lfk_ref_ring, capacity),
			sizeof(struct lfk_ref_ring) -
				offsetof(struct lfk_ref_ring, capacity)
		};
		return 2;
	case LFK_SHM_SEQARRAY:
		out[0] = (struct span){ 0, sizeof(struct lfk_seqarray) };
		return 1;
	case LFK_SHM_EVENT:
		out[0] = (struct span){ offsetof(struct lfk_event, tag), 4 };
		return 1;
	case LFK_SHM_SEM:
		out[0] = (struct span){ offsetof(struct lfk_sem, tag), 4 };
		return 1;
	default:
		return 0;
	}
}

/* Applies one mutation the input describes. */
static void mutate(struct input *in, char *img)
{
	const struct lfk__shm_header *b = base;
	uint8_t op = next_byte(in);
	struct field f;
	switch (op % 4) {
	case 0:
		f = header_fields[next_byte(in) % COUNT(header_fields)];
		break;
	case 1: {
		/* Mostly the entries in use (the base has 11). */
		size_t i = next_byte(in) % 16;
		f = entry_fields[next_byte(in) % COUNT(entry_fields)];
		f.off += offsetof(struct lfk__shm_header, dir) +
			 i * sizeof(struct lfk__shm_entry);
		break;
	}
	case 2: {
		/* A 4- or 8-byte word of an object's header, as the base
		 * laid the object out (the mutated directory may say else). */
		const struct lfk__shm_entry *e =
			&b->dir[next_byte(in) % b->dir_used];
		struct span spans[5], sp;
		size_t n = object_spans(e->kind, spans);
		if (n == 0)
			return;
		sp = spans[next_byte(in) % n];
		f.width = op & 4 ? 8 : 4;
		if (sp.len < f.width)
			f.width = 4;
		f.off = (size_t)e->offset + sp.off +
			next_byte(in) % ((sp.len - f.width) / 4 + 1) * 4;
		break;
	}
	default: {
		/* Raw bytes anywhere in the header and directory. */
		size_t off = ((size_t)next_byte(in) << 8 | next_byte(in)) %
			     sizeof(struct lfk__shm_header);
		size_t n = 1 + next_byte(in) % 8;
		for (size_t i = 0; i < n && off + i < base_size; i++)
			img[off + i] = (char)next_byte(in);
		return;
	}
	}
	store(img, f, boundary(in, img, load(img, f)));
}

/* ---- using what attaches ------------------------------------------------- */

/* Room for two records of the largest element size. */
static uint64_t buf[2 * LFK_RING_MAX_ELEM_SIZE / 8];

static void use_ring(void *img, size_t size, const char *name)
{
	for (int kind = LFK_RING_SPSC; kind <= LFK_RING_LFMPMC; kind++) {
		void *p;
		struct lfk_ring *r;
		if (lfk__shm_ring_attach_image(img, size, name, kind, &p) != 0)
			continue;
		r = (struct lfk_ring *)p;
		lfk_ring_enqueue_rec(r, buf);
		lfk_ring_enqueue_burst_rec(r, buf, 2);
		lfk_ring_dequeue_burst_rec(r, buf, 2);
		lfk_ring_dequeue_rec(r, buf);
		lfk_ring_enqueue(r, 1);
		lfk_ring_dequeue(r, buf);
		(void)lfk_ring_count(r);
	}
}

static void use_queue(void *img, size_t size, const char *name)
{
	struct lfk_queue *q;
	if (lfk__shm_queue_attach_image(img, size, name, &q) != 0)
		return;
	/* Timeout 0: never sleeps. */
	lfk_queue_put_rec(q, buf, 0);
	lfk_queue_get_rec(q, buf, 0);
	lfk_queue_put(q, 1, 0);
	lfk_queue_get(q, buf, 0);
	(void)lfk_queue_count(q);
	(void)lfk_queue_capacity(q);
	lfk_queue_task_done(q);
	lfk_queue_join(q, 0);
	lfk_queue_close(q);
	lfk_queue_get(q, buf, 0);
}

static void use_twin(void *img, size_t size, const char *name)
{
	struct lfk_ref_queue *q;
	struct lfk_ref_ring *r;
	if (lfk__shm_ref_queue_attach_image(img, size, name, &q) != 0)
		return;
	/* The twin's mutex is whatever the bytes say: a word that reads as
	 * held would block the calls below for good (users trust each other
	 * not to damage a region in use).  Use the queue only if the mutex
	 * can be taken now. */
	r = (struct lfk_ref_ring *)((char *)q + q->ring_off);
	if (pthread_mutex_trylock(&r->lock) != 0)
		return;
	pthread_mutex_unlock(&r->lock);
	lfk_ref_queue_put_rec(q, buf, 0);
	lfk_ref_queue_get_rec(q, buf, 0);
	lfk_ref_queue_put(q, 1, 0);
	lfk_ref_queue_get(q, buf, 0);
	(void)lfk_ref_queue_count(q);
}

/* Whether element i's sequence is even (no writer inside): a damaged odd
 * sequence makes readers wait for good, as for a writer that died there. */
static bool quiet(const struct lfk_seqarray *a, size_t i)
{
	return lfk_atomic_load_u64(&lfk__seqarray_slot_at(a, i)->lock.seq,
				   LFK_RELAXED) %
		       2 ==
	       0;
}

static void use_seqarray(void *img, size_t size, const char *name)
{
	struct lfk_seqarray *a;
	size_t n, last;
	bool all_quiet = true;
	if (lfk__shm_seqarray_attach_image(img, size, name, &a) != 0)
		return;
	n = lfk_seqarray_length(a);
	last = n - 1;
	if (quiet(a, 0)) {
		lfk_seqarray_write(a, 0, buf);
		lfk_seqarray_read(a, 0, buf);
	}
	if (quiet(a, last)) {
		lfk_seqarray_write(a, last, buf);
		lfk_seqarray_read(a, last, buf);
	}
	for (size_t i = 0; i < n && all_quiet; i++)
		all_quiet = quiet(a, i);
	if (all_quiet && n * lfk_seqarray_elem_size(a) <= size) {
		void *all = malloc(n * lfk_seqarray_elem_size(a));
		if (all != NULL)
			lfk_seqarray_snapshot(a, all);
		free(all);
	}
}

static void use_sync(void *img, size_t size, const char *name)
{
	struct lfk_event *e;
	struct lfk_sem *s;
	if (lfk__shm_event_attach_image(img, size, name, &e) == 0) {
		bool set;
		(void)lfk_event_is_set(e, &set);
		lfk_event_wait(e, 0);
		lfk_event_set(e);
		lfk_event_clear(e);
	}
	if (lfk__shm_sem_attach_image(img, size, name, &s) == 0) {
		uint32_t units;
		(void)lfk_sem_value(s, &units);
		lfk_sem_trywait(s);
		lfk_sem_post(s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct lfk__shm_header *h;
	char *img;
	if (base == NULL)
		base_image();
	/* Exactly the allocation, so that AddressSanitizer catches a read
	 * one byte past the image's end. */
	img = aligned_alloc(LFK_RING_ALIGN, base_size);
	if (img == NULL)
		return 0;
	memcpy(img, base, base_size);
	h = (struct lfk__shm_header *)img;
	for (int i = 0; i < 16 && in.left > 0; i++)
		mutate(&in, img);
	(void)lfk_shm_validate(img, base_size);
	for (int i = 0; i < LFK_SHM_DIR_ENTRIES; i++) {
		char name[LFK_SHM_OBJECT_NAME_MAX + 1];
		memcpy(name, h->dir[i].name, LFK_SHM_OBJECT_NAME_MAX);
		name[LFK_SHM_OBJECT_NAME_MAX] = '\0';
		if (name[0] == '\0')
			continue;
		use_ring(img, base_size, name);
		use_queue(img, base_size, name);
		use_twin(img, base_size, name);
		use_seqarray(img, base_size, name);
		use_sync(img, base_size, name);
	}
	free(img);
	return 0;
}
