/* SPDX-License-Identifier: MIT */
/* The counter's reference twin: an int64_t behind a mutex. */
#include <lfkit/ref/counter.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/create.h"

struct lfk_ref_counter {
	pthread_mutex_t lock;
	uint64_t value;
};

static int counter_init_at(void *mem, size_t bytes, const void *unused)
{
	struct lfk_ref_counter *c = mem;
	(void)unused;
	memset(c, 0, bytes);
	return -pthread_mutex_init(&c->lock, NULL);
}

int lfk_ref_counter_create(struct lfk_ref_counter **out)
{
	int rc;
	if (out == NULL)
		return -EINVAL;
	*out = lfk__create(_Alignof(struct lfk_ref_counter),
			   sizeof(struct lfk_ref_counter), counter_init_at,
			   NULL, &rc);
	return rc;
}

void lfk_ref_counter_destroy(struct lfk_ref_counter *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int lfk_ref_counter_add(struct lfk_ref_counter *c, int64_t n)
{
	if (c == NULL)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	c->value += (uint64_t)n;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int lfk_ref_counter_read(struct lfk_ref_counter *c, int64_t *value)
{
	if (c == NULL || value == NULL)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	*value = (int64_t)c->value;
	pthread_mutex_unlock(&c->lock);
	return 0;
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
