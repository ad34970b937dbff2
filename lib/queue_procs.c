/* SPDX-License-Identifier: MIT */
/*
 * The per-process records of a shared lfk_queue: each process claims one on
 * its first call, and a survivor takes back the record of a process that
 * died (lfk_queue_recover).  Why records and how the counts in them are
 * read: <lfkit/queue.h>; how a dead owner is recognised: proc_alive.h.
 */
#include "queue_procs.h"

#include <pthread.h>
#include <unistd.h>

#include "proc_alive.h"

#define PID_MASK 0xffffffffull
/* A record's done counts wrap at 2^44 (the bits above the flight count). */
#define DONE_MASK ((1ull << (64 - LFK__QUEUE_FLIGHT_BITS)) - 1)

/* This process's pid, as recorded in owner words: set once, and again in
 * the child after fork (a child must claim records of its own; its
 * inherited thread-local cache then no longer matches any owner word). */
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;
static uint32_t my_pid;

static void after_fork_child(void)
{
	my_pid = (uint32_t)getpid();
}

static void init_pid(void)
{
	my_pid = (uint32_t)getpid();
	pthread_atfork(NULL, NULL, after_fork_child);
}

/* The record this thread used last, so that a call finds it with two
 * compares; checked against the owner word, so a stale entry (another
 * queue mapped at the same address, or a forked child) is never used. */
static __thread struct {
	struct lfk_queue *q;
	uint32_t slot;
} last;

static uint64_t owner_word(struct lfk_queue *q, uint32_t i, int order)
{
	return lfk_atomic_load_u64(&q->owners[i].word, order);
}

static uint64_t used_records(struct lfk_queue *q)
{
	/* Acquire: pairs with the claimer's seq_cst bump, after its owner
	 * word. */
	uint64_t n = lfk_atomic_load_u64(&q->procs_used, LFK_ACQUIRE);
	return n < LFK_QUEUE_PROCS ? n : LFK_QUEUE_PROCS;
}

/* procs_used = max(procs_used, n). */
static void cover_record(struct lfk_queue *q, uint64_t n)
{
	/* Relaxed: the CAS validates it. */
	uint64_t u = lfk_atomic_load_u64(&q->procs_used, LFK_RELAXED);
	/* Seq_cst: before this process's first put registers, for the
	 * consumers' seq_cst loads that judge the end (queue.c, records()). */
	while (u < n &&
	       !lfk_atomic_cas_weak_u64(&q->procs_used, &u, n, LFK_SEQ_CST))
		;
}

static struct lfk__queue_proc *remember(struct lfk_queue *q, uint32_t i)
{
	last.q = q;
	last.slot = i;
	return &q->procs[i];
}

/* Claims a free record: 0 -> pid | CLAIMING, no start time yet, then pid.
 * The start time is filled in by the first survivor that looks at the
 * record (owner_start): read by other processes only, it is the kernel's
 * figure for all of them (an emulator such as qemu-user shows a process
 * its own /proc entry differently from how others see it). */
static bool claim_free(struct lfk_queue *q, uint32_t i, uint32_t pid)
{
	uint64_t o = 0;
	/* Acquire: a record given back by a survivor comes with the counts
	 * it folded (its release store of 0). */
	if (!lfk_atomic_cas_u64(&q->owners[i].word, &o,
				pid | LFK__QUEUE_CLAIMING, LFK_ACQUIRE))
		return false;
	/* Relaxed: published by the release below. */
	lfk_atomic_store_u64(&q->owners[i].start, 0, LFK_RELAXED);
	/* Release: the cleared start time before the owner word that
	 * survivors acquire. */
	lfk_atomic_store_u64(&q->owners[i].word, pid, LFK_RELEASE);
	cover_record(q, (uint64_t)i + 1);
	return true;
}

/*
 * The start time of record i's owner (whose owner word was o): the one
 * recorded, or, the first time, the one /proc gives now, recorded for the
 * next look.  A pid reused between the claim and that first look goes
 * unnoticed; after it, a reused pid shows another start time.  0 when
 * unknown.
 */
static uint64_t owner_start(struct lfk_queue *q, uint32_t i, uint64_t o)
{
	/* Relaxed: ordered after the owner word by the caller's acquire. */
	uint64_t start = lfk_atomic_load_u64(&q->owners[i].start, LFK_RELAXED);
	uint64_t now, none = 0;
	if (start != 0 || (o & LFK__QUEUE_CLAIMING))
		return start;
	now = lfk__proc_start((uint32_t)(o & PID_MASK));
	/* Relaxed: a hint for the next survivor; another one may have
	 * recorded the same figure first. */
	if (now == 0 ||
	    !lfk_atomic_cas_u64(&q->owners[i].start, &none, now, LFK_RELAXED))
		return none;
	/* Relaxed: if the record changed hands meanwhile, the figure is the
	 * old owner's: take it back. */
	if (owner_word(q, i, LFK_RELAXED) != o)
		lfk_atomic_cas_u64(&q->owners[i].start, &now, 0, LFK_RELAXED);
	return now;
}

struct lfk__queue_proc *lfk__queue_self_shared(struct lfk_queue *q)
{
	uint32_t pid;
	bool owing;
	/* Relaxed: the word was written by this process (its claim). */
	if (last.q == q && owner_word(q, last.slot, LFK_RELAXED) == my_pid)
		return &q->procs[last.slot];
	pthread_once(&pid_once, init_pid);
	pid = my_pid;
	for (int round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < LFK_QUEUE_PROCS; i++)
			/* Relaxed: only our own pid matters. */
			if (owner_word(q, i, LFK_RELAXED) == pid)
				return remember(q, i);
		for (uint32_t i = 0; i < LFK_QUEUE_PROCS; i++)
			if (claim_free(q, i, pid))
				return remember(q, i);
		/* Full: free the records of processes that died, once. */
		if (lfk__queue_reclaim(q, false, &owing) == 0)
			break;
	}
	return NULL;
}

/* Whether a record counts something its owner has not finished: a put or
 * get in flight, or items got and not task_done'd. */
static bool owes(struct lfk__queue_proc *p)
{
	/* Relaxed, all three: a snapshot; the owner is judged dead (or not)
	 * by the kernel before anything is folded. */
	uint64_t puts = lfk_atomic_load_u64(&p->puts, LFK_RELAXED);
	uint64_t gets = lfk_atomic_load_u64(&p->gets, LFK_RELAXED);
	uint64_t tasks = lfk_atomic_load_u64(&p->tasks, LFK_RELAXED);
	return (puts & LFK__QUEUE_FLIGHT_MASK) != 0 ||
	       (gets & LFK__QUEUE_FLIGHT_MASK) != 0 ||
	       (((gets >> LFK__QUEUE_FLIGHT_BITS) - tasks) & DONE_MASK) != 0;
}

/*
 * Folds a dead owner's share (the caller holds the record as RECLAIMING;
 * nobody else writes it): its puts in flight are dropped (delivered or
 * not: see queue.h), its gets in flight count as done, and the items it
 * got and did not task_done are counted task_done.  The owner's own writes
 * are all visible: the kernel reported its death (kill, /proc) after the
 * process had stopped running, and a context switch drains its stores.
 */
static void fold(struct lfk_queue *q, struct lfk__queue_proc *p)
{
	/* Relaxed, all: see above; the caller's release store of the owner
	 * word and fence publish them. */
	uint64_t puts = lfk_atomic_load_u64(&p->puts, LFK_RELAXED);
	uint64_t gets = lfk_atomic_load_u64(&p->gets, LFK_RELAXED);
	uint64_t tasks = lfk_atomic_load_u64(&p->tasks, LFK_RELAXED);
	uint64_t got = ((gets >> LFK__QUEUE_FLIGHT_BITS) +
			(gets & LFK__QUEUE_FLIGHT_MASK)) &
		       DONE_MASK;
	uint64_t owed = (got - tasks) & DONE_MASK;
	lfk_atomic_store_u64(&p->puts, puts & ~LFK__QUEUE_FLIGHT_MASK,
			     LFK_RELAXED);
	lfk_atomic_store_u64(&p->gets, got << LFK__QUEUE_FLIGHT_BITS,
			     LFK_RELAXED);
	lfk_atomic_store_u64(&p->tasks, got, LFK_RELAXED);
	if (owed != 0 && owed <= DONE_MASK / 2)
		lfk_atomic_fetch_add_u64(&q->tasks_done, owed, LFK_RELAXED);
}

int lfk__queue_reclaim(struct lfk_queue *q, bool owing_only, bool *owing_left)
{
	uint64_t n;
	int taken = 0;
	*owing_left = false;
	if (!(q->hdr.flags & LFK_QUEUE_SHARED))
		return 0;
	pthread_once(&pid_once, init_pid);
	n = used_records(q);
	for (uint32_t i = 0; i < n; i++) {
		/* Acquire: pairs with the claimer's release (its cleared
		 * start time). */
		uint64_t o = owner_word(q, i, LFK_ACQUIRE), start;
		uint32_t pid = (uint32_t)(o & PID_MASK);
		bool owing;
		if (o == 0 || (o & LFK__QUEUE_RECLAIMING) || pid == my_pid)
			continue;
		owing = owes(&q->procs[i]);
		if (owing_only && !owing)
			continue;
		start = owner_start(q, i, o);
		if (lfk__proc_alive(pid, start)) {
			*owing_left |= owing;
			continue;
		}
		/* Acquire: nothing new to see (the owner is dead); one
		 * survivor wins the record. */
		if (!lfk_atomic_cas_u64(&q->owners[i].word, &o,
					LFK__QUEUE_RECLAIMING, LFK_ACQUIRE))
			continue;
		fold(q, &q->procs[i]);
		/* Release: the folded counts before the record is free. */
		lfk_atomic_store_u64(&q->owners[i].word, 0, LFK_RELEASE);
		taken++;
	}
	if (taken > 0) {
		/* Fn of the Dekker argument: the folded counts before the
		 * waiter loads; every waiter re-checks. */
		lfk_atomic_fence(LFK_SEQ_CST);
		lfk_eventcount_notify_fenced(&q->not_empty);
		lfk_eventcount_notify_fenced(&q->not_full);
		lfk_eventcount_notify_fenced(&q->all_done);
	}
	return taken;
}

int lfk_queue_recover(struct lfk_queue *q)
{
	bool owing;
	if (q == NULL)
		return -EINVAL;
	return lfk__queue_reclaim(q, false, &owing);
}
