/* SPDX-License-Identifier: MIT */
/*
 * Every public call that takes a size or a count, at the values where a size
 * computation wraps: SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 126 (the last values
 * a round-up to 128 wraps at), SIZE_MAX / elem + 1 for the element sizes the
 * library multiplies by, and 2^63.  A *_size call answers 0 or a size that
 * covers the n * elem bytes asked for (no wrap: a huge element of one is a
 * size, if an absurd one), a create or an init into a small buffer a
 * negative errno (NULL and errno for the pointer-returning creates), and
 * nothing crashes.  Objects that wrongly get made are freed and counted.
 */
#include "shm_scenarios.h"

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
#include <stdlib.h>
#include <unistd.h>

/* A valid but huge size (an element of 2^61 bytes) is refused by the
 * allocator with -ENOMEM; the sanitizers' allocators abort instead of
 * returning NULL unless told otherwise. */
#if defined(__SANITIZE_ADDRESS__)
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}
#endif
#if defined(__SANITIZE_THREAD__)
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "allocator_may_return_null=1";
}
#endif

/* The region the shm creates go to (a small one: nothing huge fits). */
static struct lfk_shm *region;

/* One call of the table with one huge value v: true if it was refused. */
typedef bool (*refuses_fn)(size_t v);

/* A *_size answer for n elements of elem bytes: 0, or enough bytes. */
static bool covers(size_t bytes, size_t n, size_t elem)
{
	size_t need;
	return bytes == 0 ||
	       (!__builtin_mul_overflow(n, elem, &need) && bytes >= need);
}

static bool ring_sizes(size_t v)
{
	return covers(lfk_ring_spsc_size(v, 8), v, 8) &&
	       covers(lfk_ring_spsc_size(1, v), 1, v) &&
	       covers(lfk_ring_mpmc_size(v, 8), v, 8) &&
	       covers(lfk_ring_mpmc_size(1, v), 1, v) &&
	       covers(lfk_ring_lfmpmc_size(v, 8), v, 8) &&
	       covers(lfk_ring_lfmpmc_size(1, v), 1, v) &&
	       covers(lfk_ref_ring_size(v, 8), v, 8) &&
	       covers(lfk_ref_ring_size(1, v), 1, v);
}

static bool ring_creates(size_t v)
{
	struct lfk_ring_spsc *s = NULL;
	struct lfk_ring_mpmc *m = NULL;
	struct lfk_ring_lfmpmc *l = NULL;
	struct lfk_ref_ring *r = NULL;
	bool ok = lfk_ring_spsc_create(v, 8, &s) < 0 &&
		  lfk_ring_spsc_create(1, v, &s) < 0 &&
		  lfk_ring_mpmc_create(v, 8, &m) < 0 &&
		  lfk_ring_mpmc_create(1, v, &m) < 0 &&
		  lfk_ring_lfmpmc_create(v, 8, &l) < 0 &&
		  lfk_ring_lfmpmc_create(1, v, &l) < 0 &&
		  lfk_ref_ring_create(v, 8, &r) < 0 &&
		  lfk_ref_ring_create(1, v, &r) < 0;
	lfk_ring_spsc_destroy(s);
	lfk_ring_mpmc_destroy(m);
	lfk_ring_lfmpmc_destroy(l);
	if (r != NULL)
		lfk_ref_ring_destroy(r);
	return ok;
}

static bool ring_inits(size_t v)
{
	/* Memory for the smallest ring: init must refuse before writing. */
	static _Alignas(LFK_RING_ALIGN) char mem[1 << 16];
	return lfk_ring_spsc_init(mem, v, 8) < 0 &&
	       lfk_ring_spsc_init(mem, 1, v) < 0 &&
	       lfk_ring_mpmc_init(mem, v, 8) < 0 &&
	       lfk_ring_mpmc_init(mem, 1, v) < 0 &&
	       lfk_ring_lfmpmc_init(mem, v, 8) < 0 &&
	       lfk_ring_lfmpmc_init(mem, 1, v) < 0 &&
	       lfk_ref_ring_init(mem, v, 8) < 0 &&
	       lfk_ref_ring_init(mem, 1, v) < 0;
}

static bool queue_calls(size_t v)
{
	static _Alignas(LFK_RING_ALIGN) char mem[1 << 16];
	struct lfk_queue *q = NULL;
	struct lfk_ref_queue *rq = NULL;
	bool ok = covers(lfk_queue_size(LFK_RING_MPMC, v, 8), v, 8) &&
		  covers(lfk_queue_size(LFK_RING_LFMPMC, 1, v), 1, v) &&
		  covers(lfk_ref_queue_size(v, 8), v, 8) &&
		  covers(lfk_ref_queue_size(1, v), 1, v) &&
		  lfk_queue_init(mem, LFK_RING_SPSC, v, 8, 0) < 0 &&
		  lfk_queue_init(mem, LFK_RING_SPSC, 1, v, 0) < 0 &&
		  lfk_ref_queue_init(mem, v, 8) < 0 &&
		  lfk_ref_queue_init(mem, 1, v) < 0 &&
		  lfk_queue_create(LFK_RING_MPMC, v, 8, &q) < 0 &&
		  lfk_queue_create(LFK_RING_MPMC, 1, v, &q) < 0 &&
		  lfk_ref_queue_create(v, 8, &rq) < 0 &&
		  lfk_ref_queue_create(1, v, &rq) < 0;
	lfk_queue_destroy(q);
	if (rq != NULL)
		lfk_ref_queue_destroy(rq);
	return ok;
}

static bool seq_calls(size_t v)
{
	static _Alignas(LFK_RING_ALIGN) char mem[1 << 16];
	struct lfk_seqarray *a = NULL;
	struct lfk_latch *l = NULL;
	struct lfk_ref_seqarray *ra = NULL;
	struct lfk_ref_latch *rl = NULL;
	bool ok = covers(lfk_seqarray_size(v, 8), v, 8) &&
		  covers(lfk_seqarray_size(1, v), 1, v) &&
		  covers(lfk_latch_size(v), 1, v) &&
		  covers(lfk_ref_seqarray_size(v, 8), v, 8) &&
		  covers(lfk_ref_seqarray_size(1, v), 1, v) &&
		  covers(lfk_ref_latch_size(v), 1, v) &&
		  lfk_seqarray_init((struct lfk_seqarray *)mem, sizeof(mem), v,
				    8) < 0 &&
		  lfk_seqarray_init((struct lfk_seqarray *)mem, sizeof(mem), 1,
				    v) < 0 &&
		  lfk_latch_init((struct lfk_latch *)mem, sizeof(mem), v) < 0 &&
		  lfk_seqarray_create(v, 8, &a) < 0 &&
		  lfk_seqarray_create(1, v, &a) < 0 &&
		  lfk_latch_create(v, &l) < 0 &&
		  lfk_ref_seqarray_create(v, 8, LFK_REF_MUTEX, &ra) < 0 &&
		  lfk_ref_seqarray_create(1, v, LFK_REF_MUTEX, &ra) < 0 &&
		  lfk_ref_latch_create(v, LFK_REF_MUTEX, &rl) < 0;
	lfk_seqarray_destroy(a);
	lfk_latch_destroy(l);
	if (ra != NULL)
		lfk_ref_seqarray_destroy(ra);
	if (rl != NULL)
		lfk_ref_latch_destroy(rl);
	return ok;
}

static bool per_thread_creates(size_t v)
{
	struct lfk_tlocal *t;
	struct lfk_ref_tlocal *rt;
	struct lfk_tcache *c, *cmax;
	struct lfk_ref_tcache *rc;
	/* every create runs (no short cut): each sets its pointer */
	int e = lfk_tlocal_create(v, NULL, NULL, NULL, &t) |
		lfk_ref_tlocal_create(v, NULL, NULL, NULL, &rt) |
		lfk_tcache_create(v, 0, 0, &c) |
		lfk_ref_tcache_create(v, 0, 0, &rc);
	bool ok = e == -EINVAL && t == NULL && rt == NULL && c == NULL &&
		  rc == NULL;
	lfk_tcache_create(64, v, 0, &cmax);
	lfk_tlocal_destroy(t);
	lfk_ref_tlocal_destroy(rt);
	lfk_tcache_destroy(c);
	lfk_ref_tcache_destroy(rc);
	/* max_objects is a limit, not a size: any value is valid. */
	lfk_tcache_destroy(cmax);
	return ok;
}

static bool shm_creates(size_t v)
{
	void *p;
	struct lfk_queue *q;
	struct lfk_ref_queue *rq;
	struct lfk_seqarray *a;
	return lfk_shm_bytes_create(region, "b", v, &p) < 0 &&
	       lfk_shm_seqarray_create(region, "a", v, 8, &a) < 0 &&
	       lfk_shm_seqarray_create(region, "a", 1, v, &a) < 0 &&
	       lfk_shm_ring_create(region, "r", LFK_RING_SPSC, v, 8,
				   (struct lfk_ring **)&p) < 0 &&
	       lfk_shm_ring_create(region, "r", LFK_RING_LFMPMC, 1, v,
				   (struct lfk_ring **)&p) < 0 &&
	       lfk_shm_queue_create(region, "q", LFK_RING_MPMC, v, 8, &q) < 0 &&
	       lfk_shm_queue_create(region, "q", LFK_RING_MPMC, 1, v, &q) < 0 &&
	       lfk_shm_ref_queue_create(region, "t", v, 8, &rq) < 0 &&
	       lfk_shm_ref_queue_create(region, "t", 1, v, &rq) < 0;
}

static bool region_create(size_t v)
{
	struct lfk_shm *s;
	char name[64];
	int rc;
	snprintf(name, sizeof(name), "/lfk-test-size-%ld", (long)getpid());
	rc = lfk_shm_create(name, v, 0600, &s);
	if (rc == 0) {
		lfk_shm_close(s);
		lfk_shm_unlink(name);
	}
	return rc < 0;
}

int lfk_scn_sizes_that_wrap_are_refused(void)
{
	static const struct {
		const char *what;
		refuses_fn refuses;
	} calls[] = {
		{ "ring size", ring_sizes },
		{ "ring create", ring_creates },
		{ "ring init", ring_inits },
		{ "queue size/init/create", queue_calls },
		{ "seqarray/latch size/init/create", seq_calls },
		{ "tlocal/tcache create", per_thread_creates },
		{ "shm object create", shm_creates },
		{ "shm region create", region_create },
	};
	const size_t huge[] = {
		SIZE_MAX,	  SIZE_MAX - 1,	     SIZE_MAX - 126,
		SIZE_MAX / 8 + 1, SIZE_MAX / 64 + 1, SIZE_MAX / 128 + 1,
		(size_t)1 << 63,
	};
	char name[64];
	snprintf(name, sizeof(name), "/lfk-test-sizes-%ld", (long)getpid());
	if (lfk_shm_create(name, 1 << 16, 0600, &region) != 0)
		return 1;
	for (size_t c = 0; c < sizeof(calls) / sizeof(calls[0]); c++)
		for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
			LFK_CHECK(calls[c].refuses(huge[i]), "%s accepted %zu",
				  calls[c].what, huge[i]);
	lfk_shm_close(region);
	lfk_shm_unlink(name);
	return 0;
}
