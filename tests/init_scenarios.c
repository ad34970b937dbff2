/* SPDX-License-Identifier: MIT */
/*
 * Every object that init lays out in caller memory refuses a misaligned
 * address with -EINVAL and leaves the memory untouched: one table over all
 * init calls, each also initialized once at a correct address so that an
 * entry cannot pass by failing for another reason.
 */
#include "init_scenarios.h"

#include <errno.h>
#include <lfkit/eventcount.h>
#include <lfkit/latch.h>
#include <lfkit/queue.h>
#include <lfkit/ref/queue.h>
#include <lfkit/ref/ring.h>
#include <lfkit/ref/seqlock.h>
#include <lfkit/ref/sync.h>
#include <lfkit/ring.h>
#include <lfkit/seqarray.h>
#include <lfkit/seqlock.h>
#include <lfkit/sync.h>
#include <stdlib.h>
#include <string.h>

#define BUF_ALIGN 256
#define BUF_BYTES 65536
#define CAP 4

struct init_case {
	const char *name;
	size_t align; /* what the object needs */
	int (*init)(void *mem); /* in BUF_BYTES of memory */
	void (*fini)(void *mem); /* after a successful init, or NULL */
};

static int try_mutex(void *m)
{
	return lfk_mutex_init(m, 0);
}
static int try_sem(void *m)
{
	return lfk_sem_init(m, 0, 1);
}
static int try_event(void *m)
{
	return lfk_event_init(m, 0);
}
static int try_eventcount(void *m)
{
	return lfk_eventcount_init(m, 0);
}
static int try_seqlock(void *m)
{
	return lfk_seqlock_init(m);
}
static int try_seqarray(void *m)
{
	return lfk_seqarray_init(m, BUF_BYTES, CAP, 8);
}
static int try_latch(void *m)
{
	return lfk_latch_init(m, BUF_BYTES, 8);
}
static int try_spsc(void *m)
{
	return lfk_ring_spsc_init(m, CAP, 8);
}
static int try_mpmc(void *m)
{
	return lfk_ring_mpmc_init(m, CAP, 8);
}
static int try_lfmpmc(void *m)
{
	return lfk_ring_lfmpmc_init(m, CAP, 8);
}
static int try_spsc_at(void *m)
{
	return lfk_ring_spsc_init_at(m, CAP, 8, 7);
}
static int try_mpmc_at(void *m)
{
	return lfk_ring_mpmc_init_at(m, CAP, 8, 7);
}
static int try_lfmpmc_at(void *m)
{
	return lfk_ring_lfmpmc_init_at(m, CAP, 8, 7);
}
static int try_queue(void *m)
{
	return lfk_queue_init(m, LFK_RING_MPMC, CAP, 8, 0);
}
static int try_ref_ring(void *m)
{
	return lfk_ref_ring_init(m, CAP, 8);
}
static void end_ref_ring(void *m)
{
	lfk_ref_ring_fini(m);
}
static int try_ref_queue(void *m)
{
	return lfk_ref_queue_init(m, CAP, 8);
}
static void end_ref_queue(void *m)
{
	lfk_ref_queue_fini(m);
}
static int try_ref_mutex(void *m)
{
	return lfk_ref_mutex_init(m, 0);
}
static void end_ref_mutex(void *m)
{
	lfk_ref_mutex_destroy(m);
}
static int try_ref_sem(void *m)
{
	return lfk_ref_sem_init(m, 0, 1);
}
static void end_ref_sem(void *m)
{
	lfk_ref_sem_destroy(m);
}
static int try_ref_event(void *m)
{
	return lfk_ref_event_init(m, 0);
}
static void end_ref_event(void *m)
{
	lfk_ref_event_destroy(m);
}
static int try_ref_seqlock(void *m)
{
	return lfk_ref_seqlock_init(m, LFK_REF_RWLOCK);
}
static void end_ref_seqlock(void *m)
{
	lfk_ref_seqlock_fini(m);
}
static int try_ref_seqarray(void *m)
{
	return lfk_ref_seqarray_init(m, BUF_BYTES, CAP, 8, LFK_REF_RWLOCK);
}
static void end_ref_seqarray(void *m)
{
	lfk_ref_seqarray_fini(m);
}
static int try_ref_latch(void *m)
{
	return lfk_ref_latch_init(m, BUF_BYTES, 8, LFK_REF_RWLOCK);
}
static void end_ref_latch(void *m)
{
	lfk_ref_latch_fini(m);
}

static const struct init_case cases[] = {
	{ "lfk_mutex_init", _Alignof(struct lfk_mutex), try_mutex, NULL },
	{ "lfk_sem_init", _Alignof(struct lfk_sem), try_sem, NULL },
	{ "lfk_event_init", _Alignof(struct lfk_event), try_event, NULL },
	{ "lfk_eventcount_init", _Alignof(struct lfk_eventcount),
	  try_eventcount, NULL },
	{ "lfk_seqlock_init", sizeof(uint64_t), try_seqlock, NULL },
	{ "lfk_seqarray_init", LFK_CACHELINE, try_seqarray, NULL },
	{ "lfk_latch_init", LFK_CACHELINE, try_latch, NULL },
	{ "lfk_ring_spsc_init", LFK_RING_ALIGN, try_spsc, NULL },
	{ "lfk_ring_mpmc_init", LFK_RING_ALIGN, try_mpmc, NULL },
	{ "lfk_ring_lfmpmc_init", LFK_RING_ALIGN, try_lfmpmc, NULL },
	{ "lfk_ring_spsc_init_at", LFK_RING_ALIGN, try_spsc_at, NULL },
	{ "lfk_ring_mpmc_init_at", LFK_RING_ALIGN, try_mpmc_at, NULL },
	{ "lfk_ring_lfmpmc_init_at", LFK_RING_ALIGN, try_lfmpmc_at, NULL },
	{ "lfk_queue_init", LFK_RING_ALIGN, try_queue, NULL },
	{ "lfk_ref_ring_init", _Alignof(struct lfk_ref_ring), try_ref_ring,
	  end_ref_ring },
	{ "lfk_ref_queue_init", LFK_CACHELINE, try_ref_queue, end_ref_queue },
	{ "lfk_ref_mutex_init", _Alignof(struct lfk_ref_mutex), try_ref_mutex,
	  end_ref_mutex },
	{ "lfk_ref_sem_init", _Alignof(struct lfk_ref_sem), try_ref_sem,
	  end_ref_sem },
	{ "lfk_ref_event_init", _Alignof(struct lfk_ref_event), try_ref_event,
	  end_ref_event },
	{ "lfk_ref_seqlock_init", _Alignof(struct lfk_ref_seqlock),
	  try_ref_seqlock, end_ref_seqlock },
	{ "lfk_ref_seqarray_init", LFK_CACHELINE, try_ref_seqarray,
	  end_ref_seqarray },
	{ "lfk_ref_latch_init", LFK_CACHELINE, try_ref_latch, end_ref_latch },
};

/* True if the BUF_BYTES at buf all hold `byte`. */
static bool untouched(const unsigned char *buf, unsigned char byte)
{
	for (size_t i = 0; i < BUF_BYTES; i++)
		if (buf[i] != byte)
			return false;
	return true;
}

static void check_case(const struct init_case *c, unsigned char *buf)
{
	/* Off by one byte, and by half the alignment (a word-aligned address
	 * that is still not aligned enough). */
	const size_t offs[] = { 1, c->align / 2 };
	int rc;
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		if (offs[i] == 0 || (i > 0 && offs[i] == offs[0]))
			continue;
		memset(buf, 0xa5, BUF_BYTES + BUF_ALIGN);
		rc = c->init(buf + offs[i]);
		LFK_CHECK(rc == -EINVAL,
			  "%s at an address %zu bytes past a "
			  "%zu-byte boundary returned %d",
			  c->name, offs[i], c->align, rc);
		if (rc == 0 && c->fini != NULL)
			c->fini(buf + offs[i]);
		LFK_CHECK(rc != -EINVAL || untouched(buf + offs[i], 0xa5),
			  "%s wrote to misaligned memory it refused", c->name);
	}
	rc = c->init(buf);
	LFK_CHECK(rc == 0, "%s at an aligned address returned %d", c->name, rc);
	if (rc == 0 && c->fini != NULL)
		c->fini(buf);
}

int lfk_scn_misaligned_memory_refused(void)
{
	unsigned char *buf = aligned_alloc(BUF_ALIGN, BUF_BYTES + BUF_ALIGN);
	if (buf == NULL)
		return 1;
	LFK_CHECK(lfk_queue_size(LFK_RING_LFMPMC, CAP, 8) <= BUF_BYTES &&
			  lfk_ref_queue_size(CAP, 8) <= BUF_BYTES,
		  "the test's buffer is too small for its objects");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i], buf);
	free(buf);
	return 0;
}
