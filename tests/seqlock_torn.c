/* SPDX-License-Identifier: MIT */
/*
 * Torn reads: lfk_seqlock, lfk_seqarray, lfk_latch and their twins under
 * the torn-read run (seqlock_torn_run.c), each as a torn_impl.
 */
#include <lfkit/latch.h>
#include <lfkit/ref/seqlock.h>
#include <lfkit/seqarray.h>
#include <lfkit/seqlock.h>
#include <stdlib.h>
#include <string.h>

#include "seqlock_helpers.h"
#include "seqlock_scenarios.h"

/* ---- the primaries ------------------------------------------------------ */

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

/* ---- the twins ------------------------------------------------------------ */

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

/* ---- the scenarios -------------------------------------------------------- */

static int torn_seqlock(int writers)
{
	struct sl_obj *o = aligned_alloc(LFK_CACHELINE, sizeof(*o));
	if (o == NULL)
		abort();
	lfk_seqlock_init(&o->lock);
	pattern_fill(o->rec, WORDS, 0);
	struct torn_impl im = { "lfk_seqlock", 1,    WORDS, sl_read,
				sl_write,      NULL, o };
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
	struct torn_impl im = { "lfk_seqarray", MAX_ELEMS,   WORDS, sa_read,
				sa_write,	sa_snapshot, a };
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
	struct torn_impl im = { "lfk_latch", 1, LATCH_WORDS, la_read, la_write,
				NULL,	     l };
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
	    lfk_ref_seqarray_create(MAX_ELEMS, sizeof(rec), LFK_REF_MUTEX,
				    &a) != 0 ||
	    lfk_ref_latch_create(sizeof(rec), LFK_REF_RWLOCK, &l) != 0)
		abort();
	memcpy(so.rec, rec, sizeof(rec));
	for (size_t i = 0; i < MAX_ELEMS; i++)
		lfk_ref_seqarray_write(a, i, rec);
	lfk_ref_latch_write(l, rec);
	const struct torn_impl ims[] = {
		{ "ref_seqlock(rwlock)", 1, WORDS, rsl_read, rsl_write, NULL,
		  &so },
		{ "ref_seqarray(mutex)", MAX_ELEMS, WORDS, rsa_read, rsa_write,
		  rsa_snapshot, a },
		{ "ref_latch(rwlock)", 1, WORDS, rla_read, rla_write, NULL, l },
	};
	for (size_t k = 0; k < COUNT(ims); k++)
		torn(&ims[k], 2, 2 * (int)COUNT(ims));
	lfk_ref_seqlock_fini(&so.lock);
	lfk_ref_seqarray_destroy(a);
	lfk_ref_latch_destroy(l);
	return 0;
}
