/* SPDX-License-Identifier: MIT */
/*
 * Thread groups with a common start line, and a monotonic clock.  Shared by
 * the tests and the benchmarks: every multi-threaded scenario starts all its
 * threads at once, so that the work really overlaps.
 */
#ifndef LFK_TESTS_THREADS_H
#define LFK_TESTS_THREADS_H

#include <stdint.h>

/* Nanoseconds on CLOCK_MONOTONIC. */
uint64_t lfk_now_ns(void);

/*
 * Run fn(arg, index) on n threads released together by a barrier.  Returns
 * the nanoseconds from the release to the end of the last thread.  A thread
 * that cannot be created aborts the program: that is a broken test machine,
 * not a result.
 */
typedef void (*lfk_thread_fn)(void *arg, int index);
uint64_t lfk_run_threads(int n, lfk_thread_fn fn, void *arg);

/* The same for two roles: fn_a on threads 0..na-1, fn_b on na..na+nb-1
 * (index restarts from 0 for each role). */
uint64_t lfk_run_threads2(int na, lfk_thread_fn fn_a, int nb,
			  lfk_thread_fn fn_b, void *arg);

/* Called by every thread of a group before the start line with its index
 * in the group (0..na+nb-1); NULL (the default) for none.  The benchmarks
 * pin their threads to CPUs with it. */
void lfk_threads_on_start(void (*hook)(int index));

/*
 * The one back-off policy of every spinning test and benchmark thread: a few
 * cpu_relax, then sched_yield (so that on an oversubscribed machine the
 * thread being waited for gets the core).  *spins counts the calls since the
 * last progress; reset it to 0 on progress.
 */
void lfk_backoff(unsigned *spins);

#endif
