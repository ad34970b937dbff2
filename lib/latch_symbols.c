/* SPDX-License-Identifier: MIT */
/*
 * Exported symbols for the latch's read and write.
 * The static inline definitions of <lfkit/latch.h>, compiled here with
 * external linkage (the scheme of <lfkit/ring.h>): callers that cannot use
 * the inline versions (other languages, a stable ABI) reach the same code.
 */
#define LFK__LATCH_API
#include <lfkit/latch.h>
