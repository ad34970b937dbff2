/* SPDX-License-Identifier: MIT */
/*
 * lfbench msg: messages of 8, 64, 1024 and 65536 bytes from a producer
 * process to a consumer process (the parent), one message per call,
 * through
 *
 *   lfk_msgring     an lfk_msgring in an lfk_shm region (one producer):
 *                   send/recv with LFK_FOREVER, copying in and out
 *   lfk_msgring_zc  the same ring without the copies: claim/commit and
 *                   wait_readable/read/release, the message written and
 *                   summed in place
 *   ref_msgring     the ring's mutex + futex twin, in the region as raw
 *                   bytes (LFK_MSGRING_SHARED), send/recv with LFK_FOREVER
 *   pipe            a pipe: a length word, then the message (write/read
 *                   until whole: a pipe is a byte stream)
 *   unix_socket     socketpair(AF_UNIX, SOCK_SEQPACKET): one packet a
 *                   message, boundaries kept by the kernel
 * The ring holds 1 MiB of messages; the pipe and the socket keep their
 * default buffers.
 *
 * The producer fills a template once (word i = i * K) and stamps each
 * message: word 0 its sequence number, the last word its complement.  The
 * consumer checks word 0 and adds up every word of every message; a run is
 * verified when the count and that sum equal what the producer sent (a
 * lost, duplicated, reordered or torn message changes the sum).  The time
 * runs from the start word (the child attached and waiting) to the last
 * message; the producer ends the stream by closing the ring, or by
 * closing its end of the descriptor.
 *
 * Select rows with LFB_MSG_SIZES (e.g. 8,65536) and LFB_MSG_IMPLS.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lfkit/ref/msgring.h>
#include <lfkit/shm.h>

#include "bench_machine.h"
#include "lfbench.h"
#include "tests/harness/lfk_threads.h"

const char lfb_msg_help[] =
	"Messages of 8, 64, 1024 and 65536 bytes from a producer process to a\n"
	"consumer process, one per call (benches msg_8b .. msg_65536b, 1 to 1).\n"
	"implementations (impl):\n"
	"  lfk_msgring     lfk_msgring in a region: send/recv (LFK_FOREVER)\n"
	"  lfk_msgring_zc  the same, zero-copy: claim/commit, read/release\n"
	"  ref_msgring     its mutex + futex twin in a region: send/recv\n"
	"  pipe            a pipe: a length word, then the bytes\n"
	"  unix_socket     socketpair(AF_UNIX, SOCK_SEQPACKET), a packet each\n"
	"Every message is checked (sequence, and a sum over every word); the count\n"
	"and the sum must equal the producer's.  Select rows with LFB_MSG_SIZES\n"
	"(e.g. 8,1024) and LFB_MSG_IMPLS (e.g. lfk_msgring,pipe).\n";

#define RING_BYTES (1u << 20)
#define MAX_MSG 65536
#define PATTERN 0x9e3779b97f4a7c15ull
#define RUN_DEADLINE_NS 60000000000ull

struct chan {
	char name[64];
	struct lfk_shm *shm;
	struct lfk_msgring *r;
	struct lfk_ref_msgring *t;
	int fd[2]; /* receive on 0, send on 1 */
};

struct msg_impl {
	const char *name;
	int (*setup)(struct chan *ch); /* parent, before the fork */
	int (*attach)(struct chan *ch); /* child */
	int (*send)(struct chan *ch, const uint64_t *m, size_t len);
	/* Receives one message, adds its words to *sum and stores its
	 * first word in *first: its length, or -EPIPE at the end, or another
	 * negative errno. */
	long (*recv)(struct chan *ch, uint64_t *buf, uint64_t *sum,
		     uint64_t *first);
	void (*finish)(struct chan *ch); /* child, after the last */
	void (*teardown)(struct chan *ch); /* parent */
};

static uint64_t sum_words(const uint64_t *w, size_t len)
{
	uint64_t s = 0;
	for (size_t i = 0; i < len / 8; i++)
		s += w[i];
	return s;
}

/* What every receiver does with a message of len bytes at w. */
static long took(const uint64_t *w, size_t len, uint64_t *sum, uint64_t *first)
{
	*sum += sum_words(w, len);
	*first = len >= 8 ? w[0] : UINT64_MAX;
	return (long)len;
}

/* ---- regions: the ring and its twin ------------------------------------- */

static unsigned run_counter;

static int region_setup(struct chan *ch, bool twin)
{
	void *mem;
	int rc;
	snprintf(ch->name, sizeof(ch->name), "/lfbench-msg-%ld-%u",
		 (long)getpid(), run_counter++);
	rc = lfk_shm_create(ch->name, 2 * RING_BYTES, 0600, &ch->shm);
	if (rc != 0 || !twin)
		return rc ? rc
			  : lfk_shm_msgring_create(ch->shm, "msgs", RING_BYTES,
						   0, &ch->r);
	rc = lfk_shm_bytes_create(ch->shm, "msgs",
				  lfk_ref_msgring_size(RING_BYTES), &mem);
	if (rc == 0)
		rc = lfk_ref_msgring_init(mem, RING_BYTES, LFK_MSGRING_SHARED);
	ch->t = (struct lfk_ref_msgring *)mem;
	return rc;
}

static int ring_setup(struct chan *ch)
{
	return region_setup(ch, false);
}

static int twin_setup(struct chan *ch)
{
	return region_setup(ch, true);
}

/* A child maps the region anew by name, as an unrelated process would. */
static int ring_attach(struct chan *ch)
{
	int rc = lfk_shm_open(ch->name, &ch->shm);
	return rc ? rc : lfk_shm_msgring_attach(ch->shm, "msgs", &ch->r);
}

static int twin_attach(struct chan *ch)
{
	size_t bytes;
	void *mem;
	int rc = lfk_shm_open(ch->name, &ch->shm);
	if (rc == 0)
		rc = lfk_shm_bytes_attach(ch->shm, "msgs", &mem, &bytes);
	ch->t = (struct lfk_ref_msgring *)mem;
	return rc == 0 && bytes < lfk_ref_msgring_size(RING_BYTES) ? -EPROTO
								   : rc;
}

static void region_teardown(struct chan *ch)
{
	lfk_shm_close(ch->shm);
	lfk_shm_unlink(ch->name);
}

/* The copying calls, on the ring or (ch->t set) on its twin. */
static int ring_send(struct chan *ch, const uint64_t *m, size_t len)
{
	return ch->t ? lfk_ref_msgring_send(ch->t, m, len, LFK_FOREVER)
		     : lfk_msgring_send(ch->r, m, len, LFK_FOREVER);
}

static long ring_recv(struct chan *ch, uint64_t *buf, uint64_t *sum,
		      uint64_t *first)
{
	size_t len;
	int rc = ch->t ? lfk_ref_msgring_recv(ch->t, buf, MAX_MSG, &len,
					      LFK_FOREVER)
		       : lfk_msgring_recv(ch->r, buf, MAX_MSG, &len,
					  LFK_FOREVER);
	return rc ? rc : took(buf, len, sum, first);
}

/* Zero-copy: the template copied into the claim stands for the bytes a
 * producer would build there. */
static int zc_send(struct chan *ch, const uint64_t *m, size_t len)
{
	struct lfk_msgring_claim c;
	int rc;
	while ((rc = lfk_msgring_claim(ch->r, len, &c)) == -EAGAIN)
		if ((rc = lfk_msgring_send(ch->r, m, len, LFK_FOREVER)) !=
		    -EAGAIN)
			return rc; /* slept for room, then sent by copy */
	if (rc != 0)
		return rc;
	memcpy(c.data, m, len);
	return lfk_msgring_commit(ch->r, &c);
}

static long zc_recv(struct chan *ch, uint64_t *buf, uint64_t *sum,
		    uint64_t *first)
{
	struct lfk_msgring_msg m;
	int rc = lfk_msgring_wait_readable(ch->r, LFK_FOREVER);
	long len;
	(void)buf;
	if (rc == 0)
		rc = lfk_msgring_read(ch->r, &m);
	if (rc != 0)
		return rc;
	len = took(m.data, m.len, sum, first);
	rc = lfk_msgring_release(ch->r, &m);
	return rc ? rc : len;
}

static void ring_finish(struct chan *ch)
{
	if (ch->t)
		lfk_ref_msgring_close(ch->t);
	else
		lfk_msgring_close(ch->r);
}

/* ---- descriptors ----------------------------------------------------------- */

static int pipe_setup(struct chan *ch)
{
	return pipe(ch->fd) == 0 ? 0 : -errno;
}

static int socket_setup(struct chan *ch)
{
	int size = 4 * MAX_MSG;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ch->fd) != 0)
		return -errno;
	/* Room for a few of the largest messages in flight. */
	setsockopt(ch->fd[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	return 0;
}

/* The child keeps the sending end, the parent the receiving end: the
 * parent's read then sees the end when the child closes its end. */
static int fd_attach(struct chan *ch)
{
	close(ch->fd[0]);
	return 0;
}

static int io_all(int fd, void *p, size_t len, bool out)
{
	while (len > 0) {
		ssize_t k = out ? write(fd, p, len) : read(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k == 0 ? -EPIPE : -errno;
		p = (char *)p + k;
		len -= (size_t)k;
	}
	return 0;
}

static int pipe_send(struct chan *ch, const uint64_t *m, size_t len)
{
	uint64_t n = len;
	int rc = io_all(ch->fd[1], &n, sizeof(n), true);
	return rc ? rc : io_all(ch->fd[1], (void *)m, len, true);
}

static long pipe_recv(struct chan *ch, uint64_t *buf, uint64_t *sum,
		      uint64_t *first)
{
	uint64_t n;
	int rc = io_all(ch->fd[0], &n, sizeof(n), false);
	if (rc == 0 && n > MAX_MSG)
		rc = -EPROTO;
	if (rc == 0)
		rc = io_all(ch->fd[0], buf, (size_t)n, false);
	return rc ? rc : took(buf, (size_t)n, sum, first);
}

static int socket_send(struct chan *ch, const uint64_t *m, size_t len)
{
	ssize_t k;
	do
		k = send(ch->fd[1], m, len, 0);
	while (k < 0 && errno == EINTR);
	return k == (ssize_t)len ? 0 : -EIO;
}

static long socket_recv(struct chan *ch, uint64_t *buf, uint64_t *sum,
			uint64_t *first)
{
	ssize_t k;
	do
		k = recv(ch->fd[0], buf, MAX_MSG, 0);
	while (k < 0 && errno == EINTR);
	if (k <= 0)
		return k == 0 ? -EPIPE : -EIO;
	return took(buf, (size_t)k, sum, first);
}

static void fd_finish(struct chan *ch)
{
	close(ch->fd[1]);
}

static void fd_teardown(struct chan *ch)
{
	close(ch->fd[0]);
	close(ch->fd[1]);
}

static const struct msg_impl impls[] = {
	{ "lfk_msgring", ring_setup, ring_attach, ring_send, ring_recv,
	  ring_finish, region_teardown },
	{ "lfk_msgring_zc", ring_setup, ring_attach, zc_send, zc_recv,
	  ring_finish, region_teardown },
	{ "ref_msgring", twin_setup, twin_attach, ring_send, ring_recv,
	  ring_finish, region_teardown },
	{ "pipe", pipe_setup, fd_attach, pipe_send, pipe_recv, fd_finish,
	  fd_teardown },
	{ "unix_socket", socket_setup, fd_attach, socket_send, socket_recv,
	  fd_finish, fd_teardown },
};
#define NIMPLS (sizeof(impls) / sizeof(impls[0]))

/* ---- a run ----------------------------------------------------------------- */

struct msg_ctx {
	const struct msg_impl *im;
	size_t len;
	uint64_t *buf; /* the template (child) or the receive buffer */
	uint64_t *go; /* MAP_SHARED: 1 once the child waits, 2 to start */
	uint64_t moved; /* messages the last run checked */
};

/* The sum of message seq's words: the template's with word 0 and the last
 * word stamped. */
static uint64_t message_sum(uint64_t template_sum, const uint64_t *t,
			    size_t len, uint64_t seq)
{
	size_t last = len / 8 - 1;
	if (last == 0)
		return template_sum - t[0] + seq;
	return template_sum - t[0] - t[last] + seq + ~seq;
}

static void produce(struct msg_ctx *c, struct chan *ch, uint64_t n)
{
	uint64_t *m = c->buf;
	size_t last = c->len / 8 - 1;
	if (c->im->attach(ch) != 0)
		_exit(3);
	/* Tells the parent we attached; pairs with its acquire. */
	lfk_atomic_store_u64(c->go, 1, LFK_RELEASE);
	/* Pairs with the parent's release of the start. */
	while (lfk_atomic_load_u64(c->go, LFK_ACQUIRE) != 2)
		sched_yield();
	for (uint64_t seq = 0; seq < n; seq++) {
		m[0] = seq;
		if (last > 0)
			m[last] = ~seq;
		if (c->im->send(ch, m, c->len) != 0)
			_exit(4);
	}
	c->im->finish(ch);
	_exit(0);
}

static bool msg_run(void *arg, uint64_t ops, uint64_t *elapsed_ns)
{
	struct msg_ctx *c = arg;
	struct chan ch;
	uint64_t want = 0, sum = 0, got = 0, start, deadline;
	uint64_t tsum;
	bool ok = true;
	long rc = 0;
	int st = 0;
	pid_t pid;
	memset(&ch, 0, sizeof(ch));
	*elapsed_ns = 1;
	c->moved = 0;
	for (size_t i = 0; i < MAX_MSG / 8; i++)
		c->buf[i] = i * PATTERN;
	tsum = sum_words(c->buf, c->len);
	for (uint64_t seq = 0; seq < ops; seq++)
		want += message_sum(tsum, c->buf, c->len, seq);
	if (c->im->setup(&ch) != 0)
		return false;
	lfk_atomic_store_u64(c->go, 0, LFK_RELAXED);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		lfb_pin_self(1);
		produce(c, &ch, ops);
	}
	if (pid < 0) {
		c->im->teardown(&ch);
		return false;
	}
	if (c->im->finish == fd_finish)
		close(ch.fd[1]); /* the child's end only */
	deadline = lfk_now_ns() + RUN_DEADLINE_NS;
	/* Pairs with the child's release: it attached. */
	while (lfk_atomic_load_u64(c->go, LFK_ACQUIRE) != 1 && ok) {
		ok = waitpid(pid, &st, WNOHANG) == 0 && lfk_now_ns() < deadline;
		sched_yield();
	}
	start = lfk_now_ns();
	/* The start: the child spins on it. */
	lfk_atomic_store_u64(c->go, 2, LFK_RELEASE);
	while (ok && got <= ops) {
		uint64_t first;
		rc = c->im->recv(&ch, c->buf, &sum, &first);
		if (rc < 0)
			break;
		/* In order, whole: the sum covers the bytes. */
		if ((size_t)rc != c->len || first != got) {
			ok = false;
			break;
		}
		got++;
	}
	*elapsed_ns = lfk_now_ns() - start;
	if (!ok)
		kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		ok = false;
	c->im->teardown(&ch);
	c->moved = got;
	if (!ok || rc != -EPIPE || got != ops || sum != want) {
		fprintf(stderr,
			"lfbench msg: %s %zu B: got %llu of %llu, "
			"rc=%ld, sum %s\n",
			c->im->name, c->len, (unsigned long long)got,
			(unsigned long long)ops, rc,
			sum == want ? "ok" : "wrong");
		return false;
	}
	return true;
}

static uint64_t msg_moved(void *arg)
{
	return ((struct msg_ctx *)arg)->moved;
}

void lfb_bench_msg(const struct lfb_opts *o)
{
	static const size_t sizes[] = { 8, 64, 1024, 65536 };
	/* Messages per run at --scale 1: a few hundred ms on a pipe. */
	static const uint64_t ops[] = { 200000, 200000, 50000, 2000 };
	uint64_t *go = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t *buf = malloc(MAX_MSG);
	if (go == MAP_FAILED || buf == NULL) {
		perror("lfbench msg");
		free(buf);
		return;
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct msg_ctx c[NIMPLS];
		struct lfb_case k[NIMPLS];
		char bench[32], size[16];
		int n = 0;
		snprintf(size, sizeof(size), "%zu", sizes[s]);
		if (!lfb_selected("LFB_MSG_SIZES", size))
			continue;
		snprintf(bench, sizeof(bench), "msg_%zub", sizes[s]);
		for (size_t i = 0; i < NIMPLS; i++) {
			if (!lfb_selected("LFB_MSG_IMPLS", impls[i].name))
				continue;
			c[n] = (struct msg_ctx){ &impls[i], sizes[s], buf, go,
						 0 };
			k[n] = (struct lfb_case){
				.bench = bench,
				.impl = impls[i].name,
				.producers = 1,
				.consumers = 1,
				.ops = ops[s],
				.run = msg_run,
				.ctx = &c[n],
				.ops_done = msg_moved,
			};
			n++;
		}
		if (n > 0)
			lfb_measure_cases(o, k, n, NULL);
	}
	free(buf);
	munmap(go, 4096);
}
