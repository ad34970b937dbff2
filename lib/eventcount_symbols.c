/* SPDX-License-Identifier: MIT */
/*
 * Exported symbols for the eventcount's wait and notify calls.
 * The static inline definitions of <lfkit/eventcount.h>, compiled here with
 * external linkage (the scheme of <lfkit/ring.h>): callers that cannot use
 * the inline versions (other languages, a stable ABI) reach the same code.
 */
#define LFK__EVENTCOUNT_API
#include <lfkit/eventcount.h>
