/* SPDX-License-Identifier: MIT */
/*
 * lib/queue_procs.h - the per-process records of a shared lfk_queue:
 * claiming one, and taking back the share of a process that died
 * (internal; the protocol is in <lfkit/queue.h>).
 */
#ifndef LFKIT_LIB_QUEUE_PROCS_H
#define LFKIT_LIB_QUEUE_PROCS_H

#include <lfkit/queue.h>
#include <stdbool.h>

/*
 * Takes back the records of q whose owner died (with owing_only, only
 * those that owe something: an operation in flight, or items got and not
 * task_done'd) and wakes every waiter if it took any.  Returns how many it
 * took back; *owing_left tells whether a record of another live process
 * still owes something (its owner may die later: keep polling).  0 for a
 * private queue.
 */
int lfk__queue_reclaim(struct lfk_queue *q, bool owing_only, bool *owing_left);

#endif
