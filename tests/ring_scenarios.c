/* SPDX-License-Identifier: MIT */
/*
 * Scenarios for the rings: bad input, exact capacity, differential runs
 * against the mutex twin (through wrap-around too), multi-threaded stress
 * with per-producer order and checksums, the "never spurious" claim, and
 * progress with a thread parked mid-operation (test hooks).
 */
#define LFK_RING_TEST_HOOKS 1 /* before ring.h: the parking hooks below */

#include "ring_scenarios.h"

#include <lfkit/ref/ring.h>
#include <lfkit/ring.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "harness/ring_ops.h"

#define MAX_SIDE LFK_STRESS_MAX_THREADS
static const struct lfk_ring_ops *const kinds[] = {
	&lfk_ring_ops_spsc, &lfk_ring_ops_mpmc, &lfk_ring_ops_lfmpmc,
	&lfk_ring_ops_ref,
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* ---- bad input ------------------------------------------------------- */

int lfk_scn_bad_input(void)
{
	static const size_t bad_caps[] = { 0, LFK_RING_MAX_CAPACITY + 1,
					   SIZE_MAX };
	static const size_t bad_elems[] = { 0, 4, 12, LFK_RING_MAX_ELEM_SIZE + 8 };
	for (size_t k = 0; k < NKINDS; k++) {
		const struct lfk_ring_ops *ops = kinds[k];
		void *r = (void *)1;
		for (size_t i = 0; i < sizeof(bad_caps) / sizeof(bad_caps[0]); i++)
			LFK_CHECK(ops->create(bad_caps[i], 8, &r) == -EINVAL &&
					  r == NULL,
				  "%s: capacity %zu accepted", ops->name,
				  bad_caps[i]);
		for (size_t i = 0; i < sizeof(bad_elems) / sizeof(bad_elems[0]); i++)
			LFK_CHECK(ops->create(4, bad_elems[i], &r) == -EINVAL,
				  "%s: elem_size %zu accepted", ops->name,
				  bad_elems[i]);
		LFK_CHECK(ops->create(4, 8, NULL) == -EINVAL,
			  "%s: NULL out accepted", ops->name);
		/* u64 calls on a record ring, and NULL buffers */
		LFK_CHECK(ops->create(4, 16, &r) == 0, "%s: create", ops->name);
		uint64_t v = 1, rec[2] = { 1, 2 };
		LFK_CHECK(ops->enqueue(r, 7) == -EINVAL, "%s: u64 enqueue on "
			  "16-byte records", ops->name);
		LFK_CHECK(ops->dequeue(r, &v) == -EINVAL, "%s: u64 dequeue on "
			  "16-byte records", ops->name);
		LFK_CHECK(ops->enqueue_burst(r, &v, 1) == 0, "%s: u64 burst",
			  ops->name);
		LFK_CHECK(ops->enqueue_rec(r, NULL) == -EINVAL, "%s: NULL rec",
			  ops->name);
		LFK_CHECK(ops->dequeue_rec(r, NULL) == -EINVAL, "%s: NULL rec",
			  ops->name);
		LFK_CHECK(ops->enqueue_rec(r, rec) == 0 && ops->count(r) == 1,
			  "%s: rec enqueue", ops->name);
		ops->destroy(r);
		LFK_CHECK(ops->enqueue(NULL, 1) == -EINVAL, "%s: NULL ring",
			  ops->name);
		LFK_CHECK(ops->dequeue(NULL, &v) == -EINVAL, "%s: NULL ring",
			  ops->name);
		LFK_CHECK(ops->count(NULL) == 0 && ops->capacity(NULL) == 0,
			  "%s: NULL ring count", ops->name);
	}
	/* placement: sizes, misaligned memory, NULL memory */
	LFK_CHECK(lfk_ring_spsc_size(0, 8) == 0 && lfk_ring_mpmc_size(3, 12) == 0 &&
			  lfk_ring_lfmpmc_size(LFK_RING_MAX_CAPACITY + 1, 8) == 0,
		  "size of bad parameters must be 0");
	size_t bytes = lfk_ring_lfmpmc_size(16, 8);
	char *mem = aligned_alloc(LFK_RING_ALIGN, bytes + LFK_RING_ALIGN);
	LFK_CHECK(lfk_ring_spsc_init(mem + 8, 16, 8) == -EINVAL &&
			  lfk_ring_mpmc_init(mem + 64, 16, 8) == -EINVAL &&
			  lfk_ring_lfmpmc_init(mem + 8, 16, 8) == -EINVAL,
		  "misaligned memory accepted");
	LFK_CHECK(lfk_ring_spsc_init(NULL, 16, 8) == -EINVAL &&
			  lfk_ring_lfmpmc_init(NULL, 16, 8) == -EINVAL,
		  "NULL memory accepted");
	LFK_CHECK(lfk_ring_lfmpmc_init(mem, 16, 8) == 0, "aligned init");
	free(mem);
	return 0;
}

/* ---- exact capacity and FIFO, single-threaded -------------------------- */

int lfk_scn_capacity_exact(void)
{
	static const size_t caps[] = { 1, 2, 3, 7, 8, 1000, 1024 };
	for (size_t k = 0; k < NKINDS; k++) {
		const struct lfk_ring_ops *ops = kinds[k];
		for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			void *r;
			uint64_t v, i;
			if (ops->create(caps[c], 8, &r) != 0) {
				LFK_CHECK(0, "%s: create %zu", ops->name, caps[c]);
				continue;
			}
			LFK_CHECK(ops->capacity(r) == caps[c], "%s: capacity",
				  ops->name);
			for (int lap = 0; lap < 3; lap++) {
				for (i = 0; ops->enqueue(r, i * 3 + 1) == 0; i++)
					;
				LFK_CHECK(i == caps[c] && ops->count(r) == caps[c],
					  "%s: capacity %zu held %llu (count %zu)",
					  ops->name, caps[c],
					  (unsigned long long)i, ops->count(r));
				for (i = 0; ops->dequeue(r, &v) == 0; i++)
					LFK_CHECK(v == i * 3 + 1, "%s: FIFO", ops->name);
				LFK_CHECK(i == caps[c] && ops->count(r) == 0,
					  "%s: drained %llu of %zu", ops->name,
					  (unsigned long long)i, caps[c]);
			}
			ops->destroy(r);
		}
	}
	return 0;
}

/*
 * Exact capacity with producers racing: 4 threads fill an lfmpmc ring (no
 * consumer) until each sees it full; together they must have put exactly
 * the capacity, whatever the interleaving.  An unchecked fetch-and-add
 * reservation (the SCQ paper's) would let them overshoot.
 */
struct racing_fill {
	struct lfk_ring_lfmpmc *ring;
	uint64_t accepted;
};

static void racing_filler(void *arg, int me)
{
	struct racing_fill *f = arg;
	uint64_t n = 0, items[3] = { 1, 2, 3 };
	size_t moved;
	/* Odd threads put bursts: their reservations take several places. */
	do {
		moved = me % 2 ? lfk_ring_lfmpmc_enqueue_burst(f->ring, items, 3)
			       : (size_t)(lfk_ring_lfmpmc_enqueue(f->ring, 1) == 0);
		n += moved;
	} while (moved > 0);
	/* Relaxed: read after the threads are joined. */
	lfk_atomic_fetch_add_u64(&f->accepted, n, LFK_RELAXED);
}

int lfk_scn_lfmpmc_capacity_racing_producers(void)
{
	static const size_t caps[] = { 1, 3, 7, 64 };
	struct lfk_bound bound = lfk_bound_scaled(1000);
	uint64_t rounds = 0;
	for (; !lfk_bound_done(&bound, rounds); rounds++) {
		size_t cap = caps[rounds % 4];
		struct racing_fill f = { NULL, 0 };
		uint64_t v, drained = 0;
		if (lfk_ring_lfmpmc_create(cap, 8, &f.ring) != 0)
			return 1;
		lfk_run_threads(4, racing_filler, &f);
		while (lfk_ring_lfmpmc_dequeue(f.ring, &v) == 0)
			drained++;
		LFK_CHECK(drained == cap && f.accepted == cap,
			  "capacity %zu: %llu accepted, %llu in the ring after "
			  "racing producers", cap,
			  (unsigned long long)f.accepted,
			  (unsigned long long)drained);
		lfk_ring_lfmpmc_destroy(f.ring);
	}
	return 0;
}

/* ---- differential against the twin ------------------------------------- */

/*
 * Seeded random enqueue / dequeue / bursts / count on the ring under test
 * and on the twin; every return value and every item compared.  `first` is
 * where the ring's internal indices start.
 */
static void differential(const struct lfk_ring_ops *ops, size_t elem_size,
			 uint64_t first, int steps)
{
	static const size_t caps[] = { 1, 2, 3, 7, 1024 };
	const size_t words = elem_size / 8;
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed() ^ (uint64_t)elem_size ^ first);
	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		size_t cap = caps[c], maxn = cap + 3;
		void *r, *t;
		uint64_t *in = calloc(maxn * words, 8), *out_r = calloc(maxn * words, 8),
			 *out_t = calloc(maxn * words, 8), next = 1;
		if (ops->create_at(cap, elem_size, first, &r) != 0 ||
		    lfk_ring_ops_ref.create(cap, elem_size, &t) != 0) {
			LFK_CHECK(0, "%s: create", ops->name);
			return;
		}
		for (int s = 0; s < steps && !lfk_failures(); s++) {
			size_t n = (size_t)lfk_rng_below(&rng, maxn + 1);
			unsigned op = (unsigned)lfk_rng_below(&rng, 7);
			long a = 0, b = 0;
			for (size_t i = 0; i < n * words; i++)
				in[i] = next++;
			memset(out_r, 0, maxn * words * 8);
			memset(out_t, 0, maxn * words * 8);
			if (words != 1 && op < 2)
				op += 2; /* the u64 calls need 8-byte elements */
			switch (op) {
			case 0:
				a = ops->enqueue(r, in[0]);
				b = lfk_ring_ops_ref.enqueue(t, in[0]);
				n = 0;
				break;
			case 1:
				a = ops->dequeue(r, out_r);
				b = lfk_ring_ops_ref.dequeue(t, out_t);
				n = a == 0;
				break;
			case 2:
				a = ops->enqueue_rec(r, in);
				b = lfk_ring_ops_ref.enqueue_rec(t, in);
				n = 0;
				break;
			case 3:
				a = ops->dequeue_rec(r, out_r);
				b = lfk_ring_ops_ref.dequeue_rec(t, out_t);
				n = a == 0;
				break;
			case 4:
				a = (long)(words == 1
					? ops->enqueue_burst(r, in, n)
					: ops->enqueue_burst_rec(r, in, n));
				b = (long)lfk_ring_ops_ref.enqueue_burst_rec(t, in, n);
				n = 0;
				break;
			case 5:
				a = (long)(words == 1
					? ops->dequeue_burst(r, out_r, n)
					: ops->dequeue_burst_rec(r, out_r, n));
				b = (long)lfk_ring_ops_ref.dequeue_burst_rec(t, out_t, n);
				n = (size_t)a;
				break;
			default:
				a = (long)ops->count(r);
				b = (long)lfk_ring_ops_ref.count(t);
				n = 0;
				break;
			}
			LFK_CHECK(a == b, "%s elem %zu cap %zu first %#llx step %d "
				  "op %u: returned %ld, twin %ld", ops->name,
				  elem_size, cap, (unsigned long long)first, s,
				  op, a, b);
			LFK_CHECK(memcmp(out_r, out_t, n * words * 8) == 0,
				  "%s elem %zu cap %zu step %d op %u: items differ",
				  ops->name, elem_size, cap, s, op);
		}
		ops->destroy(r);
		lfk_ring_ops_ref.destroy(t);
		free(in);
		free(out_r);
		free(out_t);
	}
}

int lfk_scn_differential_spsc(void)
{
	differential(&lfk_ring_ops_spsc, 8, 0, 4000);
	return 0;
}

int lfk_scn_differential_mpmc(void)
{
	differential(&lfk_ring_ops_mpmc, 8, 0, 4000);
	return 0;
}

int lfk_scn_differential_lfmpmc(void)
{
	differential(&lfk_ring_ops_lfmpmc, 8, 0, 4000);
	return 0;
}

/* The generic handle over each kind, held against the twin like the
 * typed rings (u64 and records). */
int lfk_scn_any_differential(void)
{
	static const struct lfk_ring_ops *const any[] = {
		&lfk_ring_ops_any_spsc, &lfk_ring_ops_any_mpmc,
		&lfk_ring_ops_any_lfmpmc,
	};
	for (size_t k = 0; k < 3; k++) {
		differential(any[k], 8, 0, 2000);
		differential(any[k], 24, 0, 1000);
	}
	return 0;
}

int lfk_scn_differential_records(void)
{
	for (size_t k = 0; k < 3; k++) {
		differential(kinds[k], 24, 0, 2000);
		differential(kinds[k], 64, 0, 1000);
	}
	return 0;
}

/* The internal indices start just below the wrap, so every ring runs
 * through it several times over the sequence. */
int lfk_scn_wraparound_2e32(void)
{
	for (size_t k = 0; k < 3; k++)
		differential(kinds[k], 8, (1ull << 32) - 5, 3000);
	return 0;
}

int lfk_scn_wraparound_2e64(void)
{
	for (size_t k = 0; k < 3; k++) {
		differential(kinds[k], 8, (uint64_t)0 - 5, 3000);
		differential(kinds[k], 16, (uint64_t)0 - 3000, 3000);
	}
	return 0;
}

/* ---- multi-threaded stress --------------------------------------------- */

/*
 * Items encode (producer, seq).  Each consumer checks that it sees every
 * producer's items in increasing seq order (FIFO) and keeps count, sum and
 * xor; at the end the consumers' totals must equal the producers'.
 * Records carry the item in every word, so a torn copy shows.
 */
struct stress {
	const struct lfk_ring_ops *ops;
	void *ring;
	size_t words;
	size_t burst;
	int np, nc;
	struct lfk_bound bound;
	uint64_t producers_done LFK_CACHE_ALIGNED;
	struct side {
		uint64_t count, sum, xor;
	} prod[MAX_SIDE], cons[MAX_SIDE];
};

#define ITEM(p, seq) (((uint64_t)(p) << 48) | (seq))

static void stress_producer(void *arg, int me)
{
	struct stress *s = arg;
	struct side acc = { 0, 0, 0 };
	uint64_t seq = 0, buf[32 * 8];
	unsigned spins = 0;
	size_t want = 1;
	while (!lfk_bound_done(&s->bound, seq)) {
		/* alternate single items and bursts of up to s->burst */
		want = (seq / 7) % 2 ? s->burst : 1;
		for (size_t i = 0; i < want; i++)
			for (size_t w = 0; w < s->words; w++)
				buf[i * s->words + w] = ITEM(me, seq + i);
		size_t moved = s->words == 1
			? (want == 1 ? (size_t)(s->ops->enqueue(s->ring, buf[0]) == 0)
				     : s->ops->enqueue_burst(s->ring, buf, want))
			: s->ops->enqueue_burst_rec(s->ring, buf, want);
		if (moved == 0) {
			lfk_backoff(&spins);
			continue;
		}
		spins = 0;
		for (size_t i = 0; i < moved; i++) {
			acc.count++;
			acc.sum += ITEM(me, seq + i);
			acc.xor ^= ITEM(me, seq + i);
		}
		seq += moved;
	}
	s->prod[me] = acc;
	/* Publishes "no more items from me" after all my enqueues. */
	lfk_atomic_fetch_add_u64(&s->producers_done, 1, LFK_RELEASE);
}

static void stress_consumer(void *arg, int me)
{
	struct stress *s = arg;
	struct side acc = { 0, 0, 0 };
	uint64_t last[MAX_SIDE], buf[32 * 8];
	unsigned spins = 0;
	bool done_seen = false;
	for (int p = 0; p < MAX_SIDE; p++)
		last[p] = UINT64_MAX;
	for (;;) {
		size_t want = s->burst, moved;
		moved = s->words == 1
			? (want == 1 ? (size_t)(s->ops->dequeue(s->ring, buf) == 0)
				     : s->ops->dequeue_burst(s->ring, buf, want))
			: s->ops->dequeue_burst_rec(s->ring, buf, want);
		if (moved == 0) {
			if (done_seen)
				break; /* all producers finished, ring drained */
			/* Pairs with the producers' release: once all are done,
			 * every item they enqueued is visible to a dequeue. */
			done_seen = lfk_atomic_load_u64(&s->producers_done,
							LFK_ACQUIRE) ==
				    (uint64_t)s->np;
			lfk_backoff(&spins);
			continue;
		}
		spins = 0;
		for (size_t i = 0; i < moved; i++) {
			uint64_t item = buf[i * s->words];
			int p = (int)(item >> 48);
			uint64_t seq = item & ((1ull << 48) - 1);
			for (size_t w = 1; w < s->words; w++)
				LFK_CHECK(buf[i * s->words + w] == item,
					  "torn record %#llx/%#llx",
					  (unsigned long long)item,
					  (unsigned long long)buf[i * s->words + w]);
			LFK_CHECK(p < s->np, "bogus item %#llx",
				  (unsigned long long)item);
			if (p >= s->np)
				continue;
			LFK_CHECK(last[p] == UINT64_MAX || seq > last[p],
				  "%s: producer %d seq %llu after %llu", s->ops->name,
				  p, (unsigned long long)seq,
				  (unsigned long long)last[p]);
			last[p] = seq;
			acc.count++;
			acc.sum += item;
			acc.xor ^= item;
		}
	}
	s->cons[me] = acc;
}

static int stress_run(const struct lfk_ring_ops *ops, int np, int nc,
		      size_t capacity, size_t elem_size, size_t burst)
{
	struct stress *s = aligned_alloc(LFK_CACHELINE, sizeof(*s));
	struct side in = { 0, 0, 0 }, out = { 0, 0, 0 };
	if (s == NULL)
		return 1;
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->words = elem_size / 8;
	s->burst = burst;
	s->np = np;
	s->nc = nc;
	s->bound = lfk_bound_scaled((uint64_t)np);
	if (ops->create(capacity, elem_size, &s->ring) != 0) {
		free(s);
		return 1;
	}
	lfk_run_threads2(np, stress_producer, nc, stress_consumer, s);
	for (int i = 0; i < np; i++) {
		in.count += s->prod[i].count;
		in.sum += s->prod[i].sum;
		in.xor ^= s->prod[i].xor;
	}
	for (int i = 0; i < nc; i++) {
		out.count += s->cons[i].count;
		out.sum += s->cons[i].sum;
		out.xor ^= s->cons[i].xor;
	}
	LFK_CHECK(in.count == out.count && in.sum == out.sum && in.xor == out.xor,
		  "%s %dx%d cap %zu: produced %llu (sum %#llx xor %#llx), "
		  "consumed %llu (sum %#llx xor %#llx)", ops->name, np, nc,
		  capacity, (unsigned long long)in.count,
		  (unsigned long long)in.sum, (unsigned long long)in.xor,
		  (unsigned long long)out.count, (unsigned long long)out.sum,
		  (unsigned long long)out.xor);
	LFK_CHECK(in.count > 0, "%s: nothing moved", ops->name);
	LFK_CHECK(ops->count(s->ring) == 0, "%s: items left", ops->name);
	lfk_stress_moved(out.count);
	ops->destroy(s->ring);
	free(s);
	return 0;
}

int lfk_scn_stress_spsc_1x1(void)
{
	return stress_run(&lfk_ring_ops_spsc, 1, 1, 64, 8, 8);
}

int lfk_scn_stress_mpmc_1x1(void)
{
	return stress_run(&lfk_ring_ops_mpmc, 1, 1, 64, 8, 8);
}

int lfk_scn_stress_mpmc_2x2(void)
{
	return stress_run(&lfk_ring_ops_mpmc, 2, 2, 64, 8, 1);
}

int lfk_scn_stress_mpmc_4x4(void)
{
	return stress_run(&lfk_ring_ops_mpmc, 4, 4, 7, 8, 4);
}

int lfk_scn_stress_mpmc_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress_run(&lfk_ring_ops_mpmc, t, t, 16, 8, 1);
}

int lfk_scn_stress_lfmpmc_1x1(void)
{
	return stress_run(&lfk_ring_ops_lfmpmc, 1, 1, 64, 8, 8);
}

int lfk_scn_stress_lfmpmc_2x2(void)
{
	return stress_run(&lfk_ring_ops_lfmpmc, 2, 2, 64, 8, 1);
}

int lfk_scn_stress_lfmpmc_4x4(void)
{
	return stress_run(&lfk_ring_ops_lfmpmc, 4, 4, 7, 8, 4);
}

int lfk_scn_stress_lfmpmc_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress_run(&lfk_ring_ops_lfmpmc, t, t, 16, 8, 1);
}

int lfk_scn_stress_lfmpmc_8x8_capacity1(void)
{
	int t = lfk_stress_threads(8);
	return stress_run(&lfk_ring_ops_lfmpmc, t, t, 1, 8, 2);
}

int lfk_scn_stress_ref_8x8(void)
{
	int t = lfk_stress_threads(8);
	return stress_run(&lfk_ring_ops_ref, t, t, 16, 8, 4);
}

int lfk_scn_stress_records_4x4(void)
{
	stress_run(&lfk_ring_ops_spsc, 1, 1, 5, 40, 3);
	stress_run(&lfk_ring_ops_mpmc, 4, 4, 5, 40, 3);
	stress_run(&lfk_ring_ops_lfmpmc, 4, 4, 5, 40, 3);
	return 0;
}

/* ---- full and empty are never spurious at 1x1 ---------------------------- */

/*
 * Each side publishes how many operations it has completed.  If, before a
 * call starts, the other side's published count proves the ring is not
 * full (not empty) for the whole call, the call must succeed.  At one
 * producer and one consumer this holds for every ring: a reserved but
 * unfinished operation of the other side is not counted as completed.
 */
struct spurious {
	const struct lfk_ring_ops *ops;
	void *ring;
	uint64_t produced LFK_CACHE_ALIGNED;
	uint64_t consumed LFK_CACHE_ALIGNED;
	struct lfk_bound bound;
	uint64_t bad_full, bad_empty;
};

static void spurious_producer(void *arg, int me)
{
	struct spurious *s = arg;
	uint64_t n = 0;
	unsigned spins = 0;
	(void)me;
	while (!lfk_bound_done(&s->bound, n)) {
		/* Pairs with the consumer's release of its count. */
		uint64_t c = lfk_atomic_load_u64(&s->consumed, LFK_ACQUIRE);
		if (s->ops->enqueue(s->ring, n) == 0) {
			n++;
			/* After the enqueue completed. */
			lfk_atomic_store_u64(&s->produced, n, LFK_RELEASE);
			spins = 0;
		} else {
			if (n - c < s->ops->capacity(s->ring))
				s->bad_full++;
			lfk_backoff(&spins);
		}
	}
	/* the consumer stops at this mark */
	lfk_atomic_store_u64(&s->produced, n | (1ull << 63), LFK_RELEASE);
}

static void spurious_consumer(void *arg, int me)
{
	struct spurious *s = arg;
	uint64_t n = 0, v;
	unsigned spins = 0;
	(void)me;
	for (;;) {
		/* Pairs with the producer's release of its count. */
		uint64_t p = lfk_atomic_load_u64(&s->produced, LFK_ACQUIRE);
		if (s->ops->dequeue(s->ring, &v) == 0) {
			LFK_CHECK(v == n, "%s: got %llu, expected %llu",
				  s->ops->name, (unsigned long long)v,
				  (unsigned long long)n);
			n++;
			/* After the dequeue completed. */
			lfk_atomic_store_u64(&s->consumed, n, LFK_RELEASE);
			spins = 0;
		} else {
			if ((p & ~(1ull << 63)) > n)
				s->bad_empty++;
			if ((p >> 63) && (p & ~(1ull << 63)) == n)
				break;
			lfk_backoff(&spins);
		}
	}
}

int lfk_scn_never_spurious_1x1(void)
{
	for (size_t k = 0; k < NKINDS; k++) {
		struct spurious s;
		memset(&s, 0, sizeof(s));
		s.ops = kinds[k];
		s.bound = lfk_bound_default();
		if (s.ops->create(4, 8, &s.ring) != 0)
			return 1;
		lfk_run_threads2(1, spurious_producer, 1, spurious_consumer, &s);
		LFK_CHECK(s.bad_full == 0 && s.bad_empty == 0,
			  "%s: %llu spurious full, %llu spurious empty",
			  s.ops->name, (unsigned long long)s.bad_full,
			  (unsigned long long)s.bad_empty);
		s.ops->destroy(s.ring);
	}
	return 0;
}

/* ---- progress with a parked thread ---------------------------------------- */

/*
 * The hook parks the calling thread at one point of its operation when
 * that thread armed it, until the test releases it.
 */
static _Thread_local int armed_point = -1;
/* A thread that parks more than once: its later points (ending with -1),
 * and the value of `released` that lets it go from the current one. */
static _Thread_local const int *armed_then;
static _Thread_local uint64_t armed_gate = 1;
static uint64_t parked, released;

void lfk_ring_test_hook(enum lfk_ring_hook_point point)
{
	unsigned spins = 0;
	const uint64_t gate = armed_gate;
	if ((int)point != armed_point)
		return;
	armed_point = -1;
	if (armed_then != NULL && *armed_then >= 0) {
		armed_point = *armed_then++;
		armed_gate++;
	}
	/* Tells the test we are stopped mid-operation (counts us, for the
	 * tests that park a crowd). */
	lfk_atomic_fetch_add_u64(&parked, 1, LFK_RELEASE);
	/* Pairs with the test's release: it is done observing the stall. */
	while (lfk_atomic_load_u64(&released, LFK_ACQUIRE) < gate)
		lfk_backoff(&spins);
}

struct victim {
	enum lfk_ring_hook_point point;
	void *ring;
	bool producer;
	bool lock_free; /* lfmpmc (else mpmc) */
	uint64_t item;
	int rc;
	const uint64_t *burst; /* lfmpmc producers: a burst of n instead */
	size_t n, moved;
};

static void *victim_main(void *arg)
{
	struct victim *v = arg;
	armed_point = (int)v->point;
	if (v->burst != NULL)
		v->moved = lfk_ring_lfmpmc_enqueue_burst(v->ring, v->burst,
							 v->n);
	else if (v->lock_free)
		v->rc = v->producer ? lfk_ring_lfmpmc_enqueue(v->ring, v->item)
				    : lfk_ring_lfmpmc_dequeue(v->ring, &v->item);
	else
		v->rc = v->producer ? lfk_ring_mpmc_enqueue(v->ring, v->item)
				    : lfk_ring_mpmc_dequeue(v->ring, &v->item);
	return NULL;
}

/* Waits until n threads have parked in all; false after the deadline. */
static bool wait_parked(uint64_t n, uint64_t deadline)
{
	unsigned spins = 0;
	/* Pairs with the hook's release: they are parked. */
	while (lfk_atomic_load_u64(&parked, LFK_ACQUIRE) < n) {
		if (lfk_now_ns() > deadline)
			return false;
		lfk_backoff(&spins);
	}
	return true;
}

static bool start_victim(struct victim *v, pthread_t *tid)
{
	lfk_atomic_store_u64(&parked, 0, LFK_RELAXED);
	lfk_atomic_store_u64(&released, 0, LFK_RELAXED);
	if (pthread_create(tid, NULL, victim_main, v) != 0)
		return false;
	return wait_parked(1, lfk_now_ns() + 10000000000ull);
}

static void release_victim(pthread_t tid)
{
	/* Lets the parked victim finish its operation. */
	lfk_atomic_store_u64(&released, 1, LFK_RELEASE);
	pthread_join(tid, NULL);
}

/*
 * Traffic around a parked thread on an lfmpmc ring: np producers move items
 * to nc consumers until each producer has put its share of the items or
 * the time budget is spent, whichever comes first; then the consumers take
 * everything that was put.  Lock-freedom means that goes on while the
 * victim stays parked: items keep moving (some move at all), and a grace
 * period after the budget turns a ring that will not drain into a failure.
 */
#define TRAFFIC_NP 3
#define TRAFFIC_GRACE_NS 5000000000ull

struct traffic {
	struct lfk_ring_lfmpmc *ring;
	struct lfk_bound bound;    /* per producer */
	uint64_t deadline;         /* bound's time budget + the grace */
	uint64_t put[TRAFFIC_NP];  /* items each producer put */
	uint64_t producers_left LFK_CACHE_ALIGNED;
	uint64_t got LFK_CACHE_ALIGNED;
	uint64_t sum LFK_CACHE_ALIGNED;
	bool stalled;
};

static void traffic_producer(void *arg, int me)
{
	struct traffic *t = arg;
	unsigned spins = 0;
	uint64_t i = 0;
	while (!lfk_bound_done(&t->bound, i)) {
		if (lfk_ring_lfmpmc_enqueue(t->ring, ITEM(me + 1, i)) == 0) {
			i++;
			spins = 0;
		} else {
			lfk_backoff(&spins);
		}
	}
	t->put[me] = i;
	/* Release: pairs with the consumers' acquire; put[me] is final. */
	lfk_atomic_fetch_add_u64(&t->producers_left, (uint64_t)-1,
				 LFK_RELEASE);
}

static uint64_t traffic_put(const struct traffic *t)
{
	uint64_t n = 0;
	for (int p = 0; p < TRAFFIC_NP; p++)
		n += t->put[p];
	return n;
}

static void traffic_consumer(void *arg, int me)
{
	struct traffic *t = arg;
	unsigned spins = 0;
	uint64_t v;
	(void)me;
	for (;;) {
		if (lfk_ring_lfmpmc_dequeue(t->ring, &v) == 0) {
			lfk_atomic_fetch_add_u64(&t->got, 1, LFK_RELAXED);
			lfk_atomic_fetch_add_u64(&t->sum, v, LFK_RELAXED);
			spins = 0;
			continue;
		}
		/* Acquire: pairs with the producers' release, so put[] is
		 * final once none is left. */
		if (lfk_atomic_load_u64(&t->producers_left, LFK_ACQUIRE) == 0 &&
		    lfk_atomic_load_u64(&t->got, LFK_RELAXED) >= traffic_put(t))
			return;
		if (lfk_now_ns() > t->deadline) {
			t->stalled = true;
			return;
		}
		lfk_backoff(&spins);
	}
}

static uint64_t traffic_expected_sum(const struct traffic *t)
{
	uint64_t s = 0;
	for (int p = 0; p < TRAFFIC_NP; p++)
		for (uint64_t i = 0; i < t->put[p]; i++)
			s += ITEM(p + 1, i);
	return s;
}

static void traffic_run(struct lfk_ring_lfmpmc *ring, const char *what)
{
	struct traffic t;
	memset(&t, 0, sizeof(t));
	t.ring = ring;
	t.bound = lfk_bound_scaled(20);
	t.deadline = t.bound.deadline_ns + TRAFFIC_GRACE_NS;
	t.producers_left = TRAFFIC_NP;
	lfk_run_threads2(TRAFFIC_NP, traffic_producer, 3, traffic_consumer,
			 &t);
	LFK_CHECK(!t.stalled && traffic_put(&t) > 0 &&
			  t.got == traffic_put(&t) &&
			  t.sum == traffic_expected_sum(&t),
		  "lfmpmc with a %s parked: %llu of %llu items moved%s", what,
		  (unsigned long long)t.got,
		  (unsigned long long)traffic_put(&t),
		  t.stalled ? " (stalled)" : "");
}

/* Puts 0, 1, ... into the ring until it reports full; returns how many. */
static uint64_t lfmpmc_fill(struct lfk_ring_lfmpmc *r)
{
	uint64_t n;
	for (n = 0; lfk_ring_lfmpmc_enqueue(r, n) == 0; n++)
		;
	return n;
}

/* Takes n items, which must come out as 0 .. n-1. */
static void lfmpmc_drain(struct lfk_ring_lfmpmc *r, uint64_t n)
{
	uint64_t x;
	for (uint64_t i = 0; i < n; i++)
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == i,
			  "drain: item %llu", (unsigned long long)i);
}

/* Starts the victim on ring r and waits until it is parked; false (and a
 * failed check) if it never parks. */
static bool park_victim(struct victim *v, void *r, pthread_t *tid)
{
	v->ring = r;
	if (start_victim(v, tid))
		return true;
	LFK_CHECK(0, "victim did not park");
	return false;
}

/*
 * A producer parked after publishing, before it moves tail: its item is in
 * the ring and first out, the others pass its position (tail lags), the
 * ring keeps its whole capacity, and nobody waits for the victim.
 */
int lfk_scn_progress_lfmpmc_producer_parked(void)
{
	struct lfk_ring_lfmpmc *r;
	struct victim v = { LFK_HOOK_LFMPMC_ENQ_SLOT, NULL, true, true,
			    0xabcdef, -1, NULL, 0, 0 };
	pthread_t tid;
	uint64_t x = 0;
	if (lfk_ring_lfmpmc_create(8, 8, &r) != 0)
		return 1;
	if (!park_victim(&v, r, &tid))
		return 1;
	LFK_CHECK(lfk_ring_lfmpmc_count(r) == 1, "count %zu with the parked "
		  "producer's item in", lfk_ring_lfmpmc_count(r));
	x = lfmpmc_fill(r);
	LFK_CHECK(x == 7, "accepted %llu items beside a parked producer's "
		  "item", (unsigned long long)x);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == 0xabcdef,
		  "the parked producer's item first");
	lfmpmc_drain(r, 7);
	traffic_run(r, "producer");
	x = lfmpmc_fill(r);
	LFK_CHECK(x == 8, "accepted %llu items after traffic, the producer "
		  "still parked", (unsigned long long)x);
	lfmpmc_drain(r, 8);
	release_victim(tid);
	LFK_CHECK(v.rc == 0, "the parked producer's enqueue: %d", v.rc);
	LFK_CHECK(lfk_ring_lfmpmc_count(r) == 0 &&
			  lfk_ring_lfmpmc_dequeue(r, &x) == -EAGAIN,
		  "empty at the end");
	lfk_ring_lfmpmc_destroy(r);
	return 0;
}

/*
 * A consumer parked after taking its item, before it moves head: its entry
 * is free already, so the ring accepts its whole capacity beside it, and
 * the others pass its position.
 */
int lfk_scn_progress_lfmpmc_consumer_parked(void)
{
	struct lfk_ring_lfmpmc *r;
	struct victim v = { LFK_HOOK_LFMPMC_DEQ_SLOT, NULL, false, true, 0, -1, NULL, 0, 0 };
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_lfmpmc_create(8, 8, &r) != 0)
		return 1;
	lfk_ring_lfmpmc_enqueue(r, 0x5eed);
	if (!park_victim(&v, r, &tid))
		return 1;
	x = lfmpmc_fill(r);
	LFK_CHECK(x == 8, "beside a parked consumer: %llu accepted",
		  (unsigned long long)x);
	lfmpmc_drain(r, 8);
	traffic_run(r, "consumer");
	release_victim(tid);
	LFK_CHECK(v.rc == 0 && v.item == 0x5eed, "the parked consumer's item");
	x = lfmpmc_fill(r);
	LFK_CHECK(x == 8, "after release the ring holds %llu",
		  (unsigned long long)x);
	lfk_ring_lfmpmc_destroy(r);
	return 0;
}

/*
 * A crowd parked mid-operation, each with its index not yet moved, so
 * that head (then tail) lags by CROWD positions: every later call must
 * pass them, the capacity stays exact (capacity below the slot count:
 * the producers' check counts the crowd's taken entries as free), and
 * nothing is lost or doubled.
 */
#define CROWD 400
#define CROWD_CAP 500 /* 512 slots */

struct crowd {
	struct lfk_ring_lfmpmc *ring;
	bool producers;
	int rc[CROWD];
	int me[CROWD];
	uint64_t item[CROWD];
};

static struct crowd *crowd;

static void *crowd_main(void *arg)
{
	int me = *(int *)arg;
	if (crowd->producers) {
		armed_point = LFK_HOOK_LFMPMC_ENQ_SLOT;
		crowd->rc[me] = lfk_ring_lfmpmc_enqueue(crowd->ring,
							crowd->item[me]);
	} else {
		armed_point = LFK_HOOK_LFMPMC_DEQ_SLOT;
		crowd->rc[me] = lfk_ring_lfmpmc_dequeue(crowd->ring,
							&crowd->item[me]);
	}
	armed_point = -1;
	return NULL;
}

/* Starts the crowd and waits until all of it is parked; how many started. */
static int crowd_park(pthread_t *tid)
{
	pthread_attr_t attr;
	int started = 0;
	lfk_atomic_store_u64(&parked, 0, LFK_RELAXED);
	lfk_atomic_store_u64(&released, 0, LFK_RELAXED);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 16);
	for (; started < CROWD; started++) {
		crowd->me[started] = started;
		if (pthread_create(&tid[started], &attr, crowd_main,
				   &crowd->me[started]) != 0)
			break;
		/* One at a time: each passes the positions of those before. */
		if (!wait_parked((uint64_t)started + 1,
				 lfk_now_ns() + 30000000000ull))
			break;
	}
	pthread_attr_destroy(&attr);
	LFK_CHECK(started == CROWD, "parked %d of %d threads", started, CROWD);
	return started;
}

static void crowd_release(pthread_t *tid, int started)
{
	lfk_atomic_store_u64(&released, 1, LFK_RELEASE);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < started; i++)
		LFK_CHECK(crowd->rc[i] == 0, "member %d: %d", i, crowd->rc[i]);
}

/* CROWD consumers parked holding the items 0 .. CROWD-1. */
static void crowd_of_consumers(void)
{
	pthread_t tid[CROWD];
	uint64_t n, seen = 0;
	int started;
	crowd->producers = false;
	for (uint64_t i = 0; i < CROWD; i++)
		lfk_ring_lfmpmc_enqueue(crowd->ring, i);
	started = crowd_park(tid);
	LFK_CHECK(lfk_ring_lfmpmc_count(crowd->ring) == 0,
		  "count %zu with the crowd's items taken",
		  lfk_ring_lfmpmc_count(crowd->ring));
	n = lfmpmc_fill(crowd->ring);
	LFK_CHECK(n == CROWD_CAP, "accepted %llu beside %d parked consumers",
		  (unsigned long long)n, started);
	lfmpmc_drain(crowd->ring, CROWD_CAP);
	crowd_release(tid, started);
	for (int i = 0; i < started; i++)
		seen |= crowd->item[i] < 64 ? 1ull << crowd->item[i] : 0;
	LFK_CHECK(seen == ~0ull, "the crowd's first 64 items, each once");
}

/* CROWD producers parked after publishing the items 1000 + i. */
static void crowd_of_producers(void)
{
	pthread_t tid[CROWD];
	uint64_t x, sum = 0, n;
	int started;
	crowd->producers = true;
	for (int i = 0; i < CROWD; i++)
		crowd->item[i] = 1000 + (uint64_t)i;
	started = crowd_park(tid);
	LFK_CHECK(lfk_ring_lfmpmc_count(crowd->ring) == (size_t)started,
		  "count %zu with %d items published",
		  lfk_ring_lfmpmc_count(crowd->ring), started);
	n = lfmpmc_fill(crowd->ring);
	LFK_CHECK(n == CROWD_CAP - (uint64_t)started,
		  "accepted %llu beside %d parked producers",
		  (unsigned long long)n, started);
	for (int i = 0; i < started; i++) {
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(crowd->ring, &x) == 0 &&
				  x >= 1000,
			  "crowd item %d", i);
		sum += x;
	}
	LFK_CHECK(sum == 1000ull * (uint64_t)started +
				 (uint64_t)started * (uint64_t)(started - 1) /
					 2,
		  "the crowd's items, each once");
	lfmpmc_drain(crowd->ring, n);
	crowd_release(tid, started);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(crowd->ring, &x) == -EAGAIN,
		  "empty at the end");
}

int lfk_scn_lfmpmc_crowd_parked(void)
{
	crowd = calloc(1, sizeof(*crowd));
	if (crowd == NULL || lfk_ring_lfmpmc_create(CROWD_CAP, 8,
						    &crowd->ring) != 0)
		return 1;
	crowd_of_consumers();
	crowd_of_producers();
	lfk_ring_lfmpmc_destroy(crowd->ring);
	free(crowd);
	crowd = NULL;
	return 0;
}

/*
 * mpmc is blocking, and the test shows how far: with a producer parked
 * after reserving the first slot, other producers still fill the ring
 * (they are not blocked), but consumers report empty while count() shows 8
 * items, until the victim publishes; then everything drains in order.
 */
int lfk_scn_progress_mpmc_producer_parked(void)
{
	struct lfk_ring_mpmc *r;
	struct victim v = { LFK_HOOK_MPMC_ENQ_RESERVED, NULL, true, false,
			    1000, -1, NULL, 0, 0 };
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_mpmc_create(8, 8, &r) != 0)
		return 1;
	if (!park_victim(&v, r, &tid))
		return 1;
	for (x = 1; lfk_ring_mpmc_enqueue(r, 1000 + x) == 0; x++)
		;
	LFK_CHECK(x == 8, "other producers added %llu items",
		  (unsigned long long)(x - 1));
	LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == -EAGAIN &&
			  lfk_ring_mpmc_count(r) == 8,
		  "consumers must stall at the unpublished slot (count %zu)",
		  lfk_ring_mpmc_count(r));
	release_victim(tid);
	LFK_CHECK(v.rc == 0, "parked producer's enqueue");
	for (uint64_t i = 0; i < 8; i++)
		LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == 0 && x == 1000 + i,
			  "after release, item %llu", (unsigned long long)i);
	lfk_ring_mpmc_destroy(r);
	return 0;
}

/* A consumer parked after reserving the first slot: other consumers drain
 * the rest, and producers report full when they lap to its slot although
 * count() is 0. */
int lfk_scn_progress_mpmc_consumer_parked(void)
{
	struct lfk_ring_mpmc *r;
	struct victim v = { LFK_HOOK_MPMC_DEQ_RESERVED, NULL, false, false, 0,
			    -1, NULL, 0, 0 };
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_mpmc_create(8, 8, &r) != 0)
		return 1;
	for (x = 0; x < 8; x++)
		lfk_ring_mpmc_enqueue(r, x);
	if (!park_victim(&v, r, &tid))
		return 1;
	for (uint64_t i = 1; i < 8; i++)
		LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == 0 && x == i,
			  "other consumers are not blocked (item %llu)",
			  (unsigned long long)i);
	LFK_CHECK(lfk_ring_mpmc_enqueue(r, 99) == -EAGAIN &&
			  lfk_ring_mpmc_count(r) == 0,
		  "producers must report full at the reserved slot");
	release_victim(tid);
	LFK_CHECK(v.rc == 0 && v.item == 0, "parked consumer's item");
	LFK_CHECK(lfk_ring_mpmc_enqueue(r, 99) == 0, "slot free after release");
	lfk_ring_mpmc_destroy(r);
	return 0;
}

/*
 * A producer whose tail is stale must not report full: it sees its slot
 * free, is parked before it reads head, and meanwhile others move two laps
 * of items through a ring of capacity 3 (4 slots), never more than 2 at a
 * time.  Its head is then past its position; an unsigned pos - head reads
 * that as 2^64 - 4 items queued and reported full.
 */
int lfk_scn_mpmc_stale_tail_not_full(void)
{
	struct lfk_ring_mpmc *r;
	struct victim v = { LFK_HOOK_MPMC_ENQ_CAPACITY, NULL, true, false, 77,
			    -1, NULL, 0, 0 };
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_mpmc_create(3, 8, &r) != 0)
		return 1;
	if (!park_victim(&v, r, &tid))
		return 1;
	for (uint64_t i = 0; i < 4; i += 2) {
		LFK_CHECK(lfk_ring_mpmc_enqueue(r, i) == 0 &&
				  lfk_ring_mpmc_enqueue(r, i + 1) == 0,
			  "enqueue beside the parked producer");
		for (uint64_t j = i; j < i + 2; j++)
			LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == 0 && x == j,
				  "item %llu", (unsigned long long)j);
	}
	release_victim(tid);
	LFK_CHECK(v.rc == 0, "enqueue with a stale tail into an empty ring "
		  "returned %d", v.rc);
	LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == 0 && x == 77,
		  "the stale producer's item");
	lfk_ring_mpmc_destroy(r);
	return 0;
}

/*
 * A damaged shared region: a slot whose sequence is ahead of the index
 * that reaches it (as if another producer or consumer had taken that
 * position) while the index never moves.  enqueue and dequeue used to
 * re-read the index forever; they must report -EAGAIN.  The harness's
 * timeout turns a hang into a failure.
 */
int lfk_scn_mpmc_damaged_slot_returns(void)
{
	struct lfk_ring_mpmc *r;
	uint64_t x;
	if (lfk_ring_mpmc_create(4, 8, &r) != 0)
		return 1;
	/* The slot of tail (position 0) says position 2's item is in. */
	lfk_atomic_store_u64(lfk__ring_mpmc_slot(r, 0, 1), 3, LFK_RELAXED);
	LFK_CHECK(lfk_ring_mpmc_enqueue(r, 1) == -EAGAIN,
		  "enqueue at a slot ahead of tail");
	/* Sound again, one item in; then the slot of head (position 0) says
	 * a later lap's item is in. */
	lfk_atomic_store_u64(lfk__ring_mpmc_slot(r, 0, 1), 0, LFK_RELAXED);
	LFK_CHECK(lfk_ring_mpmc_enqueue(r, 1) == 0, "enqueue after the fix");
	lfk_atomic_store_u64(lfk__ring_mpmc_slot(r, 0, 1), 9, LFK_RELAXED);
	LFK_CHECK(lfk_ring_mpmc_dequeue(r, &x) == -EAGAIN,
		  "dequeue at a slot ahead of head");
	lfk_ring_mpmc_destroy(r);
	return 0;
}

/*
 * A damaged shared region: an entry whose sequence is no state its
 * position can be in, while the index that reaches it never moves.
 * enqueue and dequeue must report -EAGAIN, not spin (the harness's timeout
 * turns a hang into a failure).
 */
int lfk_scn_lfmpmc_damaged_entry_returns(void)
{
	struct lfk_ring_lfmpmc *r;
	uint64_t x;
	if (lfk_ring_lfmpmc_create(4, 8, &r) != 0)
		return 1;
	/* Position 0's entry says 3: neither free (0) nor filled (1, 4, 5). */
	lfk_atomic_store_u64(&lfk__lfq_entry(r, 0, 0)->lo, 3, LFK_RELAXED);
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(r, 1) == -EAGAIN,
		  "enqueue at a damaged entry");
	lfk_atomic_store_u64(&lfk__lfq_entry(r, 0, 0)->lo, 0, LFK_RELAXED);
	LFK_CHECK(lfk_ring_lfmpmc_enqueue(r, 1) == 0, "enqueue after the fix");
	/* Now position 0 holds an item (1); say 3 instead: not taken (4, 5). */
	lfk_atomic_store_u64(&lfk__lfq_entry(r, 0, 0)->lo, 3, LFK_RELAXED);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == -EAGAIN,
		  "dequeue at a damaged entry");
	lfk_ring_lfmpmc_destroy(r);
	return 0;
}

/*
 * A burst producer parked after its first item, tail not moved: others
 * put and take meanwhile; resumed, it passes the positions they filled
 * and appends its other items after theirs, in its own order.
 */
int lfk_scn_lfmpmc_burst_parked_midway(void)
{
	static const uint64_t mine[4] = { 100, 101, 102, 103 };
	struct lfk_ring_lfmpmc *r;
	struct victim v = { LFK_HOOK_LFMPMC_ENQ_SLOT, NULL, true, true, 0, -1,
			    mine, 4, 0 };
	pthread_t tid;
	uint64_t x;
	if (lfk_ring_lfmpmc_create(8, 8, &r) != 0)
		return 1;
	if (!park_victim(&v, r, &tid))
		return 1;
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(lfk_ring_lfmpmc_enqueue(r, i) == 0, "put %llu",
			  (unsigned long long)i);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == 100,
		  "the victim's first item first");
	release_victim(tid);
	LFK_CHECK(v.moved == 4, "the victim's burst put %zu", v.moved);
	for (uint64_t i = 0; i < 3; i++)
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == i,
			  "item %llu", (unsigned long long)i);
	for (uint64_t i = 1; i < 4; i++)
		LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == 0 && x == 100 + i,
			  "the victim's item %llu after the others'",
			  (unsigned long long)i);
	LFK_CHECK(lfk_ring_lfmpmc_dequeue(r, &x) == -EAGAIN, "then empty");
	lfk_ring_lfmpmc_destroy(r);
	return 0;
}
