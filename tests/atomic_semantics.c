/* SPDX-License-Identifier: MIT */
/*
 * The semantics of every atomic operation, on the configured backend and on
 * the generic one: fixed expectations for every width and order, the
 * narrow loads and stores, pointers, the double-width CAS, the racy byte
 * copy, and fences executed once each.
 */
#include <stdlib.h>
#include <string.h>

#include "atomic_helpers.h"

/*
 * Fixed expectations for one backend (FN maps an op name to its function)
 * and one width.  The orders are run-time values here, so every order's
 * instruction sequence of the backend is exercised.
 */
#define DEFINE_SEMANTICS(NAME, FN, T, S)                                       \
	static const T NAME##_max = (T) ~(T)0,                                 \
		       NAME##_a = (T)0x9abcdef012345678ull,                    \
		       NAME##_b = (T)0x0123456789abcdefull;                    \
	static void NAME##_load_store(void)                                    \
	{                                                                      \
		const T a = NAME##_a, b = NAME##_b;                            \
		T x, r;                                                        \
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
	}                                                                      \
	static void NAME##_rmw(int mo)                                         \
	{                                                                      \
		const T max = NAME##_max, a = NAME##_a, b = NAME##_b;          \
		T x = max, r = FN(fetch_add_##S)(&x, 1, mo);                   \
		LFK_CHECK(r == max && x == 0, "fetch_add wrap mo=%d", mo);     \
		x = 0;                                                         \
		r = FN(fetch_sub_##S)(&x, 1, mo);                              \
		LFK_CHECK(r == 0 && x == max, "fetch_sub wrap mo=%d", mo);     \
		x = a;                                                         \
		r = FN(fetch_and_##S)(&x, b, mo);                              \
		LFK_CHECK(r == a && x == (T)(a & b), "fetch_and mo=%d", mo);   \
		x = a;                                                         \
		r = FN(fetch_or_##S)(&x, b, mo);                               \
		LFK_CHECK(r == a && x == (T)(a | b), "fetch_or mo=%d", mo);    \
		x = a;                                                         \
		FN(and_##S)(&x, b, mo);                                        \
		LFK_CHECK(x == (T)(a & b), "and mo=%d", mo);                   \
		x = a;                                                         \
		FN(or_##S)(&x, b, mo);                                         \
		LFK_CHECK(x == (T)(a | b), "or mo=%d", mo);                    \
		x = a;                                                         \
		r = FN(exchange_##S)(&x, b, mo);                               \
		LFK_CHECK(r == a && x == b, "exchange mo=%d", mo);             \
	}                                                                      \
	static void NAME##_cas(int mo)                                         \
	{                                                                      \
		const T max = NAME##_max, a = NAME##_a, b = NAME##_b;          \
		T x = a, e = a;                                                \
		LFK_CHECK(FN(cas_##S)(&x, &e, b, mo) && x == b && e == a,      \
			  "cas success mo=%d", mo);                            \
		x = a;                                                         \
		e = b;                                                         \
		LFK_CHECK(!FN(cas_##S)(&x, &e, max, mo) && x == a && e == a,   \
			  "cas failure must write back mo=%d", mo);            \
		x = a;                                                         \
		e = a;                                                         \
		/* weak may fail spuriously, but not forever */                \
		int tries = 0;                                                 \
		while (!FN(cas_weak_##S)(&x, &e, b, mo) && ++tries < 1000)     \
			LFK_CHECK(e == a,                                      \
				  "spurious weak cas changed "                 \
				  "expected mo=%d",                            \
				  mo);                                         \
		LFK_CHECK(x == b && e == a, "cas_weak success mo=%d", mo);     \
		x = a;                                                         \
		e = b;                                                         \
		LFK_CHECK(!FN(cas_weak_##S)(&x, &e, max, mo) && x == a &&      \
				  e == a,                                      \
			  "cas_weak failure must write back mo=%d", mo);       \
	}                                                                      \
	int NAME(void)                                                         \
	{                                                                      \
		NAME##_load_store();                                           \
		for (size_t i = 0; i < COUNT(rmw_orders); i++) {               \
			NAME##_rmw(rmw_orders[i]);                             \
			NAME##_cas(rmw_orders[i]);                             \
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
			FN(store_##S)                                          \
			(&buf[1], (T)(0xa5 + i), store_orders[i]);             \
			LFK_CHECK(buf[0] == 0x11 && buf[1] == (T)(0xa5 + i) && \
					  buf[2] == 0x33,                      \
				  "%s store mo=%d", label, store_orders[i]);   \
		}                                                              \
		for (size_t i = 0; i < COUNT(load_orders); i++)                \
			LFK_CHECK(FN(load_##S)(&buf[2], load_orders[i]) ==     \
					  0x33,                                \
				  "%s load mo=%d", label, load_orders[i]);     \
		buf[3] = (T) ~(T)0;                                            \
		LFK_CHECK(FN(load_##S)(&buf[3], LFK_RELAXED) == (T) ~(T)0,     \
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
	LFK_CHECK(lfk_atomic_fetch_add_uptr(&u, 2, LFK_RELAXED) ==
				  UINTPTR_MAX &&
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
					FN(load_bytes)                         \
					(dst + 1 + d0, src + so, n, mo);       \
					LFK_CHECK(                             \
						memcmp(dst + 1 + d0, src + so, \
						       n) == 0 &&              \
							dst[d0] == 0xee &&     \
							dst[1 + d0 + n] ==     \
								0xee,          \
						"%s load_bytes n=%zu src+%zu " \
						"dst+%zu",                     \
						label, n, so, d0 + 1);         \
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
