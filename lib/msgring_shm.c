/* SPDX-License-Identifier: MIT */
/*
 * Message rings in a shared region: the kind's descriptor for lib/shm.c's
 * table.  attach checks every field the ring's operations trust against
 * the directory entry (<lfkit/shm.h>, "Validation").
 */
#include <lfkit/shm.h>
#include <string.h>

#include "shm_layout.h"

size_t lfk__shm_msgring_size(uint32_t kind, const uint64_t p[3])
{
	(void)kind;
	if ((p[1] & ~(uint64_t)LFK_MSGRING_MP) != LFK_MSGRING_SHARED ||
	    p[0] > LFK_MSGRING_MAX_BYTES)
		return 0;
	return lfk_msgring_size((size_t)p[0]);
}

int lfk__shm_msgring_init(uint32_t kind, void *mem, const uint64_t p[3],
			  size_t bytes)
{
	(void)kind, (void)bytes;
	return lfk_msgring_init(mem, (size_t)p[0], (unsigned)p[1]);
}

/* The size the parameters give must be the entry's (then the data space
 * lies within it: every header and message address is data_off + (pos &
 * (bytes - 16)) + up to bytes - offset); the ring's header must repeat the
 * parameters, and its futexes be shared (a private one loses every
 * wake-up that crosses processes).  Only fields fixed at init are read:
 * users may be at work. */
int lfk__shm_msgring_check(uint32_t kind, const void *obj,
			   const struct lfk__shm_entry *e)
{
	const struct lfk_msgring *r = (const struct lfk_msgring *)obj;
	if (lfk__shm_msgring_size(kind, e->params) != e->length ||
	    r->hdr.magic != LFK_MSGRING_MAGIC || r->hdr.bytes != e->params[0] ||
	    r->hdr.flags != e->params[1] || r->hdr.data_off != sizeof(*r) ||
	    r->hdr.total != e->length ||
	    r->not_empty.flags != LFK_EVENTCOUNT_SHARED ||
	    r->not_full.flags != LFK_EVENTCOUNT_SHARED)
		return -EPROTO;
	return 0;
}
