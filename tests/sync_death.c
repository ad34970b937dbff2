/* SPDX-License-Identifier: MIT */
/*
 * Processes killed while holding a mutex in a shared region: the futex
 * mutex stays locked (waiters time out), the robust twin recovers.
 */
#include <errno.h>
#include <lfkit/atomic.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sync_region.h"
#include "sync_scenarios.h"

static void child_lock_and_hang(const char *name, int me)
{
	struct area *a = child_attach(name);
	(void)me;
	if (sync_mutexes[a->impl]->lock(&a->a) != 0)
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

/* Robust mutexes need the kernel's robust futex list, which qemu-user does
 * not emulate (get/set_robust_list answer ENOSYS): there a dead owner is
 * never detected and the next lock would block for good. */
static bool robust_futexes_here(void)
{
	void *head;
	size_t len;
	return syscall(SYS_get_robust_list, 0, &head, &len) == 0 ||
	       errno != ENOSYS;
}

/* Kills a holder of m, then takes m one way (0 lock, 1 timedlock, 2
 * trylock): -EOWNERDEAD, and the mutex works once unlocked. */
static void recover_one_way(struct region *r, struct lfk_ref_mutex *m, int how)
{
	int rc;
	kill_holder(r);
	rc = how == 0	? lfk_ref_mutex_lock(m)
	     : how == 1 ? lfk_ref_mutex_timedlock(m, LONG_NS)
			: lfk_ref_mutex_trylock(m);
	LFK_CHECK(rc == -EOWNERDEAD, "way %d: the next locker got %d", how, rc);
	r->area->counter++; /* "repairs" the data */
	LFK_CHECK(lfk_ref_mutex_unlock(m) == 0, "unlock after recovery");
	LFK_CHECK(lfk_ref_mutex_lock(m) == 0 && lfk_ref_mutex_unlock(m) == 0,
		  "the mutex works after recovery");
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
	int recovered = 0;
	if (!robust_futexes_here()) {
		fprintf(stderr, "process_death_ref_mutex_recovers: skipped, no "
				"robust futex list here (qemu-user?)\n");
		return 0;
	}
	if (region_create(&r) != 0)
		return 1;
	r.area->impl = 1;
	m = &r.area->a.rm;
	LFK_CHECK(lfk_ref_mutex_init(m, LFK_SYNC_SHARED) == 0, "init");
	for (int how = 0; how < 3; how++) {
#if defined(LFK_TSAN)
		/* TSan's pthread_mutex_timedlock interceptor does not count a
		 * lock taken with EOWNERDEAD as held (its lock and trylock
		 * interceptors do), so TSan builds leave that way out. */
		if (how == 1)
			continue;
#endif
		recover_one_way(&r, m, how);
		recovered++;
	}
	fork_children(&r, 2, child_counter);
	LFK_CHECK(r.area->counter == (uint64_t)recovered + r.area->done[0] +
					     r.area->done[1],
		  "counting after the recoveries");
	lfk_ref_mutex_destroy(m);
	region_destroy(&r);
	return 0;
}
