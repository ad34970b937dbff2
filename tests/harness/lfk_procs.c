/* SPDX-License-Identifier: MIT */
#include "lfk_procs.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lfk_test.h"

#define MAX_CHILDREN 256

/* Slots reserved by lfk_fork in forking order (0 until the pid is known);
 * read by the watchdog's signal handler, hence atomics throughout. */
static pid_t children[MAX_CHILDREN];
static int nchildren;

static void kill_at_exit(void)
{
	lfk_children_kill();
}

static void register_at_exit(void)
{
	atexit(kill_at_exit);
}

pid_t lfk_fork(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pid_t parent = getpid(), pid;
	int n;
	pthread_once(&once, register_at_exit);
	n = __atomic_fetch_add(&nchildren, 1, __ATOMIC_RELAXED);
	if (n >= MAX_CHILDREN) {
		errno = EAGAIN;
		return -1;
	}
	fflush(NULL); /* buffered output must not be written twice */
	pid = fork();
	if (pid == 0) {
		/* The child inherited the parent's list and exit handler; its
		 * own children are its business, so it forgets the list. */
		__atomic_store_n(&nchildren, 0, __ATOMIC_RELAXED);
		setpgid(0, 0);
		/* Best effort (an emulator may not pass it on): the runner's
		 * kill on the way out still covers every other path.  If the
		 * parent died before this, the signal will not come. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		return 0;
	}
	if (pid < 0)
		return pid;
	/* Also here: whichever side runs first, the group exists before
	 * anyone may kill it. */
	setpgid(pid, pid);
	/* Relaxed: the handler runs in this process and skips a 0 slot. */
	__atomic_store_n(&children[n], pid, __ATOMIC_RELAXED);
	return pid;
}

int lfk_children_kill(void)
{
	int n = __atomic_load_n(&nchildren, __ATOMIC_RELAXED), running = 0;
	int saved = errno;
	if (n > MAX_CHILDREN)
		n = MAX_CHILDREN;
	for (int i = 0; i < n; i++) {
		pid_t pid = __atomic_load_n(&children[i], __ATOMIC_RELAXED);
		/* waitpid 0: still running (or stopped).  Otherwise reaped
		 * already (ECHILD) or just now: its group may be gone. */
		if (pid <= 0 || waitpid(pid, NULL, WNOHANG) != 0)
			continue;
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		running++;
	}
	errno = saved;
	return running;
}

void lfk_children_check(void)
{
	int running = lfk_children_kill();
	LFK_CHECK(running == 0,
		  "%d child process(es) still running after the "
		  "scenario: killed",
		  running);
	for (int i = 0; i < MAX_CHILDREN; i++)
		__atomic_store_n(&children[i], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&nchildren, 0, __ATOMIC_RELAXED);
}

bool lfk_proc_stat(pid_t pid, char *state, pid_t *ppid, pid_t *pgrp)
{
	char path[64], buf[512], *p;
	int ppid_i, pgrp_i;
	FILE *f;
	size_t n;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces: the fields follow the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL ||
	    sscanf(p + 1, " %c %d %d", state, &ppid_i, &pgrp_i) != 3)
		return false;
	*ppid = ppid_i;
	*pgrp = pgrp_i;
	return true;
}
