/* SPDX-License-Identifier: MIT */
/*
 * An event that starts workers together, like Python's threading.Event:
 *
 *     go = threading.Event()
 *     def worker(): go.wait(); ...
 *     for t in threads: t.start()
 *     go.set()                  # everyone starts at once
 *
 * Workers get ready, report it on a semaphore and wait for the event; the
 * main thread waits until all are ready, then sets the event once.
 */
#include <lfkit/atomic.h>
#include <lfkit/sync.h>
#include <pthread.h>
#include <stdio.h>

#define WORKERS 4

static struct lfk_event go;
static struct lfk_sem ready;
static uint64_t started_early, ran;

static void *worker(void *arg)
{
	(void)arg;
	bool set;
	if (lfk_event_is_set(&go, &set) == 0 && set) /* not before all ready */
		lfk_atomic_fetch_add_u64(&started_early, 1, LFK_RELAXED);
	lfk_sem_post(&ready); /* "I am ready" */
	lfk_event_wait(&go, LFK_FOREVER); /* go.wait() */
	lfk_atomic_fetch_add_u64(&ran, 1, LFK_RELAXED);
	return NULL;
}

int main(void)
{
	pthread_t t[WORKERS];
	lfk_event_init(&go, 0);
	lfk_sem_init(&ready, 0, 0);
	for (int i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < WORKERS; i++)
		lfk_sem_wait(&ready, LFK_FOREVER); /* all workers ready */
	printf("%d workers ready, starting them together\n", WORKERS);
	lfk_event_set(&go); /* go.set() */
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	printf("%llu workers ran\n", (unsigned long long)ran);
	return ran == WORKERS && started_early == 0 ? 0 : 1;
}
