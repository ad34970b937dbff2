/* SPDX-License-Identifier: MIT */
/*
 * A region's backing store and its creation: the store is reserved at create
 * (-ENOSPC up front, not SIGBUS at first touch), a file truncated under a
 * mapping is refused at attach (-EPROTO, not SIGBUS), a region being created
 * is reported as -EAGAIN (never -EPROTO), and a creator that died half way
 * leaves a name a later create reclaims.
 */
#include "shm_scenarios.h"

#include <errno.h>
#include <fcntl.h>
#include <lfkit/shm.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/shm_layout.h"

static const char *name_of(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "/lfk-test-%s-%ld", what, (long)getpid());
	return buf;
}

int lfk_scn_create_reserves_backing_store(void)
{
	char name[64];
	struct lfk_shm *s = NULL;
	int rc;
	struct statvfs fs;
	name_of(name, sizeof(name), "reserve");
	/* 2^40 bytes, more than the tmpfs under POSIX shared memory holds:
	 * without a reservation create succeeds and the first touch of a far
	 * page is a SIGBUS.  (Where /dev/shm is unbounded, or holds 2^40
	 * bytes, the reservation would succeed and really take the memory.) */
	if (statvfs("/dev/shm", &fs) != 0 || fs.f_blocks == 0 ||
	    fs.f_blocks >= ((uint64_t)1 << 40) / fs.f_frsize) {
		printf("create_reserves_backing_store: /dev/shm too large, "
		       "skipped\n");
		return 0;
	}
	rc = lfk_shm_create(name, (size_t)1 << 40, 0600, &s);
	LFK_CHECK(rc == -ENOSPC, "create of 2^40 bytes gave %d, not -ENOSPC",
		  rc);
	if (rc == 0) {
		lfk_shm_close(s);
		lfk_shm_unlink(name);
	}
	LFK_CHECK(lfk_shm_open(name, &s) == -ENOENT,
		  "a failed create left its name behind");
	return 0;
}

/* Truncates the region's file to `bytes` behind the mapping's back. */
static bool truncate_region(const char *name, off_t bytes)
{
	int fd = shm_open(name, O_RDWR, 0);
	bool ok = fd >= 0 && ftruncate(fd, bytes) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

int lfk_scn_attach_after_truncate(void)
{
	char name[64];
	struct lfk_shm *s, *o;
	struct lfk_seqarray *a;
	struct lfk_queue *q;
	void *p;
	size_t n;
	name_of(name, sizeof(name), "trunc");
	if (lfk_shm_create(name, 1 << 20, 0600, &s) != 0)
		return 1;
	LFK_CHECK(lfk_shm_seqarray_create(s, "table", 64, 64, &a) == 0,
		  "seqarray");
	LFK_CHECK(lfk_shm_queue_create(s, "queue", LFK_RING_MPMC, 64, 8, &q) ==
			  0,
		  "queue");
	LFK_CHECK(lfk_shm_open(name, &o) == 0, "open");
	/* Every page past the first is gone: attaching and creating through
	 * either mapping must answer -EPROTO instead of touching them. */
	LFK_CHECK(truncate_region(name, 4096), "truncate");
	LFK_CHECK(lfk_shm_seqarray_attach(o, "table", &a) == -EPROTO,
		  "seqarray attach on a truncated region");
	LFK_CHECK(lfk_shm_queue_attach(o, "queue", &q) == -EPROTO,
		  "queue attach on a truncated region");
	LFK_CHECK(lfk_shm_bytes_create(s, "more", 64, &p) == -EPROTO,
		  "create on a truncated region");
	LFK_CHECK(lfk_shm_bytes_attach(o, "more", &p, &n) == -EPROTO,
		  "bytes attach on a truncated region");
	lfk_shm_close(o);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

/* One thread creates, unlinks and closes one name over and over while
 * another opens it. */
struct race {
	char name[64];
	struct lfk_bound bound; /* rounds of the creator */
	uint64_t running;
	uint64_t bad_rc; /* the first open result that is not allowed */
};

static void racing_creator(void *arg, int index)
{
	struct race *r = arg;
	struct lfk_shm *s;
	(void)index;
	for (uint64_t i = 0; !lfk_bound_done(&r->bound, i); i++) {
		if (lfk_shm_create(r->name, 1 << 16, 0600, &s) == 0) {
			lfk_shm_unlink(r->name);
			lfk_shm_close(s);
		}
	}
	/* Pairs with the opener's acquire: no more rounds. */
	lfk_atomic_store_u64(&r->running, 0, LFK_RELEASE);
}

static void racing_opener(void *arg, int index)
{
	struct race *r = arg;
	struct lfk_shm *s;
	(void)index;
	/* Acquire pairs with the creator's release: it has finished. */
	while (lfk_atomic_load_u64(&r->running, LFK_ACQUIRE) != 0) {
		int rc = lfk_shm_open(r->name, &s);
		if (rc == 0)
			lfk_shm_close(s);
		else if (rc != -ENOENT && rc != -EAGAIN && r->bad_rc == 0) {
			r->bad_rc = (uint64_t)-rc;
		}
	}
}

int lfk_scn_open_racing_create(void)
{
	/* A create costs system calls: a fiftieth of the items. */
	struct race r = { .bound = lfk_bound_scaled(50), .running = 1 };
	name_of(r.name, sizeof(r.name), "race");
	lfk_run_threads2(1, racing_creator, 1, racing_opener, &r);
	LFK_CHECK(r.bad_rc == 0, "open racing create gave -%llu",
		  (unsigned long long)r.bad_rc);
	lfk_shm_unlink(r.name);
	return 0;
}

/* The child stops itself at create step `stop_at`. */
static int stop_at = -1;

static void stop_here(int step)
{
	if (step == stop_at)
		raise(SIGSTOP);
}

/* The region a create reclaimed from a dead creator is usable. */
static void reclaimed_region_works(const char *name, struct lfk_shm *s,
				   int step)
{
	struct lfk_shm *o;
	void *p;
	LFK_CHECK(lfk_shm_bytes_create(s, "b", 1 << 16, &p) == 0,
		  "step %d: the reclaimed region is usable", step);
	LFK_CHECK(lfk_shm_open(name, &o) == 0 &&
			  lfk_shm_size(o) == lfk_shm_size(s),
		  "step %d: open of the reclaimed region", step);
	lfk_shm_close(o);
	lfk_shm_close(s);
}

/* The creator stopped at `step`, then killed: the name reads as being
 * created while it lives and after it died, and a create reclaims it. */
static void creator_killed_at(const char *name, int step)
{
	struct lfk_shm *s;
	int status, rc;
	pid_t pid = fork();
	if (pid == 0) {
		struct lfk_shm *mine;
		stop_at = step;
		lfk__shm_create_hook = stop_here;
		_exit(lfk_shm_create(name, 1 << 16, 0600, &mine) == 0 ? 0 : 1);
	}
	if (pid < 0) {
		LFK_CHECK(false, "step %d: fork", step);
		return;
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		LFK_CHECK(false, "step %d: the creator did not stop", step);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return;
	}
	rc = lfk_shm_open(name, &s);
	LFK_CHECK(rc == -EAGAIN, "step %d: open while being created: %d", step,
		  rc);
	rc = lfk_shm_create(name, 1 << 16, 0600, &s);
	LFK_CHECK(rc == -EEXIST,
		  "step %d: create while a live creator works: %d", step, rc);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	rc = lfk_shm_open(name, &s);
	LFK_CHECK(rc == -EAGAIN, "step %d: open after the creator died: %d",
		  step, rc);
	rc = lfk_shm_create(name, 1 << 17, 0600, &s);
	LFK_CHECK(rc == 0, "step %d: create did not reclaim the name: %d", step,
		  rc);
	if (rc == 0)
		reclaimed_region_works(name, s, step);
	lfk_shm_unlink(name);
}

int lfk_scn_creator_killed_mid_create(void)
{
	char name[64];
	name_of(name, sizeof(name), "dead-creator");
	for (int step = LFK__SHM_STEP_CLAIMED; step <= LFK__SHM_STEP_HEADER;
	     step++)
		creator_killed_at(name, step);
	return 0;
}
