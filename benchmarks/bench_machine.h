/* SPDX-License-Identifier: MIT */
/*
 * The machine lfbench runs on: what it is (printed before the results), and
 * where the benchmark threads run.
 *
 * Placement: by default every benchmark thread is pinned to one CPU,
 * round-robin over the CPUs the process was allowed when lfbench started:
 * thread i of a group (producers first, then consumers; a forked process
 * counts like a thread) runs on the (i mod n)-th of those n CPUs.  So at
 * 1p1c the producer and the consumer sit on different CPUs in every run,
 * and no thread migrates in the middle of one.  --no-pin leaves placement
 * to the scheduler.
 */
#ifndef LFB_BENCH_MACHINE_H
#define LFB_BENCH_MACHINE_H

#include "bench_harness.h"

/* Records the allowed CPUs and, with o->pin, installs the pinning of every
 * thread group (lfk_threads_on_start).  Call once, before any benchmark. */
void lfb_machine_init(const struct lfb_opts *o);

/* Pins the calling thread (or forked process) as thread `index` of a group;
 * nothing when pinning is off. */
void lfb_pin_self(int index);

/* Prints the CPU model, the CPU counts, the load average and the placement,
 * as '#' lines on stdout (in CSV mode too: run-bench and plot.gp skip
 * them), and warns on stderr when the load average is above half the CPUs:
 * the figures of such a run are noise. */
void lfb_machine_print(const struct lfb_opts *o);

#endif
