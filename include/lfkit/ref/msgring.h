/* SPDX-License-Identifier: MIT */
/*
 * lfkit/ref/msgring.h - the reference twin of the message ring
 * (<lfkit/msgring.h>): the same API as lfk_ref_msgring_* for
 * lfk_msgring_*, with one mutex around plain code and one futex word that
 * the blocking calls sleep on (bumped at every change a sleeper may wait
 * for).  It places records by the same rule as the ring (16-byte headers,
 * padding at the wrap), so that both accept and refuse exactly the same
 * operations: the differential tests compare every return value.
 *
 * Progress: every call is blocking (it takes the mutex).  Errors as the
 * ring's, except that the twin never reports -EPROTO (its claims cannot be
 * repaired) and has no stalled/repair calls: a process that dies between
 * claim and commit stalls its consumer for good.  With
 * LFK_MSGRING_SHARED the mutex is process-shared and robust (a process
 * that dies holding it leaves the ring as before or after its call: every
 * call commits with its last store) and the futex is shared.
 */
#ifndef LFKIT_REF_MSGRING_H
#define LFKIT_REF_MSGRING_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/msgring.h>

LFK_BEGIN_DECLS

struct lfk_ref_msgring {
	pthread_mutex_t lock;
	uint32_t seq; /* futex word: bumped at every change */
	uint32_t waiters; /* sleepers on seq */
	uint32_t flags; /* LFK_MSGRING_MP | LFK_MSGRING_SHARED */
	uint32_t closed;
	uint64_t bytes;
	uint64_t head, tail; /* positions, as the ring's */
	uint64_t data_off;
} __attribute__((aligned(LFK_CACHELINE)));

size_t lfk_ref_msgring_size(size_t bytes);
int lfk_ref_msgring_init(void *mem, size_t bytes, unsigned flags);
int lfk_ref_msgring_create(size_t bytes, unsigned flags,
			   struct lfk_ref_msgring **out);
/* Destroys the mutex; destroy also frees what create allocated. */
void lfk_ref_msgring_fini(struct lfk_ref_msgring *r);
void lfk_ref_msgring_destroy(struct lfk_ref_msgring *r);
size_t lfk_ref_msgring_max_msg(const struct lfk_ref_msgring *r);
size_t lfk_ref_msgring_used(struct lfk_ref_msgring *r);
int lfk_ref_msgring_claim(struct lfk_ref_msgring *r, size_t len,
			  struct lfk_msgring_claim *c);
int lfk_ref_msgring_commit(struct lfk_ref_msgring *r,
			   struct lfk_msgring_claim *c);
int lfk_ref_msgring_read(struct lfk_ref_msgring *r, struct lfk_msgring_msg *m);
int lfk_ref_msgring_release(struct lfk_ref_msgring *r,
			    struct lfk_msgring_msg *m);
int lfk_ref_msgring_try_send(struct lfk_ref_msgring *r, const void *buf,
			     size_t len);
int lfk_ref_msgring_try_recv(struct lfk_ref_msgring *r, void *buf, size_t cap,
			     size_t *len);
int lfk_ref_msgring_recv_burst(struct lfk_ref_msgring *r, void *buf, size_t cap,
			       size_t *lens, size_t n);
int lfk_ref_msgring_send(struct lfk_ref_msgring *r, const void *buf, size_t len,
			 uint64_t timeout_ns);
int lfk_ref_msgring_recv(struct lfk_ref_msgring *r, void *buf, size_t cap,
			 size_t *len, uint64_t timeout_ns);
int lfk_ref_msgring_wait_readable(struct lfk_ref_msgring *r,
				  uint64_t timeout_ns);
int lfk_ref_msgring_close(struct lfk_ref_msgring *r);
int lfk_ref_msgring_closed(struct lfk_ref_msgring *r);

LFK_END_DECLS

#endif
