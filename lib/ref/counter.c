/* SPDX-License-Identifier: MIT */
/* The counter's reference twin: an int64_t behind a mutex. */
#include <lfkit/ref/counter.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct lfk_ref_counter {
	pthread_mutex_t lock;
	uint64_t value;
};

struct lfk_ref_counter *lfk_ref_counter_create(void)
{
	struct lfk_ref_counter *c = calloc(1, sizeof(*c));
	if (c != NULL)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

void lfk_ref_counter_destroy(struct lfk_ref_counter *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void lfk_ref_counter_add(struct lfk_ref_counter *c, int64_t n)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->value += (uint64_t)n;
	pthread_mutex_unlock(&c->lock);
}

int64_t lfk_ref_counter_read(struct lfk_ref_counter *c)
{
	uint64_t v;
	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	v = c->value;
	pthread_mutex_unlock(&c->lock);
	return (int64_t)v;
}

int lfk_ref_counter_reset(struct lfk_ref_counter *c)
{
	if (c == NULL)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	c->value = 0;
	pthread_mutex_unlock(&c->lock);
	return 0;
}
