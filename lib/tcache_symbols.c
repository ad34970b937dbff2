/* SPDX-License-Identifier: MIT */
/*
 * Exported symbols for the thread cache's alloc and free.
 * The static inline definitions of <lfkit/tcache.h>, compiled here with
 * external linkage (the scheme of <lfkit/ring.h>): callers that cannot use
 * the inline versions (other languages, a stable ABI) reach the same code.
 */
#define LFK__TCACHE_API
#include <lfkit/tcache.h>
