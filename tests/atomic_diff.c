/* SPDX-License-Identifier: MIT */
/*
 * Differential runs: every arch operation beside its generic twin, with
 * random values and operands and every order; results must agree.
 */
#include "atomic_helpers.h"

/*
 * Differential: random initial values and operands, every op and order on
 * the configured backend and on the generic one, results compared.
 */
/* One side of a step: op on *x through backend FN; *r is what the op
 * returned (a CAS: the expected value it wrote back, else 0), *ok whether a
 * CAS succeeded. */
#define DEFINE_DIFF_SIDE(SIDE, FN, T, S)                                       \
	static void SIDE(int op, int it, int mo, T v, T *x, T *r, bool *ok)    \
	{                                                                      \
		T e = v;                                                       \
		*r = 0;                                                        \
		*ok = false;                                                   \
		switch (op) {                                                  \
		case 0:                                                        \
			*r = FN(fetch_add_##S)(x, v, mo);                      \
			break;                                                 \
		case 1:                                                        \
			*r = FN(fetch_sub_##S)(x, v, mo);                      \
			break;                                                 \
		case 2:                                                        \
			*r = FN(fetch_and_##S)(x, v, mo);                      \
			break;                                                 \
		case 3:                                                        \
			*r = FN(fetch_or_##S)(x, v, mo);                       \
			break;                                                 \
		case 4:                                                        \
			*r = FN(exchange_##S)(x, v, mo);                       \
			break;                                                 \
		case 5:                                                        \
			*ok = FN(cas_##S)(x, &e, (T)~v, mo);                   \
			*r = e;                                                \
			break;                                                 \
		case 6:                                                        \
			*r = FN(load_##S)(                                     \
				x, load_orders[it % COUNT(load_orders)]);      \
			break;                                                 \
		case 7:                                                        \
			FN(and_##S)(x, v, mo);                                 \
			break;                                                 \
		case 8:                                                        \
			FN(or_##S)(x, v, mo);                                  \
			break;                                                 \
		default:                                                       \
			FN(store_##S)                                          \
			(x, v, store_orders[it % COUNT(store_orders)]);        \
			break;                                                 \
		}                                                              \
	}

#define DEFINE_DIFFERENTIAL(NAME, T, S)                                        \
	DEFINE_DIFF_SIDE(NAME##_arch, ARCH, T, S)                              \
	DEFINE_DIFF_SIDE(NAME##_generic, GEN, T, S)                            \
	int NAME(void)                                                         \
	{                                                                      \
		struct lfk_rng rng;                                            \
		lfk_rng_seed(&rng, lfk_test_seed());                           \
		for (int it = 0; it < 20000; it++) {                           \
			T x0 = (T)lfk_rng_next(&rng),                          \
			  v = (T)lfk_rng_next(&rng);                           \
			T xa = x0, xg = x0, ra, rg;                            \
			int mo = rmw_orders[it % COUNT(rmw_orders)];           \
			int op = (int)lfk_rng_below(&rng, 10);                 \
			bool oka, okg;                                         \
			if (lfk_rng_below(&rng, 4) == 0)                       \
				v = x0; /* make CAS succeed often */           \
			NAME##_arch(op, it, mo, v, &xa, &ra, &oka);            \
			NAME##_generic(op, it, mo, v, &xg, &rg, &okg);         \
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
		lfk_pair_t e0 = x0,
			   d = { lfk_rng_next(&rng), lfk_rng_next(&rng) };
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
