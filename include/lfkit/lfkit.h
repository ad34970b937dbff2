/* SPDX-License-Identifier: MIT */
/* lfkit: lock-free concurrency primitives on hardware atomics.
 * The umbrella header: includes every public lfkit header. */
#ifndef LFKIT_LFKIT_H
#define LFKIT_LFKIT_H

#include <lfkit/atomic.h>
#include <lfkit/config.h>
#include <lfkit/counter.h>
#include <lfkit/eventcount.h>
#include <lfkit/latch.h>
#include <lfkit/msgring.h>
#include <lfkit/queue.h>
#include <lfkit/ring.h>
#include <lfkit/seqarray.h>
#include <lfkit/seqlock.h>
#include <lfkit/shm.h>
#include <lfkit/sync.h>
#include <lfkit/tcache.h>
#include <lfkit/tlocal.h>

LFK_BEGIN_DECLS

/* The library's version, e.g. "0.1.0" (the headers' is LFK_VERSION_STRING). */
const char *lfk_version(void);

LFK_END_DECLS

#endif
