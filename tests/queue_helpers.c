/* SPDX-License-Identifier: MIT */
/* What several of the queue's scenario files share. */
#include "queue_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u),
			       (long)(ns % 1000000000u) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

void *zalloc_lines(size_t size)
{
	void *p = NULL;
	if (posix_memalign(&p, LFK_CACHELINE, size) != 0)
		return NULL;
	memset(p, 0, size);
	return p;
}

void *must_create(const struct lfk_queue_ops *o, size_t cap, size_t es)
{
	void *q = NULL;
	int rc = o->create(cap, es, &q);
	LFK_CHECK(rc == 0 && q != NULL, "%s create(%zu, %zu) rc=%d", o->name,
		  cap, es, rc);
	return rc == 0 ? q : NULL;
}

int each_impl(size_t cap, void (*check)(const struct lfk_queue_ops *o, void *q))
{
	for (const struct lfk_queue_ops *const *pp = lfk_queue_ops_all; *pp;
	     pp++) {
		void *q = must_create(*pp, cap, 8);
		if (q == NULL)
			continue;
		check(*pp, q);
		(*pp)->destroy(q);
	}
	return 0;
}

void tally_item(struct tally *t, uint64_t v)
{
	t->count++;
	t->sum += v;
	t->xor_ ^= v;
}

void tally_into(struct tally *total, const struct tally *t)
{
	total->count += t->count;
	total->sum += t->sum;
	total->xor_ ^= t->xor_;
}

/* No progress for the limit: the first time, fail and close the queue to
 * release the sleepers; the second, give up on the program. */
static void watchdog_fire(struct watchdog *w, uint64_t items)
{
	if (!load(&w->fired)) {
		lfk_atomic_store_u64(&w->fired, 1, LFK_RELEASE);
		LFK_CHECK(0,
			  "%s: no progress for %.0f s after %llu items: lost "
			  "wake-up; closing the queue",
			  w->ops->name, w->limit_s, (unsigned long long)items);
		/* Releases threads sleeping with LFK_FOREVER. */
		w->ops->close(w->q);
		return;
	}
	fprintf(stderr, "watchdog: %s still stuck after close; giving up\n",
		w->ops->name);
	_exit(3);
}

static void *watchdog_main(void *p)
{
	struct watchdog *w = p;
	uint64_t last = load(w->progress), t_last = lfk_now_ns();
	const uint64_t limit = (uint64_t)(w->limit_s * 1e9);
	while (!load(&w->stop)) {
		uint64_t cur, now;
		sleep_ns(20 * MS);
		cur = load(w->progress);
		now = lfk_now_ns();
		if (cur != last) {
			last = cur;
			t_last = now;
			continue;
		}
		if (now - t_last < limit)
			continue;
		watchdog_fire(w, cur);
		t_last = now;
	}
	return NULL;
}

void watchdog_start(struct watchdog *w, const struct lfk_queue_ops *ops,
		    void *q, const uint64_t *progress)
{
	const char *s = getenv("LFK_WATCHDOG_SECONDS");
	memset(w, 0, sizeof(*w));
	w->ops = ops;
	w->q = q;
	w->progress = progress;
	w->limit_s = (s && atof(s) > 0) ? atof(s) : 10.0;
	if (pthread_create(&w->tid, NULL, watchdog_main, w) != 0)
		abort();
}

bool watchdog_stop(struct watchdog *w)
{
	lfk_atomic_store_u64(&w->stop, 1, LFK_RELEASE);
	pthread_join(w->tid, NULL);
	return load(&w->fired) != 0;
}
