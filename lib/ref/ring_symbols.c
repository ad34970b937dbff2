/* SPDX-License-Identifier: MIT */
/*
 * Exported symbols for the reference ring's inline call.
 * The static inline definitions of <lfkit/ref/ring.h>, compiled here with
 * external linkage (the scheme of <lfkit/ring.h>): callers that cannot use
 * the inline versions (other languages, a stable ABI) reach the same code.
 */
#define LFK__REF_RING_API
#include <lfkit/ref/ring.h>
