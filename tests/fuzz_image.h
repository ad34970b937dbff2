/* SPDX-License-Identifier: MIT */
/* The fuzz targets' base image: a copy, on the heap, of a region built
 * once (the heap copy is exactly its allocation, so AddressSanitizer sees
 * every access past it). */
#ifndef LFK_TESTS_FUZZ_IMAGE_H
#define LFK_TESTS_FUZZ_IMAGE_H

#include <lfkit/shm.h>
#include <stdlib.h>
#include <string.h>

/* Copies the region of s (when rc, the status of building it, is 0) and
 * closes s; aborts on any failure: a target without its image tests
 * nothing. */
static inline void *lfk_fuzz_snapshot(struct lfk_shm *s, int rc, size_t *size)
{
	void *copy;
	if (rc != 0)
		abort();
	*size = lfk_shm_size(s);
	copy = malloc(*size);
	if (copy == NULL)
		abort();
	memcpy(copy, lfk_shm_base(s), *size);
	lfk_shm_close(s);
	return copy;
}

#endif
