/* SPDX-License-Identifier: MIT */
/*
 * Internal: the one allocate-initialize-or-free step behind every create
 * call.  A create is "size the object, allocate it aligned, initialize it
 * in place, and free it again if the initialization fails"; this helper is
 * that sequence, so each create only supplies its size and an init.
 */
#ifndef LFK_LIB_CREATE_H
#define LFK_LIB_CREATE_H

#include <stddef.h>

/* Initializes the object in mem (bytes bytes, aligned as asked) from args;
 * returns 0 or a negative errno, and on failure releases whatever it
 * acquired besides mem itself. */
typedef int (*lfk__init_fn)(void *mem, size_t bytes, const void *args);

/*
 * Allocates bytes (rounded up to a multiple of align, a power of two) at an
 * align-aligned address and runs init(mem, bytes, args) on it.  Returns the
 * object with *rc = 0; or NULL with *rc = -EINVAL (bytes 0: the caller's
 * size function refused the arguments; the rounding overflows), -ENOMEM, or
 * init's error, after freeing the memory.
 */
void *lfk__create(size_t align, size_t bytes, lfk__init_fn init,
		  const void *args, int *rc)
	__attribute__((visibility("hidden")));

#endif
