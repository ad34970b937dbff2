/* SPDX-License-Identifier: MIT */
/*
 * Scenarios for shared-memory regions: lifecycle, directory, two mappings of
 * one region, validation of damaged images and truncated files, forked
 * producers and consumers, and a producer killed mid-stream.
 */
#define LFK_RING_TEST_HOOKS 1 /* before ring.h: stop a child mid-operation */

#include "shm_scenarios.h"

#include <fcntl.h>
#include <lfkit/ref/queue.h>
#include <lfkit/shm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/shm_layout.h"

/* A child process arms one hook point; reaching it, the child stops itself
 * (SIGSTOP), so the parent can kill it exactly there. */
static int armed_point = -1;

void lfk_ring_test_hook(enum lfk_ring_hook_point point)
{
	if ((int)point != armed_point)
		return;
	armed_point = -1;
	raise(SIGSTOP);
}

/* A region name unique to this process and call. */
static const char *region_name(char *buf, size_t len)
{
	static unsigned counter;
	snprintf(buf, len, "/lfk-test-%ld-%u", (long)getpid(), counter++);
	return buf;
}

int lfk_scn_lifecycle(void)
{
	char name[64];
	struct lfk_shm *a, *b;
	region_name(name, sizeof(name));
	LFK_CHECK(lfk_shm_open(name, &b) == -ENOENT, "open before create");
	LFK_CHECK(lfk_shm_create(name, 4096, 0600, &a) == 0, "create");
	LFK_CHECK(lfk_shm_create(name, 4096, 0600, &b) == -EEXIST,
		  "second create must be -EEXIST");
	LFK_CHECK(lfk_shm_open(name, &b) == 0, "open");
	LFK_CHECK(lfk_shm_size(b) == lfk_shm_size(a) && lfk_shm_size(a) > 4096,
		  "sizes");
	LFK_CHECK(lfk_shm_close(b) == 0 && lfk_shm_close(a) == 0, "close");
	LFK_CHECK(lfk_shm_open(name, &b) == 0, "open after close (lives on)");
	lfk_shm_close(b);
	LFK_CHECK(lfk_shm_unlink(name) == 0, "unlink");
	LFK_CHECK(lfk_shm_open(name, &b) == -ENOENT, "open after unlink");
	LFK_CHECK(lfk_shm_unlink(name) == -ENOENT, "second unlink");
	return 0;
}

int lfk_scn_bad_input(void)
{
	struct lfk_shm *s;
	char name[64];
	void *p;
	size_t n;
	LFK_CHECK(lfk_shm_create(NULL, 10, 0600, &s) == -EINVAL, "NULL name");
	LFK_CHECK(lfk_shm_create("noslash", 10, 0600, &s) == -EINVAL,
		  "name without slash");
	LFK_CHECK(lfk_shm_create("/a/b", 10, 0600, &s) == -EINVAL,
		  "name with two slashes");
	LFK_CHECK(lfk_shm_create("/", 10, 0600, &s) == -EINVAL, "empty name");
	LFK_CHECK(lfk_shm_create(region_name(name, sizeof(name)), 0, 0600, &s) ==
			  -EINVAL,
		  "size 0");
	LFK_CHECK(lfk_shm_create(name, SIZE_MAX, 0600, &s) == -EINVAL,
		  "absurd size");
	LFK_CHECK(lfk_shm_create(name, 10, 0600, NULL) == -EINVAL, "NULL out");
	LFK_CHECK(lfk_shm_open(NULL, &s) == -EINVAL, "open NULL");
	LFK_CHECK(lfk_shm_close(NULL) == -EINVAL, "close NULL");
	LFK_CHECK(lfk_shm_validate(NULL, 100) == -EINVAL, "validate NULL");
	struct lfk_ring_spsc *sr;
	LFK_CHECK(lfk_shm_ring_spsc_attach(NULL, "x", &sr) == -EINVAL,
		  "attach on NULL region");
	if (lfk_shm_create(name, 1 << 16, 0600, &s) != 0)
		return 1;
	LFK_CHECK(lfk_shm_ring_create(s, "r", 99, 4, 8,
				      (struct lfk_ring **)&p) == -EINVAL,
		  "bad kind");
	LFK_CHECK(lfk_shm_ring_create(s, "r", LFK_RING_SPSC, 0, 8,
				      (struct lfk_ring **)&p) == -EINVAL,
		  "capacity 0");
	LFK_CHECK(lfk_shm_ring_create(s, "", LFK_RING_SPSC, 4, 8,
				      (struct lfk_ring **)&p) == -EINVAL,
		  "empty object name");
	LFK_CHECK(lfk_shm_ring_create(s, "a-name-that-is-longer-than-31-bytes",
				      LFK_RING_SPSC, 4, 8,
				      (struct lfk_ring **)&p) == -EINVAL,
		  "object name too long");
	LFK_CHECK(lfk_shm_bytes_attach(s, "nope", &p, &n) == -ENOENT,
		  "attach of a missing name");
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

int lfk_scn_directory(void)
{
	char name[64];
	struct lfk_shm *s;
	void *p, *q;
	size_t n;
	char obj[16];
	int made = 0, rc = 0;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 20, 0600, &s) != 0)
		return 1;
	LFK_CHECK(lfk_shm_ring_create(s, "orders", LFK_RING_LFMPMC, 100, 64,
				      (struct lfk_ring **)&p) == 0,
		  "create ring");
	LFK_CHECK(lfk_shm_ring_create(s, "orders", LFK_RING_SPSC, 4, 8,
				      (struct lfk_ring **)&q) ==
			  -EEXIST,
		  "duplicate name");
	struct lfk_ring_lfmpmc *lr;
	struct lfk_ring_mpmc *mr;
	LFK_CHECK(lfk_shm_ring_lfmpmc_attach(s, "orders", &lr) == 0 &&
			  p == (void *)lr,
		  "attach");
	LFK_CHECK(lfk_shm_ring_mpmc_attach(s, "orders", &mr) == -EPROTO,
		  "attach as another kind");
	LFK_CHECK(lfk_shm_bytes_attach(s, "orders", &q, &n) == -EPROTO,
		  "attach a ring as bytes");
	LFK_CHECK(lfk_shm_ring_lfmpmc_attach(s, "missing", &lr) == -ENOENT,
		  "missing name");
	LFK_CHECK(lfk_shm_bytes_create(s, "stats", 1000, &p) == 0 &&
			  lfk_shm_bytes_attach(s, "stats", &q, &n) == 0 && p == q &&
			  n == 1000 && ((char *)q)[999] == 0,
		  "bytes object");
	/* the directory holds LFK_SHM_DIR_ENTRIES objects */
	for (int i = 2; i < LFK_SHM_DIR_ENTRIES + 1; i++) {
		snprintf(obj, sizeof(obj), "b%d", i);
		rc = lfk_shm_bytes_create(s, obj, 8, &p);
		if (rc != 0)
			break;
		made++;
	}
	LFK_CHECK(made == LFK_SHM_DIR_ENTRIES - 2 && rc == -ENOSPC,
		  "directory full after %d more objects (rc %d)", made, rc);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	/* a region too small for the object */
	if (lfk_shm_create(name, 4096, 0600, &s) != 0)
		return 1;
	LFK_CHECK(lfk_shm_ring_create(s, "big", LFK_RING_MPMC, 10000, 64,
				      (struct lfk_ring **)&p) ==
			  -ENOSPC,
		  "region full");
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

/* Two mappings of one region (at different addresses) exchange items
 * through every ring kind. */
int lfk_scn_two_mappings_share_rings(void)
{
	static const int kinds[] = { LFK_RING_SPSC, LFK_RING_MPMC,
				     LFK_RING_LFMPMC };
	char name[64];
	struct lfk_shm *a, *b;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 20, 0600, &a) != 0)
		return 1;
	if (lfk_shm_open(name, &b) != 0)
		return 1;
	LFK_CHECK(lfk_shm_base(a) != lfk_shm_base(b), "two mappings");
	for (int k = 0; k < 3; k++) {
		char obj[8];
		void *ra = NULL;
		struct lfk_ring *rb = NULL;
		uint64_t rec[3] = { 1, 2, 3 }, out[3] = { 0, 0, 0 };
		snprintf(obj, sizeof(obj), "r%d", k);
		LFK_CHECK(lfk_shm_ring_create(a, obj, kinds[k], 5, 24,
					      (struct lfk_ring **)&ra) == 0 &&
				  lfk_shm_ring_attach(b, obj, &rb) == 0 &&
				  (int)lfk_ring_kind_of(rb) == kinds[k],
			  "ring %d", k);
		if (lfk_failures())
			break;
		/* Through the handle: the ring's kind picks the calls. */
		LFK_CHECK(lfk_ring_enqueue_rec((struct lfk_ring *)ra, rec) == 0 &&
				  lfk_ring_dequeue_rec(rb, out) == 0,
			  "ring %d: record", k);
		LFK_CHECK(memcmp(rec, out, sizeof(rec)) == 0, "record crossed");
	}
	/* a seqlock-protected table */
	struct lfk_seqarray *sa, *sb;
	uint64_t rec[4] = { 7, 8, 9, 10 }, got[4];
	LFK_CHECK(lfk_shm_seqarray_create(a, "table", 16, 32, &sa) == 0 &&
			  lfk_shm_seqarray_attach(b, "table", &sb) == 0 &&
			  lfk_seqarray_length(sb) == 16,
		  "seqarray in the region");
	if (!lfk_failures()) {
		lfk_seqarray_write(sa, 15, rec);
		LFK_CHECK(lfk_seqarray_read(sb, 15, got) == 0 &&
				  memcmp(rec, got, sizeof(rec)) == 0,
			  "element crossed mappings");
	}
	LFK_CHECK(lfk_shm_seqarray_attach(b, "r0", &sb) == -EPROTO,
		  "a ring attached as a seqarray");
	{
		struct lfk_ring *rr = (struct lfk_ring *)&sb;
		LFK_CHECK(lfk_shm_ring_attach(b, "table", &rr) == -EPROTO &&
				  rr == NULL &&
				  lfk_shm_ring_attach(b, "none", &rr) == -ENOENT &&
				  lfk_shm_ring_attach(b, "r0", NULL) == -EINVAL,
			  "a seqarray or nothing attached as any ring");
	}
	lfk_shm_close(b);
	lfk_shm_close(a);
	lfk_shm_unlink(name);
	return 0;
}

/*
 * A copy of a valid region image, damaged one field at a time: validation
 * and attach must answer -EPROTO, never crash.
 */
int lfk_scn_validation_rejects_damage(void)
{
	char name[64];
	struct lfk_shm *s;
	void *r;
	size_t size;
	char *img;
	struct lfk__shm_header *h;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600, &s) != 0)
		return 1;
	lfk_shm_ring_create(s, "ring", LFK_RING_LFMPMC, 16, 8,
			    (struct lfk_ring **)&r);
	size = lfk_shm_size(s);
	img = aligned_alloc(LFK_RING_ALIGN, size);
	h = (struct lfk__shm_header *)img;
#define DAMAGE(what, stmt)                                                     \
	do {                                                                   \
		memcpy(img, lfk_shm_base(s), size);                            \
		LFK_CHECK(lfk_shm_validate(img, size) == 0, "clean copy");     \
		stmt;                                                          \
		LFK_CHECK(lfk__shm_ring_attach_image(img, size, "ring",        \
						     LFK_RING_LFMPMC, &r) ==   \
				  -EPROTO,                                     \
			  "attach accepted %s", what);                         \
	} while (0)
	DAMAGE("a wrong magic", h->magic ^= 1);
	DAMAGE("a wrong version", h->abi_version++);
	DAMAGE("a wrong architecture", h->arch ^= 3);
	DAMAGE("a wrong word size", h->word_size = 4);
	DAMAGE("a wrong cache line", h->cacheline = 128);
	DAMAGE("a wrong byte order", h->endian = 0x04030201);
	DAMAGE("a wrong total size", h->total_size += 4096);
	DAMAGE("a heap past the end", h->heap_next = size + 128);
	DAMAGE("too many entries", h->dir_used = LFK_SHM_DIR_ENTRIES + 1);
	DAMAGE("an unknown kind", h->dir[0].kind = 77);
	DAMAGE("an offset past the end", h->dir[0].offset = size);
	DAMAGE("a misaligned offset", h->dir[0].offset += 8);
	DAMAGE("a length past the end", h->dir[0].length = size);
	DAMAGE("an unterminated name", memset(h->dir[0].name, 'x', 32));
	DAMAGE("a bad entry state", h->dir[0].state = 9);
	DAMAGE("a ring geometry that disagrees",
	       ((struct lfk_ring_hdr *)(img + h->dir[0].offset))->mask = 1023);
	DAMAGE("a capacity that disagrees", h->dir[0].params[0] = 1000);
#undef DAMAGE
	/* the seqarray's own header */
	struct lfk_seqarray *sa;
	LFK_CHECK(lfk_shm_seqarray_create(s, "table", 8, 16, &sa) == 0,
		  "seqarray");
#define DAMAGE(what, stmt)                                                     \
	do {                                                                   \
		struct lfk_seqarray *out;                                      \
		memcpy(img, lfk_shm_base(s), size);                            \
		LFK_CHECK(lfk__shm_seqarray_attach_image(img, size, "table",   \
							 &out) == 0,           \
			  "clean copy");                                       \
		stmt;                                                          \
		LFK_CHECK(lfk__shm_seqarray_attach_image(img, size, "table",   \
							 &out) == -EPROTO,     \
			  "seqarray attach accepted %s", what);                \
	} while (0)
	DAMAGE("a wrong magic",
	       ((struct lfk_seqarray *)(img + h->dir[1].offset))->magic++);
	DAMAGE("a wrong length",
	       ((struct lfk_seqarray *)(img + h->dir[1].offset))->n = 9);
	DAMAGE("a huge stride",
	       ((struct lfk_seqarray *)(img + h->dir[1].offset))->stride =
		       1 << 20);
	DAMAGE("a short stride",
	       ((struct lfk_seqarray *)(img + h->dir[1].offset))->stride = 8);
	DAMAGE("an entry length that disagrees", h->dir[1].length -= 128);
#undef DAMAGE
	/* the mutex twin of the queue: its ring's geometry */
	struct lfk_ref_queue *rq;
	LFK_CHECK(lfk_shm_ref_queue_create(s, "twin", 8, 16, &rq) == 0,
		  "ref queue");
#define RING2 ((struct lfk_ref_ring *)(img + h->dir[2].offset +               \
				       ((struct lfk_ref_queue *)(img +         \
					h->dir[2].offset))->ring_off))
#define DAMAGE(what, stmt)                                                     \
	do {                                                                   \
		struct lfk_ref_queue *out;                                     \
		memcpy(img, lfk_shm_base(s), size);                            \
		LFK_CHECK(lfk__shm_ref_queue_attach_image(img, size, "twin",   \
							  &out) == 0,          \
			  "clean copy");                                       \
		stmt;                                                          \
		LFK_CHECK(lfk__shm_ref_queue_attach_image(img, size, "twin",   \
							  &out) == -EPROTO,    \
			  "ref queue attach accepted %s", what);               \
	} while (0)
	DAMAGE("a moved ring", ((struct lfk_ref_queue *)(img + h->dir[2].offset))->ring_off += 64);
	DAMAGE("a wrong capacity", RING2->capacity = 1 << 20);
	DAMAGE("a wrong element size", RING2->elem_words = 1000);
	DAMAGE("a moved data area", RING2->data_off = 1 << 20);
	DAMAGE("a private twin", RING2->flags = 0);
	DAMAGE("an entry length that disagrees", h->dir[2].length += 128);
	DAMAGE("a capacity that disagrees", h->dir[2].params[0] = 9);
	DAMAGE("another kind", h->dir[2].kind = LFK_SHM_QUEUE);
#undef RING2
	LFK_CHECK(lfk_shm_validate(img, sizeof(*h) - 1) == -EPROTO,
		  "a short image");
	LFK_CHECK(lfk_shm_validate(img + 8, size - 8) == -EPROTO,
		  "a misaligned image");
#undef DAMAGE
	free(img);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

int lfk_scn_truncated_file(void)
{
	char name[64];
	struct lfk_shm *s;
	int fd;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600, &s) != 0)
		return 1;
	lfk_shm_close(s);
	fd = shm_open(name, O_RDWR, 0);
	LFK_CHECK(fd >= 0 && ftruncate(fd, 4096) == 0, "truncate");
	close(fd);
	LFK_CHECK(lfk_shm_open(name, &s) == -EPROTO, "truncated region opened");
	fd = shm_open(name, O_RDWR, 0);
	LFK_CHECK(fd >= 0 && ftruncate(fd, 10) == 0, "truncate more");
	close(fd);
	LFK_CHECK(lfk_shm_open(name, &s) == -EPROTO, "tiny region opened");
	lfk_shm_unlink(name);
	return 0;
}

/* ---- processes ------------------------------------------------------- */

#define NPROC 2
struct totals {
	uint64_t count, sum, xor;
};
struct board { /* a bytes object: what each process did */
	struct totals prod[NPROC], cons[NPROC];
	uint64_t producers_done;
	uint64_t deadline_ns; /* producers stop here (CLOCK_MONOTONIC); 0: never */
};

/* Whether a producer about to put item i is out of time: the stress bound
 * in seconds, beside the bound in items.  The clock is read every 64 items. */
static bool out_of_time(const struct board *bd, uint64_t i)
{
	return bd->deadline_ns != 0 && i % 64 == 0 &&
	       lfk_now_ns() >= bd->deadline_ns;
}

static void child_producer(const void *ctx, const char *name, int me,
			   uint64_t items)
{
	(void)ctx;
	struct lfk_shm *s;
	struct lfk_ring_lfmpmc *r;
	void *b;
	size_t n;
	struct totals t = { 0, 0, 0 };
	unsigned spins = 0;
	if (lfk_shm_open(name, &s) != 0 ||
	    lfk_shm_ring_lfmpmc_attach(s, "ring", &r) != 0 ||
	    lfk_shm_bytes_attach(s, "board", &b, &n) != 0)
		_exit(3);
	for (uint64_t i = 0; i < items && !out_of_time(b, i);) {
		uint64_t v = ((uint64_t)(me + 1) << 40) | i;
		if (lfk_ring_lfmpmc_enqueue(r, v) == 0) {
			t.count++;
			t.sum += v;
			t.xor ^= v;
			i++;
			spins = 0;
		} else {
			lfk_backoff(&spins);
		}
	}
	((struct board *)b)->prod[me] = t;
	/* Publishes this producer's totals and its last item. */
	lfk_atomic_fetch_add_u64(&((struct board *)b)->producers_done, 1,
				 LFK_RELEASE);
	_exit(0);
}

static void child_consumer(const void *ctx, const char *name, int me,
			   uint64_t items)
{
	(void)ctx;
	(void)items;
	struct lfk_shm *s;
	struct lfk_ring_lfmpmc *r;
	void *b;
	size_t n;
	struct totals t = { 0, 0, 0 };
	uint64_t last[NPROC + 1] = { 0 }, v;
	unsigned spins = 0;
	bool done = false;
	if (lfk_shm_open(name, &s) != 0 ||
	    lfk_shm_ring_lfmpmc_attach(s, "ring", &r) != 0 ||
	    lfk_shm_bytes_attach(s, "board", &b, &n) != 0)
		_exit(3);
	for (;;) {
		if (lfk_ring_lfmpmc_dequeue(r, &v) == 0) {
			unsigned p = (unsigned)(v >> 40);
			uint64_t seq = v & ((1ull << 40) - 1);
			if (p == 0 || p > NPROC || (seq + 1 <= last[p]))
				_exit(4); /* unknown item, or out of order */
			last[p] = seq + 1;
			t.count++;
			t.sum += v;
			t.xor ^= v;
			spins = 0;
		} else if (done) {
			break;
		} else {
			/* Pairs with the producers' release of their count. */
			done = lfk_atomic_load_u64(
				       &((struct board *)b)->producers_done,
				       LFK_ACQUIRE) == NPROC;
			lfk_backoff(&spins);
		}
	}
	((struct board *)b)->cons[me] = t;
	_exit(0);
}

/*
 * Forks NPROC producers and NPROC consumers over the region `name` (each
 * child gets ctx), waits for the producers, calls finish(q) if given (a
 * queue closes: its consumers then stop at -EPIPE), waits for the
 * consumers, and checks that what the consumers wrote on the board adds up
 * to what the producers wrote.
 */
typedef void (*child_fn)(const void *ctx, const char *name, int me,
			 uint64_t items);

static void run_children(const char *name, struct board *bd, child_fn producer,
			 child_fn consumer, const void *ctx, uint64_t items,
			 int (*finish)(void *q), void *q)
{
	pid_t pids[2 * NPROC];
	struct totals in = { 0, 0, 0 }, out = { 0, 0, 0 };
	bd->deadline_ns = lfk_now_ns() + (uint64_t)(lfk_stress_seconds() * 1e9);
	fflush(NULL);
	for (int i = 0; i < 2 * NPROC; i++) {
		pids[i] = lfk_fork();
		if (pids[i] == 0) {
			if (i < NPROC)
				producer(ctx, name, i, items);
			consumer(ctx, name, i - NPROC, items);
		}
	}
	for (int i = 0; i < 2 * NPROC; i++) {
		int st;
		if (i == NPROC && finish != NULL)
			finish(q); /* the producers are done */
		waitpid(pids[i], &st, 0);
		LFK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "child %d ended with status %#x", i, st);
	}
	for (int i = 0; i < NPROC; i++) {
		in.count += bd->prod[i].count;
		in.sum += bd->prod[i].sum;
		in.xor ^= bd->prod[i].xor;
		out.count += bd->cons[i].count;
		out.sum += bd->cons[i].sum;
		out.xor ^= bd->cons[i].xor;
	}
	LFK_CHECK(in.count > 0 && in.count <= items * NPROC &&
			  in.count == out.count && in.sum == out.sum &&
			  in.xor == out.xor,
		  "produced %llu, consumed %llu (sums %#llx/%#llx)",
		  (unsigned long long)in.count, (unsigned long long)out.count,
		  (unsigned long long)in.sum, (unsigned long long)out.sum);
	lfk_stress_moved(out.count);
}

int lfk_scn_fork_producers_consumers(void)
{
	char name[64];
	struct lfk_shm *s;
	void *r, *b;
	if (lfk_skip_between_processes(LFK_RING_LFMPMC, __func__))
		return 0;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 20, 0600, &s) != 0)
		return 1;
	if (lfk_shm_ring_create(s, "ring", LFK_RING_LFMPMC, 64, 8,
				(struct lfk_ring **)&r) != 0 ||
	    lfk_shm_bytes_create(s, "board", sizeof(struct board), &b) != 0)
		return 1;
	run_children(name, b, child_producer, child_consumer, NULL,
		     lfk_stress_items() / NPROC, NULL, NULL);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

/*
 * A producer process is killed with SIGKILL at a random moment.  On the
 * lock-free ring the survivor (this process, consuming) drains everything
 * the dead producer published: a gap-free prefix of its sequence, nothing
 * duplicated.  The item it was publishing when it died is absent, unless
 * it had filled its entry (then it comes out last); the ring keeps its
 * whole capacity.
 */
int lfk_scn_killed_producer_loses_nothing_published(void)
{
	struct lfk_rng rng;
	if (lfk_skip_between_processes(LFK_RING_LFMPMC, __func__))
		return 0;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int round = 0; round < 5; round++) {
		char name[64];
		struct lfk_shm *s;
		void *r, *b;
		pid_t pid;
		uint64_t next = 0, v;
		int st;
		if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 20, 0600,
				   &s) != 0)
			return 1;
		if (lfk_shm_ring_create(s, "ring", LFK_RING_LFMPMC, 16, 8,
					(struct lfk_ring **)&r) != 0 ||
		    lfk_shm_bytes_create(s, "board", sizeof(struct board), &b) != 0)
			return 1;
		fflush(NULL);
		pid = lfk_fork();
		if (pid == 0)
			child_producer(NULL, name, 0, UINT64_MAX >> 30);
		/* consume for a random while after the first item, then kill
		 * the producer mid-stream */
		uint64_t giveup = lfk_now_ns() + 10000000000ull, stop = 0;
		while (next == 0 ? lfk_now_ns() < giveup : lfk_now_ns() < stop) {
			if (next == 1 && stop == 0)
				stop = lfk_now_ns() +
				       lfk_rng_below(&rng, 20000000);
			if (lfk_ring_lfmpmc_dequeue(r, &v) == 0) {
				LFK_CHECK(v == ((1ull << 40) | next),
					  "got %#llx, expected seq %llu",
					  (unsigned long long)v,
					  (unsigned long long)next);
				next++;
			}
		}
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		LFK_CHECK(WIFSIGNALED(st), "producer was not killed");
		while (lfk_ring_lfmpmc_dequeue(r, &v) == 0) {
			LFK_CHECK(v == ((1ull << 40) | next),
				  "after the kill got %#llx, expected seq %llu",
				  (unsigned long long)v, (unsigned long long)next);
			next++;
		}
		LFK_CHECK(next > 0, "nothing was produced");
		/* the survivors keep using the ring */
		for (v = 0; lfk_ring_lfmpmc_enqueue(r, v) == 0; v++)
			;
		LFK_CHECK(v == 16, "ring holds %llu after the kill",
			  (unsigned long long)v);
		lfk_shm_close(s);
		lfk_shm_unlink(name);
	}
	return 0;
}

/*
 * A process killed in the middle of an operation on a shared ring, for the
 * two multi-producer rings, as documented in <lfkit/ring.h>:
 *   lfmpmc  the others carry on and nothing is lost: a producer killed
 *           after filling its entry (tail not yet moved) has put its item,
 *           a consumer killed after taking one has freed its entry; the
 *           ring keeps its whole capacity.
 *   mpmc    a producer that dies between reserving and publishing blocks
 *           every consumer at its slot for good (count() says items are
 *           there, dequeue says empty); a consumer that dies between
 *           reserving and releasing blocks producers when they lap to its
 *           slot.  Use lfmpmc between processes that may die.
 */
struct death_case {
	int kind;
	bool producer;
	enum lfk_ring_hook_point point;
	bool records; /* 16-byte records {v, ~v} instead of u64 values */
};

static bool kill_child_mid_operation(const struct death_case *c, void *r)
{
	pid_t pid;
	int st;
	fflush(NULL);
	pid = lfk_fork();
	if (pid == 0) {
		uint64_t v[2] = { 0xdead, ~0xdeadull };
		armed_point = (int)c->point;
		if (c->records)
			lfk_ring_dequeue_rec(r, v);
		else if (c->producer)
			lfk_ring_enqueue(r, v[0]);
		else
			lfk_ring_dequeue(r, v);
		_exit(0); /* not reached: stopped at the hook, then killed */
	}
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
		LFK_CHECK(0, "child did not stop at its hook (status %#x)", st);
		return false;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st);
}

/*
 * A record ring's consumer killed after taking an item's index, before it
 * copied the record out and handed the slot back: the record is gone and
 * so is its data slot (the ring holds capacity - 1 from then on).
 */
static int killed_holding_a_record(void)
{
	static const struct death_case c = { LFK_RING_LFMPMC, false,
					     LFK_HOOK_LFMPMC_DEQ_SLOT, true };
	char name[64];
	struct lfk_shm *s;
	struct lfk_ring *r;
	uint64_t rec[2], n;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600,
			   &s) != 0 ||
	    lfk_shm_ring_create(s, "ring", LFK_RING_LFMPMC, 8, 16, &r) != 0)
		return 1;
	for (uint64_t v = 1; v <= 3; v++) {
		uint64_t item[2] = { v, ~v };
		lfk_ring_enqueue_rec(r, item);
	}
	LFK_CHECK(kill_child_mid_operation(&c, r), "record consumer: child "
		  "not killed");
	for (uint64_t v = 2; v <= 3; v++)
		LFK_CHECK(lfk_ring_dequeue_rec(r, rec) == 0 && rec[0] == v &&
				  rec[1] == ~v,
			  "record consumer: item %llu after the death",
			  (unsigned long long)v);
	LFK_CHECK(lfk_ring_dequeue_rec(r, rec) == -EAGAIN,
		  "record consumer: then empty");
	for (n = 0;; n++) {
		uint64_t item[2] = { 100 + n, ~(100 + n) };
		if (lfk_ring_enqueue_rec(r, item) != 0)
			break;
	}
	LFK_CHECK(n == 7, "record consumer: the ring holds %llu (capacity - 1 "
		  "expected)", (unsigned long long)n);
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

int lfk_scn_killed_mid_operation(void)
{
	static const struct death_case cases[] = {
		{ LFK_RING_LFMPMC, true, LFK_HOOK_LFMPMC_ENQ_SLOT, false },
		{ LFK_RING_LFMPMC, false, LFK_HOOK_LFMPMC_DEQ_SLOT, false },
		{ LFK_RING_MPMC, true, LFK_HOOK_MPMC_ENQ_RESERVED, false },
		{ LFK_RING_MPMC, false, LFK_HOOK_MPMC_DEQ_RESERVED, false },
	};
	if (killed_holding_a_record() != 0)
		return 1;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct death_case *c = &cases[k];
		const char *what = c->kind == LFK_RING_LFMPMC
			? (c->producer ? "lfmpmc producer" : "lfmpmc consumer")
			: (c->producer ? "mpmc producer" : "mpmc consumer");
		char name[64];
		struct lfk_shm *s;
		void *r;
		uint64_t v, n;
		if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600,
				   &s) != 0 ||
		    lfk_shm_ring_create(s, "ring", c->kind, 8, 8,
					(struct lfk_ring **)&r) != 0)
			return 1;
		for (v = 1; v <= 3; v++) /* items 1, 2, 3 */
			lfk_ring_enqueue(r, v);
		if (!kill_child_mid_operation(c, r)) {
			LFK_CHECK(0, "%s: child not killed", what);
			continue;
		}
		if (c->kind == LFK_RING_LFMPMC) {
			/* the survivors finish: every published item that the
			 * dead process did not take comes out, in order, the
			 * dead producer's last (it had published it) */
			for (v = c->producer ? 1 : 2; v <= 3; v++)
				LFK_CHECK(lfk_ring_dequeue(r, &n) == 0 && n == v,
					  "%s: item %llu after the death", what,
					  (unsigned long long)v);
			LFK_CHECK(!c->producer ||
					  (lfk_ring_dequeue(r, &n) == 0 &&
					   n == 0xdead),
				  "%s: the dead producer's published item",
				  what);
			LFK_CHECK(lfk_ring_dequeue(r, &n) == -EAGAIN,
				  "%s: then empty", what);
			for (n = 0; lfk_ring_enqueue(r, 100 + n) == 0; n++)
				;
			LFK_CHECK(n == 8, "%s: the ring holds %llu (its whole "
				  "capacity, 8, expected)", what,
				  (unsigned long long)n);
			for (v = 0; v < 8; v++) {
				uint64_t got;
				LFK_CHECK(lfk_ring_dequeue(r, &got) == 0 &&
						  got == 100 + v,
					  "%s: traffic after the death", what);
			}
		} else if (c->producer) {
			/* items 1..3 drain; then every consumer stalls at the
			 * dead producer's slot while more items wait behind */
			for (v = 1; v <= 3; v++)
				LFK_CHECK(lfk_ring_dequeue(r, &n) == 0 && n == v,
					  "%s: item %llu", what,
					  (unsigned long long)v);
			LFK_CHECK(lfk_ring_enqueue(r, 50) == 0 &&
					  lfk_ring_dequeue(r, &n) == -EAGAIN &&
					  lfk_ring_count(r) == 2,
				  "%s: consumers must stall at the dead slot",
				  what);
		} else {
			/* item 1 died with the consumer; 2 and 3 drain; the
			 * producers fill until they lap onto the dead slot */
			for (v = 2; v <= 3; v++)
				LFK_CHECK(lfk_ring_dequeue(r, &n) == 0 && n == v,
					  "%s: item %llu", what,
					  (unsigned long long)v);
			for (n = 0; lfk_ring_enqueue(r, 100 + n) == 0; n++)
				;
			LFK_CHECK(n == 5 && lfk_ring_count(r) == 5,
				  "%s: producers must stop at the dead slot "
				  "(%llu accepted)", what, (unsigned long long)n);
		}
		lfk_shm_close(s);
		lfk_shm_unlink(name);
	}
	return 0;
}

/*
 * The blocking queue between processes: two producer processes put, two
 * consumer processes get, sleeping on shared futexes (lfk_queue) or
 * process-shared condition variables (its twin) when the queue is full or
 * empty; the parent closes the queue once the producers are done and the
 * consumers drain it and stop at -EPIPE.
 */
struct shared_queue_ops {
	const char *what;
	int (*create)(struct lfk_shm *s, void **q);
	int (*attach)(struct lfk_shm *s, void **q);
	int (*put)(void *q, uint64_t v);
	int (*get)(void *q, uint64_t *v);
	int (*close)(void *q);
};

static int lq_create(struct lfk_shm *s, void **q)
{
	return lfk_shm_queue_create(s, "queue", LFK_RING_LFMPMC, 4, 8,
				    (struct lfk_queue **)q);
}

static int lq_attach(struct lfk_shm *s, void **q)
{
	return lfk_shm_queue_attach(s, "queue", (struct lfk_queue **)q);
}

static int lq_put(void *q, uint64_t v)
{
	return lfk_queue_put(q, v, LFK_FOREVER);
}

static int lq_get(void *q, uint64_t *v)
{
	return lfk_queue_get(q, v, LFK_FOREVER);
}

static int lq_close(void *q)
{
	return lfk_queue_close(q);
}

static int rq_create(struct lfk_shm *s, void **q)
{
	return lfk_shm_ref_queue_create(s, "queue", 4, 8,
					(struct lfk_ref_queue **)q);
}

static int rq_attach(struct lfk_shm *s, void **q)
{
	return lfk_shm_ref_queue_attach(s, "queue", (struct lfk_ref_queue **)q);
}

static int rq_put(void *q, uint64_t v)
{
	return lfk_ref_queue_put(q, v, LFK_FOREVER);
}

static int rq_get(void *q, uint64_t *v)
{
	return lfk_ref_queue_get(q, v, LFK_FOREVER);
}

static int rq_close(void *q)
{
	return lfk_ref_queue_close(q);
}

static const struct shared_queue_ops lfk_queue_ops = {
	"lfk_queue", lq_create, lq_attach, lq_put, lq_get, lq_close
};
static const struct shared_queue_ops ref_queue_ops = {
	"ref_queue", rq_create, rq_attach, rq_put, rq_get, rq_close
};

static void queue_producer(const void *ctx, const char *name, int me,
			   uint64_t items)
{
	const struct shared_queue_ops *ops = ctx;
	struct lfk_shm *s;
	void *q, *b;
	size_t n;
	struct totals t = { 0, 0, 0 };
	if (lfk_shm_open(name, &s) != 0 || ops->attach(s, &q) != 0 ||
	    lfk_shm_bytes_attach(s, "board", &b, &n) != 0)
		_exit(3);
	for (uint64_t i = 0; i < items && !out_of_time(b, i); i++) {
		uint64_t v = ((uint64_t)(me + 1) << 40) | i;
		if (ops->put(q, v) != 0)
			_exit(4);
		t.count++;
		t.sum += v;
		t.xor ^= v;
	}
	((struct board *)b)->prod[me] = t;
	_exit(0);
}

static void queue_consumer(const void *ctx, const char *name, int me,
			   uint64_t items)
{
	const struct shared_queue_ops *ops = ctx;
	(void)items;
	struct lfk_shm *s;
	void *q, *b;
	size_t n;
	struct totals t = { 0, 0, 0 };
	uint64_t v, last[NPROC + 1] = { 0 };
	int rc;
	if (lfk_shm_open(name, &s) != 0 || ops->attach(s, &q) != 0 ||
	    lfk_shm_bytes_attach(s, "board", &b, &n) != 0)
		_exit(3);
	while ((rc = ops->get(q, &v)) == 0) {
		unsigned p = (unsigned)(v >> 40);
		uint64_t seq = v & ((1ull << 40) - 1);
		if (p == 0 || p > NPROC || seq + 1 <= last[p])
			_exit(5);
		last[p] = seq + 1;
		t.count++;
		t.sum += v;
		t.xor ^= v;
	}
	if (rc != -EPIPE)
		_exit(6);
	((struct board *)b)->cons[me] = t;
	_exit(0);
}

static int shared_queue_two_by_two(const struct shared_queue_ops *ops)
{
	char name[64];
	struct lfk_shm *s;
	void *q, *b;
	struct lfk_queue *q2;
	struct lfk_ref_queue *r2;
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 20, 0600, &s) != 0)
		return 1;
	if (ops->create(s, &q) != 0 ||
	    lfk_shm_bytes_create(s, "board", sizeof(struct board), &b) != 0)
		return 1;
	run_children(name, b, queue_producer, queue_consumer, ops,
		     lfk_stress_items() / 20 + 1, ops->close, q);
	LFK_CHECK(ops->attach(s, &q) == 0, "%s: attach", ops->what);
	LFK_CHECK(lfk_shm_queue_attach(s, "board", &q2) == -EPROTO &&
			  lfk_shm_ref_queue_attach(s, "board", &r2) == -EPROTO,
		  "bytes attached as a queue");
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}

int lfk_scn_queue_between_processes(void)
{
	if (lfk_skip_between_processes(LFK_RING_LFMPMC, __func__))
		return 0; /* lq_create builds it over lfmpmc */
	return shared_queue_two_by_two(&lfk_queue_ops);
}

int lfk_scn_ref_queue_between_processes(void)
{
	return shared_queue_two_by_two(&ref_queue_ops);
}

/*
 * The twin's robust mutex: a process dies holding the lock of a shared
 * lfk_ref_queue (it took the lock directly; in the second round it had
 * also written half an item into the next slot, as a put killed before its
 * commit).  The next locker recovers the mutex (EOWNERDEAD, then
 * pthread_mutex_consistent) and finds the queue as it was: the items in
 * order, no trace of the half-written one, every operation working.
 */
static bool robust_futex_list(void)
{
	/* qemu-user does not implement the robust futex list: there, a mutex
	 * whose owner died is never handed on. */
	void *head;
	size_t len;
	return syscall(SYS_get_robust_list, 0, &head, &len) == 0;
}

static bool child_dies_holding(struct lfk_ref_ring *r, bool half_put)
{
	pid_t pid;
	int st = 0;
	fflush(NULL);
	pid = lfk_fork();
	if (pid == 0) {
		pthread_mutex_lock(&r->lock);
		if (half_put)
			memset((char *)r + r->data_off +
				       (r->tail % r->capacity) * r->elem_words * 8,
			       0xee, r->elem_words * 8);
		raise(SIGSTOP);
		_exit(0); /* not reached: killed while stopped */
	}
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
		LFK_CHECK(0, "child did not stop holding the lock (%#x)", st);
		return false;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st);
}

int lfk_scn_ref_queue_owner_killed(void)
{
	if (!robust_futex_list()) {
		printf("ref_queue_owner_killed: skipped, no robust futex list "
		       "(qemu-user)\n");
		return 0;
	}
	for (int round = 0; round < 2; round++) {
		char name[64];
		struct lfk_shm *s;
		struct lfk_ref_queue *q;
		struct lfk_ref_ring *r;
		uint64_t v;
		if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600,
				   &s) != 0 ||
		    lfk_shm_ref_queue_create(s, "queue", 4, 8, &q) != 0)
			return 1;
		r = (struct lfk_ref_ring *)((char *)q + q->ring_off);
		for (v = 1; v <= 3; v++)
			lfk_ref_queue_put(q, v, 0);
		LFK_CHECK(child_dies_holding(r, round == 1),
			  "round %d: child not killed", round);
		/* twice: the recovered mutex also survives a second death */
		LFK_CHECK(lfk_ref_queue_count(q) == 3, "round %d: count after "
			  "the death", round);
		LFK_CHECK(child_dies_holding(r, round == 1),
			  "round %d: second child not killed", round);
		for (v = 1; v <= 3; v++) {
			uint64_t got = 0;
			LFK_CHECK(lfk_ref_queue_get(q, &got, 0) == 0 && got == v,
				  "round %d: item %llu after the deaths (got "
				  "%#llx)", round, (unsigned long long)v,
				  (unsigned long long)got);
		}
		LFK_CHECK(lfk_ref_queue_get(q, &v, 0) == -EAGAIN,
			  "round %d: the half-written item must be absent",
			  round);
		for (v = 0; v < 4; v++)
			LFK_CHECK(lfk_ref_queue_put(q, 10 + v, 0) == 0,
				  "round %d: put after the deaths", round);
		LFK_CHECK(lfk_ref_queue_put(q, 99, 0) == -EAGAIN,
			  "round %d: full at capacity", round);
		for (v = 0; v < 4; v++) {
			uint64_t got = 0;
			LFK_CHECK(lfk_ref_queue_get(q, &got, 0) == 0 &&
					  got == 10 + v,
				  "round %d: traffic after the deaths", round);
		}
		for (v = 0; v < 7; v++)
			LFK_CHECK(lfk_ref_queue_task_done(q) == 0,
				  "round %d: task_done", round);
		LFK_CHECK(lfk_ref_queue_task_done(q) == -EINVAL &&
				  lfk_ref_queue_join(q, 0) == 0,
			  "round %d: join after the deaths", round);
		LFK_CHECK(lfk_ref_queue_close(q) == 0 &&
				  lfk_ref_queue_get(q, &v, 0) == -EPIPE,
			  "round %d: close after the deaths", round);
		lfk_shm_close(s);
		lfk_shm_unlink(name);
	}
	return 0;
}

/*
 * An event and a semaphore by name between processes: workers wait for the
 * "go" event, then each posts the "done" semaphore once; the parent sees
 * nobody start early and everybody finish.
 */
#define WORKERS 4

static void event_worker(const char *name)
{
	struct lfk_shm *s;
	struct lfk_event *go;
	struct lfk_sem *done;
	if (lfk_shm_open(name, &s) != 0 || lfk_shm_event_attach(s, "go", &go) != 0 ||
	    lfk_shm_sem_attach(s, "done", &done) != 0)
		_exit(3);
	if (lfk_event_wait(go, 10000000000ull) != 0)
		_exit(4);
	_exit(lfk_sem_post(done) == 0 ? 0 : 5);
}

int lfk_scn_event_and_semaphore_between_processes(void)
{
	char name[64];
	struct lfk_shm *s;
	struct lfk_event *go, *e2;
	struct lfk_sem *done, *s2;
	uint32_t units;
	pid_t pids[WORKERS];
	if (lfk_shm_create(region_name(name, sizeof(name)), 1 << 16, 0600, &s) != 0)
		return 1;
	if (lfk_shm_event_create(s, "go", &go) != 0 ||
	    lfk_shm_sem_create(s, "done", 0, &done) != 0)
		return 1;
	LFK_CHECK(lfk_shm_sem_attach(s, "go", &s2) == -EPROTO &&
			  lfk_shm_event_attach(s, "done", &e2) == -EPROTO,
		  "attach as the wrong kind");
	LFK_CHECK(lfk_shm_sem_create(s, "big", LFK_SEM_VALUE_MAX + 1u, &s2) ==
			  -EINVAL,
		  "semaphore value too large");
	fflush(NULL);
	for (int i = 0; i < WORKERS; i++) {
		pids[i] = lfk_fork();
		if (pids[i] == 0)
			event_worker(name);
	}
	usleep(20000);
	LFK_CHECK(lfk_sem_value(done, &units) == 0 && units == 0,
		  "a worker started before the event");
	lfk_event_set(go);
	for (int i = 0; i < WORKERS; i++)
		LFK_CHECK(lfk_sem_wait(done, 10000000000ull) == 0,
			  "worker %d did not report", i);
	for (int i = 0; i < WORKERS; i++) {
		int st;
		waitpid(pids[i], &st, 0);
		LFK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			  "worker %d ended with status %#x", i, st);
	}
	lfk_shm_close(s);
	lfk_shm_unlink(name);
	return 0;
}
