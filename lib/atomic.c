/* SPDX-License-Identifier: MIT */
/* Out-of-line parts of the atomic layer. */
#include <lfkit/atomic.h>

const char *lfk_atomic_backend(void)
{
	return LFK_ATOMIC_BACKEND;
}
