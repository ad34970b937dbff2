/* SPDX-License-Identifier: MIT */
/*
 * lfbench ipc: 64-byte messages from producer processes to consumer
 * processes, one message per call (ipc_64b: 1 producer to 1 consumer and 2
 * to 2) or 32 per call where both sides can batch (ipc_64b_burst32, 1 to 1:
 * the spsc ring's record bursts, and writev/readv of 32 messages on the
 * pipe), through
 *
 *   lfk_shm_ring   a ring of 64-byte records in an lfk_shm region: spsc
 *                  from 1 producer to 1 consumer, the lock-free lfmpmc
 *                  otherwise; full and empty are spun out with lfk_backoff
 *   lfk_shm_queue  the blocking lfk_queue (over the same ring kind) in a region:
 *                  put/get with LFK_FOREVER, sleeping on shared futexes;
 *                  the last producer closes it, consumers stop at -EPIPE
 *   ref_shm_queue  its mutex + condition-variable twin in a region
 *                  (LFK_REF_SHARED), ended the same way
 *   pipe           one pipe shared by every producer and consumer: a
 *                  64-byte write is atomic (<= PIPE_BUF), so messages are
 *                  never split or interleaved; batched, a writev of 32
 *                  messages (2 KiB, atomic too) and a readv of up to 32
 *   posix_mq       one POSIX message queue, msgsize 64, maxmsg 10: the
 *                  default /proc/sys/fs/mqueue/msg_max is 10, and above it
 *                  mq_open needs CAP_SYS_RESOURCE
 *   unix_socket    one socketpair(AF_UNIX, SOCK_SEQPACKET) shared by all:
 *                  producers send on one end, consumers receive on the
 *                  other; SEQPACKET keeps every message whole
 * The ring and the queues hold RING_CAPACITY messages (64 KiB, a pipe's
 * default buffer).
 *
 * A run forks its producers and consumers, which attach (a region by name,
 * or the inherited descriptor), check in and spin on a start word in shared
 * memory; the parent releases them.  The time is from the release to the
 * last consumer's end: fork and attach are not in it.  Ending: the queues
 * are closed by the last producer; on the others it sends one end message
 * per consumer after everyone's messages (every channel here is FIFO).
 *
 * Every message carries (producer, seq), a payload and a checksum over its
 * other 56 bytes.  Consumers check each one (checksum, known producer,
 * sequence increasing per producer) and add up the count, sum and xor of
 * the checksums; a run is verified only when every child exited cleanly, no
 * message failed a check and the consumers' totals equal the producers'.
 *
 * Selecting rows: LFB_IPC_BENCHES and LFB_IPC_IMPLS, comma-separated
 * names, e.g.
 *   LFB_IPC_IMPLS=lfk_shm_ring,pipe lfbench ipc
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lfkit/queue.h>
#include <lfkit/ref/queue.h>
#include <lfkit/shm.h>

#include "bench_machine.h"
#include "lfbench.h"
#include "tests/harness/lfk_threads.h"

const char lfb_ipc_help[] =
	"64-byte messages from producer processes to consumer processes (forked;\n"
	"the time runs from their common start to the last consumer's end).\n"
	"benches:\n"
	"  ipc_64b          one message per call; 1 to 1 and 2 to 2\n"
	"  ipc_64b_burst32  both sides batch 32 messages per call; 1 to 1\n"
	"implementations (impl):\n"
	"  lfk_shm_ring   a ring of 64-byte records in an lfk_shm region (spsc at\n"
	"                 1 to 1, lfmpmc otherwise); full/empty spun out with\n"
	"                 back-off; batched: enqueue/dequeue_burst_rec\n"
	"  lfk_shm_queue  the blocking lfk_queue in a region (LFK_FOREVER)\n"
	"  ref_shm_queue  its mutex + condition-variable twin in a region\n"
	"  pipe           one pipe (64-byte writes are atomic); batched: writev\n"
	"                 and readv of 32 messages\n"
	"  posix_mq       one POSIX message queue (msgsize 64, maxmsg 10)\n"
	"  unix_socket    one socketpair(AF_UNIX, SOCK_SEQPACKET)\n"
	"Every message carries (producer, seq), a payload and a checksum; every\n"
	"one is checked (checksum, producer, per-producer order) and the totals\n"
	"must match what the producers sent.  Select rows with LFB_IPC_BENCHES and\n"
	"LFB_IPC_IMPLS, e.g.  LFB_IPC_IMPLS=lfk_shm_ring,pipe lfbench ipc\n";

#define MSG_SIZE 64
#define RING_CAPACITY 1024
#define MQ_MAXMSG 10
#define MAX_SIDE 2
#define MAX_BATCH 32 /* messages per call; 32 x 64 bytes <= PIPE_BUF */
#define END_MARK UINT64_MAX
/* A run that has not ended by then is killed and fails. */
#define RUN_DEADLINE_NS 60000000000ull

struct msg {
	uint64_t w[MSG_SIZE / 8]; /* producer, seq, payload[5], checksum */
};

/* ---- the channels -------------------------------------------------------- */

struct chan {
	char name[64]; /* region or message queue */
	struct lfk_shm *shm; /* this process's mapping */
	void *obj; /* ring, queue or twin in that mapping */
	int fd[2]; /* pipe / socketpair: receive on 0, send on 1 */
	mqd_t mq;
	int ring_kind; /* the ring (also under the queue): LFK_RING_SPSC
				at 1 to 1, LFK_RING_LFMPMC otherwise */
};

struct ipc_impl {
	const char *name; /* the CSV impl column */
	uint64_t ops; /* messages per run at --scale 1 */
	uint64_t ops_batched; /* the same in batches; 0: no batched form */
	int (*setup)(struct chan *ch); /* parent, before the forks */
	int (*attach)(struct chan *ch); /* child, before the start */
	/* Sends all n messages (n > 1 only with a batched form): 0 or a
	 * negative errno. */
	int (*send)(struct chan *ch, const struct msg *m, size_t n);
	/* Receives 1 to n messages: how many, -EPIPE at the end (queues),
	 * another negative errno on error. */
	int (*recv)(struct chan *ch, struct msg *m, size_t n);
	/* The last producer, after everyone's messages: ends the stream. */
	int (*finish)(const struct ipc_impl *im, struct chan *ch,
		      int consumers);
	void (*teardown)(struct chan *ch); /* parent, after the run */
};

static unsigned run_counter;

/* Regions: the parent creates one per run with the object of `kind`. */
static int region_setup(struct chan *ch, uint32_t kind)
{
	int rc;
	snprintf(ch->name, sizeof(ch->name), "/lfbench-ipc-%ld-%u",
		 (long)getpid(), run_counter++);
	rc = lfk_shm_create(ch->name, 1 << 20, 0600, &ch->shm);
	if (rc != 0)
		return rc;
	if (kind == LFK_SHM_RING_SPSC || kind == LFK_SHM_RING_LFMPMC)
		rc = lfk_shm_ring_create(
			ch->shm, "msgs", (enum lfk_ring_kind)kind,
			RING_CAPACITY, MSG_SIZE, (struct lfk_ring **)&ch->obj);
	else if (kind == LFK_SHM_QUEUE)
		rc = lfk_shm_queue_create(ch->shm, "msgs", ch->ring_kind,
					  RING_CAPACITY, MSG_SIZE,
					  (struct lfk_queue **)&ch->obj);
	else
		rc = lfk_shm_ref_queue_create(
			ch->shm, "msgs", RING_CAPACITY, MSG_SIZE,
			(struct lfk_ref_queue **)&ch->obj);
	return rc;
}

/* A child maps the region anew by name, as an unrelated process would. */
static int region_attach(struct chan *ch, uint32_t kind)
{
	int rc = lfk_shm_open(ch->name, &ch->shm);
	if (rc != 0)
		return rc;
	if (kind == LFK_SHM_RING_SPSC || kind == LFK_SHM_RING_LFMPMC)
		return lfk_shm_ring_attach(ch->shm, "msgs",
					   (struct lfk_ring **)&ch->obj);
	if (kind == LFK_SHM_QUEUE)
		return lfk_shm_queue_attach(ch->shm, "msgs",
					    (struct lfk_queue **)&ch->obj);
	return lfk_shm_ref_queue_attach(ch->shm, "msgs",
					(struct lfk_ref_queue **)&ch->obj);
}

static void region_teardown(struct chan *ch)
{
	lfk_shm_close(ch->shm);
	lfk_shm_unlink(ch->name);
}

static int ring_setup(struct chan *ch)
{
	return region_setup(ch, (uint32_t)ch->ring_kind);
}

static int ring_attach(struct chan *ch)
{
	return region_attach(ch, (uint32_t)ch->ring_kind);
}

/* The record bursts (of one record: the same code as the single-record
 * calls, which are bursts of one inside the ring). */
static int ring_send(struct chan *ch, const struct msg *m, size_t n)
{
	unsigned spins = 0;
	while (n > 0) {
		/* The handle's kind switch picks the ring's calls. */
		size_t k = lfk_ring_enqueue_burst_rec(ch->obj, m, n);
		if (k == 0) {
			lfk_backoff(&spins);
			continue;
		}
		spins = 0;
		m += k;
		n -= k;
	}
	return 0;
}

static int ring_recv(struct chan *ch, struct msg *m, size_t n)
{
	unsigned spins = 0;
	size_t k;
	while ((k = lfk_ring_dequeue_burst_rec(ch->obj, m, n)) == 0)
		lfk_backoff(&spins);
	return (int)k;
}

static int queue_setup(struct chan *ch)
{
	return region_setup(ch, LFK_SHM_QUEUE);
}

static int queue_attach(struct chan *ch)
{
	return region_attach(ch, LFK_SHM_QUEUE);
}

static int queue_send(struct chan *ch, const struct msg *m, size_t n)
{
	(void)n; /* 1: no batched form */
	return lfk_queue_put_rec(ch->obj, m, LFK_FOREVER);
}

static int queue_recv(struct chan *ch, struct msg *m, size_t n)
{
	int rc = lfk_queue_get_rec(ch->obj, m, LFK_FOREVER);
	(void)n;
	return rc == 0 ? 1 : rc;
}

static int queue_finish(const struct ipc_impl *im, struct chan *ch,
			int consumers)
{
	(void)im;
	(void)consumers;
	return lfk_queue_close(ch->obj);
}

static int twin_setup(struct chan *ch)
{
	return region_setup(ch, LFK_SHM_REF_QUEUE);
}

static int twin_attach(struct chan *ch)
{
	return region_attach(ch, LFK_SHM_REF_QUEUE);
}

static int twin_send(struct chan *ch, const struct msg *m, size_t n)
{
	(void)n; /* 1: no batched form */
	return lfk_ref_queue_put_rec(ch->obj, m, LFK_FOREVER);
}

static int twin_recv(struct chan *ch, struct msg *m, size_t n)
{
	int rc = lfk_ref_queue_get_rec(ch->obj, m, LFK_FOREVER);
	(void)n;
	return rc == 0 ? 1 : rc;
}

static int twin_finish(const struct ipc_impl *im, struct chan *ch,
		       int consumers)
{
	(void)im;
	(void)consumers;
	return lfk_ref_queue_close(ch->obj);
}

/* The other channels end with an end message per consumer. */
static int send_ends(const struct ipc_impl *im, struct chan *ch, int consumers)
{
	struct msg end;
	memset(&end, 0, sizeof(end));
	end.w[0] = END_MARK;
	for (int i = 0; i < consumers; i++)
		if (im->send(ch, &end, 1) != 0)
			return -EIO;
	return 0;
}

/* Descriptors: created by the parent, inherited by the children.  One
 * message: write and read; a batch: writev of its messages (at most
 * PIPE_BUF bytes, so the pipe keeps it whole) and readv of up to n. */
static int fd_send(struct chan *ch, const struct msg *m, size_t n)
{
	struct iovec iov[MAX_BATCH];
	ssize_t done;
	if (n > MAX_BATCH)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){ (void *)&m[i], MSG_SIZE };
	do
		done = n == 1 ? write(ch->fd[1], m, MSG_SIZE)
			      : writev(ch->fd[1], iov, (int)n);
	while (done < 0 && errno == EINTR);
	return done == (ssize_t)(n * MSG_SIZE) ? 0 : -EIO;
}

/* Reads len bytes into p, however many reads it takes; 0 or -EIO. */
static int fd_read_rest(int fd, char *p, size_t len)
{
	while (len > 0) {
		ssize_t k = read(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -EIO;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

static int fd_recv(struct chan *ch, struct msg *m, size_t n)
{
	struct iovec iov[MAX_BATCH];
	ssize_t got;
	size_t part;
	if (n > MAX_BATCH)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){ &m[i], MSG_SIZE };
	do
		got = n == 1 ? read(ch->fd[0], m, MSG_SIZE)
			     : readv(ch->fd[0], iov, (int)n);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return -EIO;
	/* Writers only write whole messages; a read that stopped inside one
	 * (never seen on Linux pipes) finishes it. */
	part = (size_t)got % MSG_SIZE;
	if (part != 0 &&
	    fd_read_rest(ch->fd[0], (char *)m + got, MSG_SIZE - part) != 0)
		return -EIO;
	return (int)(((size_t)got + MSG_SIZE - 1) / MSG_SIZE);
}

static void fd_teardown(struct chan *ch)
{
	close(ch->fd[0]);
	close(ch->fd[1]);
}

static int pipe_setup(struct chan *ch)
{
	return pipe(ch->fd) == 0 ? 0 : -errno;
}

static int socket_setup(struct chan *ch)
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ch->fd) == 0 ? 0 : -errno;
}

static int mq_setup(struct chan *ch)
{
	struct mq_attr a;
	memset(&a, 0, sizeof(a));
	a.mq_maxmsg = MQ_MAXMSG;
	a.mq_msgsize = MSG_SIZE;
	snprintf(ch->name, sizeof(ch->name), "/lfbench-ipc-%ld-%u",
		 (long)getpid(), run_counter++);
	ch->mq = mq_open(ch->name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
	if (ch->mq == (mqd_t)-1)
		return -errno;
	/* The children inherit the descriptor: the name is not needed. */
	mq_unlink(ch->name);
	return 0;
}

static int mq_send_msg(struct chan *ch, const struct msg *m, size_t n)
{
	int rc;
	(void)n; /* 1: no batched form */
	do
		rc = mq_send(ch->mq, (const char *)m, MSG_SIZE, 0);
	while (rc != 0 && errno == EINTR);
	return rc == 0 ? 0 : -errno;
}

static int mq_recv_msg(struct chan *ch, struct msg *m, size_t n)
{
	ssize_t got;
	(void)n; /* 1: no batched form */
	do
		got = mq_receive(ch->mq, (char *)m, MSG_SIZE, NULL);
	while (got < 0 && errno == EINTR);
	return got == MSG_SIZE ? 1 : -EIO;
}

static void mq_teardown(struct chan *ch)
{
	mq_close(ch->mq);
}

/* unix_socket sends with fd_send too, one message per call only: a
 * SEQPACKET writev would be one packet, not n messages. */
static const struct ipc_impl impls[] = {
	{ "lfk_shm_ring", 2000000, 4000000, ring_setup, ring_attach, ring_send,
	  ring_recv, send_ends, region_teardown },
	{ "lfk_shm_queue", 1000000, 0, queue_setup, queue_attach, queue_send,
	  queue_recv, queue_finish, region_teardown },
	{ "ref_shm_queue", 500000, 0, twin_setup, twin_attach, twin_send,
	  twin_recv, twin_finish, region_teardown },
	{ "pipe", 300000, 1000000, pipe_setup, NULL, fd_send, fd_recv,
	  send_ends, fd_teardown },
	{ "posix_mq", 200000, 0, mq_setup, NULL, mq_send_msg, mq_recv_msg,
	  send_ends, mq_teardown },
	{ "unix_socket", 200000, 0, socket_setup, NULL, fd_send, fd_recv,
	  send_ends, fd_teardown },
};
#define NIMPLS (sizeof(impls) / sizeof(impls[0]))

/* ---- messages -------------------------------------------------------------- */

static uint64_t checksum(const struct msg *m)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 0; i < MSG_SIZE / 8 - 1; i++) {
		h ^= m->w[i];
		h *= 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h;
}

static void make_msg(struct msg *m, uint64_t producer, uint64_t seq)
{
	m->w[0] = producer;
	m->w[1] = seq;
	for (int i = 2; i < MSG_SIZE / 8 - 1; i++)
		m->w[i] = seq * 0x9e3779b97f4a7c15ull + (uint64_t)i;
	m->w[MSG_SIZE / 8 - 1] = checksum(m);
}

/* ---- processes ------------------------------------------------------------- */

/* What one process did, on a line of its own in the shared control block. */
struct tally {
	uint64_t count, sum, xor; /* of the messages' checksums */
	uint64_t bad; /* messages that failed a check */
	uint64_t end_ns; /* consumers: when the last one came */
} LFK_CACHE_ALIGNED;

struct ctl {
	uint64_t ready LFK_CACHE_ALIGNED; /* children checked in */
	uint64_t go LFK_CACHE_ALIGNED; /* the start */
	uint64_t producers_done LFK_CACHE_ALIGNED;
	struct tally prod[MAX_SIDE], cons[MAX_SIDE];
};

struct ipc_ctx {
	const struct ipc_impl *im;
	int producers, consumers;
	size_t batch; /* messages per call */
	struct ctl *ctl; /* MAP_SHARED, anonymous: seen by the children */
	struct chan ch;
	uint64_t moved;
};

static void check_in_and_wait(struct ctl *ctl)
{
	/* Tells the parent that this child has attached. */
	lfk_atomic_fetch_add_u64(&ctl->ready, 1, LFK_RELEASE);
	/* Pairs with the parent's release of go (the start time before it). */
	while (lfk_atomic_load_u64(&ctl->go, LFK_ACQUIRE) == 0)
		sched_yield();
}

static void producer(struct ipc_ctx *c, int me, uint64_t per)
{
	struct tally t;
	struct msg m[MAX_BATCH];
	memset(&t, 0, sizeof(t));
	if (c->im->attach && c->im->attach(&c->ch) != 0)
		_exit(3);
	check_in_and_wait(c->ctl);
	for (uint64_t seq = 0; seq < per;) {
		size_t n =
			per - seq < c->batch ? (size_t)(per - seq) : c->batch;
		for (size_t i = 0; i < n; i++, seq++) {
			make_msg(&m[i], (uint64_t)me, seq);
			t.count++;
			t.sum += m[i].w[MSG_SIZE / 8 - 1];
			t.xor ^= m[i].w[MSG_SIZE / 8 - 1];
		}
		if (c->im->send(&c->ch, m, n) != 0)
			_exit(4);
	}
	c->ctl->prod[me] = t;
	/* Acquire: the last producer's end comes after every producer's
	 * messages; release: this producer's messages come before it. */
	if (lfk_atomic_fetch_add_u64(&c->ctl->producers_done, 1, LFK_ACQ_REL) +
			    1 ==
		    (uint64_t)c->producers &&
	    c->im->finish(c->im, &c->ch, c->consumers) != 0)
		_exit(5);
	_exit(0);
}

/* Checks one message and adds it up; false at the end mark. */
static bool take_msg(struct ipc_ctx *c, const struct msg *m, struct tally *t,
		     uint64_t next[MAX_SIDE])
{
	uint64_t sum = m->w[MSG_SIZE / 8 - 1];
	if (m->w[0] == END_MARK)
		return false;
	if (sum != checksum(m) || m->w[0] >= (uint64_t)c->producers ||
	    m->w[1] < next[m->w[0]]) {
		t->bad++;
		return true;
	}
	next[m->w[0]] = m->w[1] + 1;
	t->count++;
	t->sum += sum;
	t->xor ^= sum;
	return true;
}

static void consumer(struct ipc_ctx *c, int me)
{
	struct tally t;
	struct msg m[MAX_BATCH];
	uint64_t next[MAX_SIDE] = { 0 };
	bool more = true;
	int rc = 0;
	memset(&t, 0, sizeof(t));
	if (c->im->attach && c->im->attach(&c->ch) != 0)
		_exit(3);
	check_in_and_wait(c->ctl);
	while (more && (rc = c->im->recv(&c->ch, m, c->batch)) > 0)
		for (int i = 0; i < rc && more; i++)
			more = take_msg(c, &m[i], &t, next);
	t.end_ns = lfk_now_ns();
	c->ctl->cons[me] = t;
	_exit(rc > 0 || rc == -EPIPE ? 0 : 6);
}

/* Reaps the children; kills them all once the deadline has passed or
 * `early` is set and one of them has ended (a child that fails before the
 * start).  Returns whether every child exited with status 0. */
static bool reap(pid_t *pids, int n, uint64_t deadline, bool early)
{
	bool ok = true;
	int left = n;
	const struct timespec pause = { 0, 2000000 };
	while (left > 0) {
		bool ended = false;
		for (int i = 0; i < n; i++) {
			int st;
			if (pids[i] <= 0 ||
			    waitpid(pids[i], &st, WNOHANG) != pids[i])
				continue;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr,
					"lfbench ipc: child %d ended "
					"with status %#x\n",
					i, st);
				ok = false;
			}
			pids[i] = 0;
			left--;
			ended = true;
		}
		if (early && !ended)
			return ok; /* a look only: nobody ended */
		if (left > 0 && (lfk_now_ns() > deadline || (early && ended))) {
			fprintf(stderr, "lfbench ipc: stopping a run that %s\n",
				early ? "could not start" : "did not end");
			for (int i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
			early = false;
			ok = false;
		}
		if (left > 0)
			nanosleep(&pause, NULL);
	}
	return ok;
}

static bool ipc_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct ipc_ctx *c = arg;
	int n = c->producers + c->consumers;
	uint64_t per = ops / (uint64_t)c->producers, start, end = 0;
	uint64_t deadline = lfk_now_ns() + RUN_DEADLINE_NS;
	struct tally in, out;
	pid_t pids[2 * MAX_SIDE];
	bool ok = true;
	if (per == 0)
		per = 1;
	c->moved = per * (uint64_t)c->producers;
	*elapsed_ns = 1;
	memset(c->ctl, 0, sizeof(*c->ctl));
	memset(&c->ch, 0, sizeof(c->ch));
	c->ch.ring_kind = c->producers == 1 && c->consumers == 1
				  ? LFK_RING_SPSC
				  : LFK_RING_LFMPMC;
	if (c->im->setup(&c->ch) != 0) {
		fprintf(stderr, "lfbench ipc: %s: setup failed\n", c->im->name);
		return false;
	}
	fflush(NULL);
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			lfb_pin_self(i);
			if (i < c->producers)
				producer(c, i, per);
			consumer(c, i - c->producers);
		}
		if (pids[i] < 0)
			ok = false;
	}
	/* Pairs with the children's release of their check-in. */
	while (ok &&
	       lfk_atomic_load_u64(&c->ctl->ready, LFK_ACQUIRE) < (uint64_t)n) {
		if (!reap(pids, n, deadline, true) || lfk_now_ns() > deadline)
			ok = false;
		sched_yield();
	}
	start = lfk_now_ns();
	/* The start: every child spins on it. */
	lfk_atomic_store_u64(&c->ctl->go, 1, LFK_RELEASE);
	if (!reap(pids, n, deadline, false))
		ok = false;
	c->im->teardown(&c->ch);
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	for (int i = 0; i < c->producers; i++) {
		in.count += c->ctl->prod[i].count;
		in.sum += c->ctl->prod[i].sum;
		in.xor ^= c->ctl->prod[i].xor ;
	}
	for (int i = 0; i < c->consumers; i++) {
		const struct tally *t = &c->ctl->cons[i];
		out.count += t->count;
		out.sum += t->sum;
		out.xor ^= t->xor ;
		out.bad += t->bad;
		if (t->end_ns > end)
			end = t->end_ns;
	}
	*elapsed_ns = end > start ? end - start : 1;
	if (out.bad != 0 || in.count != c->moved || out.count != in.count ||
	    out.sum != in.sum || out.xor != in.xor) {
		fprintf(stderr,
			"lfbench ipc: %s: sent %llu, received %llu, "
			"%llu bad\n",
			c->im->name, (unsigned long long)in.count,
			(unsigned long long)out.count,
			(unsigned long long)out.bad);
		ok = false;
	}
	return ok;
}

static uint64_t ipc_moved(void *arg)
{
	return ((struct ipc_ctx *)arg)->moved;
}

/* One case: every selected implementation (with a batched form, when
 * batch > 1) from side producers to side consumers, interleaved. */
static void ipc_case(const struct lfb_opts *o, struct ctl *ctl,
		     const char *bench, int side, size_t batch)
{
	struct ipc_ctx c[NIMPLS];
	struct lfb_case k[NIMPLS];
	int n = 0;
	if (!lfb_selected("LFB_IPC_BENCHES", bench))
		return;
	for (size_t i = 0; i < NIMPLS; i++) {
		if (!lfb_selected("LFB_IPC_IMPLS", impls[i].name) ||
		    (batch > 1 && impls[i].ops_batched == 0))
			continue;
		memset(&c[n], 0, sizeof(c[n]));
		c[n].im = &impls[i];
		c[n].producers = c[n].consumers = side;
		c[n].batch = batch;
		c[n].ctl = ctl;
		k[n] = (struct lfb_case){
			.bench = bench,
			.impl = impls[i].name,
			.producers = side,
			.consumers = side,
			.ops = batch > 1 ? impls[i].ops_batched : impls[i].ops,
			.run = ipc_run,
			.ctx = &c[n],
			.ops_done = ipc_moved,
		};
		n++;
	}
	if (n > 0)
		lfb_measure_cases(o, k, n, NULL);
}

void lfb_bench_ipc(const struct lfb_opts *o)
{
	/* Shared with the children of every run (one run at a time). */
	struct ctl *ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED) {
		perror("lfbench ipc: mmap");
		return;
	}
	ipc_case(o, ctl, "ipc_64b", 1, 1);
	ipc_case(o, ctl, "ipc_64b", 2, 1);
	ipc_case(o, ctl, "ipc_64b_burst32", 1, MAX_BATCH);
	munmap(ctl, sizeof(*ctl));
}
