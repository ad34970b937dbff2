/*
 * Message rings in a shared region: create, and an attach that checks
 * every field the ring's operations trust against the directory entry
 * (<lfkit/shm.h>, "Validation").
 */
#include <lfkit/shm.h>
#include <string.h>

#include "shm_layout.h"

int lfk_shm_msgring_create(struct lfk_shm *shm, const char *name,
			   size_t bytes, unsigned flags,
			   struct lfk_msgring **out)
{
	uint64_t params[3] = { bytes, flags | LFK_MSGRING_SHARED, 0 };
	size_t total = lfk_msgring_size(bytes);
	if (total == 0 || (flags & ~LFK_MSGRING_MP) != 0)
		return -EINVAL;
	return lfk__shm_add_object(shm, name, LFK_SHM_MSGRING, total, params,
				   (void **)out);
}

int lfk__shm_msgring_attach_image(void *base, size_t size, const char *name,
				  struct lfk_msgring **out)
{
	const struct lfk__shm_entry *e;
	const struct lfk_msgring *r;
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	rc = lfk__shm_lookup(base, size, name, LFK_SHM_MSGRING, &e);
	if (rc != 0)
		return rc;
	/* The size the parameters give must be the entry's (then the data
	 * space lies within it: every header and message address is
	 * data_off + (pos & (bytes - 1)) + up to bytes - offset); the ring's
	 * header must repeat the parameters, and its futexes be shared (a
	 * private one loses every wake-up that crosses processes).  Only
	 * fields fixed at init are read: users may be at work. */
	r = (const struct lfk_msgring *)((char *)base + e->offset);
	if ((e->params[1] & ~(uint64_t)LFK_MSGRING_MP) != LFK_MSGRING_SHARED ||
	    e->params[0] > LFK_MSGRING_MAX_BYTES ||
	    lfk_msgring_size((size_t)e->params[0]) != e->length ||
	    r->hdr.magic != LFK_MSGRING_MAGIC ||
	    r->hdr.bytes != e->params[0] || r->hdr.flags != e->params[1] ||
	    r->hdr.data_off != sizeof(*r) || r->hdr.total != e->length ||
	    r->not_empty.flags != LFK_EVENTCOUNT_SHARED ||
	    r->not_full.flags != LFK_EVENTCOUNT_SHARED)
		return -EPROTO;
	*out = (struct lfk_msgring *)r;
	return 0;
}

int lfk_shm_msgring_attach(struct lfk_shm *shm, const char *name,
			   struct lfk_msgring **out)
{
	int rc = lfk__shm_region_intact(shm);
	if (rc != 0)
		return rc;
	return lfk__shm_msgring_attach_image(lfk_shm_base(shm),
					     lfk_shm_size(shm), name, out);
}
