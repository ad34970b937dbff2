/* SPDX-License-Identifier: MIT */
/*
 * Exported symbols for the seqlock's read, write and copy calls.
 * The static inline definitions of <lfkit/seqlock.h>, compiled here with
 * external linkage (the scheme of <lfkit/ring.h>): callers that cannot use
 * the inline versions (other languages, a stable ABI) reach the same code.
 */
#define LFK__SEQLOCK_API
#include <lfkit/seqlock.h>
