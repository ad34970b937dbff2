/* SPDX-License-Identifier: MIT */
/*
 * Bad input to the futex mutex, semaphore and event and their pthread
 * twins, as tables: a row names a call, and the result it must give.  The
 * rows of the first table run on both implementations (through their
 * operation tables), those of the second on the named calls.  One loop
 * runs a table on a zeroed object and names the failing row.
 */
#include <limits.h>
#include <string.h>

#include "sync_ops.h"
#include "sync_scenarios.h"

/* What a row gives when a step before its call failed. */
#define SETUP_FAILED INT_MIN
#define AFTER(setup, call) ((setup) == 0 ? (call) : SETUP_FAILED)

struct bad_row {
	const char *name;
	int (*call)(int impl, union any_sync *o);
	int want;
};

/* who: the implementation the rows ran on, for the message */
static void run_rows(const struct bad_row *rows, size_t n, int impl,
		     const char *who)
{
	union any_sync o;
	for (size_t r = 0; r < n; r++) {
		int rc;
		memset(&o, 0, sizeof(o)); /* never initialized */
		rc = rows[r].call(impl, &o);
		LFK_CHECK(rc == rows[r].want, "%s: %s: %d, expected %d", who,
			  rows[r].name, rc, rows[r].want);
	}
}

/* ---- both implementations ----------------------------------------------- */

/* Twin unlock of an unlocked mutex: see TWIN_UNLOCK_UNHELD. */
#define UNLOCK_UNHELD(i, m)                                                    \
	((i) == 1 && !TWIN_UNLOCK_UNHELD ? -EPERM                              \
					 : AFTER(m->init(o, 0), m->unlock(o)))
#define SEM_NEAR_MAX(s) s->init(o, 0, LFK_SEM_VALUE_MAX - 1)

/* X(id, call, expected): m, s, e are implementation i's operations, o a
 * zeroed object. */
#define EACH_IMPL_ROWS(X)                                                      \
	X(mutex_init_null, m->init(NULL, 0), -EINVAL)                          \
	X(sem_init_null, s->init(NULL, 0, 0), -EINVAL)                         \
	X(event_init_null, e->init(NULL, 0), -EINVAL)                          \
	X(mutex_unknown_flags, m->init(o, 2), -EINVAL)                         \
	X(sem_unknown_flags, s->init(o, 0x80, 1), -EINVAL)                     \
	X(event_unknown_flags, e->init(o, ~0u), -EINVAL)                       \
	X(sem_value_above_max, s->init(o, 0, LFK_SEM_VALUE_MAX + 1u), -EINVAL) \
	X(mutex_lock_null, m->lock(NULL), -EINVAL)                             \
	X(mutex_trylock_null, m->trylock(NULL), -EINVAL)                       \
	X(mutex_timedlock_null, m->timedlock(NULL, 5), -EINVAL)                \
	X(mutex_unlock_null, m->unlock(NULL), -EINVAL)                         \
	X(sem_wait_null, s->wait(NULL, 0), -EINVAL)                            \
	X(sem_trywait_null, s->trywait(NULL), -EINVAL)                         \
	X(sem_post_null, s->post(NULL), -EINVAL)                               \
	X(sem_value_null, s->value(NULL), -EINVAL)                             \
	X(event_set_null, e->set(NULL), -EINVAL)                               \
	X(event_clear_null, e->clear(NULL), -EINVAL)                           \
	X(event_is_set_null, e->is_set(NULL), -EINVAL)                         \
	X(event_wait_null, e->wait(NULL, 0), -EINVAL)                          \
	X(mutex_destroy_null, m->destroy(NULL), -EINVAL)                       \
	X(sem_destroy_null, s->destroy(NULL), -EINVAL)                         \
	X(event_destroy_null, e->destroy(NULL), -EINVAL)                       \
	X(zeroed_mutex_lock, m->lock(o), -EINVAL)                              \
	X(zeroed_mutex_unlock, m->unlock(o), -EINVAL)                          \
	X(zeroed_sem_post, s->post(o), -EINVAL)                                \
	X(zeroed_sem_wait, s->wait(o, LFK_FOREVER), -EINVAL)                   \
	X(zeroed_event_set, e->set(o), -EINVAL)                                \
	X(zeroed_event_wait, e->wait(o, LFK_FOREVER), -EINVAL)                 \
	X(unlock_of_an_unlocked_mutex, UNLOCK_UNHELD(i, m), -EPERM)            \
	X(sem_post_to_the_max, AFTER(SEM_NEAR_MAX(s), s->post(o)), 0)          \
	X(sem_post_past_the_max,                                               \
	  AFTER(SEM_NEAR_MAX(s), AFTER(s->post(o), s->post(o))), -EOVERFLOW)   \
	X(sem_value_after_a_refused_post,                                      \
	  AFTER(SEM_NEAR_MAX(s),                                               \
		AFTER(s->post(o), (s->post(o), s->value(o)))),                 \
	  (int)LFK_SEM_VALUE_MAX)

#define EACH_IMPL_THUNK(id, call, want)                                        \
	static int bad_##id(int i, union any_sync *o)                          \
	{                                                                      \
		const struct mutex_ops *m = sync_mutexes[i];                   \
		const struct sem_ops *s = sync_sems[i];                        \
		const struct event_ops *e = sync_events[i];                    \
		(void)m, (void)s, (void)e, (void)o;                            \
		return call;                                                   \
	}
EACH_IMPL_ROWS(EACH_IMPL_THUNK)

#define ROW(id, call, want) { #id, bad_##id, want },
static const struct bad_row each_impl_rows[] = { EACH_IMPL_ROWS(ROW) };

/* ---- named calls ---------------------------------------------------------- */

static int destroy_locked_mutex(int i, union any_sync *o)
{
	int rc;
	(void)i;
	if (lfk_mutex_init(&o->m, 0) != 0 || lfk_mutex_lock(&o->m) != 0)
		return SETUP_FAILED;
	rc = lfk_mutex_destroy(&o->m);
	lfk_mutex_unlock(&o->m);
	return rc;
}

static int mutex_use_after_destroy(int i, union any_sync *o)
{
	(void)i;
	return AFTER(lfk_mutex_init(&o->m, 0),
		     AFTER(lfk_mutex_destroy(&o->m), lfk_mutex_lock(&o->m)));
}

static int sem_use_after_destroy(int i, union any_sync *o)
{
	(void)i;
	return AFTER(lfk_sem_init(&o->s, 0, 1),
		     AFTER(lfk_sem_destroy(&o->s), lfk_sem_trywait(&o->s)));
}

static int event_use_after_destroy(int i, union any_sync *o)
{
	(void)i;
	return AFTER(lfk_event_init(&o->e, 0),
		     AFTER(lfk_event_destroy(&o->e),
			   lfk_event_is_set(&o->e, &(bool){ false })));
}

static int sem_value_null_out(int i, union any_sync *o)
{
	(void)i;
	return AFTER(lfk_sem_init(&o->s, 0, 1), lfk_sem_value(&o->s, NULL));
}

static int event_is_set_null_out(int i, union any_sync *o)
{
	(void)i;
	return AFTER(lfk_event_init(&o->e, 0), lfk_event_is_set(&o->e, NULL));
}

/* The twins' queries, then their destroy (which must succeed). */
static int ref_sem_value_null_out(int i, union any_sync *o)
{
	int rc = AFTER(lfk_ref_sem_init(&o->rs, 0, 1),
		       lfk_ref_sem_value(&o->rs, NULL));
	(void)i;
	return AFTER(lfk_ref_sem_destroy(&o->rs), rc);
}

static int ref_event_is_set_null_out(int i, union any_sync *o)
{
	int rc = AFTER(lfk_ref_event_init(&o->re, 0),
		       lfk_ref_event_is_set(&o->re, NULL));
	(void)i;
	return AFTER(lfk_ref_event_destroy(&o->re), rc);
}

static const struct bad_row named_rows[] = {
	{ "destroy of a locked mutex", destroy_locked_mutex, -EBUSY },
	{ "mutex use after destroy", mutex_use_after_destroy, -EINVAL },
	{ "sem use after destroy", sem_use_after_destroy, -EINVAL },
	{ "event use after destroy", event_use_after_destroy, -EINVAL },
	{ "sem value, NULL out-pointer", sem_value_null_out, -EINVAL },
	{ "event is_set, NULL out-pointer", event_is_set_null_out, -EINVAL },
	{ "twin sem value, NULL out-pointer", ref_sem_value_null_out, -EINVAL },
	{ "twin event is_set, NULL out-pointer", ref_event_is_set_null_out,
	  -EINVAL },
};

int lfk_scn_bad_input(void)
{
	static const char *const who[NIMPL] = { "lfk_*", "lfk_ref_*" };
	for (int i = 0; i < NIMPL; i++)
		run_rows(each_impl_rows,
			 sizeof(each_impl_rows) / sizeof(each_impl_rows[0]), i,
			 who[i]);
	run_rows(named_rows, sizeof(named_rows) / sizeof(named_rows[0]), 0,
		 "named");
	return 0;
}
