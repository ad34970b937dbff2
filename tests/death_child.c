/* SPDX-License-Identifier: MIT */
/* Children that die at a chosen point: see death_child.h. */
#include "death_child.h"
#include "harness/lfk_procs.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The hook point armed in a child; reaching it, the child stops itself. */
static int armed_point = -1;

void lfk_ring_test_hook(enum lfk_ring_hook_point point)
{
	if ((int)point != armed_point)
		return;
	armed_point = -1;
	raise(SIGSTOP);
}

const char *lfk_death_region_name(char *buf, size_t len)
{
	static unsigned counter;
	snprintf(buf, len, "/lfk-death-%ld-%u", (long)getpid(), counter++);
	return buf;
}

static pid_t fork_armed(int point, void (*fn)(void *arg), void *arg)
{
	pid_t parent = getpid(), pid;
	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	/* Die with the test process, even if it is killed itself (a safety
	 * net only: an emulator without it still runs the test). */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(2);
	armed_point = point;
	fn(arg);
	_exit(0);
}

pid_t lfk_death_fork(void (*fn)(void *arg), void *arg)
{
	return fork_armed(-1, fn, arg);
}

bool lfk_death_kill(pid_t pid)
{
	int st = 0;
	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) != pid)
		return false;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

bool lfk_death_kill_at_hook(int point, void (*fn)(void *arg), void *arg,
			    pid_t *pid_out)
{
	int st = 0;
	pid_t pid = fork_armed(point, fn, arg);
	*pid_out = pid;
	if (pid < 0)
		return false;
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
		LFK_CHECK(0, "child did not stop at hook %d (status %#x)",
			  point, st);
		if (!WIFEXITED(st) && !WIFSIGNALED(st))
			lfk_death_kill(pid);
		return false;
	}
	return lfk_death_kill(pid);
}

bool lfk_death_kill_when(bool (*asleep)(void *arg), void (*fn)(void *arg),
			 void *arg, pid_t *pid_out)
{
	pid_t pid = lfk_death_fork(fn, arg);
	*pid_out = pid;
	if (pid < 0)
		return false;
	if (!lfk_death_eventually(asleep, arg)) {
		LFK_CHECK(0, "child never went to sleep");
		lfk_death_kill(pid);
		return false;
	}
	return lfk_death_kill(pid);
}

bool lfk_death_eventually(bool (*pred)(void *arg), void *arg)
{
	uint64_t end = lfk_now_ns() + 10000000000ull;
	while (!pred(arg)) {
		if (lfk_now_ns() > end)
			return false;
		usleep(1000);
	}
	return true;
}

struct exit_wait {
	pid_t pid;
	int status;
};

static bool child_exited(void *arg)
{
	struct exit_wait *w = arg;
	return waitpid(w->pid, &w->status, WNOHANG) != 0;
}

bool lfk_death_exits_ok(pid_t pid)
{
	struct exit_wait w = { pid, 0 };
	if (pid <= 0)
		return false;
	if (!lfk_death_eventually(child_exited, &w)) {
		lfk_death_kill(pid);
		return false;
	}
	return WIFEXITED(w.status) && WEXITSTATUS(w.status) == 0;
}

bool lfk_death_sleeping(void *pid_arg)
{
	char state;
	pid_t ppid, pgrp;
	return lfk_proc_stat(*(pid_t *)pid_arg, &state, &ppid, &pgrp) &&
	       state == 'S';
}
