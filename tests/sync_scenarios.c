/* SPDX-License-Identifier: MIT */
/*
 * Scenarios for the futex mutex, semaphore and event and their pthread
 * twins: bad input, single-threaded differential runs against the twins,
 * timeouts, mutual exclusion and bounded holders under 8 threads, an event
 * releasing every waiter, the same objects shared by forked processes (each
 * mapping the region at its own address), and processes killed while
 * holding a mutex.
 *
 * Blocking calls in the multi-threaded scenarios use long timeouts, and a
 * watchdog ends the program if a scenario hangs anyway: a lost wake-up is a
 * failure with a message, not a stuck test run.
 */
#include "sync_scenarios.h"

#include <lfkit/atomic.h>
#include <lfkit/ref/sync.h>
#include <lfkit/shm.h>
#include <lfkit/sync.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 8
#define LONG_NS 10000000000ull /* a blocking call that takes this long failed */
#define WATCHDOG_NS 120000000000ull

/* ThreadSanitizer reports the twin's (error-checking, legitimate) unlock of
 * an unlocked mutex as an error: TSan builds leave that call out. */
#if defined(LFK_TSAN)
#define TWIN_UNLOCK_UNHELD 0
#else
#define TWIN_UNLOCK_UNHELD 1
#endif

/* ---- one interface over both implementations --------------------------- */

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

#define W0(fn, T)                                                              \
	static int w_##fn(void *p) { return fn((T *)p); }
#define WU(fn, T, U)                                                           \
	static int w_##fn(void *p, U u) { return fn((T *)p, u); }
/* A query with an out-pointer, as one int: the answer or the negative errno
 * (the form the differential tests compare). */
#define WQ(fn, T, V)                                                           \
	static int w_##fn(void *p)                                             \
	{                                                                      \
		V v;                                                           \
		int rc = fn((T *)p, &v);                                       \
		return rc ? rc : (int)v;                                       \
	}
#define MUTEX_OPS(pre, T)                                                      \
	WU(pre##_init, T, unsigned) W0(pre##_destroy, T)                       \
	W0(pre##_lock, T) W0(pre##_trylock, T) W0(pre##_unlock, T)             \
	WU(pre##_timedlock, T, uint64_t)                                       \
	static const struct mutex_ops pre##_ops = {                            \
		#pre, w_##pre##_init, w_##pre##_destroy, w_##pre##_lock,       \
		w_##pre##_trylock, w_##pre##_timedlock, w_##pre##_unlock };
#define SEM_OPS(pre, T)                                                        \
	static int w_##pre##_init(void *p, unsigned f, uint32_t v)             \
	{                                                                      \
		return pre##_init((T *)p, f, v);                               \
	}                                                                      \
	WU(pre##_wait, T, uint64_t) W0(pre##_destroy, T)                       \
	W0(pre##_trywait, T) W0(pre##_post, T) WQ(pre##_value, T, uint32_t)              \
	static const struct sem_ops pre##_ops = {                              \
		#pre, w_##pre##_init, w_##pre##_destroy, w_##pre##_wait,       \
		w_##pre##_trywait, w_##pre##_post, w_##pre##_value };
#define EVENT_OPS(pre, T)                                                      \
	WU(pre##_init, T, unsigned) W0(pre##_destroy, T)                       \
	W0(pre##_set, T) W0(pre##_clear, T) WQ(pre##_is_set, T, bool)                \
	WU(pre##_wait, T, uint64_t)                                            \
	static const struct event_ops pre##_ops = {                            \
		#pre, w_##pre##_init, w_##pre##_destroy, w_##pre##_set,        \
		w_##pre##_clear, w_##pre##_is_set, w_##pre##_wait };

MUTEX_OPS(lfk_mutex, struct lfk_mutex)
MUTEX_OPS(lfk_ref_mutex, struct lfk_ref_mutex)
SEM_OPS(lfk_sem, struct lfk_sem)
SEM_OPS(lfk_ref_sem, struct lfk_ref_sem)
EVENT_OPS(lfk_event, struct lfk_event)
EVENT_OPS(lfk_ref_event, struct lfk_ref_event)

static const struct mutex_ops *const mutexes[] = { &lfk_mutex_ops,
						    &lfk_ref_mutex_ops };
static const struct sem_ops *const sems[] = { &lfk_sem_ops, &lfk_ref_sem_ops };
static const struct event_ops *const events[] = { &lfk_event_ops,
						   &lfk_ref_event_ops };
static const unsigned flag_set[] = { 0, LFK_SYNC_SHARED };
#define NIMPL 2
#define NFLAGS 2

/* ---- watchdog ----------------------------------------------------------- */

static uint32_t watch_gen;

static void *watchdog(void *arg)
{
	uint32_t gen = (uint32_t)(uintptr_t)arg;
	uint64_t end = lfk_now_ns() + WATCHDOG_NS;
	while (lfk_now_ns() < end) {
		usleep(20000);
		/* Relaxed: only the flag's value matters. */
		if (lfk_atomic_load_u32(&watch_gen, LFK_RELAXED) != gen)
			return NULL;
	}
	fprintf(stderr, "sync scenario hung for %llu s (lost wake-up?)\n",
		(unsigned long long)(WATCHDOG_NS / 1000000000u));
	fflush(NULL); /* the runner's report so far */
	_exit(99);
}

static void watch_begin(void)
{
	pthread_t t;
	uint32_t gen = lfk_atomic_load_u32(&watch_gen, LFK_RELAXED);
	if (pthread_create(&t, NULL, watchdog, (void *)(uintptr_t)gen) == 0)
		pthread_detach(t);
}

static void watch_end(void)
{
	lfk_atomic_fetch_add_u32(&watch_gen, 1, LFK_RELAXED);
}

/* A bound for one of `parts` runs of a scenario: items / divisor, and its
 * share of the time budget. */
/* ---- bad input ---------------------------------------------------------- */

int lfk_scn_bad_input(void)
{
	union any_sync o;
	for (int i = 0; i < NIMPL; i++) {
		const struct mutex_ops *m = mutexes[i];
		const struct sem_ops *s = sems[i];
		const struct event_ops *e = events[i];
		LFK_CHECK(m->init(NULL, 0) == -EINVAL && s->init(NULL, 0, 0) == -EINVAL &&
				  e->init(NULL, 0) == -EINVAL,
			  "%s: NULL init", m->name);
		LFK_CHECK(m->init(&o, 2) == -EINVAL && s->init(&o, 0x80, 1) == -EINVAL &&
				  e->init(&o, ~0u) == -EINVAL,
			  "%s: unknown flags accepted", m->name);
		LFK_CHECK(s->init(&o, 0, LFK_SEM_VALUE_MAX + 1u) == -EINVAL,
			  "%s: value above the maximum", s->name);
		LFK_CHECK(m->lock(NULL) == -EINVAL && m->trylock(NULL) == -EINVAL &&
				  m->timedlock(NULL, 5) == -EINVAL &&
				  m->unlock(NULL) == -EINVAL,
			  "%s: NULL accepted", m->name);
		LFK_CHECK(s->wait(NULL, 0) == -EINVAL && s->trywait(NULL) == -EINVAL &&
				  s->post(NULL) == -EINVAL && s->value(NULL) == -EINVAL,
			  "%s: NULL accepted", s->name);
		LFK_CHECK(e->set(NULL) == -EINVAL && e->clear(NULL) == -EINVAL &&
				  e->is_set(NULL) == -EINVAL &&
				  e->wait(NULL, 0) == -EINVAL,
			  "%s: NULL accepted", e->name);
		/* never initialized: all zero bytes */
		memset(&o, 0, sizeof(o));
		LFK_CHECK(m->lock(&o) == -EINVAL && m->unlock(&o) == -EINVAL,
			  "%s: zeroed object used", m->name);
		LFK_CHECK(s->post(&o) == -EINVAL && s->wait(&o, LFK_FOREVER) == -EINVAL,
			  "%s: zeroed object used", s->name);
		LFK_CHECK(e->set(&o) == -EINVAL && e->wait(&o, LFK_FOREVER) == -EINVAL,
			  "%s: zeroed object used", e->name);
		/* errors of initialized objects */
		LFK_CHECK(m->init(&o, 0) == 0 &&
				  ((m->unlock == w_lfk_ref_mutex_unlock &&
				    !TWIN_UNLOCK_UNHELD) ||
				   m->unlock(&o) == -EPERM),
			  "%s: unlock of an unlocked mutex", m->name);
		LFK_CHECK(s->init(&o, 0, LFK_SEM_VALUE_MAX - 1) == 0 &&
				  s->post(&o) == 0 && s->post(&o) == -EOVERFLOW &&
				  s->value(&o) == (int)LFK_SEM_VALUE_MAX,
			  "%s: post past the maximum", s->name);
	}
	LFK_CHECK(lfk_mutex_destroy(NULL) == -EINVAL && lfk_sem_destroy(NULL) == -EINVAL &&
			  lfk_event_destroy(NULL) == -EINVAL &&
			  lfk_ref_mutex_destroy(NULL) == -EINVAL &&
			  lfk_ref_sem_destroy(NULL) == -EINVAL &&
			  lfk_ref_event_destroy(NULL) == -EINVAL,
		  "destroy NULL");
	lfk_mutex_init(&o.m, 0);
	lfk_mutex_lock(&o.m);
	LFK_CHECK(lfk_mutex_destroy(&o.m) == -EBUSY, "destroy of a locked mutex");
	lfk_mutex_unlock(&o.m);
	LFK_CHECK(lfk_mutex_destroy(&o.m) == 0 && lfk_mutex_lock(&o.m) == -EINVAL,
		  "use after destroy");
	LFK_CHECK(lfk_sem_init(&o.s, 0, 1) == 0 && lfk_sem_destroy(&o.s) == 0 &&
			  lfk_sem_trywait(&o.s) == -EINVAL,
		  "sem use after destroy");
	LFK_CHECK(lfk_event_init(&o.e, 0) == 0 && lfk_event_destroy(&o.e) == 0 &&
			  lfk_event_is_set(&o.e, &(bool){ false }) == -EINVAL,
		  "event use after destroy");
	/* the queries' out-pointers */
	LFK_CHECK(lfk_sem_init(&o.s, 0, 1) == 0 &&
			  lfk_sem_value(&o.s, NULL) == -EINVAL &&
			  lfk_event_init(&o.e, 0) == 0 &&
			  lfk_event_is_set(&o.e, NULL) == -EINVAL,
		  "query with a NULL out-pointer");
	LFK_CHECK(lfk_ref_sem_init(&o.rs, 0, 1) == 0 &&
			  lfk_ref_sem_value(&o.rs, NULL) == -EINVAL &&
			  lfk_ref_sem_destroy(&o.rs) == 0 &&
			  lfk_ref_event_init(&o.re, 0) == 0 &&
			  lfk_ref_event_is_set(&o.re, NULL) == -EINVAL &&
			  lfk_ref_event_destroy(&o.re) == 0,
		  "twin query with a NULL out-pointer");
	return 0;
}

/* ---- differential against the twins, single-threaded -------------------- */

/*
 * Seeded random operations applied to a futex object (x) and its twin (y),
 * with private and shared flags; every return value compared.  A kind
 * initializes both, maps an operation number to one call on each, and
 * destroys both.
 */
#define DIFF_STEPS 4000

struct diff {
	union any_sync x, y;
	struct lfk_rng rng;
	bool held; /* mutex: the pair is locked */
};

struct diff_kind {
	const char *what;
	unsigned nops;
	bool (*init)(struct diff *d, unsigned flags);
	void (*step)(struct diff *d, unsigned op, int *a, int *b);
	bool (*fini)(struct diff *d);
};

static void differential(const struct diff_kind *k, uint64_t salt)
{
	struct diff d;
	lfk_rng_seed(&d.rng, lfk_test_seed() ^ salt);
	for (int f = 0; f < NFLAGS; f++) {
		unsigned flags = flag_set[f];
		d.held = false;
		LFK_CHECK(k->init(&d, flags), "%s flags %u: init", k->what, flags);
		for (int s = 0; s < DIFF_STEPS && !lfk_failures(); s++) {
			unsigned op = (unsigned)lfk_rng_below(&d.rng, k->nops);
			int a, b;
			k->step(&d, op, &a, &b);
			LFK_CHECK(a == b, "%s flags %u step %d op %u: %d, twin %d",
				  k->what, flags, s, op, a, b);
		}
		LFK_CHECK(k->fini(&d), "%s flags %u: destroy", k->what, flags);
	}
}

static bool diff_mutex_init(struct diff *d, unsigned flags)
{
	return lfk_mutex_init(&d->x.m, flags) == 0 &&
	       lfk_ref_mutex_init(&d->y.rm, flags) == 0;
}

static void diff_mutex_step(struct diff *d, unsigned op, int *a, int *b)
{
	switch (op) {
	case 0:
		*a = lfk_mutex_trylock(&d->x.m);
		*b = lfk_ref_mutex_trylock(&d->y.rm);
		break;
	case 1:
		*a = lfk_mutex_timedlock(&d->x.m, 0);
		*b = lfk_ref_mutex_timedlock(&d->y.rm, 0);
		break;
	case 2: /* the blocking lock, only where it cannot block */
		*a = d->held ? -EAGAIN : lfk_mutex_lock(&d->x.m);
		*b = d->held ? -EAGAIN : lfk_ref_mutex_lock(&d->y.rm);
		break;
	default:
		*a = lfk_mutex_unlock(&d->x.m);
		*b = TWIN_UNLOCK_UNHELD || d->held ? lfk_ref_mutex_unlock(&d->y.rm)
						   : -EPERM;
		break;
	}
	if (*a == 0)
		d->held = op != 3;
}

static bool diff_mutex_fini(struct diff *d)
{
	if (d->held) {
		lfk_mutex_unlock(&d->x.m);
		lfk_ref_mutex_unlock(&d->y.rm);
	}
	return lfk_mutex_destroy(&d->x.m) == 0 &&
	       lfk_ref_mutex_destroy(&d->y.rm) == 0;
}

static bool diff_sem_init(struct diff *d, unsigned flags)
{
	uint32_t start = (uint32_t)lfk_rng_below(&d->rng, 4);
	return lfk_sem_init(&d->x.s, flags, start) == 0 &&
	       lfk_ref_sem_init(&d->y.rs, flags, start) == 0;
}

static void diff_sem_step(struct diff *d, unsigned op, int *a, int *b)
{
	switch (op) {
	case 0:
		*a = lfk_sem_trywait(&d->x.s);
		*b = lfk_ref_sem_trywait(&d->y.rs);
		break;
	case 1: /* timeout 0, and rarely a short real one */
	{
		uint64_t t = lfk_rng_below(&d->rng, 16) == 0 ? 1000 : 0;
		*a = lfk_sem_wait(&d->x.s, t);
		*b = lfk_ref_sem_wait(&d->y.rs, t);
		break;
	}
	case 2:
	case 3:
		*a = lfk_sem_post(&d->x.s);
		*b = lfk_ref_sem_post(&d->y.rs);
		break;
	default:
		*a = w_lfk_sem_value(&d->x.s);
		*b = w_lfk_ref_sem_value(&d->y.rs);
		break;
	}
}

static bool diff_sem_fini(struct diff *d)
{
	return lfk_sem_destroy(&d->x.s) == 0 && lfk_ref_sem_destroy(&d->y.rs) == 0;
}

static bool diff_event_init(struct diff *d, unsigned flags)
{
	return lfk_event_init(&d->x.e, flags) == 0 &&
	       lfk_ref_event_init(&d->y.re, flags) == 0;
}

static void diff_event_step(struct diff *d, unsigned op, int *a, int *b)
{
	switch (op) {
	case 0:
		*a = lfk_event_set(&d->x.e);
		*b = lfk_ref_event_set(&d->y.re);
		break;
	case 1:
		*a = lfk_event_clear(&d->x.e);
		*b = lfk_ref_event_clear(&d->y.re);
		break;
	case 2: /* timeout 0, and rarely a short real one */
	{
		uint64_t t = lfk_rng_below(&d->rng, 16) == 0 ? 1000 : 0;
		*a = lfk_event_wait(&d->x.e, t);
		*b = lfk_ref_event_wait(&d->y.re, t);
		break;
	}
	default:
		*a = w_lfk_event_is_set(&d->x.e);
		*b = w_lfk_ref_event_is_set(&d->y.re);
		break;
	}
}

static bool diff_event_fini(struct diff *d)
{
	return lfk_event_destroy(&d->x.e) == 0 &&
	       lfk_ref_event_destroy(&d->y.re) == 0;
}

int lfk_scn_differential_mutex(void)
{
	static const struct diff_kind k = { "mutex", 4, diff_mutex_init,
					    diff_mutex_step, diff_mutex_fini };
	differential(&k, 1);
	return 0;
}

int lfk_scn_differential_sem(void)
{
	static const struct diff_kind k = { "sem", 5, diff_sem_init,
					    diff_sem_step, diff_sem_fini };
	differential(&k, 2);
	return 0;
}

int lfk_scn_differential_event(void)
{
	static const struct diff_kind k = { "event", 4, diff_event_init,
					    diff_event_step, diff_event_fini };
	differential(&k, 3);
	return 0;
}

/* ---- timeouts ----------------------------------------------------------- */

struct timed_ctx {
	const struct mutex_ops *m;
	void *obj;
	uint64_t timeout_ns;
};

/* On another thread than the holder: the pthread twin refuses a timed lock
 * of a mutex the caller holds. */
static void timed_lock_thread(void *arg, int me)
{
	struct timed_ctx *c = arg;
	uint64_t t0 = lfk_now_ns(), dt;
	int rc = c->m->timedlock(c->obj, c->timeout_ns);
	dt = lfk_now_ns() - t0;
	(void)me;
	LFK_CHECK(rc == -ETIMEDOUT && dt >= c->timeout_ns,
		  "%s: timedlock(%llu ns) of a held mutex: %d after %llu ns",
		  c->m->name, (unsigned long long)c->timeout_ns, rc,
		  (unsigned long long)dt);
}

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

int lfk_scn_timeouts_honoured(void)
{
	static const uint64_t timeouts[] = { 1, 1000, 1000000, 20000000 };
	union any_sync o;
	for (int i = 0; i < NIMPL; i++) {
		for (int f = 0; f < NFLAGS; f++) {
			const struct mutex_ops *m = mutexes[i];
			const struct sem_ops *s = sems[i];
			const struct event_ops *e = events[i];
			for (size_t k = 0; k < sizeof(timeouts) / sizeof(timeouts[0]);
			     k++) {
				uint64_t t = timeouts[k];
				struct timed_ctx c = { m, &o, t };
				m->init(&o, flag_set[f]);
				m->lock(&o);
				lfk_run_threads(1, timed_lock_thread, &c);
				m->unlock(&o);
				LFK_CHECK(m->timedlock(&o, t) == 0 &&
						  m->unlock(&o) == 0,
					  "%s: timedlock of a free mutex", m->name);
				m->destroy(&o);
				s->init(&o, flag_set[f], 0);
				EXPECT_TIMEOUT(s->name, s->wait(&o, t), t);
				s->destroy(&o);
				e->init(&o, flag_set[f]);
				EXPECT_TIMEOUT(e->name, e->wait(&o, t), t);
				e->destroy(&o);
			}
			/* LFK_FOREVER on objects that need no waiting; 0
			 * never blocks: -EAGAIN, as every lfkit call */
			m->init(&o, flag_set[f]);
			LFK_CHECK(m->timedlock(&o, LFK_FOREVER) == 0 &&
					  m->timedlock(&o, 0) == -EAGAIN &&
					  m->trylock(&o) == -EAGAIN &&
					  m->unlock(&o) == 0 && m->destroy(&o) == 0,
				  "%s: timeouts 0 and forever", m->name);
			s->init(&o, flag_set[f], 1);
			LFK_CHECK(s->wait(&o, LFK_FOREVER) == 0 &&
					  s->wait(&o, 0) == -EAGAIN &&
					  s->trywait(&o) == -EAGAIN && s->destroy(&o) == 0,
				  "%s: timeouts 0 and forever", s->name);
			e->init(&o, flag_set[f]);
			LFK_CHECK(e->wait(&o, 0) == -EAGAIN && e->set(&o) == 0 &&
					  e->wait(&o, 0) == 0 &&
					  e->wait(&o, LFK_FOREVER) == 0 &&
					  e->destroy(&o) == 0,
				  "%s: timeouts 0 and forever", e->name);
		}
	}
	return 0;
}

/* ---- mutual exclusion under 8 threads ----------------------------------- */

struct excl_ctx {
	const struct mutex_ops *m;
	union any_sync obj;
	bool timed;
	struct lfk_bound bound;
	uint64_t counter; /* plain: only touched under the lock */
	uint64_t done[LFK_STRESS_MAX_THREADS];
};

static void excl_thread(void *arg, int me)
{
	struct excl_ctx *c = arg;
	uint64_t i = 0;
	while (!lfk_bound_done(&c->bound, i)) {
		int rc = c->timed ? c->m->timedlock(&c->obj, LONG_NS)
				  : c->m->lock(&c->obj);
		if (rc != 0) {
			LFK_CHECK(0, "%s: lock returned %d", c->m->name, rc);
			break;
		}
		c->counter++;
		c->m->unlock(&c->obj);
		i++;
	}
	c->done[me] = i;
}

static void exclusion(bool timed)
{
	const int n = lfk_stress_threads(NTHREADS);
	watch_begin();
	for (int i = 0; i < NIMPL; i++) {
		for (int f = 0; f < NFLAGS; f++) {
			struct excl_ctx *c = calloc(1, sizeof(*c));
			uint64_t total = 0;
			c->m = mutexes[i];
			c->timed = timed;
			c->m->init(&c->obj, flag_set[f]);
			c->bound = lfk_bound_part(n, NIMPL * NFLAGS);
			lfk_run_threads(n, excl_thread, c);
			for (int t = 0; t < n; t++)
				total += c->done[t];
			LFK_CHECK(c->counter == total && total > 0,
				  "%s flags %u: counter %llu after %llu locked "
				  "increments",
				  c->m->name, flag_set[f],
				  (unsigned long long)c->counter,
				  (unsigned long long)total);
			lfk_stress_moved(total);
			free(c);
		}
	}
	watch_end();
}

int lfk_scn_mutex_exclusion_8t(void)
{
	exclusion(false);
	return 0;
}

int lfk_scn_mutex_exclusion_timedlock_8t(void)
{
	exclusion(true);
	return 0;
}

/* ---- a semaphore as a bound on concurrent holders ----------------------- */

#define SEM_UNITS 3

struct holders_ctx {
	const struct sem_ops *s;
	union any_sync obj;
	struct lfk_bound bound;
	uint64_t holders, most;
	uint64_t done[NTHREADS];
};

static void holders_thread(void *arg, int me)
{
	struct holders_ctx *c = arg;
	uint64_t i = 0, h, most;
	while (!lfk_bound_done(&c->bound, i)) {
		/* mostly blocking waits; every fourth a non-blocking try */
		int rc = (i & 3) == 3 ? c->s->trywait(&c->obj)
				      : c->s->wait(&c->obj, LONG_NS);
		if (rc == -EAGAIN) {
			sched_yield();
			continue;
		}
		if (rc != 0) {
			LFK_CHECK(0, "%s: wait returned %d", c->s->name, rc);
			break;
		}
		/* Relaxed: the count only needs to be exact, the semaphore
		 * orders the rest. */
		h = lfk_atomic_fetch_add_u64(&c->holders, 1, LFK_RELAXED) + 1;
		LFK_CHECK(h <= SEM_UNITS, "%s: %llu holders of %d units",
			  c->s->name, (unsigned long long)h, SEM_UNITS);
		most = lfk_atomic_load_u64(&c->most, LFK_RELAXED);
		while (h > most &&
		       !lfk_atomic_cas_u64(&c->most, &most, h, LFK_RELAXED))
			;
		if ((i & 7) == 0)
			sched_yield(); /* hold it across a reschedule */
		lfk_atomic_fetch_sub_u64(&c->holders, 1, LFK_RELAXED);
		c->s->post(&c->obj);
		i++;
	}
	c->done[me] = i;
}

int lfk_scn_sem_bounded_holders_8t(void)
{
	watch_begin();
	for (int i = 0; i < NIMPL; i++) {
		for (int f = 0; f < NFLAGS; f++) {
			struct holders_ctx *c = calloc(1, sizeof(*c));
			c->s = sems[i];
			c->s->init(&c->obj, flag_set[f], SEM_UNITS);
			c->bound = lfk_bound_part(NTHREADS * 4, NIMPL * NFLAGS);
			lfk_run_threads(NTHREADS, holders_thread, c);
			LFK_CHECK(c->s->value(&c->obj) == SEM_UNITS &&
					  c->holders == 0 && c->most >= 1,
				  "%s flags %u: value %d at the end (most "
				  "holders %llu)",
				  c->s->name, flag_set[f], c->s->value(&c->obj),
				  (unsigned long long)c->most);
			free(c);
		}
	}
	watch_end();
	return 0;
}

/* ---- an event releasing every waiter, round after round ----------------- */

struct rounds_ctx {
	const struct event_ops *e;
	union any_sync obj;
	struct lfk_bound bound;
	uint64_t arrived, passed, round, stop;
	uint64_t payload; /* plain: written before set, read after wait */
};

/* Waits until *word >= at_least; false if a check failed meanwhile (the
 * other side may have given up) or after LONG_NS / 2. */
static bool wait_for(uint64_t *word, uint64_t at_least)
{
	unsigned spins = 0;
	uint64_t giveup = lfk_now_ns() + LONG_NS / 2;
	/* Acquire: pairs with the release that published the count. */
	while (lfk_atomic_load_u64(word, LFK_ACQUIRE) < at_least) {
		if (lfk_failures() || lfk_now_ns() > giveup)
			return false;
		lfk_backoff(&spins);
	}
	return true;
}

static void rounds_coordinator(struct rounds_ctx *c)
{
	const uint64_t n = NTHREADS - 1;
	uint64_t r = 1;
	for (;; r++) {
		if (!wait_for(&c->arrived, n * r)) {
			LFK_CHECK(lfk_failures() > 0, "%s: round %llu: the "
				  "waiters did not arrive", c->e->name,
				  (unsigned long long)r);
			break;
		}
		if ((r & 3) == 0)
			usleep(200); /* let the waiters fall asleep */
		LFK_CHECK(lfk_atomic_load_u64(&c->passed, LFK_RELAXED) ==
				  n * (r - 1),
			  "%s: a waiter passed a clear event", c->e->name);
		c->payload = r;
		c->e->set(&c->obj);
		if (!wait_for(&c->passed, n * r)) {
			/* the waiters' own timeout is twice as long */
			LFK_CHECK(0, "%s: round %llu: set did not release the "
				  "waiters within %llu s", c->e->name,
				  (unsigned long long)r,
				  (unsigned long long)(LONG_NS / 2000000000u));
			break;
		}
		c->e->clear(&c->obj);
		if (r >= c->bound.max_items || lfk_now_ns() > c->bound.deadline_ns)
			break;
		/* Release: the clear and the payload come before round r. */
		lfk_atomic_store_u64(&c->round, r, LFK_RELEASE);
	}
	lfk_atomic_store_u64(&c->stop, 1, LFK_RELAXED);
	/* Release: as above, and the stop flag. */
	lfk_atomic_store_u64(&c->round, r, LFK_RELEASE);
}

static void rounds_thread(void *arg, int me)
{
	struct rounds_ctx *c = arg;
	if (me == 0) {
		rounds_coordinator(c);
		return;
	}
	for (uint64_t r = 1;; r++) {
		int rc;
		if (!wait_for(&c->round, r - 1) || /* gave up: see the coordinator */
		    lfk_atomic_load_u64(&c->stop, LFK_RELAXED))
			break;
		/* Release: the coordinator counts the waiters in. */
		lfk_atomic_fetch_add_u64(&c->arrived, 1, LFK_RELEASE);
		rc = c->e->wait(&c->obj, LONG_NS);
		LFK_CHECK(rc == 0 && c->payload == r,
			  "%s: round %llu: wait returned %d, payload %llu",
			  c->e->name, (unsigned long long)r, rc,
			  (unsigned long long)c->payload);
		/* Release: orders the payload read before the next set. */
		lfk_atomic_fetch_add_u64(&c->passed, 1, LFK_RELEASE);
		if (rc != 0)
			break;
	}
}

int lfk_scn_event_wakes_all_8t(void)
{
	watch_begin();
	for (int i = 0; i < NIMPL; i++) {
		for (int f = 0; f < NFLAGS; f++) {
			struct rounds_ctx *c = calloc(1, sizeof(*c));
			c->e = events[i];
			c->e->init(&c->obj, flag_set[f]);
			c->bound = lfk_bound_part(200, NIMPL * NFLAGS);
			lfk_run_threads(NTHREADS, rounds_thread, c);
			LFK_CHECK(c->round > 1, "%s: only %llu rounds", c->e->name,
				  (unsigned long long)c->round);
			free(c);
		}
	}
	watch_end();
	return 0;
}

/* ---- processes sharing a region ------------------------------------------ */

#define NCHILD 4

/* The caller's layout inside a bytes object of a region. */
struct area {
	union any_sync a, b;
	uint64_t counter;      /* under a */
	uint64_t data;         /* passed back and forth */
	uint64_t ready, started, go;
	uint64_t done[NCHILD];
	int impl;
};

struct region {
	char name[64];
	struct lfk_shm *shm;
	struct area *area;
};

static int region_create(struct region *r)
{
	static unsigned counter;
	void *p;
	snprintf(r->name, sizeof(r->name), "/lfk-sync-%ld-%u", (long)getpid(),
		 counter++);
	if (lfk_shm_create(r->name, 1 << 16, 0600, &r->shm) != 0)
		return -1;
	if (lfk_shm_bytes_create(r->shm, "area", sizeof(struct area), &p) != 0)
		return -1;
	r->area = p;
	fflush(NULL);
	return 0;
}

static void region_destroy(struct region *r)
{
	lfk_shm_close(r->shm);
	lfk_shm_unlink(r->name);
}

/* In a child: its own mapping of the region, at its own address. */
static struct area *child_attach(const char *name)
{
	struct lfk_shm *s;
	void *p;
	size_t n;
	if (lfk_shm_open(name, &s) != 0 || lfk_shm_bytes_attach(s, "area", &p, &n) != 0 ||
	    n != sizeof(struct area))
		_exit(3);
	return p;
}

/* Forks n children running fn(name, index), waits for them all; 0 if each
 * exited with status 0. */
static int fork_children(const struct region *r, int n,
			 void (*fn)(const char *, int))
{
	pid_t pids[NCHILD];
	int bad = 0;
	for (int i = 0; i < n; i++) {
		pids[i] = lfk_fork();
		if (pids[i] == 0) {
			fn(r->name, i);
			_exit(0);
		}
	}
	for (int i = 0; i < n; i++) {
		int st = 0;
		if (pids[i] < 0 || waitpid(pids[i], &st, 0) != pids[i] ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			LFK_CHECK(0, "child %d ended with status %#x", i, st);
			bad++;
		}
	}
	return bad;
}

static void child_counter(const char *name, int me)
{
	struct area *a = child_attach(name);
	const struct mutex_ops *m = mutexes[a->impl];
	struct lfk_bound b = lfk_bound_part(2, 2 * NIMPL);
	uint64_t i = 0;
	while (!lfk_bound_done(&b, i)) {
		if (m->timedlock(&a->a, LONG_NS) != 0)
			_exit(5);
		a->counter++;
		m->unlock(&a->a);
		i++;
	}
	a->done[me] = i;
}

int lfk_scn_process_mutex_counter(void)
{
	for (int i = 0; i < NIMPL; i++) {
		struct region r;
		if (region_create(&r) != 0)
			return 1;
		r.area->impl = i;
		mutexes[i]->init(&r.area->a, LFK_SYNC_SHARED);
		fork_children(&r, 2, child_counter);
		LFK_CHECK(r.area->counter == r.area->done[0] + r.area->done[1] &&
				  r.area->done[0] > 0 && r.area->done[1] > 0,
			  "%s: counter %llu after %llu + %llu locked increments",
			  mutexes[i]->name, (unsigned long long)r.area->counter,
			  (unsigned long long)r.area->done[0],
			  (unsigned long long)r.area->done[1]);
		region_destroy(&r);
	}
	return 0;
}

/* Rounds of one ping-pong: items/100 (100 to 2000), and its share of the
 * time budget; whichever ends first. */
static struct lfk_bound pingpong_bound(void)
{
	struct lfk_bound b = lfk_bound_part(100, NIMPL);
	if (b.max_items < 100)
		b.max_items = 100;
	if (b.max_items > 2000)
		b.max_items = 2000;
	return b;
}

/* The child answers each odd number in data with the next even one, until
 * the parent sends 0 (stop). */
static void child_pong(const char *name, int me)
{
	struct area *a = child_attach(name);
	const struct sem_ops *s = sems[a->impl];
	(void)me;
	for (uint64_t i = 0;; i++) {
		if (s->wait(&a->a, LONG_NS) != 0)
			_exit(5);
		if (a->data == 0)
			return;
		if (a->data != 2 * i + 1)
			_exit(5);
		a->data = 2 * i + 2;
		s->post(&a->b);
	}
}

int lfk_scn_process_sem_pingpong(void)
{
	for (int i = 0; i < NIMPL; i++) {
		const struct sem_ops *s = sems[i];
		struct region r;
		struct lfk_bound b = pingpong_bound();
		bool stopped = false;
		pid_t pid;
		int st = 0;
		uint64_t k;
		if (region_create(&r) != 0)
			return 1;
		r.area->impl = i;
		s->init(&r.area->a, LFK_SYNC_SHARED, 0);
		s->init(&r.area->b, LFK_SYNC_SHARED, 0);
		pid = lfk_fork();
		if (pid == 0) {
			child_pong(r.name, 0);
			_exit(0);
		}
		for (k = 0; !lfk_bound_done(&b, k); k++) {
			int rc;
			r.area->data = 2 * k + 1;
			s->post(&r.area->a);
			rc = s->wait(&r.area->b, LONG_NS);
			if (rc != 0 || r.area->data != 2 * k + 2) {
				LFK_CHECK(0, "%s: round %llu: wait %d, data %llu",
					  s->name, (unsigned long long)k, rc,
					  (unsigned long long)r.area->data);
				kill(pid, SIGKILL);
				stopped = true;
				break;
			}
		}
		if (!stopped) {
			/* Stop; the semaphore orders the store before the
			 * child's read. */
			r.area->data = 0;
			s->post(&r.area->a);
		}
		waitpid(pid, &st, 0);
		LFK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "%s: child ended with status %#x", s->name, st);
		LFK_CHECK(s->value(&r.area->a) == 0 && s->value(&r.area->b) == 0,
			  "%s: units left over", s->name);
		region_destroy(&r);
	}
	return 0;
}

/* Each worker announces itself, waits for the start event, and checks
 * that what the starter wrote before set is visible. */
static void child_worker(const char *name, int me)
{
	struct area *a = child_attach(name);
	const struct event_ops *e = events[a->impl];
	uint64_t t0 = lfk_now_ns();
	(void)me;
	/* Release: the starter counts the workers in. */
	lfk_atomic_fetch_add_u64(&a->ready, 1, LFK_RELEASE);
	if (e->wait(&a->a, LONG_NS) != 0 || a->go != 1)
		_exit(5);
	/* a wait that only ended at its timeout, finding the flag set, was
	 * never woken by set: the generous bound is half the timeout */
	if (lfk_now_ns() - t0 > LONG_NS / 2)
		_exit(6);
	lfk_atomic_fetch_add_u64(&a->started, 1, LFK_RELAXED);
}

static void *event_starter(void *arg)
{
	struct region *r = arg;
	unsigned spins = 0;
	uint64_t giveup = lfk_now_ns() + LONG_NS;
	/* Acquire: pairs with the workers' release. */
	while (lfk_atomic_load_u64(&r->area->ready, LFK_ACQUIRE) < NCHILD &&
	       lfk_now_ns() < giveup)
		lfk_backoff(&spins);
	usleep(20000); /* the workers are (most likely) asleep by now */
	LFK_CHECK(lfk_atomic_load_u64(&r->area->started, LFK_RELAXED) == 0,
		  "a worker started before the event was set");
	r->area->go = 1;
	events[r->area->impl]->set(&r->area->a);
	return NULL;
}

int lfk_scn_process_event_starts_workers(void)
{
	for (int i = 0; i < NIMPL; i++) {
		struct region r;
		pthread_t t;
		if (region_create(&r) != 0)
			return 1;
		r.area->impl = i;
		events[i]->init(&r.area->a, LFK_SYNC_SHARED);
		/* the starter is a thread, so that fork_children's waitpid
		 * runs meanwhile */
		if (pthread_create(&t, NULL, event_starter, &r) != 0)
			return 1;
		fork_children(&r, NCHILD, child_worker);
		pthread_join(t, NULL);
		LFK_CHECK(r.area->started == NCHILD, "%s: %llu of %d workers started",
			  events[i]->name, (unsigned long long)r.area->started,
			  NCHILD);
		region_destroy(&r);
	}
	return 0;
}

/* ---- processes that die holding the lock ---------------------------------- */

static void child_lock_and_hang(const char *name, int me)
{
	struct area *a = child_attach(name);
	(void)me;
	if (mutexes[a->impl]->lock(&a->a) != 0)
		_exit(5);
	/* Release: the parent may kill us now. */
	lfk_atomic_store_u64(&a->ready, 1, LFK_RELEASE);
	for (;;)
		pause();
}

/* Forks a child that locks the region's mutex a, then kills it. */
static void kill_holder(struct region *r)
{
	unsigned spins = 0;
	int st = 0;
	pid_t pid;
	lfk_atomic_store_u64(&r->area->ready, 0, LFK_RELAXED);
	pid = lfk_fork();
	if (pid == 0)
		child_lock_and_hang(r->name, 0);
	/* Acquire: pairs with the child's release. */
	while (lfk_atomic_load_u64(&r->area->ready, LFK_ACQUIRE) == 0)
		lfk_backoff(&spins);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	LFK_CHECK(WIFSIGNALED(st), "the holder was not killed (%#x)", st);
}

/*
 * lfk_mutex is not robust: a dead holder leaves it locked.  A waiter with
 * a timeout gets -ETIMEDOUT instead of hanging; trylock says -EAGAIN.
 * Survivors that know the holder is dead may unlock it (no owner is
 * recorded) and go on.
 */
int lfk_scn_process_death_mutex_stays_locked(void)
{
	struct region r;
	if (region_create(&r) != 0)
		return 1;
	r.area->impl = 0;
	lfk_mutex_init(&r.area->a.m, LFK_SYNC_SHARED);
	kill_holder(&r);
	EXPECT_TIMEOUT("lfk_mutex", lfk_mutex_timedlock(&r.area->a.m, 50000000),
		       50000000u);
	LFK_CHECK(lfk_mutex_trylock(&r.area->a.m) == -EAGAIN,
		  "trylock of a dead holder's mutex");
	LFK_CHECK(lfk_mutex_unlock(&r.area->a.m) == 0 &&
			  lfk_mutex_timedlock(&r.area->a.m, LONG_NS) == 0 &&
			  lfk_mutex_unlock(&r.area->a.m) == 0,
		  "unlocked by a survivor");
	region_destroy(&r);
	return 0;
}

/*
 * The robust twin: the next locker gets -EOWNERDEAD, holds a consistent
 * mutex, and everybody carries on.  Once through lock, once through
 * timedlock, once through trylock.
 */
int lfk_scn_process_death_ref_mutex_recovers(void)
{
	struct region r;
	struct lfk_ref_mutex *m;
	void *head;
	size_t len;
	/* Robust mutexes need the kernel's robust futex list, which qemu-user
	 * does not emulate (get/set_robust_list answer ENOSYS): there a dead
	 * owner is never detected and the next lock would block for good. */
	if (syscall(SYS_get_robust_list, 0, &head, &len) != 0 && errno == ENOSYS) {
		fprintf(stderr, "process_death_ref_mutex_recovers: skipped, no "
				"robust futex list here (qemu-user?)\n");
		return 0;
	}
	if (region_create(&r) != 0)
		return 1;
	r.area->impl = 1;
	m = &r.area->a.rm;
	LFK_CHECK(lfk_ref_mutex_init(m, LFK_SYNC_SHARED) == 0, "init");
	int recovered = 0;
	for (int how = 0; how < 3; how++) {
		int rc;
#if defined(LFK_TSAN)
		/* TSan's pthread_mutex_timedlock interceptor does not count a
		 * lock taken with EOWNERDEAD as held (its lock and trylock
		 * interceptors do), so TSan builds leave that way out. */
		if (how == 1)
			continue;
#endif
		kill_holder(&r);
		rc = how == 0   ? lfk_ref_mutex_lock(m)
		     : how == 1 ? lfk_ref_mutex_timedlock(m, LONG_NS)
				: lfk_ref_mutex_trylock(m);
		LFK_CHECK(rc == -EOWNERDEAD, "way %d: the next locker got %d", how,
			  rc);
		r.area->counter++; /* "repairs" the data */
		recovered++;
		LFK_CHECK(lfk_ref_mutex_unlock(m) == 0, "unlock after recovery");
		LFK_CHECK(lfk_ref_mutex_lock(m) == 0 && lfk_ref_mutex_unlock(m) == 0,
			  "the mutex works after recovery");
	}
	fork_children(&r, 2, child_counter);
	LFK_CHECK(r.area->counter ==
			  (uint64_t)recovered + r.area->done[0] + r.area->done[1],
		  "counting after the recoveries");
	lfk_ref_mutex_destroy(m);
	region_destroy(&r);
	return 0;
}
