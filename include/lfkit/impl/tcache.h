/* SPDX-License-Identifier: MIT */
/*
 * lfkit/impl/tcache.h - internals of <lfkit/tcache.h>: the magazine and
 * per-thread records the inline alloc and free use, and their out-of-line
 * parts.
 * Not part of the API: names here (lfk__*) may change in any release.
 * Included by <lfkit/tcache.h>; do not include it directly.
 */
#ifndef LFKIT_IMPL_TCACHE_H
#define LFKIT_IMPL_TCACHE_H

#include <stdint.h>

LFK_BEGIN_DECLS

struct lfk_tcache;
struct lfk_tlocal;

struct lfk__tcache_mag {
	void *next; /* depot link: first word (atomic accesses) */
	uint32_t rounds; /* objects held, while in the depot */
	void *obj[]; /* mag_size entries */
};

/* A thread's cache: its slot of the cache's lfk_tlocal.  Only the thread
 * writes it; loaded_n and prev_n are stored atomically (relaxed) because
 * lfk_tcache_stats reads them from another thread. */
struct lfk__tcache_thread {
	struct lfk__tcache_mag *loaded, *prev;
	uint32_t loaded_n, prev_n; /* objects in each */
	/* objects this thread put into the depot's magazines minus those it
	 * took out, modulo 2^64 (statistics; stored relaxed) */
	uint64_t depot_net;
};

struct lfk__tcache_hdr {
	struct lfk_tlocal *threads; /* slots: struct lfk__tcache_thread */
	uint32_t mag_size;
};

/* Out-of-line parts of alloc and free: magazine exchanges with the depot,
 * new slabs, the thread's first use, errors. */
int lfk__tcache_alloc_slow(struct lfk_tcache *tc, void **obj);
int lfk__tcache_free_slow(struct lfk_tcache *tc, void *obj);

LFK_END_DECLS

#endif
