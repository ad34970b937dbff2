/* SPDX-License-Identifier: MIT */
/*
 * A shared counter, the lfkit way.  In Python one guards an int with a Lock:
 *
 *     with lock: hits += 1
 *
 * Every increment then takes the lock, and all threads fight over one cache
 * line.  An lfk_counter gives each thread a shard of its own: adds touch
 * only the caller's cache line, and a read sums the shards.
 */
#include <lfkit/counter.h>
#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define ADDS 1000000

static struct lfk_counter *hits;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ADDS; i++)
		lfk_counter_add(hits, 1); /* wait-free, own cache line */
	return NULL; /* the thread's shard is folded in at exit: never lost */
}

int main(void)
{
	pthread_t t[THREADS];
	int64_t total;
	if (lfk_counter_create(&hits) != 0)
		return 1;
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	lfk_counter_read(hits, &total);
	printf("%d threads x %d adds = %lld\n", THREADS, ADDS,
	       (long long)total);
	lfk_counter_destroy(hits);
	return total == (int64_t)THREADS * ADDS ? 0 : 1;
}
