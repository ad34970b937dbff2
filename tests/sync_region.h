/* SPDX-License-Identifier: MIT */
/*
 * A shared region for the sync module's process scenarios: the objects
 * and counters the processes share, and children forked to use them, each
 * mapping the region at its own address.
 */
#ifndef LFK_TESTS_SYNC_REGION_H
#define LFK_TESTS_SYNC_REGION_H

#include <lfkit/shm.h>

#include "sync_ops.h"

#define NCHILD 4

/* The caller's layout inside a bytes object of a region. */
struct area {
	union any_sync a, b;
	uint64_t counter; /* under a */
	uint64_t data; /* passed back and forth */
	uint64_t ready, started, go;
	uint64_t done[NCHILD];
	int impl;
};

struct region {
	char name[64];
	struct lfk_shm *shm;
	struct area *area;
};

/* Creates a region of a fresh name holding the area; 0, or -1. */
int region_create(struct region *r);
void region_destroy(struct region *r);

/* In a child: its own mapping of the region, at its own address. */
struct area *child_attach(const char *name);

/* Forks n children running fn(name, index), waits for them all; 0 if each
 * exited with status 0. */
int fork_children(const struct region *r, int n, void (*fn)(const char *, int));

/* A child that takes mutex a (of implementation impl) for each increment
 * of counter, into done[me] (sync_procs.c). */
void child_counter(const char *name, int me);

#endif
