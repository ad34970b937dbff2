/* lfkit: lock-free concurrency primitives on hardware atomics.
 * The umbrella header: includes every public lfkit header. */
#ifndef LFKIT_LFKIT_H
#define LFKIT_LFKIT_H

#include <lfkit/config.h>
#include <lfkit/atomic.h>
#include <lfkit/ring.h>
#include <lfkit/shm.h>
#include <lfkit/sync.h>
#include <lfkit/tlocal.h>
#include <lfkit/counter.h>
#include <lfkit/tcache.h>
#include <lfkit/seqlock.h>
#include <lfkit/seqarray.h>
#include <lfkit/latch.h>
#include <lfkit/eventcount.h>
#include <lfkit/queue.h>
#include <lfkit/msgring.h>

/* The library's version, e.g. "0.1.0" (the headers' is LFK_VERSION_STRING). */
const char *lfk_version(void);

#endif
