/* SPDX-License-Identifier: MIT */
/*
 * Futex mutex, semaphore and event (<lfkit/sync.h> documents the API and
 * the design).  Every object carries a tag word written by init: its kind
 * in the high bits and LFK_SYNC_SHARED in bit 0, which picks private or
 * shared futexes.  The tag is written once before the object is shared and
 * read-only afterwards, so it is read as plain memory.
 */
#include <lfkit/sync.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <lfkit/atomic.h>

#include "lib/deadline.h"
#include "lib/futex.h"

#define TAG_MUTEX 0x6c664d00u /* "lfM" */
#define TAG_SEM 0x6c665300u /* "lfS" */
#define TAG_EVENT 0x6c664500u /* "lfE" */

static bool tag_is(uint32_t tag, uint32_t kind)
{
	return (tag & ~LFK_SYNC_SHARED) == kind;
}

static bool shared(uint32_t tag)
{
	return (tag & LFK_SYNC_SHARED) != 0;
}

/* A futex word must be 4-byte aligned (FUTEX_WAIT fails with EINVAL
 * otherwise, long after init said yes), and atomics on a misaligned word may
 * tear: init refuses such memory. */
static bool misaligned(const void *obj, size_t align)
{
	return (uintptr_t)obj % align != 0;
}

static int make_tag(uint32_t *tag, unsigned flags, uint32_t kind)
{
	if ((flags & ~LFK_SYNC_SHARED) != 0)
		return -EINVAL;
	*tag = kind | flags;
	return 0;
}

/* A futex wait's outcome that ends the wait with an error: anything but
 * woken (0), value changed (-EAGAIN), signal (-EINTR) and -ETIMEDOUT. */
static bool futex_failed(int rc)
{
	return rc != 0 && rc != -EAGAIN && rc != -EINTR && rc != -ETIMEDOUT;
}

/*
 * The deadline of one sleep of a shared semaphore or event waiter: the
 * caller's, but at most LFK_SYNC_POLL_NS away.  A process killed between
 * post's or set's update and its FUTEX_WAKE leaves the unit or the flag in
 * the word with nobody to wake the sleepers; a shared waiter therefore
 * looks again after each slice, so it sees the update at most one slice
 * late instead of never.  *sliced says whether the slice, not the caller's
 * deadline, ends this sleep (its -ETIMEDOUT is then only a look again).
 * Private objects die with their whole process: no slices.
 */
static const struct timespec *sleep_until(uint32_t tag,
					  const struct timespec *deadline,
					  struct timespec *slice, bool *sliced)
{
	*sliced = false;
	if (!shared(tag))
		return deadline;
	lfk__deadline(LFK_SYNC_POLL_NS, slice);
	if (deadline != NULL && (deadline->tv_sec < slice->tv_sec ||
				 (deadline->tv_sec == slice->tv_sec &&
				  deadline->tv_nsec <= slice->tv_nsec)))
		return deadline;
	*sliced = true;
	return slice;
}

/* A futex wait of a sem or event sleeper, with the slicing above. */
static int sleep_on(uint32_t *word, uint32_t val, uint32_t tag,
		    const struct timespec *deadline)
{
	struct timespec slice;
	bool sliced;
	const struct timespec *until =
		sleep_until(tag, deadline, &slice, &sliced);
	int rc = lfk__futex_wait(word, val, until, shared(tag));
	return sliced && rc == -ETIMEDOUT ? 0 : rc;
}

/* ---- mutex: Drepper's "mutex3" ------------------------------------------ */

int lfk_mutex_init(struct lfk_mutex *m, unsigned flags)
{
	if (m == NULL || misaligned(m, _Alignof(struct lfk_mutex)))
		return -EINVAL;
	m->state = 0;
	return make_tag(&m->tag, flags, TAG_MUTEX);
}

int lfk_mutex_destroy(struct lfk_mutex *m)
{
	if (m == NULL || !tag_is(m->tag, TAG_MUTEX))
		return -EINVAL;
	if (lfk_atomic_load_u32(&m->state, LFK_RELAXED) != 0)
		return -EBUSY;
	m->tag = 0;
	return 0;
}

static int mutex_lock(struct lfk_mutex *m, uint64_t timeout_ns)
{
	struct timespec ts;
	const struct timespec *deadline;
	uint32_t c = 0;
	if (m == NULL || !tag_is(m->tag, TAG_MUTEX))
		return -EINVAL;
	/* Acquire: pairs with the release exchange of the last unlock. */
	if (lfk_atomic_cas_u32(&m->state, &c, 1, LFK_ACQUIRE))
		return 0;
	if (timeout_ns == 0)
		return -EAGAIN; /* timeout 0 never blocks */
	deadline = lfk__deadline(timeout_ns, &ts);
	/* From here on the word says 2 whenever this thread may sleep, so the
	 * holder's unlock wakes somebody.  Acquire: if the exchange finds 0
	 * this thread owns the lock (pairs with the unlock's release). */
	if (c != 2)
		c = lfk_atomic_exchange_u32(&m->state, 2, LFK_ACQUIRE);
	while (c != 0) {
		int rc =
			lfk__futex_wait(&m->state, 2, deadline, shared(m->tag));
		if (rc == -ETIMEDOUT || futex_failed(rc))
			return rc;
		/* Acquire: as above. */
		c = lfk_atomic_exchange_u32(&m->state, 2, LFK_ACQUIRE);
	}
	return 0;
}

int lfk_mutex_lock(struct lfk_mutex *m)
{
	return mutex_lock(m, LFK_FOREVER);
}

int lfk_mutex_timedlock(struct lfk_mutex *m, uint64_t timeout_ns)
{
	return mutex_lock(m, timeout_ns);
}

int lfk_mutex_trylock(struct lfk_mutex *m)
{
	return mutex_lock(m, 0);
}

int lfk_mutex_unlock(struct lfk_mutex *m)
{
	uint32_t old;
	if (m == NULL || !tag_is(m->tag, TAG_MUTEX))
		return -EINVAL;
	/* Release: publishes the critical section to the next locker. */
	old = lfk_atomic_exchange_u32(&m->state, 0, LFK_RELEASE);
	if (old == 0)
		return -EPERM; /* it was not locked; 0 over 0 changed nothing */
	if (old == 2)
		lfk__futex_wake(&m->state, 1, shared(m->tag));
	return 0;
}

/* ---- semaphore ---------------------------------------------------------- */

int lfk_sem_init(struct lfk_sem *s, unsigned flags, uint32_t value)
{
	if (s == NULL || misaligned(s, _Alignof(struct lfk_sem)) ||
	    value > LFK_SEM_VALUE_MAX)
		return -EINVAL;
	s->value = value;
	s->sleepers = 0;
	s->pad = 0;
	return make_tag(&s->tag, flags, TAG_SEM);
}

int lfk_sem_destroy(struct lfk_sem *s)
{
	if (s == NULL || !tag_is(s->tag, TAG_SEM))
		return -EINVAL;
	s->tag = 0;
	return 0;
}

/* Takes a unit if v, the value last seen, says there is one; retries while
 * others change the value and units remain. */
static bool sem_take(struct lfk_sem *s, uint32_t v)
{
	while (v > 0) {
		/* Acquire: pairs with the release of the post of this unit. */
		if (lfk_atomic_cas_weak_u32(&s->value, &v, v - 1, LFK_ACQUIRE))
			return true;
	}
	return false;
}

int lfk_sem_trywait(struct lfk_sem *s)
{
	if (s == NULL || !tag_is(s->tag, TAG_SEM))
		return -EINVAL;
	return sem_take(s, lfk_atomic_load_u32(&s->value, LFK_RELAXED))
		       ? 0
		       : -EAGAIN;
}

int lfk_sem_wait(struct lfk_sem *s, uint64_t timeout_ns)
{
	struct timespec ts;
	const struct timespec *deadline;
	int rc = 0;
	if (s == NULL || !tag_is(s->tag, TAG_SEM))
		return -EINVAL;
	if (sem_take(s, lfk_atomic_load_u32(&s->value, LFK_RELAXED)))
		return 0;
	if (timeout_ns == 0)
		return -EAGAIN; /* timeout 0 never blocks */
	deadline = lfk__deadline(timeout_ns, &ts);
	/* Seq_cst, with the load below: a Dekker pair with post's value RMW
	 * and sleepers load, so that either post sees this sleeper or this
	 * thread sees the new unit. */
	lfk_atomic_fetch_add_u32(&s->sleepers, 1, LFK_SEQ_CST);
	for (;;) {
		/* Seq_cst: the second half of the Dekker pair above. */
		if (sem_take(s, lfk_atomic_load_u32(&s->value, LFK_SEQ_CST))) {
			rc = 0;
			break;
		}
		if (rc == -ETIMEDOUT)
			break; /* a last look after the deadline, then stop */
		rc = sleep_on(&s->value, 0, s->tag, deadline);
		if (futex_failed(rc))
			break;
	}
	/* Relaxed: only post's wake decision reads it, and a stale non-zero
	 * costs a spurious wake at most. */
	lfk_atomic_fetch_sub_u32(&s->sleepers, 1, LFK_RELAXED);
	return rc;
}

int lfk_sem_post(struct lfk_sem *s)
{
	uint32_t v;
	if (s == NULL || !tag_is(s->tag, TAG_SEM))
		return -EINVAL;
	v = lfk_atomic_load_u32(&s->value, LFK_RELAXED);
	do {
		if (v >= LFK_SEM_VALUE_MAX)
			return -EOVERFLOW;
		/* Seq_cst: releases the unit to its taker, and orders the
		 * sleepers load below after it (Dekker pair with wait). */
	} while (!lfk_atomic_cas_weak_u32(&s->value, &v, v + 1, LFK_SEQ_CST));
	/* Seq_cst: see above. */
	if (lfk_atomic_load_u32(&s->sleepers, LFK_SEQ_CST) != 0)
		lfk__futex_wake(&s->value, 1, shared(s->tag));
	return 0;
}

int lfk_sem_value(const struct lfk_sem *s, uint32_t *value)
{
	if (s == NULL || value == NULL || !tag_is(s->tag, TAG_SEM))
		return -EINVAL;
	/* relaxed: a snapshot, it orders nothing */
	*value = lfk_atomic_load_u32(&s->value, LFK_RELAXED);
	return 0;
}

/* ---- event -------------------------------------------------------------- */

#define EV_SET 1u
#define EV_SLEEPERS 2u
#define EV_GEN_ONE 4u
#define EV_GEN(s) ((s) & ~(EV_SET | EV_SLEEPERS))

int lfk_event_init(struct lfk_event *e, unsigned flags)
{
	if (e == NULL || misaligned(e, _Alignof(struct lfk_event)))
		return -EINVAL;
	e->state = 0;
	return make_tag(&e->tag, flags, TAG_EVENT);
}

int lfk_event_destroy(struct lfk_event *e)
{
	if (e == NULL || !tag_is(e->tag, TAG_EVENT))
		return -EINVAL;
	e->tag = 0;
	return 0;
}

int lfk_event_set(struct lfk_event *e)
{
	uint32_t s, n;
	if (e == NULL || !tag_is(e->tag, TAG_EVENT))
		return -EINVAL;
	s = lfk_atomic_load_u32(&e->state, LFK_RELAXED);
	do {
		/* A set event is written back unchanged: still a release RMW,
		 * so this setter's earlier writes reach later waiters too. */
		n = (s & EV_SET) ? s : (EV_GEN(s) + EV_GEN_ONE) | EV_SET;
		/* Release: pairs with the acquire loads of wait and is_set. */
	} while (!lfk_atomic_cas_weak_u32(&e->state, &s, n, LFK_RELEASE));
	if (s & EV_SLEEPERS)
		lfk__futex_wake(&e->state, INT_MAX, shared(e->tag));
	return 0;
}

int lfk_event_clear(struct lfk_event *e)
{
	if (e == NULL || !tag_is(e->tag, TAG_EVENT))
		return -EINVAL;
	/* Relaxed: clearing publishes nothing; as an RMW it stays in the
	 * release sequence of the set before it. */
	lfk_atomic_fetch_and_u32(&e->state, ~EV_SET, LFK_RELAXED);
	return 0;
}

int lfk_event_is_set(const struct lfk_event *e, bool *set)
{
	if (e == NULL || set == NULL || !tag_is(e->tag, TAG_EVENT))
		return -EINVAL;
	/* Acquire: pairs with set's release. */
	*set = (lfk_atomic_load_u32(&e->state, LFK_ACQUIRE) & EV_SET) != 0;
	return 0;
}

int lfk_event_wait(struct lfk_event *e, uint64_t timeout_ns)
{
	struct timespec ts;
	const struct timespec *deadline;
	uint32_t s, gen;
	int rc = 0;
	if (e == NULL || !tag_is(e->tag, TAG_EVENT))
		return -EINVAL;
	/* Acquire: pairs with set's release (here and below). */
	s = lfk_atomic_load_u32(&e->state, LFK_ACQUIRE);
	if (s & EV_SET)
		return 0;
	if (timeout_ns == 0)
		return -EAGAIN; /* timeout 0 never blocks */
	deadline = lfk__deadline(timeout_ns, &ts);
	gen = EV_GEN(s);
	for (;;) {
		/* Announce a sleeper before sleeping, so that set wakes us;
		 * a failed CAS reloads s and is checked like a wake-up.
		 * Acquire: as above. */
		if ((s & EV_SLEEPERS) ||
		    lfk_atomic_cas_u32(&e->state, &s, s | EV_SLEEPERS,
				       LFK_ACQUIRE)) {
			rc = sleep_on(&e->state, s | EV_SLEEPERS, e->tag,
				      deadline);
			if (futex_failed(rc))
				return rc;
			/* Pairs with set's release: what the setter wrote
			 * before set is visible once we see the flag. */
			s = lfk_atomic_load_u32(&e->state, LFK_ACQUIRE);
		}
		if ((s & EV_SET) || EV_GEN(s) != gen)
			return 0;
		if (rc == -ETIMEDOUT)
			return rc;
	}
}
