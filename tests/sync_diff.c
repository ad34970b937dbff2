/* SPDX-License-Identifier: MIT */
/*
 * The futex mutex, semaphore and event against their pthread twins,
 * single-threaded: seeded random operations on both, with private and
 * shared flags, every return value compared.
 */
#include "sync_ops.h"
#include "sync_scenarios.h"

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
		unsigned flags = sync_flags[f];
		d.held = false;
		LFK_CHECK(k->init(&d, flags), "%s flags %u: init", k->what,
			  flags);
		for (int s = 0; s < DIFF_STEPS && !lfk_failures(); s++) {
			unsigned op = (unsigned)lfk_rng_below(&d.rng, k->nops);
			int a, b;
			k->step(&d, op, &a, &b);
			LFK_CHECK(a == b,
				  "%s flags %u step %d op %u: %d, twin %d",
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
		*b = TWIN_UNLOCK_UNHELD || d->held
			     ? lfk_ref_mutex_unlock(&d->y.rm)
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
		*a = sync_sems[0]->value(&d->x.s);
		*b = sync_sems[1]->value(&d->y.rs);
		break;
	}
}

static bool diff_sem_fini(struct diff *d)
{
	return lfk_sem_destroy(&d->x.s) == 0 &&
	       lfk_ref_sem_destroy(&d->y.rs) == 0;
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
		*a = sync_events[0]->is_set(&d->x.e);
		*b = sync_events[1]->is_set(&d->y.re);
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
