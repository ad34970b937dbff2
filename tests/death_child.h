/*
 * Children that die: fork a child that runs an operation, stop it exactly
 * at a test hook (or wait until it sleeps), and kill it with SIGKILL.
 * Children die with the test process (PR_SET_PDEATHSIG), so a failing or
 * timed-out test leaves none behind.
 */
#ifndef LFK_TESTS_DEATH_CHILD_H
#define LFK_TESTS_DEATH_CHILD_H

#define LFK_RING_TEST_HOOKS 1 /* before any lfkit header */

#include <lfkit/shm.h>
#include <stdbool.h>
#include <sys/types.h>

#include "harness/lfk_test.h"

/* A region name unique to this process and call. */
const char *lfk_death_region_name(char *buf, size_t len);

/* Forks a child that runs fn(arg) and exits 0 (it should be killed
 * first).  Returns the pid, or -1. */
pid_t lfk_death_fork(void (*fn)(void *arg), void *arg);

/* Forks a child that runs fn(arg) with the hook `point` armed: the child
 * stops itself there (SIGSTOP; with point -1, fn raises SIGSTOP itself
 * where it wants to die); then kills it.  false (and a failed check)
 * when the child ended or stopped otherwise.  *pid_out: its pid. */
bool lfk_death_kill_at_hook(int point, void (*fn)(void *arg), void *arg,
			    pid_t *pid_out);

/* Forks a child that runs fn(arg), waits until asleep(arg) says it sleeps
 * (polled, up to 10 s), and kills it.  false (and a failed check) when it
 * never slept.  *pid_out: its pid. */
bool lfk_death_kill_when(bool (*asleep)(void *arg), void (*fn)(void *arg),
			 void *arg, pid_t *pid_out);

/* Polls pred(arg) every millisecond until it holds (true) or 10 s have
 * passed (false). */
bool lfk_death_eventually(bool (*pred)(void *arg), void *arg);

/* Waits up to 10 s for child pid to exit; true when it exited with 0.  A
 * child still running then is killed (and false returned). */
bool lfk_death_exits_ok(pid_t pid);

/* A predicate for lfk_death_eventually: the process *(pid_t *)pid_arg is
 * asleep (state S in /proc/<pid>/stat: in a futex, for lfkit's waits). */
bool lfk_death_sleeping(void *pid_arg);

/* SIGKILLs pid and reaps it; true when it died of the signal. */
bool lfk_death_kill(pid_t pid);

#endif
