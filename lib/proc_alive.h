/* SPDX-License-Identifier: MIT */
/*
 * lib/proc_alive.h - is the process that owns a record in shared memory
 * still there? (internal, not installed)
 *
 * An owner is recorded as its pid and its start time (field 22 of
 * /proc/<pid>/stat, clock ticks after boot), so that a pid reused by a new
 * process is not mistaken for the owner.  Linux only; all processes must
 * share one pid namespace.
 */
#ifndef LFKIT_LIB_PROC_ALIVE_H
#define LFKIT_LIB_PROC_ALIVE_H

#include <stdbool.h>
#include <stdint.h>

/* The start time of process pid, or 0 when /proc cannot tell. */
uint64_t lfk__proc_start(uint32_t pid);

/*
 * false when process pid is gone: kill(pid, 0) says ESRCH, it is a zombie
 * (dead, not yet reaped), or it started at another time than `start` (0:
 * unknown, not compared).  true otherwise, including when /proc cannot be
 * read (a live process is never declared dead).
 */
bool lfk__proc_alive(uint32_t pid, uint64_t start);

#endif
