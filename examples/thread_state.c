/* SPDX-License-Identifier: MIT */
/*
 * Per-thread state, like Python's threading.local():
 *
 *     mydata = threading.local()
 *     mydata.seen = 0           # each thread sees its own attribute
 *
 * An lfk_tlocal object gives every thread its own slot, created on first
 * use and handed to a destructor when the thread exits.
 */
#include <lfkit/atomic.h>
#include <lfkit/tlocal.h>
#include <pthread.h>
#include <stdio.h>

struct stats {
	int id;
	long seen;
};

static uint64_t reported; /* sum of what the destructors reported */

static void report(void *slot, void *arg)
{
	struct stats *s = slot;
	(void)arg;
	printf("thread %d saw %ld items\n", s->id, s->seen);
	lfk_atomic_fetch_add_u64(&reported, (uint64_t)s->seen, LFK_RELAXED);
}

static struct lfk_tlocal *local;

static void *worker(void *arg)
{
	void *slot;
	struct stats *s;
	if (lfk_tlocal_get(local, &slot) != 0) /* this thread's slot */
		return NULL;
	s = slot;
	s->id = (int)(long)arg;
	for (long i = 0; i < 1000 * (s->id + 1); i++)
		s->seen++; /* no lock: nobody else writes it */
	return NULL;
}

int main(void)
{
	pthread_t t[3];
	if (lfk_tlocal_create(sizeof(struct stats), NULL, report, NULL,
			      &local) != 0)
		return 1;
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	lfk_tlocal_destroy(local);
	printf("total %llu\n", (unsigned long long)reported);
	return reported == 1000 + 2000 + 3000 ? 0 : 1;
}
