/* SPDX-License-Identifier: MIT */
/*
 * The atomic layer under threads: fetch-add and CAS totals, bit set and
 * clear, exchange handoffs, a tagged double-width counter, and message
 * passing with release/acquire.  Bounded by LFK_STRESS_ITEMS and
 * LFK_STRESS_SECONDS.
 */
#include <stdlib.h>
#include <string.h>

#include "atomic_helpers.h"

#define MAX_THREADS LFK_STRESS_MAX_THREADS

struct counters {
	uint64_t c64 LFK_CACHE_ALIGNED;
	uint32_t c32 LFK_CACHE_ALIGNED;
	uint64_t done[MAX_THREADS] LFK_CACHE_ALIGNED;
	struct lfk_bound bound;
	int nthreads;
};

static const uint32_t c32_start = UINT32_MAX - 1000; /* wraps during the run */

static void faa_worker(void *arg, int me)
{
	struct counters *c = arg;
	uint64_t n = 0, prev = 0;
	while (!lfk_bound_done(&c->bound, n)) {
		uint64_t old =
			lfk_atomic_fetch_add_u64(&c->c64, 1, LFK_RELAXED);
		LFK_CHECK(n == 0 || old > prev,
			  "fetch_add returned %llu after %llu",
			  (unsigned long long)old, (unsigned long long)prev);
		prev = old;
		lfk_atomic_fetch_add_u32(&c->c32, 3, LFK_RELAXED);
		lfk_atomic_fetch_sub_u64(&c->c64, 0, LFK_RELAXED);
		n++;
	}
	c->done[me] = n;
}

static int faa_total(int nthreads)
{
	struct counters c = { .c64 = 0,
			      .c32 = c32_start,
			      .nthreads = nthreads };
	uint64_t total = 0;
	c.bound = lfk_bound_scaled((uint64_t)nthreads);
	lfk_run_threads(nthreads, faa_worker, &c);
	for (int i = 0; i < nthreads; i++)
		total += c.done[i];
	LFK_CHECK(c.c64 == total, "u64 total %llu, expected %llu",
		  (unsigned long long)c.c64, (unsigned long long)total);
	LFK_CHECK(c.c32 == (uint32_t)(c32_start + 3 * total),
		  "u32 total %u, expected %u", c.c32,
		  (uint32_t)(c32_start + 3 * total));
	lfk_stress_moved(total);
	return 0;
}

int lfk_scn_faa_total_2(void)
{
	return faa_total(2);
}

int lfk_scn_faa_total_8(void)
{
	return faa_total(lfk_stress_threads(8));
}

static void cas_worker(void *arg, int me)
{
	struct counters *c = arg;
	uint64_t n = 0;
	while (!lfk_bound_done(&c->bound, n)) {
		uint64_t old = lfk_atomic_load_u64(&c->c64, LFK_RELAXED);
		uint32_t old32 = lfk_atomic_load_u32(&c->c32, LFK_RELAXED);
		/* even threads use the weak form, odd ones the strong form */
		if (me % 2 == 0) {
			while (!lfk_atomic_cas_weak_u64(&c->c64, &old, old + 1,
							LFK_ACQ_REL))
				;
			while (!lfk_atomic_cas_weak_u32(&c->c32, &old32,
							old32 + 1, LFK_RELAXED))
				;
		} else {
			while (!lfk_atomic_cas_u64(&c->c64, &old, old + 1,
						   LFK_SEQ_CST))
				;
			while (!lfk_atomic_cas_u32(&c->c32, &old32, old32 + 1,
						   LFK_ACQUIRE))
				;
		}
		n++;
	}
	c->done[me] = n;
}

static int cas_increment(int nthreads)
{
	struct counters c = { .c64 = 0,
			      .c32 = c32_start,
			      .nthreads = nthreads };
	uint64_t total = 0;
	c.bound = lfk_bound_scaled((uint64_t)nthreads);
	lfk_run_threads(nthreads, cas_worker, &c);
	for (int i = 0; i < nthreads; i++)
		total += c.done[i];
	LFK_CHECK(c.c64 == total, "cas total %llu, expected %llu",
		  (unsigned long long)c.c64, (unsigned long long)total);
	LFK_CHECK(c.c32 == (uint32_t)(c32_start + total),
		  "cas u32 total %u, expected %u", c.c32,
		  (uint32_t)(c32_start + total));
	lfk_stress_moved(total);
	return 0;
}

int lfk_scn_cas_increment_2(void)
{
	return cas_increment(2);
}

int lfk_scn_cas_increment_8(void)
{
	return cas_increment(lfk_stress_threads(8));
}

/* Each thread owns one bit of a shared word, sets it with fetch_or and
 * clears it with fetch_and; the old values must show only its own writes. */
struct bits {
	uint64_t w64, v64;
	uint32_t w32, v32;
	struct lfk_bound bound;
};

static void bits_worker(void *arg, int me)
{
	struct bits *b = arg;
	uint64_t bit = 1ull << (me * 7), n = 0;
	uint32_t bit32 = 1u << (me * 3);
	while (!lfk_bound_done(&b->bound, n)) {
		uint64_t o = lfk_atomic_fetch_or_u64(&b->w64, bit, LFK_ACQ_REL);
		LFK_CHECK(!(o & bit), "bit %d already set", me);
		o = lfk_atomic_fetch_and_u64(&b->w64, ~bit, LFK_RELEASE);
		LFK_CHECK(o & bit, "bit %d lost", me);
		uint32_t o32 =
			lfk_atomic_fetch_or_u32(&b->w32, bit32, LFK_RELAXED);
		LFK_CHECK(!(o32 & bit32), "bit32 %d already set", me);
		o32 = lfk_atomic_fetch_and_u32(&b->w32, ~bit32, LFK_ACQUIRE);
		LFK_CHECK(o32 & bit32, "bit32 %d lost", me);
		/* and / or return nothing: a lost update shows in the word */
		lfk_atomic_or_u64(&b->v64, bit, LFK_RELEASE);
		LFK_CHECK(lfk_atomic_load_u64(&b->v64, LFK_RELAXED) & bit,
			  "or: bit %d lost", me);
		lfk_atomic_and_u64(&b->v64, ~bit, LFK_RELAXED);
		LFK_CHECK(!(lfk_atomic_load_u64(&b->v64, LFK_RELAXED) & bit),
			  "and: bit %d came back", me);
		lfk_atomic_or_u32(&b->v32, bit32, LFK_SEQ_CST);
		LFK_CHECK(lfk_atomic_load_u32(&b->v32, LFK_RELAXED) & bit32,
			  "or: bit32 %d lost", me);
		lfk_atomic_and_u32(&b->v32, ~bit32, LFK_ACQ_REL);
		LFK_CHECK(!(lfk_atomic_load_u32(&b->v32, LFK_RELAXED) & bit32),
			  "and: bit32 %d came back", me);
		n++;
	}
}

int lfk_scn_bits_and_or_8(void)
{
	struct bits b = { 0, 0, 0, 0, lfk_bound_scaled(8) };
	lfk_run_threads(8, bits_worker, &b);
	LFK_CHECK(b.w64 == 0 && b.w32 == 0 && b.v64 == 0 && b.v32 == 0,
		  "bits left: %#llx %#x %#llx %#x", (unsigned long long)b.w64,
		  b.w32, (unsigned long long)b.v64, b.v32);
	return 0;
}

/*
 * Exchange hand-off: n+1 tokens circulate through one slot.  Whoever holds a
 * token owns its payload cell and updates it with plain accesses; the
 * acq_rel exchange is what makes that ownership transfer race-free.
 */
struct handoff {
	uint64_t slot LFK_CACHE_ALIGNED;
	uint64_t held[MAX_THREADS] LFK_CACHE_ALIGNED;
	uint64_t done[MAX_THREADS];
	uint64_t payload[MAX_THREADS + 1];
	struct lfk_bound bound;
};

static void handoff_worker(void *arg, int me)
{
	struct handoff *h = arg;
	uint64_t token = (uint64_t)me + 1, n = 0;
	while (!lfk_bound_done(&h->bound, n)) {
		token = lfk_atomic_exchange_u64(&h->slot, token, LFK_ACQ_REL);
		h->payload[token]++; /* owned exclusively until passed on */
		n++;
	}
	h->held[me] = token;
	h->done[me] = n;
}

static int exchange_handoff(int nthreads)
{
	struct handoff h;
	uint64_t seen = 0, total = 0, payload = 0;
	memset(&h, 0, sizeof(h));
	h.bound = lfk_bound_scaled((uint64_t)nthreads);
	lfk_run_threads(nthreads, handoff_worker, &h);
	seen |= 1ull << h.slot;
	for (int i = 0; i < nthreads; i++) {
		LFK_CHECK(!(seen & (1ull << h.held[i])), "token %llu twice",
			  (unsigned long long)h.held[i]);
		seen |= 1ull << h.held[i];
		total += h.done[i];
	}
	for (int i = 0; i <= nthreads; i++)
		payload += h.payload[i];
	LFK_CHECK(seen == (1ull << (nthreads + 1)) - 1, "tokens lost: %#llx",
		  (unsigned long long)seen);
	LFK_CHECK(payload == total, "payload %llu, exchanges %llu",
		  (unsigned long long)payload, (unsigned long long)total);
	return 0;
}

int lfk_scn_exchange_handoff_2(void)
{
	return exchange_handoff(2);
}

int lfk_scn_exchange_handoff_8(void)
{
	return exchange_handoff(8);
}

/*
 * A double-width counter: lo counts from just below 2^64 (so it wraps), hi
 * is a tag counting from 0.  Every successful cas2 adds one to both, so a
 * torn read or a wrong write-back breaks lo - start == hi.
 */
#if defined(LFK_HAVE_CAS2)
static const uint64_t lo_start = UINT64_MAX - 5000;

struct tagged {
	lfk_pair_t pair;
	uint64_t done[MAX_THREADS];
	struct lfk_bound bound;
};

static void tagged_worker(void *arg, int me)
{
	struct tagged *t = arg;
	uint64_t n = 0;
	lfk_pair_t cur = lfk_atomic_load2(&t->pair, LFK_ACQUIRE);
	while (!lfk_bound_done(&t->bound, n)) {
		LFK_CHECK(cur.lo - lo_start == cur.hi, "torn pair %#llx/%#llx",
			  (unsigned long long)cur.lo,
			  (unsigned long long)cur.hi);
		lfk_pair_t next = { cur.lo + 1, cur.hi + 1 };
		if (lfk_atomic_cas2(&t->pair, &cur, next, LFK_ACQ_REL)) {
			n++;
			cur = next;
		}
		if (n % 64 == 0)
			cur = lfk_atomic_load2(&t->pair, LFK_RELAXED);
	}
	t->done[me] = n;
}
#endif

static int cas2_tagged_counter(int nthreads)
{
#if defined(LFK_HAVE_CAS2)
	struct tagged t;
	uint64_t total = 0;
	memset(&t, 0, sizeof(t));
	t.pair.lo = lo_start;
	t.bound = lfk_bound_scaled((uint64_t)nthreads * 4);
	lfk_run_threads(nthreads, tagged_worker, &t);
	for (int i = 0; i < nthreads; i++)
		total += t.done[i];
	LFK_CHECK(t.pair.hi == total && t.pair.lo == lo_start + total,
		  "pair %#llx/%#llx after %llu increments",
		  (unsigned long long)t.pair.lo, (unsigned long long)t.pair.hi,
		  (unsigned long long)total);
	lfk_stress_moved(total);
#else
	(void)nthreads;
	fprintf(stderr, "note: no double-width CAS on this backend\n");
#endif
	return 0;
}

int lfk_scn_cas2_tagged_counter_2(void)
{
	return cas2_tagged_counter(2);
}

int lfk_scn_cas2_tagged_counter_8(void)
{
	return cas2_tagged_counter(lfk_stress_threads(8));
}

/*
 * Message passing, round after round: the writer fills plain data words,
 * then publishes the round number with a release store; the reader waits
 * for it with acquire loads and must see the round's data.  The reader's
 * release ack lets the writer reuse the buffer.  A stopped round is
 * published as UINT64_MAX.
 */
#define MP_WORDS 8
struct mp_channel {
	uint64_t data[MP_WORDS] LFK_CACHE_ALIGNED;
	uint64_t flag LFK_CACHE_ALIGNED;
	uint64_t ack LFK_CACHE_ALIGNED;
	uint64_t rounds;
};

struct mp {
	struct mp_channel ch[MAX_THREADS / 2];
	struct lfk_bound bound;
};

static void mp_writer(void *arg, int me)
{
	struct mp *m = arg;
	struct mp_channel *c = &m->ch[me];
	uint64_t r;
	for (r = 1;; r++) {
		unsigned spins = 0;
		/* pairs with the reader's release ack: it is done with r-1 */
		while (lfk_atomic_load_u64(&c->ack, LFK_ACQUIRE) != r - 1)
			lfk_backoff(&spins);
		if (lfk_bound_done(&m->bound, r - 1))
			break;
		for (int i = 0; i < MP_WORDS; i++)
			c->data[i] = r * MP_WORDS + (uint64_t)i;
		/* publishes the data words above to the reader */
		lfk_atomic_store_u64(&c->flag, r, LFK_RELEASE);
	}
	c->rounds = r - 1;
	/* no data to publish with the stop mark */
	lfk_atomic_store_u64(&c->flag, UINT64_MAX, LFK_RELAXED);
}

static void mp_reader(void *arg, int me)
{
	struct mp *m = arg;
	struct mp_channel *c = &m->ch[me];
	for (uint64_t r = 1;; r++) {
		unsigned spins = 0;
		uint64_t f;
		/* pairs with the writer's release of round r */
		while ((f = lfk_atomic_load_u64(&c->flag, LFK_ACQUIRE)) != r &&
		       f != UINT64_MAX)
			lfk_backoff(&spins);
		if (f == UINT64_MAX)
			break;
		for (int i = 0; i < MP_WORDS; i++)
			LFK_CHECK(c->data[i] == r * MP_WORDS + (uint64_t)i,
				  "round %llu word %d: %llu",
				  (unsigned long long)r, i,
				  (unsigned long long)c->data[i]);
		/* the data reads above are done before the writer reuses it */
		lfk_atomic_store_u64(&c->ack, r, LFK_RELEASE);
	}
}

static int message_passing(int nthreads)
{
	struct mp *m = aligned_alloc(LFK_CACHELINE, sizeof(*m));
	uint64_t rounds = 0;
	if (m == NULL)
		return 1;
	memset(m, 0, sizeof(*m));
	m->bound = lfk_bound_scaled((uint64_t)nthreads * 4);
	lfk_run_threads2(nthreads / 2, mp_writer, nthreads / 2, mp_reader, m);
	for (int i = 0; i < nthreads / 2; i++)
		rounds += m->ch[i].rounds;
	LFK_CHECK(rounds > 0, "no round completed");
	free(m);
	return 0;
}

int lfk_scn_message_passing_2(void)
{
	return message_passing(2);
}

int lfk_scn_message_passing_8(void)
{
	return message_passing(8);
}
