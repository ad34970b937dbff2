/* SPDX-License-Identifier: MIT */
/*
 * A shared region for the sync module's process scenarios (see
 * sync_region.h).
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sync_region.h"

int region_create(struct region *r)
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

void region_destroy(struct region *r)
{
	lfk_shm_close(r->shm);
	lfk_shm_unlink(r->name);
}

struct area *child_attach(const char *name)
{
	struct lfk_shm *s;
	void *p;
	size_t n;
	if (lfk_shm_open(name, &s) != 0 ||
	    lfk_shm_bytes_attach(s, "area", &p, &n) != 0 ||
	    n != sizeof(struct area))
		_exit(3);
	return p;
}

int fork_children(const struct region *r, int n, void (*fn)(const char *, int))
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
