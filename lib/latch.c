/* SPDX-License-Identifier: MIT */
/* Out-of-line parts of lfk_latch: layout and validation. */
#include <lfkit/latch.h>

#include <stdlib.h>
#include <string.h>

#include "lib/create.h"
#include "lib/seqarray_impl.h"

size_t lfk_latch_size(size_t obj_size)
{
	size_t stride = lfk__seq_stride(obj_size, 0);
	return stride ? sizeof(struct lfk_latch) + 2 * stride : 0;
}

int lfk_latch_init(struct lfk_latch *l, size_t mem_size, size_t obj_size)
{
	size_t need = lfk_latch_size(obj_size);
	if (l == NULL || need == 0 || mem_size < need ||
	    (uintptr_t)l % LFK_CACHELINE != 0)
		return -EINVAL;
	memset(l, 0, need);
	l->obj_size = obj_size;
	l->stride = lfk__seq_stride(obj_size, 0);
	l->magic = LFK_LATCH_MAGIC;
	return 0;
}

static int latch_init_at(void *mem, size_t bytes, const void *obj_size)
{
	return lfk_latch_init(mem, bytes, *(const size_t *)obj_size);
}

int lfk_latch_create(size_t obj_size, struct lfk_latch **out)
{
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__create(LFK_CACHELINE, lfk_latch_size(obj_size),
			   latch_init_at, &obj_size, &rc);
	return rc;
}

void lfk_latch_destroy(struct lfk_latch *l)
{
	free(l);
}

size_t lfk_latch_obj_size(const struct lfk_latch *l)
{
	return l ? (size_t)l->obj_size : 0;
}
