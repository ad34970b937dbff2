/* SPDX-License-Identifier: MIT */
/* Whether a recorded owner process is still there: see proc_alive.h. */
#include "proc_alive.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads /proc/<pid>/stat: its state letter and start time.  false when the
 * file cannot be read or parsed.  Our own process is read as its main
 * thread, /proc/<pid>/task/<pid>/stat (the same fields on Linux): qemu-user
 * fakes a process's view of its own /proc/<pid>/stat, with a start time
 * that is not the one other processes read, and that made a live forked
 * owner look like a dead one whose pid was reused. */
static bool read_stat(uint32_t pid, char *state, uint64_t *start)
{
	char path[48], buf[1024], *p;
	ssize_t n;
	int fd;
	if (pid == (uint32_t)getpid())
		snprintf(path, sizeof(path), "/proc/%u/task/%u/stat",
			 (unsigned)pid, (unsigned)pid);
	else
		snprintf(path, sizeof(path), "/proc/%u/stat", (unsigned)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces and parentheses: the
	 * fields after it start after the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return false;
	p += 2;
	*state = *p;
	/* From the state (field 3), skip 19 fields to the start time (22). */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return false;
		p++;
	}
	*start = strtoull(p, NULL, 10);
	return true;
}

uint64_t lfk__proc_start(uint32_t pid)
{
	char state;
	uint64_t start;
	return read_stat(pid, &state, &start) ? start : 0;
}

bool lfk__proc_alive(uint32_t pid, uint64_t start)
{
	char state;
	uint64_t now_start;
	if (pid == 0 || pid > INT32_MAX)
		return false;
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return false;
	if (!read_stat(pid, &state, &now_start))
		return true; /* no /proc: kill's answer is all we have */
	if (state == 'Z' || state == 'X')
		return false;
	return start == 0 || now_start == start;
}
