/* SPDX-License-Identifier: MIT */
/* One scenario in a child process: start it in a process group of its own,
 * capture what it prints, enforce a deadline, and afterwards kill whatever
 * it left behind (a scenario must leave no process, even when it fails). */
#include "stress.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness/lfk_procs.h"
#include "tests/harness/lfk_threads.h"

static volatile sig_atomic_t interrupt_signal;

static void on_interrupt(int sig)
{
	interrupt_signal = sig;
}

bool stress_interrupted(void)
{
	return interrupt_signal != 0;
}

int stress_child_setup(void)
{
	struct sigaction sa;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	/* Orphans of a scenario (children whose parent died) come to us, not
	 * to init, so that the sweep below finds them. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() returns at once, and the child is killed. */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -errno;
	return 0;
}

/* The parent pid and process group of a process, from /proc/<pid>/stat
 * ("pid (comm) state ppid pgrp ..."; comm may hold spaces and parens, so
 * parse from its last ')').  Zombies are skipped: they are dead already. */
static bool proc_parent_group(pid_t pid, pid_t *ppid, pid_t *pgrp)
{
	char state;
	return lfk_proc_stat(pid, &state, ppid, pgrp) && state != 'Z';
}

/* Sends SIGKILL to every live process of group pgid or child of ours;
 * records new ones in seen[] (distinct pids).  Returns how many it hit. */
static int kill_round(pid_t pgid, pid_t *seen, int *nseen, int cap)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t me = getpid();
	int hit = 0;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		pid_t pid, ppid, pgrp;
		int i;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = (pid_t)atoi(e->d_name);
		if (pid == me || !proc_parent_group(pid, &ppid, &pgrp))
			continue;
		if (pgrp != pgid && ppid != me)
			continue;
		kill(pid, SIGKILL);
		hit++;
		for (i = 0; i < *nseen && seen[i] != pid; i++)
			;
		if (i == *nseen && *nseen < cap)
			seen[(*nseen)++] = pid;
	}
	closedir(d);
	return hit;
}

/* Kills and reaps everything left of a scenario; returns how many
 * processes there were.  Killing one may orphan its children to us, so it
 * goes round until a scan finds nothing. */
static int sweep(pid_t pgid)
{
	pid_t seen[1024];
	int nseen = 0;
	for (int round = 0; round < 1000; round++) {
		int hit = kill_round(pgid, seen, &nseen, 1024);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (hit == 0)
			break;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	return nseen;
}

/* Appends what is readable on fd to c->out; false at end of file. */
static bool drain(int fd, struct stress_child *c, size_t *cap)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	if (c->out_len + (size_t)n + 1 > *cap) {
		size_t want = (*cap ? *cap : 8192);
		char *p;
		while (want < c->out_len + (size_t)n + 1)
			want *= 2;
		p = realloc(c->out, want);
		if (p == NULL)
			return true; /* keep what we have; drop the rest */
		c->out = p;
		*cap = want;
	}
	memcpy(c->out + c->out_len, buf, (size_t)n);
	c->out_len += (size_t)n;
	c->out[c->out_len] = '\0';
	return true;
}

static void start_child(char *const argv[], int out_fd)
{
	setpgid(0, 0);
	/* Dies with lfk-stress, even when that is killed outright. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(127);
	close(out_fd);
	execv(argv[0], argv);
	fprintf(stderr, "lfk-stress: cannot run %s: %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

/* Records how the child ended, from waitid's siginfo. */
static void record_end(const siginfo_t *si, struct stress_child *c)
{
	bool killed = si->si_code != CLD_EXITED;
	c->exit_code = killed ? -1 : si->si_status;
	c->signal = killed ? si->si_status : 0;
}

/* Collects the child's output until it ends, killing its group at the
 * deadline or on an interrupt.  Leaves it a zombie (WNOWAIT): the pid, and
 * so the group id, stays ours while the sweep looks for what is left of
 * the group.  Returns whether the output is still open. */
static bool watch(pid_t pid, int out_fd, uint64_t deadline,
		  struct stress_child *c, size_t *cap)
{
	bool open_out = true;
	for (;;) {
		siginfo_t si;
		struct pollfd p = { .fd = out_fd, .events = POLLIN };
		if (open_out && poll(&p, 1, 50) > 0)
			open_out = drain(out_fd, c, cap);
		else if (!open_out)
			nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
		if (!c->timed_out && !c->interrupted) {
			c->interrupted = stress_interrupted();
			c->timed_out =
				!c->interrupted && lfk_now_ns() >= deadline;
			if (c->timed_out || c->interrupted)
				kill(-pid, SIGKILL);
		}
		si.si_pid = 0;
		if (waitid(P_PID, (id_t)pid, &si,
			   WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid) {
			record_end(&si, c);
			return open_out;
		}
	}
}

/* Reads what is left of the output once every writer is gone (for a
 * bounded time, should a writer have escaped the sweep). */
static void read_rest(int out_fd, struct stress_child *c, size_t *cap)
{
	uint64_t t0 = lfk_now_ns();
	bool open_out = true;
	while (open_out && lfk_now_ns() - t0 < 5000000000u) {
		struct pollfd p = { .fd = out_fd, .events = POLLIN };
		if (poll(&p, 1, 100) > 0)
			open_out = drain(out_fd, c, cap);
	}
}

int stress_child_run(char *const argv[], double timeout_s,
		     struct stress_child *c)
{
	int fds[2];
	size_t cap = 0;
	uint64_t t0 = lfk_now_ns();
	bool open_out;
	pid_t pid;
	memset(c, 0, sizeof(*c));
	/* Close-on-exec: the child keeps only the copies dup'ed onto its
	 * stdout and stderr. */
	if (pipe(fds) != 0)
		return -errno;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	if (pid == 0)
		start_child(argv, fds[1]);
	setpgid(pid, pid); /* also here: no window where a kill misses it */
	close(fds[1]);
	open_out =
		watch(pid, fds[0], t0 + (uint64_t)(timeout_s * 1e9), c, &cap);
	c->seconds = (double)(lfk_now_ns() - t0) / 1e9;
	/* Everything but the child itself (a zombie, which the sweep reaps
	 * and does not count) is a leftover. */
	c->leftovers = sweep(pid);
	if (open_out)
		read_rest(fds[0], c, &cap);
	close(fds[0]);
	if (c->out == NULL) {
		c->out = calloc(1, 1);
		if (c->out == NULL)
			return -ENOMEM;
	}
	return 0;
}

void stress_child_free(struct stress_child *c)
{
	free(c->out);
	c->out = NULL;
}
