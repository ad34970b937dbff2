/* SPDX-License-Identifier: MIT */
/*
 * Producer/consumer with a bounded queue: Python's queue.Queue idiom.
 *
 *     import queue, threading
 *
 *     q = queue.Queue(maxsize=8)
 *
 *     def worker():
 *         while True:
 *             try:
 *                 item = q.get()
 *             except queue.ShutDown:      # Python 3.13
 *                 return
 *             results[item % 4] += item * item
 *             q.task_done()
 *
 *     threads = [threading.Thread(target=worker) for _ in range(4)]
 *     for t in threads: t.start()
 *     for item in range(1000):
 *         q.put(item)                     # blocks while 8 items wait
 *     q.join()                            # every item processed
 *     q.shutdown()                        # the workers' get raises ShutDown
 *     for t in threads: t.join()
 *
 * Here each worker keeps its own sum (no lock needed), the main thread puts
 * 1000 items into a queue of 8, joins, closes, and checks the total.
 */
#include <errno.h>
#include <lfkit/queue.h>
#include <pthread.h>
#include <stdio.h>

#define WORKERS 4
#define ITEMS 1000
#define MAXSIZE 8

struct worker {
	pthread_t thread;
	struct lfk_queue *q;
	uint64_t sum, items;
	int end; /* what the last get returned: -EPIPE after close */
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	uint64_t item;
	int rc;
	/* item = q.get(); ...; q.task_done() until the queue is shut down */
	while ((rc = lfk_queue_get(w->q, &item, LFK_FOREVER)) == 0) {
		w->sum += item * item;
		w->items++;
		lfk_queue_task_done(w->q);
	}
	w->end = rc;
	return NULL;
}

int main(void)
{
	struct lfk_queue *q;
	struct worker w[WORKERS];
	uint64_t sum = 0, items = 0, want = 0, x;
	int bad = 0;
	/* q = queue.Queue(maxsize=8), any number of threads on either side */
	if (lfk_queue_create(LFK_RING_MPMC, MAXSIZE, 8, &q) != 0)
		return 1;
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .q = q };
		if (pthread_create(&w[i].thread, NULL, worker, &w[i]) != 0)
			return 1;
	}
	for (uint64_t i = 0; i < ITEMS; i++) {
		/* q.put(item): blocks while MAXSIZE items wait */
		if (lfk_queue_put(q, i, LFK_FOREVER) != 0)
			bad++;
		want += i * i;
	}
	/* q.join(): returns once task_done was called for every item */
	if (lfk_queue_join(q, LFK_FOREVER) != 0)
		bad++;
	if (lfk_queue_count(q) != 0 || lfk_queue_task_done(q) != -EINVAL)
		bad++; /* nothing left; one task_done too many is a ValueError */
	/* q.shutdown(): puts fail, gets drain what is left and then fail */
	lfk_queue_close(q);
	if (lfk_queue_put(q, 1, 0) != -EPIPE)
		bad++;
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(w[i].thread, NULL);
		sum += w[i].sum;
		items += w[i].items;
		if (w[i].end != -EPIPE)
			bad++;
	}
	if (lfk_queue_get(q, &x, 0) != -EPIPE)
		bad++;
	lfk_queue_destroy(q);
	printf("%d workers processed %llu items through a queue of %d: sum of "
	       "squares %llu (%s)\n",
	       WORKERS, (unsigned long long)items, MAXSIZE,
	       (unsigned long long)sum,
	       sum == want && items == ITEMS && bad == 0 ? "ok" : "WRONG");
	return sum == want && items == ITEMS && bad == 0 ? 0 : 1;
}
