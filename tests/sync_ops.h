/* SPDX-License-Identifier: MIT */
/*
 * What the sync module's scenario files share: one interface over the
 * futex objects and their pthread twins, the flags they run with, the
 * bounds of blocking calls and the watchdog.
 */
#ifndef LFK_TESTS_SYNC_OPS_H
#define LFK_TESTS_SYNC_OPS_H

#include <errno.h>
#include <lfkit/atomic.h> /* LFK_TSAN */
#include <lfkit/ref/sync.h>
#include <lfkit/sync.h>
#include <stdint.h>

#include "harness/lfk_test.h"

#define NTHREADS 8
#define LONG_NS 10000000000ull /* a blocking call that takes this long failed */

/* ThreadSanitizer reports the twin's (error-checking, legitimate) unlock of
 * an unlocked mutex as an error: TSan builds leave that call out. */
#if defined(LFK_TSAN)
#define TWIN_UNLOCK_UNHELD 0
#else
#define TWIN_UNLOCK_UNHELD 1
#endif

union any_sync {
	struct lfk_mutex m;
	struct lfk_sem s;
	struct lfk_event e;
	struct lfk_ref_mutex rm;
	struct lfk_ref_sem rs;
	struct lfk_ref_event re;
};

struct mutex_ops {
	const char *name;
	int (*init)(void *, unsigned);
	int (*destroy)(void *);
	int (*lock)(void *);
	int (*trylock)(void *);
	int (*timedlock)(void *, uint64_t);
	int (*unlock)(void *);
};
/* value and is_set answer as one int: the answer or the negative errno. */
struct sem_ops {
	const char *name;
	int (*init)(void *, unsigned, uint32_t);
	int (*destroy)(void *);
	int (*wait)(void *, uint64_t);
	int (*trywait)(void *);
	int (*post)(void *);
	int (*value)(void *);
};
struct event_ops {
	const char *name;
	int (*init)(void *, unsigned);
	int (*destroy)(void *);
	int (*set)(void *);
	int (*clear)(void *);
	int (*is_set)(void *);
	int (*wait)(void *, uint64_t);
};

/* Index 0: the futex object, 1: its pthread twin. */
#define NIMPL 2
extern const struct mutex_ops *const sync_mutexes[NIMPL];
extern const struct sem_ops *const sync_sems[NIMPL];
extern const struct event_ops *const sync_events[NIMPL];
/* Every object runs private and shared. */
#define NFLAGS 2
extern const unsigned sync_flags[NFLAGS];

/* Measures one blocking call; it must time out, no sooner than asked. */
#define EXPECT_TIMEOUT(name, call, t)                                          \
	do {                                                                   \
		uint64_t t0_ = lfk_now_ns(), dt_;                              \
		int rc_ = (call);                                              \
		dt_ = lfk_now_ns() - t0_;                                      \
		LFK_CHECK(rc_ == -ETIMEDOUT && dt_ >= (t),                     \
			  "%s: %s returned %d after %llu ns, timeout %llu",    \
			  name, #call, rc_, (unsigned long long)dt_,           \
			  (unsigned long long)(t));                            \
	} while (0)

/* Blocking calls in the multi-threaded scenarios use long timeouts, and a
 * watchdog ends the program if a scenario hangs anyway: a lost wake-up is
 * a failure with a message, not a stuck test run.  watch_begin arms it for
 * one scenario, watch_end disarms it. */
void watch_begin(void);
void watch_end(void);

#endif
