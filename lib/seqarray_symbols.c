/* SPDX-License-Identifier: MIT */
/*
 * Exported symbols for the seqlock array's read and write.
 * The static inline definitions of <lfkit/seqarray.h>, compiled here with
 * external linkage (the scheme of <lfkit/ring.h>): callers that cannot use
 * the inline versions (other languages, a stable ABI) reach the same code.
 */
#define LFK__SEQARRAY_API
#include <lfkit/seqarray.h>
