/* SPDX-License-Identifier: MIT */
/*
 * lfbench seqlock: read-mostly shared state.  One writer updates a 64-byte
 * record, 1, 3 or 7 readers copy it, every copy verified untorn; the
 * readers' reads/s and the writer's updates/s are taken in the same runs.
 *
 * Writer paces:
 *   continuous  the writer updates in a tight loop: the worst case, where
 *               seqlock readers retry most (bench seqlock_read /
 *               seqlock_write)
 *   paced       about one update per microsecond: the common read-mostly
 *               case (seqlock_read_paced / seqlock_write_paced)
 * Implementations (impl column):
 *   lfk_seqlock            lfk_seqlock_read / lfk_seqlock_write
 *   lfk_latch              the two-copy latch
 *   lfk_seqarray           one element of a 64 x 64-byte lfk_seqarray (the
 *                          writer updates that element)
 *   lfk_seqarray_snapshot  snapshots of all 64 elements (4 KiB) while the
 *                          writer updates them round-robin; rate =
 *                          snapshots/s
 *   ref_rwlock, ref_mutex  the twins (lfk_ref_seqlock over a pthread rwlock
 *                          or mutex)
 *   ck_sequence            ConcurrencyKit's seqlock, the record copied with
 *                          memcpy as its users do (when built with ck)
 * Verification, every read: the record's words are its version repeated
 * plus a checksum, and each reader sees the versions in increasing order;
 * a snapshot's elements must form one instant of the round-robin writes
 * (newest minus oldest < 64, each element at the version the writer last
 * gave it before the newest).  The writer must have written, and the record
 * must end at the writer's last version.
 *
 * Runs are time-bound: a timekeeper thread (asleep, so it takes no CPU)
 * stops each run after ops_per_run x 50 ns (ops_per_run scaled by --scale),
 * and Mops/s is the operations done divided by the time from the start
 * line to the end of the last thread.  (A fixed operation count would let a
 * starved side stretch a run without bound.)
 */
#include <lfkit/latch.h>
#include <lfkit/ref/seqlock.h>
#include <lfkit/seqarray.h>
#include <lfkit/seqlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(LFB_HAVE_CK)
#include <ck_sequence.h>
#endif

#include "lfbench.h"
#include "tests/harness/lfk_threads.h"

const char lfb_seqlock_help[] =
	"One writer updates a 64-byte record, 1, 3 or 7 readers copy it, every\n"
	"copy verified untorn and in version order (producers = writers,\n"
	"consumers = readers).  Runs last ops_per_run x 50 ns (times --scale).\n"
	"benches:\n"
	"  seqlock_read, seqlock_write   the readers' reads/s and the writer's\n"
	"                                updates/s, writer in a tight loop\n"
	"  seqlock_read_paced, seqlock_write_paced\n"
	"                                the same, about one update per microsecond\n"
	"implementations (impl):\n"
	"  lfk_seqlock            lfk_seqlock_read / lfk_seqlock_write\n"
	"  lfk_latch              the two-copy latch\n"
	"  lfk_seqarray           one element of a 64 x 64-byte lfk_seqarray\n"
	"  lfk_seqarray_snapshot  snapshots of all 64 elements (rate = snapshots/s)\n"
	"  ref_rwlock, ref_mutex  the twins (pthread rwlock or mutex)\n"
	"  ck_sequence            ConcurrencyKit's seqlock (when built with ck)\n";

#define REC_WORDS 8 /* a 64-byte record */
#define SNAP_ELEMS 64 /* the snapshot case's array */
#define MAX_READERS 7
#define NS_PER_OP 50 /* run length per nominal operation */
#define PACE_NS 1000 /* the paced writer's period */

/* ---- records ------------------------------------------------------------ */

static inline uint64_t mix(uint64_t v)
{
	v ^= v >> 31;
	v *= 0x7fb5d329728ea185ull;
	v ^= v >> 27;
	return v * 0x81dadef4bc2dd44dull + 1;
}

static inline void rec_fill(uint64_t *w, uint64_t v)
{
	for (int j = 0; j < REC_WORDS - 1; j++)
		w[j] = v;
	w[REC_WORDS - 1] = mix(v);
}

static inline bool rec_ok(const uint64_t *w)
{
	uint64_t x = 0;
	for (int j = 1; j < REC_WORDS - 1; j++)
		x |= w[j] ^ w[0];
	return x == 0 && w[REC_WORDS - 1] == mix(w[0]);
}

/* ---- the implementations, each an object with inline read / write ------- */

struct sl_obj {
	struct lfk_seqlock lock;
	uint64_t rec[REC_WORDS];
} LFK_CACHE_ALIGNED;

static inline void sl_read(void *p, uint64_t *dst)
{
	struct sl_obj *o = p;
	lfk_seqlock_read(&o->lock, dst, o->rec, sizeof(o->rec));
}

static inline void sl_write(void *p, size_t i, const uint64_t *src)
{
	struct sl_obj *o = p;
	(void)i;
	lfk_seqlock_write(&o->lock, o->rec, src, sizeof(o->rec));
}

static inline void la_read(void *p, uint64_t *dst)
{
	lfk_latch_read(p, dst);
}

static inline void la_write(void *p, size_t i, const uint64_t *src)
{
	(void)i;
	lfk_latch_write(p, src);
}

static inline void sa_read(void *p, uint64_t *dst)
{
	lfk_seqarray_read(p, 0, dst);
}

static inline void sa_write(void *p, size_t i, const uint64_t *src)
{
	lfk_seqarray_write(p, i, src);
}

struct ref_obj {
	struct lfk_ref_seqlock lock;
	uint64_t rec[REC_WORDS] LFK_CACHE_ALIGNED;
} LFK_CACHE_ALIGNED;

static inline void ref_read(void *p, uint64_t *dst)
{
	struct ref_obj *o = p;
	lfk_ref_seqlock_read(&o->lock, dst, o->rec, sizeof(o->rec));
}

static inline void ref_write(void *p, size_t i, const uint64_t *src)
{
	struct ref_obj *o = p;
	(void)i;
	lfk_ref_seqlock_write(&o->lock, o->rec, src, sizeof(o->rec));
}

#if defined(LFB_HAVE_CK)
struct ck_obj {
	ck_sequence_t seq;
	uint64_t rec[REC_WORDS];
} LFK_CACHE_ALIGNED;

static inline void ck_read(void *p, uint64_t *dst)
{
	struct ck_obj *o = p;
	unsigned int v;
	do {
		v = ck_sequence_read_begin(&o->seq);
		memcpy(dst, o->rec, sizeof(o->rec));
	} while (ck_sequence_read_retry(&o->seq, v));
}

static inline void ck_write(void *p, size_t i, const uint64_t *src)
{
	struct ck_obj *o = p;
	(void)i;
	ck_sequence_write_begin(&o->seq);
	memcpy(o->rec, src, sizeof(o->rec));
	ck_sequence_write_end(&o->seq);
}
#endif

/* ---- one run ------------------------------------------------------------- */

struct per_thread {
	uint64_t ops;
	uint64_t bad;
	char pad[LFK_CACHELINE - 2 * sizeof(uint64_t)];
};

struct sl_ctx {
	uint32_t stop LFK_CACHE_ALIGNED; /* written once per run */
	void *obj;
	int readers;
	bool paced, snapshot;
	uint64_t duration_ns;
	uint64_t version; /* the writer's last version, across runs */
	uint64_t run_ns; /* the run's length: start line to last thread's end */
	struct per_thread writer LFK_CACHE_ALIGNED;
	struct per_thread reader[MAX_READERS];
	/* the writer's rate in each run, for the write row */
	double *wmops; /* warm-up and rounds */
	int nruns, max_runs;
	uint64_t writes; /* over the measured runs */
	bool (*final_ok)(struct sl_ctx *c);
	lfk_thread_fn reader_fn, writer_fn;
};

/* The writer: updates until the timekeeper stops the run, continuously or
 * paced; single-record implementations ignore the element index. */
#define DEFINE_WRITER(NAME, WRITE)                                             \
	static void NAME(void *arg, int me)                                    \
	{                                                                      \
		struct sl_ctx *c = arg;                                        \
		uint64_t rec[REC_WORDS], n = 0, v = c->version;                \
		uint64_t next = lfk_now_ns(), now;                             \
		(void)me;                                                      \
		do { /* at least one update, however late we start */          \
			rec_fill(rec, ++v);                                    \
			WRITE(c->obj, c->snapshot ? v % SNAP_ELEMS : 0, rec);  \
			n++;                                                   \
			if (c->paced) {                                        \
				next += PACE_NS;                               \
				while ((now = lfk_now_ns()) < next)            \
					lfk_cpu_relax();                       \
				if (now > next + 20 * PACE_NS)                 \
					next = now; /* preempted: no burst */  \
			}                                                      \
			/* relaxed: a stop flag, checked once per update */    \
		} while (!lfk_atomic_load_u32(&c->stop, LFK_RELAXED));         \
		c->writer.ops = n;                                             \
		c->version = v;                                                \
	}

/* Sleeps through the run, then stops it (a sleeping thread takes no CPU
 * from the others; the writer cannot keep time itself, as a lock can
 * starve it for longer than a run). */
static void timekeeper(struct sl_ctx *c)
{
	struct timespec ts = { (time_t)(c->duration_ns / 1000000000u),
			       (long)(c->duration_ns % 1000000000u) };
	nanosleep(&ts, NULL);
	/* relaxed: a stop flag; the results are read after the join */
	lfk_atomic_store_u32(&c->stop, 1, LFK_RELAXED);
}

/* Readers, then the timekeeper last: with pinned threads the writer and
 * the first reader sit on different CPUs, and the sleeper shares one. */
static void role_b(void *arg, int index)
{
	struct sl_ctx *c = arg;
	if (index == c->readers)
		timekeeper(c);
	else
		c->reader_fn(arg, index);
}

/* A reader of one record: verifies each copy and the version order. */
#define DEFINE_READER(NAME, READ)                                              \
	static void NAME(void *arg, int me)                                    \
	{                                                                      \
		struct sl_ctx *c = arg;                                        \
		uint64_t rec[REC_WORDS], n = 0, bad = 0, last = 0;             \
		/* relaxed: a stop flag, checked once per read */              \
		while (!lfk_atomic_load_u32(&c->stop, LFK_RELAXED)) {          \
			READ(c->obj, rec);                                     \
			bad += !rec_ok(rec) || rec[0] < last;                  \
			last = rec[0];                                         \
			n++;                                                   \
		}                                                              \
		c->reader[me].ops = n;                                         \
		c->reader[me].bad = bad;                                       \
	}

DEFINE_WRITER(sl_writer, sl_write)
DEFINE_READER(sl_reader, sl_read)
DEFINE_WRITER(la_writer, la_write)
DEFINE_READER(la_reader, la_read)
DEFINE_WRITER(sa_writer, sa_write)
DEFINE_READER(sa_reader, sa_read)
DEFINE_WRITER(ref_writer, ref_write)
DEFINE_READER(ref_reader, ref_read)
#if defined(LFB_HAVE_CK)
DEFINE_WRITER(ck_writer, ck_write)
DEFINE_READER(ck_reader, ck_read)
#endif

/* A snapshot is one instant of round-robin writes: with newest version M,
 * element e holds the last version <= M congruent to e (mod SNAP_ELEMS), or
 * its initial 0 if there was none. */
static bool snapshot_ok(const uint64_t *snap, uint64_t *last_max)
{
	uint64_t m = 0;
	for (int e = 0; e < SNAP_ELEMS; e++) {
		if (!rec_ok(snap + e * REC_WORDS))
			return false;
		if (snap[e * REC_WORDS] > m)
			m = snap[e * REC_WORDS];
	}
	for (int e = 0; e < SNAP_ELEMS; e++) {
		uint64_t d = (m + SNAP_ELEMS - (uint64_t)e) % SNAP_ELEMS;
		uint64_t want = m >= d ? m - d : 0;
		if (snap[e * REC_WORDS] != want)
			return false;
	}
	if (m < *last_max)
		return false;
	*last_max = m;
	return true;
}

static void snap_reader(void *arg, int me)
{
	struct sl_ctx *c = arg;
	uint64_t snap[SNAP_ELEMS * REC_WORDS];
	uint64_t n = 0, bad = 0, last = 0;
	/* relaxed: a stop flag, checked once per snapshot */
	while (!lfk_atomic_load_u32(&c->stop, LFK_RELAXED)) {
		lfk_seqarray_snapshot(c->obj, snap);
		bad += !snapshot_ok(snap, &last);
		n++;
	}
	c->reader[me].ops = n;
	c->reader[me].bad = bad;
}

/* The record ends at the writer's last version. */
#define DEFINE_FINAL(NAME, READ)                                               \
	static bool NAME(struct sl_ctx *c)                                     \
	{                                                                      \
		uint64_t rec[REC_WORDS];                                       \
		READ(c->obj, rec);                                             \
		return rec_ok(rec) && rec[0] == c->version;                    \
	}
DEFINE_FINAL(sl_final, sl_read)
DEFINE_FINAL(la_final, la_read)
DEFINE_FINAL(sa_final, sa_read)
DEFINE_FINAL(ref_final, ref_read)
#if defined(LFB_HAVE_CK)
DEFINE_FINAL(ck_final, ck_read)
#endif

static bool snap_final(struct sl_ctx *c)
{
	static uint64_t snap[SNAP_ELEMS * REC_WORDS];
	uint64_t last = 0;
	return lfk_seqarray_snapshot(c->obj, snap) == 0 &&
	       snapshot_ok(snap, &last) && last == c->version;
}

static bool sl_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct sl_ctx *c = arg;
	uint64_t reads = 0, bad = 0;
	c->duration_ns = ops * NS_PER_OP;
	c->stop = 0;
	c->run_ns =
		lfk_run_threads2(1, c->writer_fn, c->readers + 1, role_b, c);
	for (int r = 0; r < c->readers; r++) {
		reads += c->reader[r].ops;
		bad += c->reader[r].bad;
	}
	/* reads done in run_ns, reported as the time ops reads would take */
	*elapsed_ns = reads ? (uint64_t)((double)c->run_ns * (double)ops /
					 (double)reads)
			    : UINT64_MAX / 2;
	if (c->nruns > 0) /* not the warm-up */
		c->writes += c->writer.ops;
	if (c->nruns < c->max_runs)
		c->wmops[c->nruns++] =
			(double)c->writer.ops / ((double)c->run_ns / 1e3);
	if (bad)
		fprintf(stderr, "lfbench seqlock: %llu bad reads\n",
			(unsigned long long)bad);
	return bad == 0 && c->writer.ops > 0 && c->final_ok(c);
}

/* ---- the cases ----------------------------------------------------------- */

struct impl {
	const char *name;
	lfk_thread_fn reader, writer;
	bool (*final_ok)(struct sl_ctx *c);
	bool snapshot;
};

static const struct impl impls[] = {
	{ "lfk_seqlock", sl_reader, sl_writer, sl_final, false },
	{ "lfk_latch", la_reader, la_writer, la_final, false },
	{ "lfk_seqarray", sa_reader, sa_writer, sa_final, false },
	{ "lfk_seqarray_snapshot", snap_reader, sa_writer, snap_final, true },
	{ "ref_rwlock", ref_reader, ref_writer, ref_final, false },
	{ "ref_mutex", ref_reader, ref_writer, ref_final, false },
#if defined(LFB_HAVE_CK)
	{ "ck_sequence", ck_reader, ck_writer, ck_final, false },
#endif
};

/* Creates the object of implementation k, holding version 0 (seqarray:
 * every element).  NULL on failure. */
static void *obj_create(size_t k)
{
	const char *name = impls[k].name;
	uint64_t rec[REC_WORDS];
	rec_fill(rec, 0);
	if (strcmp(name, "lfk_seqlock") == 0) {
		struct sl_obj *o = aligned_alloc(LFK_CACHELINE, sizeof(*o));
		if (o) {
			lfk_seqlock_init(&o->lock);
			memcpy(o->rec, rec, sizeof(rec));
		}
		return o;
	}
	if (strcmp(name, "lfk_latch") == 0) {
		struct lfk_latch *l;
		if (lfk_latch_create(sizeof(rec), &l) != 0)
			return NULL;
		lfk_latch_write(l, rec);
		return l;
	}
	if (strncmp(name, "lfk_seqarray", 12) == 0) {
		struct lfk_seqarray *a;
		if (lfk_seqarray_create(SNAP_ELEMS, sizeof(rec), &a) != 0)
			return NULL;
		for (size_t i = 0; i < SNAP_ELEMS; i++)
			lfk_seqarray_write(a, i, rec);
		return a;
	}
	if (strncmp(name, "ref_", 4) == 0) {
		struct ref_obj *o = aligned_alloc(LFK_CACHELINE, sizeof(*o));
		int kind = strcmp(name, "ref_rwlock") == 0 ? LFK_REF_RWLOCK
							   : LFK_REF_MUTEX;
		if (o && lfk_ref_seqlock_init(&o->lock, kind) != 0) {
			free(o);
			return NULL;
		}
		if (o)
			memcpy(o->rec, rec, sizeof(rec));
		return o;
	}
#if defined(LFB_HAVE_CK)
	if (strcmp(name, "ck_sequence") == 0) {
		struct ck_obj *o = aligned_alloc(LFK_CACHELINE, sizeof(*o));
		if (o) {
			ck_sequence_init(&o->seq);
			memcpy(o->rec, rec, sizeof(rec));
		}
		return o;
	}
#endif
	return NULL;
}

static void obj_destroy(size_t k, void *obj)
{
	const char *name = impls[k].name;
	if (strcmp(name, "lfk_latch") == 0)
		lfk_latch_destroy(obj);
	else if (strncmp(name, "lfk_seqarray", 12) == 0)
		lfk_seqarray_destroy(obj);
	else if (strncmp(name, "ref_", 4) == 0) {
		lfk_ref_seqlock_fini(&((struct ref_obj *)obj)->lock);
		free(obj);
	} else
		free(obj);
}

#define NIMPLS (sizeof(impls) / sizeof(impls[0]))

static struct sl_ctx *sl_ctx_create(size_t k, int readers, bool paced,
				    int rounds)
{
	struct sl_ctx *c = aligned_alloc(LFK_CACHELINE, sizeof(*c));
	if (c == NULL)
		abort();
	memset(c, 0, sizeof(*c));
	c->obj = obj_create(k);
	c->max_runs = rounds + 1;
	c->wmops = calloc((size_t)c->max_runs, sizeof(*c->wmops));
	if (c->obj == NULL || c->wmops == NULL)
		abort();
	c->readers = readers;
	c->paced = paced;
	c->snapshot = impls[k].snapshot;
	c->reader_fn = impls[k].reader;
	c->writer_fn = impls[k].writer;
	c->final_ok = impls[k].final_ok;
	return c;
}

/* One writer pace and reader count: the readers' rows, then the writer's
 * rows from the same rounds. */
static void seqlock_case(const struct lfb_opts *o, int readers, bool paced)
{
	struct lfb_case rc[NIMPLS], wc[NIMPLS];
	struct lfb_series ws[NIMPLS];
	struct lfb_row rows[NIMPLS];
	struct sl_ctx *ctx[NIMPLS];
	for (size_t k = 0; k < NIMPLS; k++) {
		ctx[k] = sl_ctx_create(k, readers, paced, o->runs);
		rc[k] = (struct lfb_case){
			.bench = paced ? "seqlock_read_paced" : "seqlock_read",
			.impl = impls[k].name,
			.producers = 1,
			.consumers = readers,
			.ops = 2000000, /* x 50 ns: 0.1 s runs */
			.run = sl_run,
			.ctx = ctx[k],
		};
	}
	lfb_measure_cases(o, rc, (int)NIMPLS, rows);
	for (size_t k = 0; k < NIMPLS; k++) {
		struct sl_ctx *c = ctx[k];
		int measured = c->nruns > 1 ? c->nruns - 1 : 0;
		wc[k] = rc[k];
		wc[k].bench = paced ? "seqlock_write_paced" : "seqlock_write";
		/* ops_per_run: the mean updates per run; the rates without
		 * the warm-up's */
		ws[k] = (struct lfb_series){
			.ops = c->writes / (uint64_t)(measured ? measured : 1),
			.mops = c->wmops + 1,
			.verified = rows[k].verified && measured == o->runs,
		};
	}
	lfb_report_cases(o, wc, (int)NIMPLS, ws, o->runs);
	for (size_t k = 0; k < NIMPLS; k++) {
		obj_destroy(k, ctx[k]->obj);
		free(ctx[k]->wmops);
		free(ctx[k]);
	}
}

void lfb_bench_seqlock(const struct lfb_opts *o)
{
	static const int readers[] = { 1, 3, 7 };
	for (int paced = 0; paced < 2; paced++)
		for (size_t r = 0; r < sizeof(readers) / sizeof(readers[0]);
		     r++)
			seqlock_case(o, readers[r], paced);
}
