/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: every public call that takes a size or a count, with sizes
 * drawn from the values where size arithmetic breaks (0, 1, around 8, 64
 * and 128, around the rings' limits, 2^31, 2^32, SIZE_MAX - 126 ..
 * SIZE_MAX, SIZE_MAX / elem + 1, 2^63) or taken raw from the input.
 *
 * Each call must refuse with a negative errno (0 for a *_size call, NULL
 * for the pointer-returning creates) or give an object that works; and the
 * answers must agree: a *_size of 0 means init refuses, a size that fits
 * the buffer means init succeeds.  A broken rule traps (__builtin_trap), a
 * stray write is a crash under AddressSanitizer.  Objects are only
 * allocated or reserved when they are small: a valid but huge size would
 * really take the memory.
 *
 * Run by libFuzzer (tests/fuzz-run) and, over the corpus in
 * tests/fuzz-corpus/sizes, by the plain driver tests/fuzz_replay.c.
 */
#include <errno.h>
#include <lfkit/latch.h>
#include <lfkit/queue.h>
#include <lfkit/ref/queue.h>
#include <lfkit/ref/ring.h>
#include <lfkit/ref/seqlock.h>
#include <lfkit/ref/tcache.h>
#include <lfkit/ref/tlocal.h>
#include <lfkit/ring.h>
#include <lfkit/seqarray.h>
#include <lfkit/shm.h>
#include <lfkit/tcache.h>
#include <lfkit/tlocal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

/* What an object may take for real. */
#define SMALL ((size_t)1 << 20)

static _Alignas(LFK_RING_ALIGN) char mem[SMALL];

/* ---- sizes from the input ------------------------------------------------ */

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

static size_t next_size(struct input *in)
{
	static const size_t values[] = {
		0,
		1,
		7,
		8,
		9,
		63,
		64,
		65,
		127,
		128,
		129,
		LFK_RING_MAX_CAPACITY - 1,
		LFK_RING_MAX_CAPACITY,
		LFK_RING_MAX_CAPACITY + 1,
		LFK_RING_MAX_ELEM_SIZE,
		LFK_RING_MAX_ELEM_SIZE + 8,
		(size_t)1 << 31,
		(size_t)1 << 32,
		SIZE_MAX / 8 + 1,
		SIZE_MAX / 64 + 1,
		SIZE_MAX / 128 + 1,
		(size_t)1 << 63,
		SIZE_MAX - 126,
		SIZE_MAX - 1,
		SIZE_MAX,
	};
	uint8_t pick = next_byte(in);
	size_t v = 0;
	if (pick < 200)
		return values[pick % (sizeof(values) / sizeof(values[0]))];
	/* Raw: a small number (1 to 2 bytes), or 8 bytes. */
	for (int i = 0, n = pick < 228 ? 1 : pick < 250 ? 2 : 8; i < n; i++)
		v = v << 8 | next_byte(in);
	return v;
}

/* ---- the calls --------------------------------------------------------- */

/* A *_size answer for n elements of elem bytes: 0, or enough bytes. */
static void require_covers(size_t bytes, size_t n, size_t elem)
{
	size_t need;
	REQUIRE(bytes == 0 ||
		(!__builtin_mul_overflow(n, elem, &need) && bytes >= need));
}

/* The size/init agreement for a call into `mem`: init refuses a size of 0,
 * and accepts what fits. */
static void require_agrees(size_t bytes, int init_rc)
{
	if (bytes == 0)
		REQUIRE(init_rc == -EINVAL);
	else if (bytes <= sizeof(mem))
		REQUIRE(init_rc == 0);
}

/* One record in and out of the ring in mem, which holds `c`. */
static bool ring_works(size_t c, size_t e)
{
	static uint64_t rec[LFK_RING_MAX_ELEM_SIZE / 8];
	struct lfk_ring *r = (struct lfk_ring *)(void *)mem;
	memset(rec, 0x5a, e);
	return lfk_ring_enqueue_rec(r, rec) == 0 &&
	       lfk_ring_dequeue_rec(r, rec) == 0 && lfk_ring_capacity(r) == c;
}

static void rings(struct input *in)
{
	enum lfk_ring_kind kind = (enum lfk_ring_kind)(1 + next_byte(in) % 3);
	size_t c = next_size(in), e = next_size(in);
	size_t bytes = lfk_ring_size(kind, c, e),
	       twin = lfk_ref_ring_size(c, e);
	struct lfk_ring_hdr h;
	require_covers(bytes, c, e);
	REQUIRE(bytes == lfk__ring_layout(kind, c, e, &h));
	if (bytes <= sizeof(mem)) {
		int rc = lfk_ring_init(mem, kind, c, e);
		require_agrees(bytes, rc);
		REQUIRE(rc != 0 || ring_works(c, e));
	}
	require_covers(twin, c, e);
	if (twin <= sizeof(mem))
		require_agrees(twin, lfk_ref_ring_init(mem, c, e));
}

static void queues(struct input *in)
{
	enum lfk_ring_kind kind = (enum lfk_ring_kind)(next_byte(in) % 5);
	size_t c = next_size(in), e = next_size(in);
	size_t bytes = lfk_queue_size(kind, c, e);
	size_t twin = lfk_ref_queue_size(c, e);
	struct lfk_queue *q = NULL;
	struct lfk_ref_queue *t = NULL;
	require_covers(bytes, c, e);
	require_covers(twin, c, e);
	if (bytes <= sizeof(mem))
		require_agrees(bytes, lfk_queue_init(mem, kind, c, e, 0));
	if (twin <= sizeof(mem))
		require_agrees(twin, lfk_ref_queue_init(mem, c, e));
	/* create: only what is small, or refused for its size. */
	if (bytes <= SMALL) {
		int rc = lfk_queue_create(kind, c, e, &q);
		REQUIRE((rc == 0) == (bytes != 0) || rc == -ENOMEM);
		lfk_queue_destroy(q);
	}
	if (twin <= SMALL) {
		int rc = lfk_ref_queue_create(c, e, &t);
		REQUIRE((rc == 0) == (twin != 0) || rc == -ENOMEM);
		if (t != NULL)
			lfk_ref_queue_destroy(t);
	}
}

static void seq(struct input *in)
{
	size_t n = next_size(in), e = next_size(in);
	size_t bytes = lfk_seqarray_size(n, e), lb = lfk_latch_size(e);
	struct lfk_seqarray *a = NULL;
	struct lfk_latch *l = NULL;
	require_covers(bytes, n, e);
	require_covers(lb, 1, e);
	require_covers(lfk_ref_seqarray_size(n, e), n, e);
	require_covers(lfk_ref_latch_size(e), 1, e);
	require_agrees(bytes <= sizeof(mem) ? bytes : 0,
		       lfk_seqarray_init((struct lfk_seqarray *)mem,
					 sizeof(mem), n, e));
	require_agrees(lb <= sizeof(mem) ? lb : 0,
		       lfk_latch_init((struct lfk_latch *)mem, sizeof(mem), e));
	if (bytes <= SMALL && lfk_seqarray_create(n, e, &a) == 0) {
		REQUIRE(lfk_seqarray_write(a, n - 1, mem) == 0);
		lfk_seqarray_destroy(a);
	}
	if (lb <= SMALL && lfk_latch_create(e, &l) == 0)
		lfk_latch_destroy(l);
}

static void per_thread(struct input *in)
{
	size_t s = next_size(in), max = next_size(in);
	unsigned mag = (unsigned)next_size(in);
	struct lfk_tlocal *t;
	struct lfk_ref_tlocal *rt;
	struct lfk_tcache *c;
	struct lfk_ref_tcache *rc;
	/* Slots and magazines are allocated at first use: creating is
	 * cheap whatever the size. */
	REQUIRE(lfk_tlocal_create(s, NULL, NULL, NULL, &t) != 0 ||
		(s >= 1 && s <= ((size_t)1 << 20)));
	lfk_tlocal_destroy(t);
	lfk_ref_tlocal_create(s, NULL, NULL, NULL, &rt);
	lfk_ref_tlocal_destroy(rt);
	REQUIRE(lfk_tcache_create(s, max, mag, &c) != 0 ||
		(s >= 1 && s <= LFK_TCACHE_OBJ_MAX));
	if (c != NULL && s <= 4096 && (mag == 0 || mag <= 64)) {
		void *o;
		if (lfk_tcache_alloc(c, &o) == 0) {
			memset(o, 1, s);
			lfk_tcache_free(c, o);
		}
	}
	lfk_tcache_destroy(c);
	lfk_ref_tcache_create(s, max, mag, &rc);
	lfk_ref_tcache_destroy(rc);
}

/* The region shared-memory creates go to; made anew when full. */
static struct lfk_shm *region;

static void shm_objects(struct input *in)
{
	uint8_t what = next_byte(in) % 6;
	size_t a = next_size(in), b = next_size(in);
	char name[8];
	void *p = NULL, *back = NULL;
	size_t n;
	int rc;
	if (region == NULL) {
		char rn[64];
		snprintf(rn, sizeof(rn), "/lfk-fuzz-sizes-%ld", (long)getpid());
		if (lfk_shm_create(rn, SMALL, 0600, &region) != 0)
			abort();
		lfk_shm_unlink(rn);
	}
	snprintf(name, sizeof(name), "o%u", (unsigned)next_byte(in));
	switch (what) {
	case 0:
		rc = lfk_shm_bytes_create(region, name, a, &p);
		if (rc == 0) {
			memset(p, 1, a); /* all of it is in the region */
			REQUIRE(lfk_shm_bytes_attach(region, name, &back, &n) ==
					0 &&
				back == p && n == a);
		}
		break;
	case 1:
		rc = lfk_shm_seqarray_create(region, name, a, b,
					     (struct lfk_seqarray **)&p);
		if (rc == 0)
			REQUIRE(lfk_seqarray_write(p, a - 1, mem) == 0 &&
				lfk_shm_seqarray_attach(
					region, name,
					(struct lfk_seqarray **)&back) == 0 &&
				back == p);
		break;
	case 2:
		rc = lfk_shm_ring_create(region, name, 1 + next_byte(in) % 3, a,
					 b, (struct lfk_ring **)&p);
		break;
	case 3:
		rc = lfk_shm_queue_create(region, name, 1 + next_byte(in) % 3,
					  a, b, (struct lfk_queue **)&p);
		if (rc == 0)
			REQUIRE(lfk_shm_queue_attach(
					region, name,
					(struct lfk_queue **)&back) == 0 &&
				back == p);
		break;
	case 4:
		rc = lfk_shm_ref_queue_create(region, name, a, b,
					      (struct lfk_ref_queue **)&p);
		break;
	default:
		rc = lfk_shm_sem_create(region, name, (uint32_t)a,
					(struct lfk_sem **)&p);
		REQUIRE(rc != 0 || (uint32_t)a <= LFK_SEM_VALUE_MAX);
		break;
	}
	REQUIRE(rc <= 0);
	if (rc == -ENOSPC) {
		lfk_shm_close(region);
		region = NULL;
	}
}

static void regions(struct input *in)
{
	size_t s = next_size(in);
	char rn[64];
	struct lfk_shm *r;
	int rc;
	/* A valid size is really reserved: only small ones and the ones
	 * refused for their size (above 2^40) are tried. */
	if (s > SMALL && s <= ((size_t)1 << 40))
		return;
	snprintf(rn, sizeof(rn), "/lfk-fuzz-region-%ld", (long)getpid());
	rc = lfk_shm_create(rn, s, 0600, &r);
	REQUIRE(s == 0 || s > ((size_t)1 << 40) ? rc == -EINVAL : rc == 0);
	if (rc == 0) {
		REQUIRE(lfk_shm_size(r) >= s);
		memset((char *)lfk_shm_base(r) + lfk_shm_size(r) - s, 1, s);
		lfk_shm_close(r);
		lfk_shm_unlink(rn);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	/* Several calls per input. */
	for (int i = 0; i < 8 && in.left > 0; i++) {
		switch (next_byte(&in) % 6) {
		case 0:
			rings(&in);
			break;
		case 1:
			queues(&in);
			break;
		case 2:
			seq(&in);
			break;
		case 3:
			per_thread(&in);
			break;
		case 4:
			shm_objects(&in);
			break;
		default:
			regions(&in);
			break;
		}
	}
	return 0;
}
