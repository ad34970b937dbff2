/*
 * Child processes of a scenario, so that none outlives it.  lfk_fork()
 * forks like fork(), and also
 *   - puts the child in a process group of its own (its pid), so that a
 *     kill reaches whatever it started too;
 *   - asks the kernel to SIGKILL the child when the forking thread dies
 *     (PR_SET_PDEATHSIG): a runner killed by SIGKILL, a Criterion timeout
 *     or an abort() leaves no child behind;
 *   - records the pid: the runner kills and reaps every recorded child that
 *     still runs when a scenario returns (a failed check), when the
 *     watchdog fires, and at exit.
 * The scenario still waits for its children itself, with waitpid().
 * Fork only from a thread that outlives the child (the death signal follows
 * the thread, not the process).
 */
#ifndef LFK_TESTS_PROCS_H
#define LFK_TESTS_PROCS_H

#include <stdbool.h>
#include <sys/types.h>

/* fork(), with the above; -1 and errno as fork, or EAGAIN when too many
 * children are recorded. */
pid_t lfk_fork(void);

/* Kills (SIGKILL to its process group) and reaps every recorded child that
 * has not been reaped yet; returns how many still ran.  Async-signal-safe:
 * the watchdog calls it. */
int lfk_children_kill(void);

/* After a scenario: kills the children it left running, fails the scenario
 * if there were any, and forgets them all. */
void lfk_children_check(void);

/* Reads /proc/<pid>/stat: the state letter (S asleep, Z zombie, ...), the
 * parent and the process group.  false when it cannot be read. */
bool lfk_proc_stat(pid_t pid, char *state, pid_t *ppid, pid_t *pgrp);

#endif
