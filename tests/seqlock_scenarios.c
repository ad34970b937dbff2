/* SPDX-License-Identifier: MIT */
/*
 * Scenarios of the seqlock module: lfk_seqlock, lfk_seqarray, lfk_latch and
 * their reference twins (lfk_ref_*, over a pthread rwlock or mutex).
 *   - the protocol step by step, and the latch reader that never waits;
 *   - bad input: every -EINVAL case, the same on the primaries and twins;
 *   - differential: seeded random operation sequences on a primary and on
 *     both twins, every return value and every byte read compared;
 *   - torn reads: every record holds a pattern derived from its version
 *     (all words equal, then a checksum word); readers at 1, 3 and 7
 *     threads against 1 and 2 writers check every read and snapshot, and
 *     that each writer's versions never go backwards;
 *   - snapshot sums: writers move amounts between elements (update_n), so
 *     every linearizable snapshot shows the same total;
 *   - update counts: concurrent read-modify-writes lose nothing.
 */
#include "seqlock_scenarios.h"

#include <lfkit/latch.h>
#include <lfkit/ref/seqlock.h>
#include <lfkit/seqarray.h>
#include <lfkit/seqlock.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define WORDS 8 /* 64-byte records in the torn-read tests */
#define LATCH_WORDS 256 /* the latch's: a long copy, so writers lap readers */
#define MAX_ELEMS 16
#define MAX_WRITERS 2

/*
 * Writers and readers that really overlap: writers write until their bound
 * is done and every reader has done a few operations (or twice the time
 * budget passed, so a starved reader cannot hang the test); readers read
 * until the last writer is done.
 */
struct overlap {
	uint64_t max_items, budget_ns; /* per writer, from its own start */
	int writers, readers;
	uint32_t readers_warm;
	uint32_t writers_done;
	uint32_t stop;
};

static void overlap_init(struct overlap *ov, int writers, int readers, int parts)
{
	memset(ov, 0, sizeof(*ov));
	ov->max_items = lfk_bound_scaled((uint64_t)parts).max_items;
	ov->budget_ns = (uint64_t)(lfk_stress_seconds() * 1e9 / parts);
	ov->writers = writers;
	ov->readers = readers;
}

/* A writer's loop condition; *t0 is 0 before its first call.  The clock is
 * read at every write (lfk_bound_done reads it every 1024 items only, which
 * a writer starved by readers may take seconds to reach), and from the
 * writer's own start (thread start-up on a loaded machine can take longer
 * than a short budget). */
static bool overlap_writer_continue(struct overlap *ov, uint64_t done,
				    uint64_t *t0)
{
	uint64_t now = lfk_now_ns();
	if (*t0 == 0)
		*t0 = now;
	if (done < 16 || (done < ov->max_items && now - *t0 < ov->budget_ns))
		return true;
	/* relaxed: a progress counter, read for a decision only */
	return lfk_atomic_load_u32(&ov->readers_warm, LFK_RELAXED) <
		       (uint32_t)ov->readers &&
	       now - *t0 < 2 * ov->budget_ns;
}

static void overlap_writer_done(struct overlap *ov)
{
	/* acq_rel: the last writer's stop follows every writer's work */
	if (lfk_atomic_fetch_add_u32(&ov->writers_done, 1, LFK_ACQ_REL) + 1 ==
	    (uint32_t)ov->writers)
		lfk_atomic_store_u32(&ov->stop, 1, LFK_RELAXED);
}

/* Called by a reader after each operation; true when it should stop. */
static bool overlap_reader_stop(struct overlap *ov, uint64_t done)
{
	if (done == 64)
		lfk_atomic_fetch_add_u32(&ov->readers_warm, 1, LFK_RELAXED);
	/* relaxed: a stop flag; results are joined by the harness */
	return lfk_atomic_load_u32(&ov->stop, LFK_RELAXED) || lfk_failures();
}

/* ---- record patterns ---------------------------------------------------- */

static uint64_t mix(uint64_t v)
{
	v ^= v >> 31;
	v *= 0x7fb5d329728ea185ull;
	v ^= v >> 27;
	return v * 0x81dadef4bc2dd44dull + 1;
}

/* words-1 copies of v, then the checksum. */
static void pattern_fill(uint64_t *w, size_t words, uint64_t v)
{
	for (size_t j = 0; j + 1 < words; j++)
		w[j] = v;
	w[words - 1] = mix(v);
}

static bool pattern_ok(const uint64_t *w, size_t words)
{
	for (size_t j = 1; j + 1 < words; j++)
		if (w[j] != w[0])
			return false;
	return w[words - 1] == mix(w[0]);
}

/* Versions: (writer + 1) << 40 | count; 0 is the initial one. */
#define VER_WRITER(v) ((int)((v) >> 40) - 1)
#define VER_COUNT(v) ((v) & ((1ull << 40) - 1))

/* ---- single-threaded: the protocol -------------------------------------- */

static void fill_random(struct lfk_rng *r, unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)lfk_rng_next(r);
}

int lfk_scn_seqlock_protocol(void)
{
	struct lfk_seqlock l = LFK_SEQLOCK_INIT;
	uint64_t s;
	LFK_CHECK(lfk_seqlock_sequence(&l) == 0, "initial sequence");
	s = lfk_seqlock_read_begin(&l);
	LFK_CHECK(s == 0 && !lfk_seqlock_read_retry(&l, s), "quiet read");
	LFK_CHECK(lfk_seqlock_write_try_begin(&l) == 0, "try_begin free");
	LFK_CHECK(lfk_seqlock_sequence(&l) == 1, "odd inside");
	LFK_CHECK(lfk_seqlock_write_try_begin(&l) == -EAGAIN, "try_begin held");
	LFK_CHECK(lfk_seqlock_read_retry(&l, s), "reader must retry");
	LFK_CHECK(lfk_seqlock_write_end(&l) == 0 && lfk_seqlock_sequence(&l) == 2,
		  "write_end");
	LFK_CHECK(lfk_seqlock_read_retry(&l, s), "reader must retry after write");
	LFK_CHECK(lfk_seqlock_write_end(&l) == -EINVAL, "end unheld");
	LFK_CHECK(lfk_seqlock_write_abort(&l) == -EINVAL, "abort unheld");
	s = lfk_seqlock_read_begin(&l);
	lfk_seqlock_write_begin(&l);
	LFK_CHECK(lfk_seqlock_write_abort(&l) == 0 && lfk_seqlock_sequence(&l) == 2,
		  "abort restores");
	LFK_CHECK(!lfk_seqlock_read_retry(&l, s), "abort needs no retry");
	lfk_seqlock_write_begin_single(&l);
	LFK_CHECK(lfk_seqlock_write_end(&l) == 0 && lfk_seqlock_sequence(&l) == 4,
		  "single writer");

	/* Copies of every size from 1 to 256 bytes, at every shared offset
	 * within a 16-byte span, to and from unaligned private buffers; the
	 * bytes around must stay untouched.  The rwlock twin runs the same
	 * calls. */
	struct lfk_rng rng;
	uint64_t shared[80], tshared[80];
	unsigned char src[300], dst[300], tdst[300];
	struct lfk_ref_seqlock t;
	lfk_rng_seed(&rng, lfk_test_seed());
	LFK_CHECK(lfk_ref_seqlock_init(&t, LFK_REF_RWLOCK) == 0, "twin init");
	for (size_t size = 1; size <= 256 && !lfk_failures(); size++) {
		for (size_t off = 0; off < 16; off++) {
			size_t mis = (size + off) % 3;
			unsigned char *sh = (unsigned char *)shared + 8 + off;
			unsigned char *tsh = (unsigned char *)tshared + 8 + off;
			memset(shared, 0xa5, sizeof(shared));
			memset(tshared, 0xa5, sizeof(tshared));
			memset(dst, 0x5a, sizeof(dst));
			memset(tdst, 0x5a, sizeof(tdst));
			fill_random(&rng, src, sizeof(src));
			LFK_CHECK(lfk_seqlock_write(&l, sh, src + mis, size) == 0 &&
					  lfk_ref_seqlock_write(&t, tsh, src + mis, size) == 0,
				  "write size %zu off %zu", size, off);
			LFK_CHECK(memcmp(shared, tshared, sizeof(shared)) == 0,
				  "shared bytes differ from the twin's, size %zu off %zu",
				  size, off);
			LFK_CHECK(lfk_seqlock_read(&l, dst + mis, sh, size) == 0 &&
					  lfk_ref_seqlock_read(&t, tdst + mis, tsh, size) == 0,
				  "read size %zu off %zu", size, off);
			LFK_CHECK(memcmp(dst, tdst, sizeof(dst)) == 0 &&
					  memcmp(dst + mis, src + mis, size) == 0,
				  "read back differs, size %zu off %zu", size, off);
		}
	}
	/* the twin's section protocol */
	s = lfk_ref_seqlock_read_begin(&t);
	LFK_CHECK(!lfk_ref_seqlock_read_retry(&t, s), "twin read");
	LFK_CHECK(lfk_ref_seqlock_write_try_begin(&t) == 0, "twin try_begin");
	LFK_CHECK(lfk_ref_seqlock_write_try_begin(&t) == -EAGAIN, "twin held");
	LFK_CHECK(lfk_ref_seqlock_write_end(&t) == 0, "twin end");
	LFK_CHECK(lfk_ref_seqlock_write_end(&t) == -EINVAL, "twin end unheld");
	lfk_ref_seqlock_fini(&t);
	return 0;
}

/* ---- the latch reader does not wait for a stalled writer ---------------- */

struct latch_probe {
	struct lfk_latch *l;
	uint64_t got[WORDS];
	uint32_t done;
};

static void *latch_probe_main(void *p)
{
	struct latch_probe *pr = p;
	lfk_latch_read(pr->l, pr->got);
	lfk_atomic_store_u32(&pr->done, 1, LFK_RELEASE); /* publishes got */
	return NULL;
}

int lfk_scn_latch_reader_never_waits(void)
{
	struct lfk_latch *l;
	uint64_t a[WORDS], b[WORDS];
	struct latch_probe pr = { 0 };
	pthread_t tid;
	uint64_t t0;
	LFK_CHECK(lfk_latch_create(sizeof(a), &l) == 0, "create");
	if (lfk_failures())
		return 1;
	pattern_fill(a, WORDS, 7);
	pattern_fill(b, WORDS, 8);
	LFK_CHECK(lfk_latch_write(l, a) == 0, "write a");
	/* A writer stalls in the middle of writing b: it has entered and
	 * stored half of b into the copy it fills. */
	lfk_seqlock_write_begin(&l->lock);
	uint64_t *target = lfk__latch_copy(l, (lfk_seqlock_sequence(&l->lock) >> 1) + 1);
	for (int j = 0; j < WORDS / 2; j++)
		lfk_seqlock_store_u64(&target[j], b[j]);
	pr.l = l;
	if (pthread_create(&tid, NULL, latch_probe_main, &pr) != 0)
		abort();
	t0 = lfk_now_ns();
	while (!lfk_atomic_load_u32(&pr.done, LFK_ACQUIRE) && /* reads got */
	       lfk_now_ns() - t0 < 2000000000ull)
		sched_yield();
	LFK_CHECK(lfk_atomic_load_u32(&pr.done, LFK_ACQUIRE),
		  "a latch reader waited 2 s for a stalled writer");
	for (int j = WORDS / 2; j < WORDS; j++)
		lfk_seqlock_store_u64(&target[j], b[j]);
	lfk_seqlock_write_end(&l->lock);
	pthread_join(tid, NULL);
	LFK_CHECK(memcmp(pr.got, a, sizeof(a)) == 0,
		  "reader during the stalled write saw %llu, not the old value",
		  (unsigned long long)pr.got[0]);
	memset(pr.got, 0, sizeof(pr.got));
	LFK_CHECK(lfk_latch_read(l, pr.got) == 0 &&
			  memcmp(pr.got, b, sizeof(b)) == 0,
		  "after the write the reader sees the new value");
	lfk_latch_destroy(l);
	return 0;
}

/* ---- bad input ------------------------------------------------------------ */

static int fn_nop(void *e, size_t k, size_t es, void *arg)
{
	(void)e, (void)k, (void)es, (void)arg;
	return 0;
}

int lfk_scn_bad_input(void)
{
	struct lfk_seqlock l = LFK_SEQLOCK_INIT;
	struct lfk_ref_seqlock t;
	uint64_t obj[8] = { 0 }, buf[64];

	LFK_CHECK(lfk_ref_seqlock_init(&t, 42) == -EINVAL, "twin bad kind");
	LFK_CHECK(lfk_ref_seqlock_init(NULL, LFK_REF_MUTEX) == -EINVAL, "twin NULL");
	LFK_CHECK(lfk_ref_seqlock_init(&t, LFK_REF_MUTEX) == 0, "twin init");
	/* lfk_seqlock_read / write and their twin: the same verdicts */
	struct {
		const char *what;
		bool null_lock;
		void *shared, *priv;
		size_t size;
	} cases[] = {
		{ "NULL lock", true, obj, buf, 8 },
		{ "NULL shared", false, NULL, buf, 8 },
		{ "NULL private", false, obj, NULL, 8 },
		{ "size 0", false, obj, buf, 0 },
	};
	for (size_t c = 0; c < COUNT(cases); c++) {
		struct lfk_seqlock *pl = cases[c].null_lock ? NULL : &l;
		struct lfk_ref_seqlock *pt = cases[c].null_lock ? NULL : &t;
		LFK_CHECK(lfk_seqlock_read(pl, cases[c].priv, cases[c].shared,
					   cases[c].size) == -EINVAL &&
				  lfk_ref_seqlock_read(pt, cases[c].priv, cases[c].shared,
						       cases[c].size) == -EINVAL,
			  "read: %s", cases[c].what);
		LFK_CHECK(lfk_seqlock_write(pl, cases[c].shared, cases[c].priv,
					    cases[c].size) == -EINVAL &&
				  lfk_ref_seqlock_write(pt, cases[c].shared, cases[c].priv,
							cases[c].size) == -EINVAL,
			  "write: %s", cases[c].what);
	}
	LFK_CHECK(lfk_seqlock_sequence(&l) == 0, "a refused write changed the lock");
	lfk_ref_seqlock_fini(&t);

	/* seqarray and its twin */
	static const size_t bad_sizes[][2] = {
		{ 0, 8 }, { 4, 0 }, { 4, 12 }, { 4, 7 }, { SIZE_MAX / 2, 64 },
		{ 2, SIZE_MAX - 7 },
	};
	for (size_t c = 0; c < COUNT(bad_sizes); c++) {
		size_t n = bad_sizes[c][0], es = bad_sizes[c][1];
		struct lfk_seqarray *a = NULL;
		struct lfk_ref_seqarray *ta = NULL;
		LFK_CHECK(lfk_seqarray_size(n, es) == 0 &&
				  lfk_ref_seqarray_size(n, es) == 0,
			  "size(%zu, %zu) accepted", n, es);
		LFK_CHECK(lfk_seqarray_create(n, es, &a) == -EINVAL &&
				  lfk_ref_seqarray_create(n, es, LFK_REF_RWLOCK, &ta) == -EINVAL,
			  "create(%zu, %zu) accepted", n, es);
	}
	LFK_CHECK(lfk_seqarray_size(4, 8) != 0 && lfk_ref_seqarray_size(4, 8) != 0,
		  "size(4, 8)");
	{
		size_t need = lfk_seqarray_size(4, 8), tneed = lfk_ref_seqarray_size(4, 8);
		size_t bytes = (need > tneed ? need : tneed) + LFK_CACHELINE;
		unsigned char *mem = aligned_alloc(LFK_CACHELINE, bytes);
		if (mem == NULL)
			abort();
		LFK_CHECK(lfk_seqarray_init(NULL, need, 4, 8) == -EINVAL &&
				  lfk_ref_seqarray_init(NULL, tneed, 4, 8, LFK_REF_MUTEX) == -EINVAL,
			  "init NULL");
		LFK_CHECK(lfk_seqarray_init((void *)(mem + 8), need, 4, 8) == -EINVAL &&
				  lfk_ref_seqarray_init((void *)(mem + 8), tneed, 4, 8,
							LFK_REF_MUTEX) == -EINVAL,
			  "init misaligned");
		LFK_CHECK(lfk_seqarray_init((void *)mem, need - 1, 4, 8) == -EINVAL &&
				  lfk_ref_seqarray_init((void *)mem, tneed - 1, 4, 8,
							LFK_REF_MUTEX) == -EINVAL,
			  "init too small");
		LFK_CHECK(lfk_ref_seqarray_init((void *)mem, tneed, 4, 8, 9) == -EINVAL,
			  "twin init bad kind");
		free(mem);
	}
	LFK_CHECK(lfk_seqarray_create(4, 8, NULL) == -EINVAL &&
			  lfk_ref_seqarray_create(4, 8, LFK_REF_MUTEX, NULL) == -EINVAL,
		  "create NULL out");
	struct lfk_seqarray *a;
	struct lfk_ref_seqarray *ta;
	if (lfk_seqarray_create(4, 8, &a) != 0 ||
	    lfk_ref_seqarray_create(4, 8, LFK_REF_MUTEX, &ta) != 0) {
		LFK_CHECK(0, "create(4, 8)");
		return 1;
	}
	size_t idx_unsorted[] = { 2, 1 }, idx_dup[] = { 1, 1 }, idx_out[] = { 1, 4 };
	struct {
		const char *what;
		int rc, trc;
	} r[] = {
		{ "read NULL array", lfk_seqarray_read(NULL, 0, buf),
		  lfk_ref_seqarray_read(NULL, 0, buf) },
		{ "read NULL dst", lfk_seqarray_read(a, 0, NULL),
		  lfk_ref_seqarray_read(ta, 0, NULL) },
		{ "read i == n", lfk_seqarray_read(a, 4, buf),
		  lfk_ref_seqarray_read(ta, 4, buf) },
		{ "read i huge", lfk_seqarray_read(a, SIZE_MAX, buf),
		  lfk_ref_seqarray_read(ta, SIZE_MAX, buf) },
		{ "write NULL array", lfk_seqarray_write(NULL, 0, buf),
		  lfk_ref_seqarray_write(NULL, 0, buf) },
		{ "write NULL src", lfk_seqarray_write(a, 0, NULL),
		  lfk_ref_seqarray_write(ta, 0, NULL) },
		{ "write i == n", lfk_seqarray_write(a, 4, buf),
		  lfk_ref_seqarray_write(ta, 4, buf) },
		{ "update NULL fn", lfk_seqarray_update(a, 0, NULL, NULL),
		  lfk_ref_seqarray_update(ta, 0, NULL, NULL) },
		{ "update i == n", lfk_seqarray_update(a, 4, fn_nop, NULL),
		  lfk_ref_seqarray_update(ta, 4, fn_nop, NULL) },
		{ "update NULL array", lfk_seqarray_update(NULL, 0, fn_nop, NULL),
		  lfk_ref_seqarray_update(NULL, 0, fn_nop, NULL) },
		{ "update_n k 0", lfk_seqarray_update_n(a, idx_dup, 0, fn_nop, NULL),
		  lfk_ref_seqarray_update_n(ta, idx_dup, 0, fn_nop, NULL) },
		{ "update_n NULL idx", lfk_seqarray_update_n(a, NULL, 1, fn_nop, NULL),
		  lfk_ref_seqarray_update_n(ta, NULL, 1, fn_nop, NULL) },
		{ "update_n unsorted", lfk_seqarray_update_n(a, idx_unsorted, 2, fn_nop, NULL),
		  lfk_ref_seqarray_update_n(ta, idx_unsorted, 2, fn_nop, NULL) },
		{ "update_n duplicate", lfk_seqarray_update_n(a, idx_dup, 2, fn_nop, NULL),
		  lfk_ref_seqarray_update_n(ta, idx_dup, 2, fn_nop, NULL) },
		{ "update_n out of range", lfk_seqarray_update_n(a, idx_out, 2, fn_nop, NULL),
		  lfk_ref_seqarray_update_n(ta, idx_out, 2, fn_nop, NULL) },
		{ "snapshot NULL array", lfk_seqarray_snapshot(NULL, buf),
		  lfk_ref_seqarray_snapshot(NULL, buf) },
		{ "snapshot NULL dst", lfk_seqarray_snapshot(a, NULL),
		  lfk_ref_seqarray_snapshot(ta, NULL) },
	};
	for (size_t c = 0; c < COUNT(r); c++)
		LFK_CHECK(r[c].rc == -EINVAL && r[c].trc == -EINVAL,
			  "%s: %d / twin %d, expected -EINVAL", r[c].what, r[c].rc,
			  r[c].trc);
	for (size_t i = 0; i < 4; i++)
		LFK_CHECK(lfk_seqlock_sequence(&lfk__seqarray_slot_at(a, i)->lock) == 0,
			  "a refused call changed element %zu", i);
	LFK_CHECK(lfk_seqarray_length(NULL) == 0 && lfk_seqarray_elem_size(NULL) == 0 &&
			  lfk_seqarray_length(a) == 4 && lfk_seqarray_elem_size(a) == 8 &&
			  lfk_ref_seqarray_length(ta) == 4 &&
			  lfk_ref_seqarray_elem_size(ta) == 8,
		  "length / elem_size");
	lfk_seqarray_destroy(a);
	lfk_ref_seqarray_destroy(ta);
	lfk_seqarray_destroy(NULL);

	/* latch and its twin */
	struct lfk_latch *lt = NULL;
	struct lfk_ref_latch *tl = NULL;
	static const size_t bad_obj[] = { 0, 4, 12, SIZE_MAX - 7 };
	for (size_t c = 0; c < COUNT(bad_obj); c++)
		LFK_CHECK(lfk_latch_size(bad_obj[c]) == 0 &&
				  lfk_ref_latch_size(bad_obj[c]) == 0 &&
				  lfk_latch_create(bad_obj[c], &lt) == -EINVAL &&
				  lfk_ref_latch_create(bad_obj[c], LFK_REF_RWLOCK, &tl) == -EINVAL,
			  "latch size %zu accepted", bad_obj[c]);
	LFK_CHECK(lfk_latch_create(8, NULL) == -EINVAL &&
			  lfk_ref_latch_create(8, LFK_REF_RWLOCK, NULL) == -EINVAL,
		  "latch create NULL");
	LFK_CHECK(lfk_ref_latch_create(8, -1, &tl) == -EINVAL, "latch twin kind");
	{
		size_t need = lfk_latch_size(8);
		unsigned char *mem = aligned_alloc(LFK_CACHELINE, need + LFK_CACHELINE);
		if (mem == NULL)
			abort();
		LFK_CHECK(lfk_latch_init((void *)(mem + 32), need, 8) == -EINVAL &&
				  lfk_latch_init((void *)mem, need - 8, 8) == -EINVAL &&
				  lfk_latch_init(NULL, need, 8) == -EINVAL,
			  "latch init");
		free(mem);
	}
	if (lfk_latch_create(8, &lt) != 0 ||
	    lfk_ref_latch_create(8, LFK_REF_RWLOCK, &tl) != 0) {
		LFK_CHECK(0, "latch create(8)");
		return 1;
	}
	LFK_CHECK(lfk_latch_read(NULL, buf) == -EINVAL &&
			  lfk_latch_read(lt, NULL) == -EINVAL &&
			  lfk_latch_write(NULL, buf) == -EINVAL &&
			  lfk_latch_write(lt, NULL) == -EINVAL &&
			  lfk_ref_latch_read(NULL, buf) == -EINVAL &&
			  lfk_ref_latch_read(tl, NULL) == -EINVAL &&
			  lfk_ref_latch_write(NULL, buf) == -EINVAL &&
			  lfk_ref_latch_write(tl, NULL) == -EINVAL,
		  "latch NULL arguments");
	LFK_CHECK(lfk_latch_obj_size(lt) == 8 && lfk_ref_latch_obj_size(tl) == 8 &&
			  lfk_latch_obj_size(NULL) == 0,
		  "latch obj_size");
	LFK_CHECK(lfk_seqlock_sequence(&lt->lock) == 0, "refused latch write counted");
	lfk_latch_destroy(lt);
	lfk_ref_latch_destroy(tl);
	return 0;
}

/* ---- differential ------------------------------------------------------- */

int lfk_scn_differential_seqlock(void)
{
	struct lfk_rng rng;
	struct lfk_seqlock l = LFK_SEQLOCK_INIT;
	struct lfk_ref_seqlock tw[2];
	uint64_t shared[3][72];
	unsigned char src[600], out[3][600];
	lfk_rng_seed(&rng, lfk_test_seed());
	memset(shared, 0, sizeof(shared));
	memset(out, 0, sizeof(out));
	for (int k = 0; k < 2; k++)
		if (lfk_ref_seqlock_init(&tw[k], k ? LFK_REF_MUTEX : LFK_REF_RWLOCK) != 0)
			abort();
	for (int it = 0; it < 20000 && !lfk_failures(); it++) {
		/* mostly valid: 4-aligned offsets and sizes; sometimes not */
		size_t off = lfk_rng_below(&rng, 64) * 4 + lfk_rng_below(&rng, 8) / 7;
		size_t size = lfk_rng_below(&rng, 72) * 4 + lfk_rng_below(&rng, 16) / 15;
		size_t mis = lfk_rng_below(&rng, 8);
		if (off + size > sizeof(shared[0]))
			size = sizeof(shared[0]) - off;
		int rc[3];
		if (lfk_rng_below(&rng, 2)) {
			fill_random(&rng, src, sizeof(src));
			rc[0] = lfk_seqlock_write(&l, (char *)shared[0] + off, src + mis, size);
			for (int k = 0; k < 2; k++)
				rc[k + 1] = lfk_ref_seqlock_write(&tw[k],
					(char *)shared[k + 1] + off, src + mis, size);
		} else {
			memset(out, 0, sizeof(out));
			rc[0] = lfk_seqlock_read(&l, out[0] + mis, (char *)shared[0] + off, size);
			for (int k = 0; k < 2; k++)
				rc[k + 1] = lfk_ref_seqlock_read(&tw[k], out[k + 1] + mis,
					(char *)shared[k + 1] + off, size);
		}
		LFK_CHECK(rc[0] == rc[1] && rc[0] == rc[2],
			  "it %d off %zu size %zu: rc %d, twins %d %d", it, off,
			  size, rc[0], rc[1], rc[2]);
		LFK_CHECK(memcmp(shared[0], shared[1], sizeof(shared[0])) == 0 &&
				  memcmp(shared[0], shared[2], sizeof(shared[0])) == 0 &&
				  memcmp(out[0], out[1], sizeof(out[0])) == 0 &&
				  memcmp(out[0], out[2], sizeof(out[0])) == 0,
			  "it %d off %zu size %zu: bytes differ from the twins", it,
			  off, size);
	}
	for (int k = 0; k < 2; k++)
		lfk_ref_seqlock_fini(&tw[k]);
	return 0;
}

/* The update function of the differential runs: xor every word with a value
 * derived from arg, unless arg says to refuse. */
struct diff_update {
	uint64_t x;
	int refuse;
};

static int fn_xor(void *elems, size_t k, size_t es, void *arg)
{
	struct diff_update *u = arg;
	uint64_t *w = elems;
	if (u->refuse)
		return u->refuse;
	for (size_t j = 0; j < k * es / 8; j++)
		w[j] ^= u->x + j;
	return 0;
}

int lfk_scn_differential_seqarray(void)
{
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int round = 0; round < 24 && !lfk_failures(); round++) {
		size_t n = 1 + lfk_rng_below(&rng, round % 4 == 3 ? 600 : 20);
		/* big element counts or big elements (not both): the heap
		 * paths of snapshot and update_n */
		size_t es = 8 * (1 + lfk_rng_below(&rng, n <= 20 && round % 5 == 4 ? 700 : 24));
		struct lfk_seqarray *a;
		struct lfk_ref_seqarray *t[2];
		void *placed = NULL;
		size_t total = n * es;
		unsigned char *src = malloc(total), *out[3];
		if (round % 2) { /* caller-provided memory */
			size_t need = lfk_seqarray_size(n, es);
			placed = aligned_alloc(LFK_CACHELINE, need);
			a = placed;
			if (placed == NULL || lfk_seqarray_init(a, need, n, es) != 0)
				abort();
		} else if (lfk_seqarray_create(n, es, &a) != 0) {
			abort();
		}
		for (int k = 0; k < 2; k++)
			if (lfk_ref_seqarray_create(n, es,
						    k ? LFK_REF_MUTEX : LFK_REF_RWLOCK, &t[k]) != 0)
				abort();
		for (int k = 0; k < 3; k++)
			if ((out[k] = malloc(total)) == NULL)
				abort();
		if (src == NULL)
			abort();
		for (int it = 0; it < 250 && !lfk_failures(); it++) {
			int op = (int)lfk_rng_below(&rng, 5), rc[3];
			size_t i = lfk_rng_below(&rng, n + n / 8 + 1); /* some out of range */
			size_t idx[8], k = 1 + lfk_rng_below(&rng, 8);
			struct diff_update u = { lfk_rng_next(&rng),
						 lfk_rng_below(&rng, 6) == 0 ? 17 : 0 };
			unsigned tries = (unsigned)lfk_rng_below(&rng, 3);
			for (size_t j = 0; j < k; j++) /* mostly ascending */
				idx[j] = (j ? idx[j - 1] : 0) + lfk_rng_below(&rng, 3);
			fill_random(&rng, src, es);
			for (int x = 0; x < 3; x++)
				memset(out[x], 0, total);
			switch (op) {
			case 0:
				rc[0] = lfk_seqarray_read(a, i, out[0]);
				rc[1] = lfk_ref_seqarray_read(t[0], i, out[1]);
				rc[2] = lfk_ref_seqarray_read(t[1], i, out[2]);
				break;
			case 1:
				rc[0] = lfk_seqarray_write(a, i, src);
				rc[1] = lfk_ref_seqarray_write(t[0], i, src);
				rc[2] = lfk_ref_seqarray_write(t[1], i, src);
				break;
			case 2:
				rc[0] = lfk_seqarray_update(a, i, fn_xor, &u);
				rc[1] = lfk_ref_seqarray_update(t[0], i, fn_xor, &u);
				rc[2] = lfk_ref_seqarray_update(t[1], i, fn_xor, &u);
				break;
			case 3:
				rc[0] = lfk_seqarray_update_n(a, idx, k, fn_xor, &u);
				rc[1] = lfk_ref_seqarray_update_n(t[0], idx, k, fn_xor, &u);
				rc[2] = lfk_ref_seqarray_update_n(t[1], idx, k, fn_xor, &u);
				break;
			default:
				rc[0] = lfk_seqarray_snapshot_tries(a, out[0], tries);
				rc[1] = lfk_ref_seqarray_snapshot_tries(t[0], out[1], tries);
				rc[2] = lfk_ref_seqarray_snapshot(t[1], out[2]);
				break;
			}
			LFK_CHECK(rc[0] == rc[1] && rc[0] == rc[2],
				  "n %zu es %zu op %d i %zu k %zu: rc %d, twins %d %d",
				  n, es, op, i, k, rc[0], rc[1], rc[2]);
			LFK_CHECK(memcmp(out[0], out[1], total) == 0 &&
					  memcmp(out[0], out[2], total) == 0,
				  "n %zu es %zu op %d i %zu: output differs", n, es,
				  op, i);
		}
		/* the final contents, through the snapshot */
		LFK_CHECK(lfk_seqarray_snapshot(a, out[0]) == 0 &&
				  lfk_ref_seqarray_snapshot(t[0], out[1]) == 0 &&
				  memcmp(out[0], out[1], total) == 0,
			  "n %zu es %zu: final contents differ", n, es);
		for (size_t i = 0; i < n; i++)
			LFK_CHECK(!(lfk_seqlock_sequence(&lfk__seqarray_slot_at(a, i)->lock) & 1),
				  "element %zu left write-locked", i);
		if (placed)
			free(placed);
		else
			lfk_seqarray_destroy(a);
		for (int x = 0; x < 2; x++)
			lfk_ref_seqarray_destroy(t[x]);
		for (int x = 0; x < 3; x++)
			free(out[x]);
		free(src);
	}
	return 0;
}

int lfk_scn_differential_latch(void)
{
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int round = 0; round < 20 && !lfk_failures(); round++) {
		size_t os = 8 * (1 + lfk_rng_below(&rng, 40));
		struct lfk_latch *l;
		struct lfk_ref_latch *t[2];
		unsigned char src[320], out[3][320];
		if (lfk_latch_create(os, &l) != 0)
			abort();
		for (int k = 0; k < 2; k++)
			if (lfk_ref_latch_create(os, k ? LFK_REF_MUTEX : LFK_REF_RWLOCK, &t[k]) != 0)
				abort();
		for (int it = 0; it < 500 && !lfk_failures(); it++) {
			int rc[3];
			memset(out, 0, sizeof(out));
			if (lfk_rng_below(&rng, 2)) {
				fill_random(&rng, src, os);
				rc[0] = lfk_latch_write(l, src);
				rc[1] = lfk_ref_latch_write(t[0], src);
				rc[2] = lfk_ref_latch_write(t[1], src);
			} else {
				rc[0] = lfk_latch_read(l, out[0]);
				rc[1] = lfk_ref_latch_read(t[0], out[1]);
				rc[2] = lfk_ref_latch_read(t[1], out[2]);
			}
			LFK_CHECK(rc[0] == 0 && rc[1] == 0 && rc[2] == 0 &&
					  memcmp(out[0], out[1], os) == 0 &&
					  memcmp(out[0], out[2], os) == 0,
				  "latch os %zu it %d differs from the twins", os, it);
		}
		lfk_latch_destroy(l);
		for (int k = 0; k < 2; k++)
			lfk_ref_latch_destroy(t[k]);
	}
	return 0;
}

/* ---- torn reads ------------------------------------------------------------ */

/* One implementation under test, as records of `words` words (WORDS, or
 * LATCH_WORDS for single records) numbered 0..n-1. */
struct torn_impl {
	const char *name;
	size_t n, words;
	int (*read)(void *obj, size_t i, uint64_t *dst, uint64_t choice);
	int (*write)(void *obj, size_t i, const uint64_t *src);
	int (*snapshot)(void *obj, uint64_t *dst, unsigned tries); /* or NULL */
	void *obj;
};

/* lfk_seqlock: one record beside its lock; reads and writes alternate
 * between the copy helpers and hand-written sections. */
struct sl_obj {
	struct lfk_seqlock lock;
	uint64_t rec[WORDS];
} LFK_CACHE_ALIGNED;

static int sl_read(void *obj, size_t i, uint64_t *dst, uint64_t choice)
{
	struct sl_obj *o = obj;
	uint64_t s;
	(void)i;
	if (choice & 1)
		return lfk_seqlock_read(&o->lock, dst, o->rec, sizeof(o->rec));
	do {
		s = lfk_seqlock_read_begin(&o->lock);
		for (int j = 0; j < WORDS; j++)
			dst[j] = lfk_seqlock_load_u64(&o->rec[j]);
	} while (lfk_seqlock_read_retry(&o->lock, s));
	return 0;
}

static int sl_write(void *obj, size_t i, const uint64_t *src)
{
	struct sl_obj *o = obj;
	(void)i;
	if (src[0] & 1)
		return lfk_seqlock_write(&o->lock, o->rec, src, sizeof(o->rec));
	while (lfk_seqlock_write_try_begin(&o->lock) != 0)
		lfk_cpu_relax();
	for (int j = 0; j < WORDS; j++)
		lfk_seqlock_store_u64(&o->rec[j], src[j]);
	return lfk_seqlock_write_end(&o->lock);
}

/* lfk_seqarray: writes alternate between write and update. */
static int sa_read(void *obj, size_t i, uint64_t *dst, uint64_t choice)
{
	(void)choice;
	return lfk_seqarray_read(obj, i, dst);
}

static int fn_copy_in(void *elems, size_t k, size_t es, void *arg)
{
	memcpy(elems, arg, k * es);
	return 0;
}

static int sa_write(void *obj, size_t i, const uint64_t *src)
{
	if (src[0] & 1)
		return lfk_seqarray_write(obj, i, src);
	return lfk_seqarray_update(obj, i, fn_copy_in, (void *)src);
}

static int sa_snapshot(void *obj, uint64_t *dst, unsigned tries)
{
	return lfk_seqarray_snapshot_tries(obj, dst, tries);
}

static int la_read(void *obj, size_t i, uint64_t *dst, uint64_t choice)
{
	(void)i, (void)choice;
	return lfk_latch_read(obj, dst);
}

static int la_write(void *obj, size_t i, const uint64_t *src)
{
	(void)i;
	return lfk_latch_write(obj, src);
}

/* the twins */
struct ref_sl_obj {
	struct lfk_ref_seqlock lock;
	uint64_t rec[WORDS];
};

static int rsl_read(void *obj, size_t i, uint64_t *dst, uint64_t choice)
{
	struct ref_sl_obj *o = obj;
	(void)i, (void)choice;
	return lfk_ref_seqlock_read(&o->lock, dst, o->rec, sizeof(o->rec));
}

static int rsl_write(void *obj, size_t i, const uint64_t *src)
{
	struct ref_sl_obj *o = obj;
	(void)i;
	return lfk_ref_seqlock_write(&o->lock, o->rec, src, sizeof(o->rec));
}

static int rsa_read(void *obj, size_t i, uint64_t *dst, uint64_t choice)
{
	(void)choice;
	return lfk_ref_seqarray_read(obj, i, dst);
}

static int rsa_write(void *obj, size_t i, const uint64_t *src)
{
	return lfk_ref_seqarray_update(obj, i, fn_copy_in, (void *)src);
}

static int rsa_snapshot(void *obj, uint64_t *dst, unsigned tries)
{
	return lfk_ref_seqarray_snapshot_tries(obj, dst, tries);
}

static int rla_read(void *obj, size_t i, uint64_t *dst, uint64_t choice)
{
	(void)i, (void)choice;
	return lfk_ref_latch_read(obj, dst);
}

static int rla_write(void *obj, size_t i, const uint64_t *src)
{
	(void)i;
	return lfk_ref_latch_write(obj, src);
}

struct torn_run {
	const struct torn_impl *impl;
	struct overlap ov;
	int writers;
	uint64_t base; /* versions count on from the previous configuration's */
	uint64_t last[MAX_WRITERS][MAX_ELEMS]; /* each writer's last version */
	uint64_t reads[8], snapshots[8];
};

/* Checks one record read by a reader; last[i][w] is the newest count of
 * writer w the reader has seen in element i. */
static void check_record(const struct torn_run *r, const uint64_t *rec,
			 size_t i, uint64_t last[][MAX_WRITERS], const char *how)
{
	size_t words = r->impl->words;
	if (!pattern_ok(rec, words)) {
		LFK_CHECK(0, "%s: torn %s of element %zu: words %#llx %#llx .. %#llx",
			  r->impl->name, how, i, (unsigned long long)rec[0],
			  (unsigned long long)rec[1],
			  (unsigned long long)rec[words - 1]);
		return;
	}
	if (rec[0] == 0)
		return; /* the initial value */
	int w = VER_WRITER(rec[0]);
	if (w < 0 || w >= r->writers) {
		LFK_CHECK(0, "%s: element %zu holds an unknown writer %d",
			  r->impl->name, i, w);
		return;
	}
	LFK_CHECK(VER_COUNT(rec[0]) >= last[i][w],
		  "%s: %s of element %zu went back in writer %d's versions: "
		  "%llu after %llu", r->impl->name, how, i, w,
		  (unsigned long long)VER_COUNT(rec[0]),
		  (unsigned long long)last[i][w]);
	last[i][w] = VER_COUNT(rec[0]);
}

static void torn_reader(void *arg, int me)
{
	struct torn_run *r = arg;
	const struct torn_impl *im = r->impl;
	struct lfk_rng rng;
	uint64_t rec[LATCH_WORDS], snap[MAX_ELEMS * WORDS];
	uint64_t last[MAX_ELEMS][MAX_WRITERS];
	uint64_t reads = 0, snaps = 0;
	/* Readers take turns: default tries, straight to the fallback, one
	 * double collect then the fallback. */
	static const unsigned tries[3] = { LFK_SEQARRAY_SNAPSHOT_TRIES, 0, 1 };
	memset(last, 0, sizeof(last));
	lfk_rng_seed(&rng, lfk_test_seed() + 1000 + (uint64_t)me);
	do {
		uint64_t x = lfk_rng_next(&rng);
		if (im->snapshot && x % 8 == 0) {
			int rc = im->snapshot(im->obj, snap, tries[me % 3]);
			LFK_CHECK(rc == 0, "%s: snapshot rc %d", im->name, rc);
			for (size_t i = 0; i < im->n; i++)
				check_record(r, snap + i * WORDS, i, last, "snapshot");
			snaps++;
		} else {
			size_t i = (size_t)(x >> 8) % im->n;
			int rc = im->read(im->obj, i, rec, x >> 32);
			LFK_CHECK(rc == 0, "%s: read rc %d", im->name, rc);
			check_record(r, rec, i, last, "read");
			reads++;
		}
	} while (!overlap_reader_stop(&r->ov, reads + snaps));
	r->reads[me] = reads;
	r->snapshots[me] = snaps;
}

static void torn_writer(void *arg, int me)
{
	struct torn_run *r = arg;
	const struct torn_impl *im = r->impl;
	struct lfk_rng rng;
	uint64_t rec[LATCH_WORDS], count = 0, t0 = 0;
	lfk_rng_seed(&rng, lfk_test_seed() + (uint64_t)me);
	while (overlap_writer_continue(&r->ov, count, &t0)) {
		size_t i = lfk_rng_below(&rng, im->n);
		uint64_t v = ((uint64_t)(me + 1) << 40) | (r->base + ++count);
		pattern_fill(rec, im->words, v);
		int rc = im->write(im->obj, i, rec);
		LFK_CHECK(rc == 0, "%s: write rc %d", im->name, rc);
		r->last[me][i] = v;
	}
	overlap_writer_done(&r->ov);
}

/* Runs readers at 1, 3 and 7 threads against `writers` writers, in a
 * 1/parts share of the scenario's time and item budget. */
static int torn(const struct torn_impl *im, int writers, int parts)
{
	static const int readers[] = { 1, 3, 7 };
	uint64_t rec[LATCH_WORDS], before[MAX_ELEMS];
	for (size_t c = 0; c < COUNT(readers) && !lfk_failures(); c++) {
		struct torn_run *r = calloc(1, sizeof(*r));
		uint64_t reads = 0, snaps = 0;
		if (r == NULL)
			abort();
		r->impl = im;
		r->writers = writers;
		r->base = (uint64_t)c << 36;
		overlap_init(&r->ov, writers, readers[c], (int)COUNT(readers) * parts);
		for (size_t i = 0; i < im->n; i++) { /* versions before the run */
			LFK_CHECK(im->read(im->obj, i, rec, 1) == 0, "read");
			before[i] = rec[0];
		}
		lfk_run_threads2(writers, torn_writer, readers[c], torn_reader, r);
		for (int k = 0; k < readers[c]; k++) {
			reads += r->reads[k];
			snaps += r->snapshots[k];
		}
		/* quiescent: every element holds one writer's last version */
		for (size_t i = 0; i < im->n; i++) {
			bool found = false, written = false;
			LFK_CHECK(im->read(im->obj, i, rec, 1) == 0 &&
					  pattern_ok(rec, im->words),
				  "%s: final element %zu", im->name, i);
			for (int w = 0; w < writers; w++) {
				found |= rec[0] == r->last[w][i];
				written |= r->last[w][i] != 0;
			}
			LFK_CHECK(found || (!written && rec[0] == before[i]),
				  "%s: element %zu ends at %#llx, no writer's last write "
				  "(%#llx, %#llx)", im->name, i, (unsigned long long)rec[0],
				  (unsigned long long)r->last[0][i],
				  (unsigned long long)r->last[writers - 1][i]);
		}
		if (lfk_stress_seconds() >= 1 && getenv("LFK_VERBOSE"))
			fprintf(stderr, "  %s %dw %dr: %llu reads, %llu snapshots\n",
				im->name, writers, readers[c],
				(unsigned long long)reads, (unsigned long long)snaps);
		free(r);
	}
	return 0;
}

static int torn_seqlock(int writers)
{
	struct sl_obj *o = aligned_alloc(LFK_CACHELINE, sizeof(*o));
	if (o == NULL)
		abort();
	lfk_seqlock_init(&o->lock);
	pattern_fill(o->rec, WORDS, 0);
	struct torn_impl im = { "lfk_seqlock", 1, WORDS, sl_read, sl_write, NULL, o };
	torn(&im, writers, 1);
	free(o);
	return 0;
}

int lfk_scn_torn_seqlock_w1(void)
{
	return torn_seqlock(1);
}

int lfk_scn_torn_seqlock_w2(void)
{
	return torn_seqlock(2);
}

static int torn_seqarray(int writers)
{
	struct lfk_seqarray *a;
	uint64_t rec[WORDS];
	if (lfk_seqarray_create(MAX_ELEMS, sizeof(rec), &a) != 0)
		abort();
	pattern_fill(rec, WORDS, 0);
	for (size_t i = 0; i < MAX_ELEMS; i++)
		lfk_seqarray_write(a, i, rec);
	struct torn_impl im = { "lfk_seqarray", MAX_ELEMS, WORDS, sa_read, sa_write,
				sa_snapshot, a };
	torn(&im, writers, 1);
	lfk_seqarray_destroy(a);
	return 0;
}

int lfk_scn_torn_seqarray_w1(void)
{
	return torn_seqarray(1);
}

int lfk_scn_torn_seqarray_w2(void)
{
	return torn_seqarray(2);
}

static int torn_latch(int writers)
{
	struct lfk_latch *l;
	uint64_t rec[LATCH_WORDS];
	if (lfk_latch_create(sizeof(rec), &l) != 0)
		abort();
	pattern_fill(rec, LATCH_WORDS, 0);
	lfk_latch_write(l, rec);
	struct torn_impl im = { "lfk_latch", 1, LATCH_WORDS, la_read, la_write, NULL, l };
	torn(&im, writers, 1);
	lfk_latch_destroy(l);
	return 0;
}

int lfk_scn_torn_latch_w1(void)
{
	return torn_latch(1);
}

int lfk_scn_torn_latch_w2(void)
{
	return torn_latch(2);
}

/* The twins pass the same checks (2 writers; a third of the time each). */
int lfk_scn_torn_twins(void)
{
	uint64_t rec[WORDS];
	struct ref_sl_obj so;
	struct lfk_ref_seqarray *a;
	struct lfk_ref_latch *l;
	pattern_fill(rec, WORDS, 0);
	if (lfk_ref_seqlock_init(&so.lock, LFK_REF_RWLOCK) != 0 ||
	    lfk_ref_seqarray_create(MAX_ELEMS, sizeof(rec), LFK_REF_MUTEX, &a) != 0 ||
	    lfk_ref_latch_create(sizeof(rec), LFK_REF_RWLOCK, &l) != 0)
		abort();
	memcpy(so.rec, rec, sizeof(rec));
	for (size_t i = 0; i < MAX_ELEMS; i++)
		lfk_ref_seqarray_write(a, i, rec);
	lfk_ref_latch_write(l, rec);
	const struct torn_impl ims[] = {
		{ "ref_seqlock(rwlock)", 1, WORDS, rsl_read, rsl_write, NULL, &so },
		{ "ref_seqarray(mutex)", MAX_ELEMS, WORDS, rsa_read, rsa_write, rsa_snapshot, a },
		{ "ref_latch(rwlock)", 1, WORDS, rla_read, rla_write, NULL, l },
	};
	for (size_t k = 0; k < COUNT(ims); k++)
		torn(&ims[k], 2, 2 * (int)COUNT(ims));
	lfk_ref_seqlock_fini(&so.lock);
	lfk_ref_seqarray_destroy(a);
	lfk_ref_latch_destroy(l);
	return 0;
}

/* ---- snapshot sums ----------------------------------------------------- */

#define SUM_N 16
#define SUM_START 1000

/* An account: its balance and a check word, so a torn element shows. */
struct account {
	uint64_t balance;
	uint64_t check;
};
#define ACCOUNT_CHECK(b) ((b) ^ 0x5555aaaa5555aaaaull)

struct sum_run {
	struct lfk_seqarray *a;
	struct overlap ov;
	uint64_t snaps[8];
};

static int fn_transfer(void *elems, size_t k, size_t es, void *arg)
{
	struct account *acc = elems;
	uint64_t amount = *(uint64_t *)arg;
	(void)es;
	if (k != 2)
		return -EINVAL;
	if (amount == 0)
		return 1; /* refused: nothing may change */
	acc[0].balance -= amount;
	acc[0].check = ACCOUNT_CHECK(acc[0].balance);
	acc[1].balance += amount;
	acc[1].check = ACCOUNT_CHECK(acc[1].balance);
	return 0;
}

static void sum_writer(void *arg, int me)
{
	struct sum_run *r = arg;
	struct lfk_rng rng;
	uint64_t n = 0, t0 = 0;
	lfk_rng_seed(&rng, lfk_test_seed() + 77 + (uint64_t)me);
	while (overlap_writer_continue(&r->ov, n, &t0)) {
		size_t idx[2];
		idx[0] = lfk_rng_below(&rng, SUM_N - 1);
		idx[1] = idx[0] + 1 + lfk_rng_below(&rng, SUM_N - 1 - idx[0]);
		uint64_t amount = lfk_rng_below(&rng, 101) - 50; /* wraps */
		int rc = lfk_seqarray_update_n(r->a, idx, 2, fn_transfer, &amount);
		LFK_CHECK(rc == (amount == 0 ? 1 : 0), "transfer rc %d", rc);
		n++;
	}
	overlap_writer_done(&r->ov);
}

static void sum_reader(void *arg, int me)
{
	struct sum_run *r = arg;
	struct account snap[SUM_N], one;
	static const unsigned tries[3] = { LFK_SEQARRAY_SNAPSHOT_TRIES, 0, 1 };
	uint64_t snaps = 0;
	do {
		uint64_t sum = 0;
		LFK_CHECK(lfk_seqarray_snapshot_tries(r->a, snap, tries[me % 3]) == 0,
			  "snapshot");
		for (int i = 0; i < SUM_N; i++) {
			LFK_CHECK(snap[i].check == ACCOUNT_CHECK(snap[i].balance),
				  "torn account %d in a snapshot", i);
			sum += snap[i].balance;
		}
		LFK_CHECK(sum == (uint64_t)SUM_N * SUM_START,
			  "snapshot (tries %u) sums to %lld, not %d", tries[me % 3],
			  (long long)sum, SUM_N * SUM_START);
		LFK_CHECK(lfk_seqarray_read(r->a, snaps % SUM_N, &one) == 0 &&
				  one.check == ACCOUNT_CHECK(one.balance),
			  "torn account read");
		snaps++;
	} while (!overlap_reader_stop(&r->ov, snaps));
	r->snaps[me] = snaps;
}

static int snapshot_sum(int writers)
{
	static const int readers[] = { 1, 3, 7 };
	for (size_t c = 0; c < COUNT(readers) && !lfk_failures(); c++) {
		struct sum_run r = { .a = NULL };
		struct account acc = { SUM_START, ACCOUNT_CHECK(SUM_START) };
		uint64_t snaps = 0;
		if (lfk_seqarray_create(SUM_N, sizeof(struct account), &r.a) != 0)
			abort();
		for (size_t i = 0; i < SUM_N; i++)
			lfk_seqarray_write(r.a, i, &acc);
		overlap_init(&r.ov, writers, readers[c], (int)COUNT(readers));
		lfk_run_threads2(writers, sum_writer, readers[c], sum_reader, &r);
		for (int k = 0; k < readers[c]; k++)
			snaps += r.snaps[k];
		LFK_CHECK(snaps > 0, "no snapshot was taken");
		lfk_seqarray_destroy(r.a);
	}
	return 0;
}

int lfk_scn_snapshot_sum_w1(void)
{
	return snapshot_sum(1);
}

int lfk_scn_snapshot_sum_w2(void)
{
	return snapshot_sum(2);
}

/* ---- update counts -------------------------------------------------------- */

#define CNT_N 8
#define CNT_THREADS 8

struct count_run {
	struct lfk_seqarray *a;
	struct lfk_bound bound;
	uint64_t added[LFK_STRESS_MAX_THREADS][CNT_N];
};

static int fn_increment(void *elems, size_t k, size_t es, void *arg)
{
	uint64_t *w = elems;
	(void)es, (void)arg;
	for (size_t j = 0; j < k; j++)
		w[j]++;
	return 0;
}

static void count_worker(void *arg, int me)
{
	struct count_run *r = arg;
	struct lfk_rng rng;
	uint64_t n = 0, snap[CNT_N], last[CNT_N] = { 0 };
	lfk_rng_seed(&rng, lfk_test_seed() + 500 + (uint64_t)me);
	while (!lfk_bound_done(&r->bound, n)) {
		uint64_t x = lfk_rng_next(&rng);
		size_t i = (size_t)(x % CNT_N), j = (size_t)((x >> 8) % CNT_N);
		if (me == 0) { /* one thread watches: counters never go back */
			LFK_CHECK(lfk_seqarray_snapshot(r->a, snap) == 0, "snapshot");
			for (size_t e = 0; e < CNT_N; e++) {
				LFK_CHECK(snap[e] >= last[e], "counter %zu went back", e);
				last[e] = snap[e];
			}
		} else if (i == j || x & (1ull << 40)) {
			LFK_CHECK(lfk_seqarray_update(r->a, i, fn_increment, NULL) == 0,
				  "update");
			r->added[me][i]++;
		} else {
			size_t idx[2] = { i < j ? i : j, i < j ? j : i };
			LFK_CHECK(lfk_seqarray_update_n(r->a, idx, 2, fn_increment, NULL) == 0,
				  "update_n");
			r->added[me][i]++;
			r->added[me][j]++;
		}
		n++;
	}
}

int lfk_scn_update_counts_8(void)
{
	struct count_run *r = calloc(1, sizeof(*r));
	const int n = lfk_stress_threads(CNT_THREADS);
	uint64_t snap[CNT_N];
	if (r == NULL || lfk_seqarray_create(CNT_N, sizeof(uint64_t), &r->a) != 0)
		abort();
	/* ten times the usual items (each is a few nanoseconds): lost updates
	 * need two cores inside one element's update at once */
	r->bound = lfk_bound_default();
	r->bound.max_items = 10 * lfk_stress_items();
	lfk_run_threads(n, count_worker, r);
	LFK_CHECK(lfk_seqarray_snapshot(r->a, snap) == 0, "final snapshot");
	for (size_t e = 0; e < CNT_N; e++) {
		uint64_t want = 0;
		for (int t = 0; t < n; t++)
			want += r->added[t][e];
		LFK_CHECK(snap[e] == want, "counter %zu is %llu, %llu increments",
			  e, (unsigned long long)snap[e], (unsigned long long)want);
	}
	lfk_seqarray_destroy(r->a);
	free(r);
	return 0;
}

/* ---- snapshots agree on the order of independent writes (IRIW) ----------- */

/*
 * Two writers each count up one element of their own; two threads take
 * snapshots.  Linearizable snapshots of counters that only grow form one
 * chain: of any two, one is <= the other in both elements.  Two snapshots
 * (x new, y old) and (x old, y new) would order the writers' independent
 * writes oppositely: the IRIW outcome that the seq_cst fence between the
 * two collects forbids.  Only a machine that is not multi-copy atomic
 * (POWER, some ARM cores) can show it; on x86 and under qemu this checks
 * the behaviour but cannot fail without the fence.
 */
#define IRIW_SNAPS 8192

struct iriw_run {
	struct lfk_seqarray *a;
	struct lfk_bound bound;
	uint64_t readers_done;
	uint64_t taken[2];
	uint64_t snaps[2][IRIW_SNAPS][2];
};

static void iriw_writer(void *arg, int me)
{
	struct iriw_run *r = arg;
	/* Relaxed: only a stop signal; the results are read after the join. */
	for (uint64_t v = 1;
	     lfk_atomic_load_u64(&r->readers_done, LFK_RELAXED) < 2; v++)
		LFK_CHECK(lfk_seqarray_write(r->a, (size_t)me, &v) == 0,
			  "write");
}

static void iriw_reader(void *arg, int me)
{
	struct iriw_run *r = arg;
	uint64_t n;
	for (n = 0; !lfk_bound_done(&r->bound, n); n++)
		LFK_CHECK(lfk_seqarray_snapshot(r->a, r->snaps[me][n]) == 0,
			  "snapshot");
	r->taken[me] = n;
	lfk_atomic_fetch_add_u64(&r->readers_done, 1, LFK_RELAXED);
}

static int snap_order(const void *pa, const void *pb)
{
	const uint64_t *a = pa, *b = pb;
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

int lfk_scn_snapshot_iriw(void)
{
	struct iriw_run *r = calloc(1, sizeof(*r));
	uint64_t (*all)[2];
	size_t n;
	if (r == NULL || lfk_seqarray_create(2, 8, &r->a) != 0)
		abort();
	/* Both bounds, and no more snapshots than the arrays hold. */
	r->bound = lfk_bound_default();
	if (r->bound.max_items > IRIW_SNAPS)
		r->bound.max_items = IRIW_SNAPS;
	lfk_run_threads2(2, iriw_writer, 2, iriw_reader, r);
	n = (size_t)(r->taken[0] + r->taken[1]);
	all = malloc((n ? n : 1) * sizeof(*all));
	if (all == NULL)
		abort();
	memcpy(all, r->snaps[0], (size_t)r->taken[0] * sizeof(*all));
	memcpy(all + r->taken[0], r->snaps[1], (size_t)r->taken[1] * sizeof(*all));
	/* Sorted by the first element, a chain has its second non-decreasing. */
	qsort(all, n, sizeof(*all), snap_order);
	for (size_t i = 1; i < n; i++)
		LFK_CHECK(all[i][1] >= all[i - 1][1],
			  "snapshots (%llu, %llu) and (%llu, %llu) order two "
			  "independent writes oppositely",
			  (unsigned long long)all[i - 1][0],
			  (unsigned long long)all[i - 1][1],
			  (unsigned long long)all[i][0],
			  (unsigned long long)all[i][1]);
	LFK_CHECK(n > 0, "no snapshot was taken");
	free(all);
	lfk_seqarray_destroy(r->a);
	free(r);
	return 0;
}

/* ---- the timeout rule of the bounded reads -------------------------------- */

/*
 * A write left open (as by a writer that died): timeout 0 never blocks and
 * answers -EAGAIN, a short timeout -ETIMEDOUT no sooner than asked; both
 * report the odd sequence the write is stuck at.
 */
int lfk_scn_read_timed_timeouts(void)
{
	enum { MS = 1000000 };
	struct lfk_seqlock l = LFK_SEQLOCK_INIT;
	struct lfk_seqarray *a;
	uint64_t obj = 1, got, stuck = 0, t0;
	int rc;
	lfk_seqlock_write_begin(&l);
	rc = lfk_seqlock_read_timed(&l, &got, &obj, 8, 0, &stuck);
	LFK_CHECK(rc == -EAGAIN && stuck == 1, "seqlock timeout 0: %d", rc);
	t0 = lfk_now_ns();
	rc = lfk_seqlock_read_timed(&l, &got, &obj, 8, 2 * MS, &stuck);
	LFK_CHECK(rc == -ETIMEDOUT && lfk_now_ns() - t0 >= 2 * MS,
		  "seqlock short timeout: %d", rc);
	lfk_seqlock_write_end(&l);
	LFK_CHECK(lfk_seqlock_read_timed(&l, &got, &obj, 8, 0, NULL) == 0 &&
			  got == 1,
		  "seqlock timeout 0, no writer");
	if (lfk_seqarray_create(2, 8, &a) != 0)
		return 1;
	lfk_seqlock_write_begin(&lfk__seqarray_slot_at(a, 1)->lock);
	rc = lfk_seqarray_read_timed(a, 1, &got, 0, &stuck);
	LFK_CHECK(rc == -EAGAIN && stuck == 1, "seqarray timeout 0: %d", rc);
	rc = lfk_seqarray_read_timed(a, 1, &got, 2 * MS, NULL);
	LFK_CHECK(rc == -ETIMEDOUT, "seqarray short timeout: %d", rc);
	LFK_CHECK(lfk_seqarray_read_timed(a, 0, &got, 0, NULL) == 0,
		  "seqarray timeout 0, another element");
	lfk_seqarray_destroy(a);
	return 0;
}
