/* SPDX-License-Identifier: MIT */
/* Out-of-line parts of lfk_latch: layout and validation. */
#include <lfkit/latch.h>

#include <stdlib.h>
#include <string.h>

#include "lib/seqarray_impl.h"

size_t lfk_latch_size(size_t obj_size)
{
	size_t stride = lfk_seq__stride(obj_size, 0);
	return stride ? sizeof(lfk_latch_t) + 2 * stride : 0;
}

int lfk_latch_init(lfk_latch_t *l, size_t mem_size, size_t obj_size)
{
	size_t need = lfk_latch_size(obj_size);
	if (l == NULL || need == 0 || mem_size < need ||
	    (uintptr_t)l % LFK_CACHELINE != 0)
		return -EINVAL;
	memset(l, 0, need);
	l->obj_size = obj_size;
	l->stride = lfk_seq__stride(obj_size, 0);
	l->magic = LFK_LATCH_MAGIC;
	return 0;
}

int lfk_latch_create(lfk_latch_t **out, size_t obj_size)
{
	size_t need = lfk_latch_size(obj_size);
	int rc;
	lfk_latch_t *l;
	if (out == NULL)
		return -EINVAL;
	l = lfk_seq__alloc(need, &rc);
	if (rc == 0)
		rc = lfk_latch_init(l, need, obj_size);
	if (rc == 0)
		*out = l;
	return rc;
}

void lfk_latch_destroy(lfk_latch_t *l)
{
	free(l);
}

size_t lfk_latch_obj_size(const lfk_latch_t *l)
{
	return l ? (size_t)l->obj_size : 0;
}
