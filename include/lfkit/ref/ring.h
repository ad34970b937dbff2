/*
 * lfkit/ref/ring.h - the reference twin of the rings: a bounded FIFO behind
 * one pthread mutex, with the rings' API (lfk_ref_ring_* for lfk_ring_*_*).
 * Tests hold every lfkit ring against it; benchmarks race against it.
 *
 * Progress: every call is blocking (it takes the mutex).  Full and empty are
 * exact: they are decided under the mutex.
 * Errors: as the rings (<lfkit/ring.h>): -EINVAL for bad parameters, -EAGAIN
 * for full/empty, -ENOMEM from create.
 */
#ifndef LFKIT_REF_RING_H
#define LFKIT_REF_RING_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct lfk_ref_ring {
	pthread_mutex_t lock;
	pthread_cond_t not_full;  /* used by the blocking twin */
	pthread_cond_t not_empty; /* used by the blocking twin */
	uint64_t capacity;
	uint64_t elem_words;
	uint64_t head; /* position of the oldest item */
	uint64_t count;
	uint64_t data_off; /* byte offset of capacity elements */
};

size_t lfk_ref_ring_size(size_t capacity, size_t elem_size);
int lfk_ref_ring_init(void *mem, size_t capacity, size_t elem_size);
int lfk_ref_ring_create(size_t capacity, size_t elem_size,
			struct lfk_ref_ring **out);
/* Destroys the mutex and condition variables; frees what create allocated. */
void lfk_ref_ring_fini(struct lfk_ref_ring *r);
void lfk_ref_ring_destroy(struct lfk_ref_ring *r);

int lfk_ref_ring_enqueue(struct lfk_ref_ring *r, uint64_t v);
int lfk_ref_ring_dequeue(struct lfk_ref_ring *r, uint64_t *v);
size_t lfk_ref_ring_enqueue_burst(struct lfk_ref_ring *r, const uint64_t *v,
				  size_t n);
size_t lfk_ref_ring_dequeue_burst(struct lfk_ref_ring *r, uint64_t *v,
				  size_t n);
int lfk_ref_ring_enqueue_rec(struct lfk_ref_ring *r, const void *rec);
int lfk_ref_ring_dequeue_rec(struct lfk_ref_ring *r, void *rec);
size_t lfk_ref_ring_enqueue_burst_rec(struct lfk_ref_ring *r,
				      const void *recs, size_t n);
size_t lfk_ref_ring_dequeue_burst_rec(struct lfk_ref_ring *r, void *recs,
				      size_t n);
size_t lfk_ref_ring_count(struct lfk_ref_ring *r);
size_t lfk_ref_ring_capacity(const struct lfk_ref_ring *r);
size_t lfk_ref_ring_elem_size(const struct lfk_ref_ring *r);

/* The element copies of the blocking twin; call with r->lock held.  Move up
 * to n elements of `words` words; return how many moved. */
size_t lfk_ref_ring_put_locked(struct lfk_ref_ring *r, const void *src,
			       size_t n, uint64_t words);
size_t lfk_ref_ring_get_locked(struct lfk_ref_ring *r, void *dst, size_t n,
			       uint64_t words);

#endif
