/* SPDX-License-Identifier: MIT */
/*
 * lfkit/msgring.h - a ring of variable-length byte messages: one or many
 * producers, one consumer, in caller memory or in a shared region.
 *
 *   Python (multiprocessing)      lfkit
 *   q = Queue()  (bytes, pickled)  lfk_shm_msgring_create(shm, "q", 1 << 20,
 *                                                         LFK_MSGRING_MP, &r)
 *   q.put(b)                       lfk_msgring_send(r, b, len, LFK_FOREVER)
 *   q.put_nowait(b)                lfk_msgring_try_send(r, b, len)  -EAGAIN
 *   b = q.get(timeout=t)           lfk_msgring_recv(r, buf, cap, &len, t_ns)
 *   q.close() + sentinel           lfk_msgring_close(r)
 * Zero-copy both ways: claim(len) hands out the bytes to write, commit
 * publishes them; read hands out the next message in place, release frees
 * it.  The copying calls are claim+memcpy+commit and read+memcpy+release.
 *
 * Layout.  The data space is `bytes` bytes (a power of two, 64 ..
 * LFK_MSGRING_MAX_BYTES) of back-to-back records.  A record is a 16-byte
 * header and the message padded to 16 bytes (so that a wrap always leaves
 * room for a header).  The header's first word packs
 *     tag (32 bits: the record's position / 16) | state (2) | length (30)
 * and its second the producer's pid and start time (shared rings only).
 * Positions are 64-bit byte counts that never wrap; a record at position p
 * lives at offset p % bytes.  A record never wraps: when one does not fit
 * before the end, the producer first claims the rest of the space as a
 * padding record (state PAD), wakes the consumer, and claims again from
 * offset 0.  Only the consumer frees padding (any of its calls passes it),
 * so a message of up to max_msg = bytes - 16 bytes fits a ring that the
 * consumer has emptied - a claim that pads may fail once with -EAGAIN.
 *
 * Protocol (the ordering edges are labelled in lib/msgring.c):
 *   - producers claim [tail, tail + size) by moving tail: a plain store
 *     with one producer, a CAS with LFK_MSGRING_MP; then write the header
 *     as CLAIMED (with their pid) - at that point the claim is known;
 *   - commit writes the header as COMMITTED with release (M1);
 *   - the consumer loads the header at head with acquire (M1) and trusts
 *     it only when its tag is head's: a header left from an earlier lap,
 *     or the bytes of an older message, carry another tag; a record whose
 *     header is not written yet, or CLAIMED, ends the read (-EAGAIN);
 *   - release moves head past the record with release (M2); producers load
 *     head with acquire (M2) before they reuse its bytes, or a copy of it
 *     on their own line (head_seen, stored with release after such a
 *     load), reading head itself only when the copy shows no room.
 * The consumer reads no header at or past tail (the bytes there are an
 * older lap's, and any word of an old message can carry the tag of a small
 * position).  Below tail, a stale word is read only in the two-store
 * window between a producer's move of tail and its header store, and
 * passes for a header only if it carries the tag of that position.
 *
 * Progress.  One producer: claim and commit are wait-free.  Many
 * producers: claim is lock-free (a CAS loop on tail; a failed CAS means
 * another producer claimed), commit wait-free.  read, release and the
 * copying try calls are wait-free for the consumer, but the consumer is
 * BLOCKED by a claimed record: messages are read in claim order, so a
 * producer stopped between claim and commit makes read report -EAGAIN
 * (empty) at its record until it commits; later records wait behind it.
 * The blocking calls (send, recv, wait_readable) are blocking.
 *
 * Close.  After lfk_msgring_close, claim, try_send and send return -EPIPE;
 * the consumer still gets every message claimed before and committed, and
 * then -EPIPE (recv, wait_readable) - never -EPIPE while a message claimed
 * before the close is still to come (a claim and close are a seq_cst
 * store-buffering pair).  A claim that loses the race with close turns its
 * record into padding and returns -EPIPE.
 *
 * Processes that die (shared rings).  A producer killed between claim and
 * commit leaves a CLAIMED record that carries its pid and start time; the
 * consumer stalls there.  lfk_msgring_stalled() reports the stall and
 * lfk_msgring_repair() turns the record into padding once its owner is
 * gone (lib/proc_alive.h: kill(pid, 0), zombie state, start time); the
 * blocking recv and wait_readable do so by themselves, polling every
 * LFK_MSGRING_POLL_NS while they wait at a claimed record.  The message is
 * lost; everything claimed after it is delivered.  One window is not
 * covered: a producer killed between its move of tail and its header
 * store (two instructions) leaves a record nobody can size;
 * lfk_msgring_stalled() reports LFK_MSGRING_STALL_UNWRITTEN and the ring
 * cannot go on past it (close it and make a new one).  A consumer killed
 * between read and release loses nothing: head did not move, the next
 * consumer reads the same message again.  Every process must be in the
 * consumer's pid namespace; without /proc a reused pid keeps its record.
 *
 * Memory: lfk_msgring_size(bytes), aligned to LFK_CACHELINE, no pointers
 * inside.  With LFK_MSGRING_SHARED the futexes are process-shared and
 * claims record the producer's pid.  The functions are library symbols
 * (a call costs little beside copying a message).
 */
#ifndef LFKIT_MSGRING_H
#define LFKIT_MSGRING_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/atomic.h>
#include <lfkit/eventcount.h>

LFK_BEGIN_DECLS

/* lfk_msgring_init flags. */
#define LFK_MSGRING_MP 1u /* many producers (default: one) */
#define LFK_MSGRING_SHARED 2u /* in memory shared between processes */

#define LFK_MSGRING_MAGIC 0x4c464b4du /* "LFKM" */
#define LFK_MSGRING_MIN_BYTES 64u
#define LFK_MSGRING_MAX_BYTES (1ull << 30)
/* A record's header; messages are padded to a multiple of it. */
#define LFK_MSGRING_HDR 16u

/* How often (ns) the blocking calls look for a dead producer while they
 * wait at a claimed record of a shared ring. */
#define LFK_MSGRING_POLL_NS 10000000ull

/* What lfk_msgring_stalled reports. */
#define LFK_MSGRING_STALL_CLAIMED 1 /* claimed, not committed */
#define LFK_MSGRING_STALL_UNWRITTEN 2 /* tail moved, header not written */

struct lfk_msgring {
	/* Read-mostly geometry. */
	struct {
		uint32_t magic;
		uint32_t flags; /* LFK_MSGRING_MP | LFK_MSGRING_SHARED */
		uint64_t bytes; /* data space, a power of two */
		uint64_t data_off; /* byte offset of the data from the ring */
		uint64_t total; /* lfk_msgring_size(bytes) */
	} hdr __attribute__((aligned(LFK_CACHELINE)));
	/* Producers: the position of the next claim. */
	uint64_t tail __attribute__((aligned(LFK_CACHELINE)));
	/* Producers' copy of head, on their line: a claim that fits below it
	 * reads no line the consumer writes.  A hint (it may lag head, never
	 * pass it); damage to it is caught like damage to head. */
	uint64_t head_seen;
	/* Consumer: the position of the next record (all before it freed). */
	uint64_t head __attribute__((aligned(LFK_CACHELINE)));
	/* Nonzero once closed. */
	uint64_t closed __attribute__((aligned(LFK_CACHELINE)));
	/* The consumer sleeps here for a message (or the end). */
	struct lfk_eventcount not_empty __attribute__((aligned(LFK_CACHELINE)));
	/* Producers sleep here for room. */
	struct lfk_eventcount not_full __attribute__((aligned(LFK_CACHELINE)));
	/* The data follows at hdr.data_off. */
};

/* Space handed out by claim: write len bytes at data, then commit. */
struct lfk_msgring_claim {
	void *data;
	size_t len;
	uint64_t lfk__pos; /* the record's position */
};

/* A message handed out by read, in place until release. */
struct lfk_msgring_msg {
	const void *data;
	size_t len;
	uint64_t lfk__pos; /* the position after the record */
};

/* Bytes a ring with `bytes` bytes of data space needs: 0 unless bytes is a
 * power of two in LFK_MSGRING_MIN_BYTES .. LFK_MSGRING_MAX_BYTES. */
size_t lfk_msgring_size(size_t bytes);

/*
 * Lays out an empty, open ring in mem (lfk_msgring_size(bytes) bytes,
 * aligned to LFK_CACHELINE; the data space is zeroed).  flags: 0 or
 * LFK_MSGRING_MP and/or LFK_MSGRING_SHARED.  Errors: -EINVAL for NULL or
 * misaligned mem, a bad size, unknown flags.  Not thread-safe (nobody else
 * may use the memory yet).  O(bytes).
 */
int lfk_msgring_init(void *mem, size_t bytes, unsigned flags);

/* Allocates and initializes a ring (flags as init, LFK_MSGRING_SHARED
 * excepted).  Errors: -EINVAL (as init, or out NULL), -ENOMEM. */
int lfk_msgring_create(size_t bytes, unsigned flags, struct lfk_msgring **out);

/* Frees a ring from lfk_msgring_create (NULL is ignored); no thread may
 * be using it. */
void lfk_msgring_destroy(struct lfk_msgring *r);

/* The largest message the ring can ever hold (bytes - 16); 0 for NULL. */
size_t lfk_msgring_max_msg(const struct lfk_msgring *r);

/* The data space in bytes, as given to init; 0 for NULL. */
size_t lfk_msgring_bytes(const struct lfk_msgring *r);

/* Bytes claimed and not yet released, records and padding included (a
 * snapshot; exact when quiescent); 0 for NULL. */
size_t lfk_msgring_used(const struct lfk_msgring *r);

/*
 * Claims room for a message of len bytes (0 allowed): on success c->data
 * points at len writable bytes and c->len is len; write them, then call
 * lfk_msgring_commit(r, c).  A producer may hold several claims; they are
 * read in claim order.  Errors: -EINVAL (NULL), -EMSGSIZE (len above
 * lfk_msgring_max_msg), -EAGAIN (no room now), -EPIPE (closed).
 * Progress: wait-free with one producer, lock-free with LFK_MSGRING_MP.
 */
int lfk_msgring_claim(struct lfk_msgring *r, size_t len,
		      struct lfk_msgring_claim *c);

/*
 * Publishes a claimed message and wakes the consumer if it sleeps.
 * Errors: -EINVAL (NULL, or c is not a claim outstanding on r: committed
 * already, or its len changed), -EPROTO (the claim was turned into padding
 * by lfk_msgring_repair: only a producer wrongly taken for dead sees it).
 * Wait-free (one futex wake-up when the consumer sleeps).
 */
int lfk_msgring_commit(struct lfk_msgring *r, struct lfk_msgring_claim *c);

/*
 * The next message, in place: m->data, m->len stay valid until
 * lfk_msgring_release(r, m).  Reading again without release returns the
 * same message.  Consumer only.  Errors: -EINVAL (NULL), -EAGAIN (no
 * committed message at head: empty, or the next record is still being
 * written), -EPROTO (the header at head is out of bounds: a damaged
 * shared region).  Wait-free (a run of padding records is skipped).
 */
int lfk_msgring_read(struct lfk_msgring *r, struct lfk_msgring_msg *m);

/*
 * Frees the message m from lfk_msgring_read and wakes producers waiting
 * for room.  Errors: -EINVAL (NULL, or m is not the message at head).
 * Wait-free (one futex wake-up when a producer sleeps).
 */
int lfk_msgring_release(struct lfk_msgring *r, struct lfk_msgring_msg *m);

/* Copies len bytes from buf in as one message: claim, copy, commit.
 * Errors and progress as lfk_msgring_claim (-EINVAL also for buf NULL with
 * len > 0). */
int lfk_msgring_try_send(struct lfk_msgring *r, const void *buf, size_t len);

/*
 * Copies the next message into buf (cap bytes) and frees it; *len is its
 * length.  Errors: -EINVAL (NULL r or len, buf NULL with cap > 0),
 * -EAGAIN (as read), -EMSGSIZE (cap < the message's length: *len is its
 * length, the message stays), -EPROTO (as read).  Does not report the end
 * of a closed ring (recv and wait_readable do).  Wait-free.
 */
int lfk_msgring_try_recv(struct lfk_msgring *r, void *buf, size_t cap,
			 size_t *len);

/*
 * Copies up to n messages into buf, back to back (message i at the sum of
 * lens[0..i)), lens[i] its length, and frees them with one release.  Stops
 * at n, at an empty ring, or at a message that no longer fits in cap.
 * Returns the number of messages copied (0: empty), or -EINVAL (NULL
 * arguments), -EMSGSIZE (the first message alone exceeds cap: *lens is its
 * length, it stays), -EPROTO (as read).  Wait-free.
 */
int lfk_msgring_recv_burst(struct lfk_msgring *r, void *buf, size_t cap,
			   size_t *lens, size_t n);

/*
 * try_send, waiting up to timeout_ns for room (0: no wait, LFK_FOREVER: no
 * limit).  Errors: those of try_send; -ETIMEDOUT; -EPIPE also when the
 * ring is closed while it waits.  Blocking.
 */
int lfk_msgring_send(struct lfk_msgring *r, const void *buf, size_t len,
		     uint64_t timeout_ns);

/*
 * try_recv, waiting up to timeout_ns for a message.  -EPIPE once the ring
 * is closed and every message claimed before the close was received.
 * On a shared ring it repairs the record of a producer that died between
 * claim and commit while it waits there (lfk_msgring_repair).  Errors:
 * those of try_recv; -ETIMEDOUT; -EPIPE.  Blocking.
 */
int lfk_msgring_recv(struct lfk_msgring *r, void *buf, size_t cap, size_t *len,
		     uint64_t timeout_ns);

/*
 * Waits until lfk_msgring_read would return a message (0), for readers
 * that take messages in place.  Repairs as recv.  Errors: -EINVAL,
 * -EAGAIN (timeout 0, none yet), -ETIMEDOUT, -EPIPE (closed and drained),
 * -EPROTO (as read).  Blocking.
 */
int lfk_msgring_wait_readable(struct lfk_msgring *r, uint64_t timeout_ns);

/*
 * Closes the ring and wakes every sleeper; see "Close" above.  Closing
 * twice is harmless.  Errors: -EINVAL for NULL.  Wait-free apart from the
 * wake-up system calls.
 */
int lfk_msgring_close(struct lfk_msgring *r);

/* 1 once closed, else 0 (0 for NULL). */
int lfk_msgring_closed(const struct lfk_msgring *r);

/*
 * Whether the consumer is stalled at the record at head: 0 (no: a message
 * is there, or nothing is claimed), LFK_MSGRING_STALL_CLAIMED (claimed,
 * not committed; *pid its producer's pid, 0 on a private ring) or
 * LFK_MSGRING_STALL_UNWRITTEN (claimed, header not yet written: the
 * producer is between two instructions, or died there; *pid 0).  -EINVAL
 * for NULL, -EPROTO (as read).  A snapshot; wait-free.
 */
int lfk_msgring_stalled(const struct lfk_msgring *r, uint32_t *pid);

/*
 * Consumer only: when the record at head was claimed by a process that is
 * gone, turns it into padding (its message is lost) and wakes producers.
 * Returns 1 (repaired), 0 (nothing to repair: no claimed record at head,
 * its owner lives, or the ring is private), -EINVAL (NULL), -EPROTO (as
 * read).  Lock-free apart from kill(2) and reading /proc/<pid>/stat.
 */
int lfk_msgring_repair(struct lfk_msgring *r);

LFK_END_DECLS

#endif
