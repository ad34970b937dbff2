/* SPDX-License-Identifier: MIT */
/* The allocate-initialize-or-free step shared by every create call. */
#include "lib/create.h"

#include <errno.h>
#include <stdlib.h>

void *lfk__create(size_t align, size_t bytes, lfk__init_fn init,
		  const void *args, int *rc)
{
	size_t whole;
	void *mem;
	/* aligned_alloc wants a size that is a multiple of the alignment */
	if (bytes == 0 || __builtin_add_overflow(bytes, align - 1, &whole)) {
		*rc = -EINVAL;
		return NULL;
	}
	whole &= ~(align - 1);
	mem = aligned_alloc(align, whole);
	if (mem == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	*rc = init(mem, whole, args);
	if (*rc != 0) {
		free(mem);
		return NULL;
	}
	return mem;
}
