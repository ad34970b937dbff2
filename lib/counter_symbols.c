/* SPDX-License-Identifier: MIT */
/*
 * Exported symbols for lfk_counter_add.
 * The static inline definitions of <lfkit/counter.h>, compiled here with
 * external linkage (the scheme of <lfkit/ring.h>): callers that cannot use
 * the inline versions (other languages, a stable ABI) reach the same code.
 */
#define LFK__COUNTER_API
#include <lfkit/counter.h>
