/* SPDX-License-Identifier: MIT */
/*
 * Exported symbols for lfk_tlocal_get.
 * The static inline definitions of <lfkit/tlocal.h>, compiled here with
 * external linkage (the scheme of <lfkit/ring.h>): callers that cannot use
 * the inline versions (other languages, a stable ABI) reach the same code.
 */
#define LFK__TLOCAL_API
#include <lfkit/tlocal.h>
