/* SPDX-License-Identifier: MIT */
/*
 * Scenarios for the atomic layer: the semantics of every operation on the
 * configured backend and on the generic backend, a differential run of every
 * arch operation against its generic twin, and multi-threaded checks.
 */
#include "atomic_scenarios.h"

#include <lfkit/atomic.h>
#include <stdlib.h>
#include <string.h>

#define ARCH(op) LFK__ARCH_OP(op)
#define GEN(op) lfk__generic_##op
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const int load_orders[] = { LFK_RELAXED, LFK_ACQUIRE, LFK_SEQ_CST };
static const int store_orders[] = { LFK_RELAXED, LFK_RELEASE, LFK_SEQ_CST };
static const int rmw_orders[] = { LFK_RELAXED, LFK_ACQUIRE, LFK_RELEASE,
				  LFK_ACQ_REL, LFK_SEQ_CST };

/*
 * Fixed expectations for one backend (FN maps an op name to its function)
 * and one width.  The orders are run-time values here, so every order's
 * instruction sequence of the backend is exercised.
 */
#define DEFINE_SEMANTICS(NAME, FN, T, S)                                       \
	int NAME(void)                                                         \
	{                                                                      \
		const T max = (T)~(T)0, a = (T)0x9abcdef012345678ull,          \
			b = (T)0x0123456789abcdefull;                          \
		T x, e, r;                                                     \
		for (size_t i = 0; i < COUNT(load_orders); i++) {              \
			x = a;                                                 \
			r = FN(load_##S)(&x, load_orders[i]);                  \
			LFK_CHECK(r == a, "load mo=%d", load_orders[i]);       \
		}                                                              \
		for (size_t i = 0; i < COUNT(store_orders); i++) {             \
			x = 0;                                                 \
			FN(store_##S)(&x, b, store_orders[i]);                 \
			LFK_CHECK(x == b, "store mo=%d", store_orders[i]);     \
		}                                                              \
		for (size_t i = 0; i < COUNT(rmw_orders); i++) {               \
			int mo = rmw_orders[i];                                \
			x = max;                                               \
			r = FN(fetch_add_##S)(&x, 1, mo);                      \
			LFK_CHECK(r == max && x == 0, "fetch_add wrap mo=%d",  \
				  mo);                                         \
			x = 0;                                                 \
			r = FN(fetch_sub_##S)(&x, 1, mo);                      \
			LFK_CHECK(r == 0 && x == max, "fetch_sub wrap mo=%d",  \
				  mo);                                         \
			x = a;                                                 \
			r = FN(fetch_and_##S)(&x, b, mo);                      \
			LFK_CHECK(r == a && x == (T)(a & b),                   \
				  "fetch_and mo=%d", mo);                      \
			x = a;                                                 \
			r = FN(fetch_or_##S)(&x, b, mo);                       \
			LFK_CHECK(r == a && x == (T)(a | b), "fetch_or mo=%d", \
				  mo);                                         \
			x = a;                                                 \
			FN(and_##S)(&x, b, mo);                                \
			LFK_CHECK(x == (T)(a & b), "and mo=%d", mo);           \
			x = a;                                                 \
			FN(or_##S)(&x, b, mo);                                 \
			LFK_CHECK(x == (T)(a | b), "or mo=%d", mo);            \
			x = a;                                                 \
			r = FN(exchange_##S)(&x, b, mo);                       \
			LFK_CHECK(r == a && x == b, "exchange mo=%d", mo);     \
			x = a;                                                 \
			e = a;                                                 \
			LFK_CHECK(FN(cas_##S)(&x, &e, b, mo) && x == b &&      \
					  e == a,                              \
				  "cas success mo=%d", mo);                    \
			x = a;                                                 \
			e = b;                                                 \
			LFK_CHECK(!FN(cas_##S)(&x, &e, max, mo) && x == a &&   \
					  e == a,                              \
				  "cas failure must write back mo=%d", mo);    \
			x = a;                                                 \
			e = a;                                                 \
			/* weak may fail spuriously, but not forever */        \
			int tries = 0;                                         \
			while (!FN(cas_weak_##S)(&x, &e, b, mo) && ++tries < 1000) \
				LFK_CHECK(e == a, "spurious weak cas changed " \
						  "expected mo=%d", mo);       \
			LFK_CHECK(x == b && e == a, "cas_weak success mo=%d",  \
				  mo);                                         \
			x = a;                                                 \
			e = b;                                                 \
			LFK_CHECK(!FN(cas_weak_##S)(&x, &e, max, mo) &&        \
					  x == a && e == a,                    \
				  "cas_weak failure must write back mo=%d", mo); \
		}                                                              \
		return 0;                                                      \
	}

DEFINE_SEMANTICS(lfk_scn_semantics_arch_u32, ARCH, uint32_t, u32)
DEFINE_SEMANTICS(lfk_scn_semantics_arch_u64, ARCH, uint64_t, u64)
DEFINE_SEMANTICS(lfk_scn_semantics_generic_u32, GEN, uint32_t, u32)
DEFINE_SEMANTICS(lfk_scn_semantics_generic_u64, GEN, uint64_t, u64)

/* 8- and 16-bit loads and stores, every order, both backends, beside
 * neighbours that must stay untouched. */
#define CHECK_NARROW(FN, T, S, label)                                          \
	do {                                                                   \
		T buf[4] = { 0x11, 0x22, 0x33, 0x44 };                         \
		for (size_t i = 0; i < COUNT(store_orders); i++) {             \
			FN(store_##S)(&buf[1], (T)(0xa5 + i), store_orders[i]); \
			LFK_CHECK(buf[0] == 0x11 && buf[1] == (T)(0xa5 + i) &&  \
					  buf[2] == 0x33,                      \
				  "%s store mo=%d", label, store_orders[i]);   \
		}                                                              \
		for (size_t i = 0; i < COUNT(load_orders); i++)                \
			LFK_CHECK(FN(load_##S)(&buf[2], load_orders[i]) == 0x33, \
				  "%s load mo=%d", label, load_orders[i]);     \
		buf[3] = (T)~(T)0;                                             \
		LFK_CHECK(FN(load_##S)(&buf[3], LFK_RELAXED) == (T)~(T)0,      \
			  "%s load all ones", label);                          \
	} while (0)

int lfk_scn_semantics_narrow(void)
{
	CHECK_NARROW(ARCH, uint8_t, u8, "arch u8");
	CHECK_NARROW(GEN, uint8_t, u8, "generic u8");
	CHECK_NARROW(ARCH, uint16_t, u16, "arch u16");
	CHECK_NARROW(GEN, uint16_t, u16, "generic u16");
	return 0;
}

int lfk_scn_semantics_ptr(void)
{
	int a, b, c;
	void *x = &a, *e = &a, *r;
	LFK_CHECK(lfk_atomic_load_ptr(&x, LFK_ACQUIRE) == &a, "load_ptr");
	lfk_atomic_store_ptr(&x, &b, LFK_RELEASE);
	LFK_CHECK(x == &b, "store_ptr");
	r = lfk_atomic_exchange_ptr(&x, &c, LFK_ACQ_REL);
	LFK_CHECK(r == &b && x == &c, "exchange_ptr");
	e = &a;
	LFK_CHECK(!lfk_atomic_cas_ptr(&x, &e, &b, LFK_ACQ_REL) && e == &c,
		  "cas_ptr failure writes back");
	LFK_CHECK(lfk_atomic_cas_ptr(&x, &e, &b, LFK_ACQ_REL) && x == &b,
		  "cas_ptr success");
	uintptr_t u = UINTPTR_MAX;
	LFK_CHECK(lfk_atomic_fetch_add_uptr(&u, 2, LFK_RELAXED) == UINTPTR_MAX &&
			  u == 1,
		  "fetch_add_uptr wraps");
	return 0;
}

#if defined(LFK_HAVE_CAS2)
/* The pair semantics of one backend: success, failure writing back both
 * halves, and the 16-byte load. */
#define CHECK_CAS2(FN, label)                                                  \
	do {                                                                   \
		for (size_t i = 0; i < COUNT(rmw_orders); i++) {               \
			int mo = rmw_orders[i];                                \
			lfk_pair_t p = { 1, 2 }, e = { 1, 2 }, d = { 3, 4 };   \
			LFK_CHECK(FN(cas2)(&p, &e, d, mo) && p.lo == 3 &&      \
					  p.hi == 4 && e.lo == 1 && e.hi == 2, \
				  "%s cas2 success mo=%d", label, mo);         \
			e.lo = 3;                                              \
			e.hi = 5; /* only the high half differs */             \
			LFK_CHECK(!FN(cas2)(&p, &e, d, mo) && e.lo == 3 &&     \
					  e.hi == 4 && p.lo == 3 && p.hi == 4, \
				  "%s cas2 failure mo=%d", label, mo);         \
			e.lo = 9;                                              \
			e.hi = 4; /* only the low half differs */              \
			LFK_CHECK(!FN(cas2)(&p, &e, d, mo) && e.lo == 3 &&     \
					  e.hi == 4,                           \
				  "%s cas2 failure (lo) mo=%d", label, mo);    \
			lfk_pair_t v = FN(load2)(&p, mo);                      \
			LFK_CHECK(v.lo == 3 && v.hi == 4 && p.lo == 3 &&       \
					  p.hi == 4,                           \
				  "%s load2 mo=%d", label, mo);                \
		}                                                              \
	} while (0)
#endif

int lfk_scn_semantics_cas2(void)
{
#if defined(LFK_HAVE_CAS2)
	CHECK_CAS2(ARCH, "arch");
	CHECK_CAS2(GEN, "generic");
#else
	fprintf(stderr, "note: no double-width CAS on this backend\n");
#endif
	return 0;
}

/*
 * Differential: random initial values and operands, every op and order on
 * the configured backend and on the generic one, results compared.
 */
#define DEFINE_DIFFERENTIAL(NAME, T, S)                                        \
	int NAME(void)                                                         \
	{                                                                      \
		struct lfk_rng rng;                                            \
		lfk_rng_seed(&rng, lfk_test_seed());                           \
		for (int it = 0; it < 20000; it++) {                           \
			T x0 = (T)lfk_rng_next(&rng), v = (T)lfk_rng_next(&rng); \
			T xa = x0, xg = x0, ra, rg, ea, eg;                    \
			int mo = rmw_orders[it % COUNT(rmw_orders)];           \
			int op = (int)lfk_rng_below(&rng, 10);                 \
			bool oka = false, okg = false;                         \
			if (lfk_rng_below(&rng, 4) == 0)                       \
				v = x0; /* make CAS succeed often */           \
			ea = eg = v;                                           \
			switch (op) {                                          \
			case 0:                                                \
				ra = ARCH(fetch_add_##S)(&xa, v, mo);          \
				rg = GEN(fetch_add_##S)(&xg, v, mo);           \
				break;                                         \
			case 1:                                                \
				ra = ARCH(fetch_sub_##S)(&xa, v, mo);          \
				rg = GEN(fetch_sub_##S)(&xg, v, mo);           \
				break;                                         \
			case 2:                                                \
				ra = ARCH(fetch_and_##S)(&xa, v, mo);          \
				rg = GEN(fetch_and_##S)(&xg, v, mo);           \
				break;                                         \
			case 3:                                                \
				ra = ARCH(fetch_or_##S)(&xa, v, mo);           \
				rg = GEN(fetch_or_##S)(&xg, v, mo);            \
				break;                                         \
			case 4:                                                \
				ra = ARCH(exchange_##S)(&xa, v, mo);           \
				rg = GEN(exchange_##S)(&xg, v, mo);            \
				break;                                         \
			case 5:                                                \
				oka = ARCH(cas_##S)(&xa, &ea, (T)~v, mo);      \
				okg = GEN(cas_##S)(&xg, &eg, (T)~v, mo);       \
				ra = ea;                                       \
				rg = eg;                                       \
				break;                                         \
			case 7:                                                \
				ARCH(and_##S)(&xa, v, mo);                     \
				GEN(and_##S)(&xg, v, mo);                      \
				ra = rg = 0;                                   \
				break;                                         \
			case 8:                                                \
				ARCH(or_##S)(&xa, v, mo);                      \
				GEN(or_##S)(&xg, v, mo);                       \
				ra = rg = 0;                                   \
				break;                                         \
			case 6:                                                \
				ra = ARCH(load_##S)(&xa,                       \
					load_orders[it % COUNT(load_orders)]); \
				rg = GEN(load_##S)(&xg,                        \
					load_orders[it % COUNT(load_orders)]); \
				break;                                         \
			default:                                               \
				ARCH(store_##S)(&xa, v,                        \
					store_orders[it % COUNT(store_orders)]); \
				GEN(store_##S)(&xg, v,                         \
					store_orders[it % COUNT(store_orders)]); \
				ra = rg = 0;                                   \
				break;                                         \
			}                                                      \
			LFK_CHECK(ra == rg && xa == xg && oka == okg,          \
				  "op %d mo %d x0=%#llx v=%#llx: arch "        \
				  "(ret %#llx, now %#llx, ok %d) generic "     \
				  "(ret %#llx, now %#llx, ok %d)",             \
				  op, mo, (unsigned long long)x0,              \
				  (unsigned long long)v,                       \
				  (unsigned long long)ra,                      \
				  (unsigned long long)xa, oka,                 \
				  (unsigned long long)rg,                      \
				  (unsigned long long)xg, okg);                \
			if (lfk_failures())                                    \
				break;                                         \
		}                                                              \
		return 0;                                                      \
	}

DEFINE_DIFFERENTIAL(lfk_scn_differential_u32, uint32_t, u32)
DEFINE_DIFFERENTIAL(lfk_scn_differential_u64, uint64_t, u64)

int lfk_scn_differential_cas2(void)
{
#if defined(LFK_HAVE_CAS2)
	struct lfk_rng rng;
	lfk_rng_seed(&rng, lfk_test_seed());
	for (int it = 0; it < 20000 && !lfk_failures(); it++) {
		int mo = rmw_orders[it % COUNT(rmw_orders)];
		lfk_pair_t x0 = { lfk_rng_next(&rng), lfk_rng_next(&rng) };
		lfk_pair_t e0 = x0, d = { lfk_rng_next(&rng), lfk_rng_next(&rng) };
		unsigned which = (unsigned)lfk_rng_below(&rng, 4);
		if (which & 1)
			e0.lo ^= 1ull << lfk_rng_below(&rng, 64);
		if (which & 2)
			e0.hi ^= 1ull << lfk_rng_below(&rng, 64);
		lfk_pair_t xa = x0, xg = x0, ea = e0, eg = e0;
		bool oka = ARCH(cas2)(&xa, &ea, d, mo);
		bool okg = GEN(cas2)(&xg, &eg, d, mo);
		LFK_CHECK(oka == okg && xa.lo == xg.lo && xa.hi == xg.hi &&
				  ea.lo == eg.lo && ea.hi == eg.hi,
			  "cas2 diverges (case %u, mo %d)", which, mo);
	}
#endif
	return 0;
}

/*
 * The racy copy of both backends, relaxed and acquire: every size up to a
 * few 16-byte pieces past a power of two, every source and destination
 * offset in a 16-byte line; the copy must equal memcpy's and leave the
 * bytes around the destination alone.
 */
#define CHECK_LOAD_BYTES(FN, label)                                            \
	do {                                                                   \
		for (size_t n = 1; n <= 70 && !lfk_failures(); n++)            \
			for (size_t so = 0; so < 16; so++)                     \
				for (size_t d0 = 0; d0 < 16; d0 += 5) {        \
					int mo = (n + so) % 2 ? LFK_RELAXED    \
							      : LFK_ACQUIRE;   \
					memset(dst, 0xee, sizeof(dst));        \
					FN(load_bytes)(dst + 1 + d0, src + so, \
						       n, mo);                 \
					LFK_CHECK(memcmp(dst + 1 + d0,         \
							 src + so, n) == 0 &&  \
							  dst[d0] == 0xee &&   \
							  dst[1 + d0 + n] ==   \
								  0xee,        \
						  "%s load_bytes n=%zu src+%zu " \
						  "dst+%zu",                   \
						  label, n, so, d0 + 1);       \
				}                                              \
	} while (0)

int lfk_scn_load_bytes_every_size(void)
{
	_Alignas(16) unsigned char src[96];
	_Alignas(16) unsigned char dst[96];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 37 + 11);
	CHECK_LOAD_BYTES(ARCH, "arch");
	CHECK_LOAD_BYTES(GEN, "generic");
	return 0;
}

/* Fences have no observable single-threaded effect; this runs every order of
 * both backends once so that each emitted instruction is executed (an
 * instruction the CPU lacks would fault here, e.g. under qemu). */
int lfk_scn_fences_compile_and_run(void)
{
	for (size_t i = 0; i < COUNT(rmw_orders); i++) {
		ARCH(fence)(rmw_orders[i]);
		GEN(fence)(rmw_orders[i]);
	}
	lfk_compiler_barrier();
	lfk_cpu_relax();
	GEN(cpu_relax)();
	LFK_CHECK(strlen(lfk_atomic_backend()) > 0, "backend name");
	LFK_CHECK(strcmp(lfk_atomic_backend(), LFK_ATOMIC_BACKEND) == 0,
		  "library built for %s, header selects %s",
		  lfk_atomic_backend(), LFK_ATOMIC_BACKEND);
	return 0;
}

/* ---- multi-threaded --------------------------------------------------- */

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
		uint64_t old = lfk_atomic_fetch_add_u64(&c->c64, 1, LFK_RELAXED);
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
	struct counters c = { .c64 = 0, .c32 = c32_start, .nthreads = nthreads };
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
	struct counters c = { .c64 = 0, .c32 = c32_start, .nthreads = nthreads };
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
		uint32_t o32 = lfk_atomic_fetch_or_u32(&b->w32, bit32, LFK_RELAXED);
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
