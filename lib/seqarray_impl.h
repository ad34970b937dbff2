/* SPDX-License-Identifier: MIT */
/* Internal helpers shared by lfk_seqarray, lfk_latch and their reference
 * twins: slot layout, index validation, temporary buffers.  Not installed. */
#ifndef LFKIT_LIB_SEQARRAY_IMPL_H
#define LFKIT_LIB_SEQARRAY_IMPL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <lfkit/atomic.h>

/* Bytes per slot holding a header of hdr bytes then elem_size bytes, in
 * whole cache lines; 0 if elem_size is 0, not a multiple of 8, or huge. */
static inline size_t lfk__seq_stride(size_t elem_size, size_t hdr)
{
	if (elem_size == 0 || elem_size % 8 != 0 ||
	    elem_size > SIZE_MAX / 2 - hdr - LFK_CACHELINE)
		return 0;
	return (hdr + elem_size + LFK_CACHELINE - 1) / LFK_CACHELINE *
	       LFK_CACHELINE;
}

/* 0 if idx[0..k) are strictly ascending indices below n, else -EINVAL. */
static inline int lfk__seq_check_indices(size_t n, const size_t *idx, size_t k)
{
	if (idx == NULL || k == 0)
		return -EINVAL;
	for (size_t j = 0; j < k; j++)
		if (idx[j] >= n || (j > 0 && idx[j] <= idx[j - 1]))
			return -EINVAL;
	return 0;
}

/* A temporary buffer: on the stack up to 4 KiB, else on the heap. */
#define LFK__SEQ_BUF_STACK 4096
struct lfk__seq_buf {
	unsigned char *p;
	uint64_t stack[LFK__SEQ_BUF_STACK / sizeof(uint64_t)];
};

/* Points b->p at k * size bytes: 0, -EINVAL (overflow) or -ENOMEM. */
static inline int lfk__seq_buf_get(struct lfk__seq_buf *b, size_t k,
				   size_t size)
{
	if (size != 0 && k > SIZE_MAX / size)
		return -EINVAL;
	if (k * size <= sizeof(b->stack)) {
		b->p = (unsigned char *)b->stack;
		return 0;
	}
	b->p = malloc(k * size);
	return b->p ? 0 : -ENOMEM;
}

static inline void lfk__seq_buf_put(struct lfk__seq_buf *b)
{
	if (b->p != (unsigned char *)b->stack)
		free(b->p);
}

/* The checks and the buffer of an update_n over k of n elements of es bytes
 * (the primary's and the twins'): 0, -EINVAL or -ENOMEM. */
static inline int lfk__seq_update_start(struct lfk__seq_buf *b, size_t n,
					size_t es, const size_t *idx, size_t k,
					const void *fn)
{
	int rc = fn ? lfk__seq_check_indices(n, idx, k) : -EINVAL;
	return rc ? rc : lfk__seq_buf_get(b, k, es);
}

#endif
