/* SPDX-License-Identifier: MIT */
/*
 * lfkit aarch64 atomic backend, in inline assembly.
 *
 * ARMv8 is weakly ordered, but its acquire/release instructions are RCsc: a
 * stlr followed by an ldar to another location is not reordered, so the
 * C11 seq_cst loads and stores map onto them with no extra fence.
 *   load relaxed            ldr
 *   load acquire/seq_cst    ldar           later accesses stay after it.
 *   store relaxed           str
 *   store release/seq_cst   stlr           earlier accesses stay before it;
 *                                          RCsc with ldar, so also seq_cst.
 *   fence acquire           dmb ishld      orders earlier loads before later
 *                                          loads and stores.
 *   fence release/seq_cst   dmb ish        full barrier in the inner
 *                                          shareable domain.
 *   cpu_relax               yield
 * Read-modify-writes come in two builds:
 *   LSE (armv8.1-a and later, __ARM_FEATURE_ATOMICS): one instruction,
 *     ldadd / ldclr (fetch_and with ~v) / ldset (fetch_or) / swp / cas /
 *     casp, with the suffix "" (relaxed), "a" (acquire), "l" (release) or
 *     "al" (acq_rel, seq_cst).  casp needs even/odd register pairs, hence
 *     the explicit register variables.
 *   LL/SC (armv8.0): ld[a]xr / st[l]xr loops, the load carrying the acquire
 *     half and the store the release half of the order; ld[a]xp / st[l]xp
 *     for the pair.  A 128-bit ldxp is single-copy atomic only if the
 *     following stxp succeeds, so the pair loops store back what they read
 *     even when the comparison fails.
 *   and / or (no result) the fetch forms with the old value discarded.
 * Loads and stores are the compiler's __atomic builtins: gcc and clang emit
 * exactly the ldr/ldar/str/stlr above for them (ldapr only with +rcpc,
 * which lfkit's builds do not enable), and the compiler then sees what they
 * are instead of an opaque asm statement.
 * Compiler barriers ("memory" clobbers): an RMW carries one for every order
 * except relaxed, where C11 lets the compiler move other accesses across
 * it (the "+Q" operand names the object it reads and writes); fences carry
 * one because ordering the compiler is half of their job.
 *
 * Do not include this file directly: include <lfkit/atomic.h>.
 */
#ifndef LFKIT_ARCH_AARCH64_ATOMIC_AARCH64_H
#define LFKIT_ARCH_AARCH64_ATOMIC_AARCH64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LFK__AARCH64_HAVE_CAS2 1
#if defined(__ARM_FEATURE_ATOMICS)
#define LFK__AARCH64_LSE 1
#endif

/*
 * Expand STMT(R, A, L, AL, M, operands...) for the memory order mo: A is
 * the acquire suffix of an exclusive load, L the release suffix of an
 * exclusive store, AL the suffix of the matching LSE instruction, M the
 * clobber: "memory" (a compiler barrier) for every order but relaxed, which
 * gets a harmless "cc" instead.  R is the register width prefix.  The
 * operands (the result, the object, the argument) are passed through to
 * STMT, so no statement reads a variable of the function it expands in
 * (ck's ck_pr.h generators work the same way).
 */
#define LFK__AARCH64_BY_ORDER(mo, STMT, R, ...)                                \
	do {                                                                   \
		switch (mo) {                                                  \
		case __ATOMIC_RELAXED:                                         \
			STMT(R, "", "", "", "cc", __VA_ARGS__);                \
			break;                                                 \
		case __ATOMIC_CONSUME:                                         \
		case __ATOMIC_ACQUIRE:                                         \
			STMT(R, "a", "", "a", "memory", __VA_ARGS__);          \
			break;                                                 \
		case __ATOMIC_RELEASE:                                         \
			STMT(R, "", "l", "l", "memory", __VA_ARGS__);          \
			break;                                                 \
		default:                                                       \
			STMT(R, "a", "l", "al", "memory", __VA_ARGS__);        \
			break;                                                 \
		}                                                              \
	} while (0)

#if defined(LFK__AARCH64_LSE)
/* old = *p; *p = old OP v, in one LSE instruction (INSN is ldadd, ...). */
#define LFK__AARCH64_RMW(INSN, R, A, L, AL, M, old, p, v)                      \
	__asm__ __volatile__(INSN AL " %" R "2, %" R "0, %1"                   \
			     : "=&r"(old), "+Q"(*(p))                          \
			     : "r"(v)                                          \
			     : M)
/* RMW_OP's LSE side: the instruction, LLSC_OP unused. */
#define LFK__AARCH64_RMW_OP(LSE_INSN, LLSC_OP, ...)                            \
	LFK__AARCH64_RMW(LSE_INSN, __VA_ARGS__)
#define LFK__AARCH64_RMW_SWP(R, A, L, AL, M, old, p, v)                        \
	LFK__AARCH64_RMW("swp", R, A, L, AL, M, old, p, v)
/* cas compares its first register (old, in: expected, out: the value
 * found) with *p and stores desired only when they were equal.  It never
 * fails spuriously; status (the weak form's) is left alone. */
#define LFK__AARCH64_CAS_STRONG(R, A, L, AL, M, old, p, desired)               \
	__asm__ __volatile__("cas" AL " %" R "0, %" R "2, %1"                  \
			     : "+r"(old), "+Q"(*(p))                           \
			     : "r"(desired)                                    \
			     : M)
#define LFK__AARCH64_CAS_WEAK(R, A, L, AL, M, old, p, desired, status)         \
	LFK__AARCH64_CAS_STRONG(R, A, L, AL, M, old, p, desired)
#else
/* old = *p; *p = old OP v, as an exclusive load/store loop (one
 * instruction per line of the asm, so clang-format leaves it alone). */
// clang-format off
#define LFK__AARCH64_LLSC(OP, R, A, L, AL, M, old, p, v)                       \
	do {                                                                   \
		uint32_t lfk__status;                                          \
		__typeof__(old) lfk__tmp;                                      \
		__asm__ __volatile__("1: ld" A "xr %" R "0, %3\n\t"            \
				     OP " %" R "1, %" R "0, %" R "4\n\t"       \
				     "st" L "xr %w2, %" R "1, %3\n\t"          \
				     "cbnz %w2, 1b"                            \
				     : "=&r"(old), "=&r"(lfk__tmp),            \
				       "=&r"(lfk__status), "+Q"(*(p))          \
				     : "r"(v)                                  \
				     : M);                                     \
	} while (0)
// clang-format on
/* RMW_OP's LL/SC side: the loop around the ALU op, LSE_INSN unused. */
#define LFK__AARCH64_RMW_OP(LSE_INSN, LLSC_OP, ...)                            \
	LFK__AARCH64_LLSC(LLSC_OP, __VA_ARGS__)
#define LFK__AARCH64_RMW_SWP(R, A, L, AL, M, old, p, v)                        \
	do {                                                                   \
		uint32_t lfk__status;                                          \
		__asm__ __volatile__("1: ld" A "xr %" R "0, %2\n\t"            \
				     "st" L "xr %w1, %" R "3, %2\n\t"          \
				     "cbnz %w1, 1b"                            \
				     : "=&r"(old), "=&r"(lfk__status),         \
				       "+Q"(*(p))                              \
				     : "r"(v)                                  \
				     : M);                                     \
	} while (0)
/* old: in, the expected value; out, the value found. */
#define LFK__AARCH64_CAS_STRONG(R, A, L, AL, M, old, p, desired)               \
	do {                                                                   \
		uint32_t lfk__status;                                          \
		__typeof__(old) lfk__cmp = old;                                \
		__asm__ __volatile__("1: ld" A "xr %" R "0, %2\n\t"            \
				     "cmp %" R "0, %" R "3\n\t"                \
				     "b.ne 2f\n\t"                             \
				     "st" L "xr %w1, %" R "4, %2\n\t"          \
				     "cbnz %w1, 1b\n"                          \
				     "2:"                                      \
				     : "=&r"(old), "=&r"(lfk__status),         \
				       "+Q"(*(p))                              \
				     : "r"(lfk__cmp), "r"(desired)             \
				     : "cc", M);                               \
	} while (0)
/*
 * A weak CAS is one exclusive pair with no retry, so it may fail spuriously
 * (the reservation was lost): status is 0 only when the store happened (it
 * starts at 1 for the mismatch path).
 */
#define LFK__AARCH64_CAS_WEAK(R, A, L, AL, M, old, p, desired, status)         \
	do {                                                                   \
		__typeof__(old) lfk__cmp = old;                                \
		__asm__ __volatile__("mov %w1, #1\n\t"                         \
				     "ld" A "xr %" R "0, %2\n\t"               \
				     "cmp %" R "0, %" R "3\n\t"                \
				     "b.ne 1f\n\t"                             \
				     "st" L "xr %w1, %" R "4, %2\n"            \
				     "1:"                                      \
				     : "=&r"(old), "=&r"(status), "+Q"(*(p))   \
				     : "r"(lfk__cmp), "r"(desired)             \
				     : "cc", M);                               \
	} while (0)
#endif

/* The RMWs that differ only in their instruction, as (LSE instruction,
 * LL/SC loop's ALU op); the build uses one side.  (swp has no ALU op: its
 * LL/SC loop stores v itself, above.) */
#define LFK__AARCH64_RMW_ADD(...)                                              \
	LFK__AARCH64_RMW_OP("ldadd", "add", __VA_ARGS__)
#define LFK__AARCH64_RMW_CLR(...)                                              \
	LFK__AARCH64_RMW_OP("ldclr", "bic", __VA_ARGS__)
#define LFK__AARCH64_RMW_SET(...)                                              \
	LFK__AARCH64_RMW_OP("ldset", "orr", __VA_ARGS__)

/*
 * T: the type, S: the name suffix, R: "w" (32-bit) or "x" (64-bit).  8- and
 * 16-bit objects get loads and stores only.
 */
#define LFK__AARCH64_DEFINE_LOAD_STORE(T, S)                                   \
	static inline T lfk__aarch64_load_##S(const T *p, int mo)              \
	{                                                                      \
		return __atomic_load_n(p, mo); /* ldr / ldar */                \
	}                                                                      \
	static inline void lfk__aarch64_store_##S(T *p, T v, int mo)           \
	{                                                                      \
		__atomic_store_n(p, v, mo); /* str / stlr */                   \
	}

#define LFK__AARCH64_DEFINE_OPS(T, S, R)                                       \
	LFK__AARCH64_DEFINE_LOAD_STORE(T, S)                                   \
	static inline T lfk__aarch64_exchange_##S(T *p, T v, int mo)           \
	{                                                                      \
		T old;                                                         \
		LFK__AARCH64_BY_ORDER(mo, LFK__AARCH64_RMW_SWP, R, old, p, v); \
		return old;                                                    \
	}                                                                      \
	static inline T lfk__aarch64_fetch_add_##S(T *p, T v, int mo)          \
	{                                                                      \
		T old;                                                         \
		LFK__AARCH64_BY_ORDER(mo, LFK__AARCH64_RMW_ADD, R, old, p, v); \
		return old;                                                    \
	}                                                                      \
	static inline T lfk__aarch64_fetch_sub_##S(T *p, T v, int mo)          \
	{                                                                      \
		return lfk__aarch64_fetch_add_##S(p, (T)(0 - v), mo);          \
	}                                                                      \
	static inline T lfk__aarch64_fetch_and_##S(T *p, T v, int mo)          \
	{                                                                      \
		T old;                                                         \
		v = (T)~v; /* ldclr/bic clear the bits that are set in v */    \
		LFK__AARCH64_BY_ORDER(mo, LFK__AARCH64_RMW_CLR, R, old, p, v); \
		return old;                                                    \
	}                                                                      \
	static inline T lfk__aarch64_fetch_or_##S(T *p, T v, int mo)           \
	{                                                                      \
		T old;                                                         \
		LFK__AARCH64_BY_ORDER(mo, LFK__AARCH64_RMW_SET, R, old, p, v); \
		return old;                                                    \
	}                                                                      \
	/* the LSE st* forms have no acquire variant: keep the ld* forms */    \
	static inline void lfk__aarch64_and_##S(T *p, T v, int mo)             \
	{                                                                      \
		(void)lfk__aarch64_fetch_and_##S(p, v, mo);                    \
	}                                                                      \
	static inline void lfk__aarch64_or_##S(T *p, T v, int mo)              \
	{                                                                      \
		(void)lfk__aarch64_fetch_or_##S(p, v, mo);                     \
	}                                                                      \
	static inline bool lfk__aarch64_cas_##S(T *p, T *expected, T desired,  \
						int mo)                        \
	{                                                                      \
		T old = *expected;                                             \
		LFK__AARCH64_BY_ORDER(mo, LFK__AARCH64_CAS_STRONG, R, old, p,  \
				      desired);                                \
		if (old == *expected)                                          \
			return true;                                           \
		*expected = old;                                               \
		return false;                                                  \
	}                                                                      \
	static inline bool lfk__aarch64_cas_weak_##S(T *p, T *expected,        \
						     T desired, int mo)        \
	{                                                                      \
		T old = *expected;                                             \
		uint32_t status = 0;                                           \
		LFK__AARCH64_BY_ORDER(mo, LFK__AARCH64_CAS_WEAK, R, old, p,    \
				      desired, status);                        \
		(void)status;                                                  \
		if (old == *expected && status == 0)                           \
			return true;                                           \
		*expected = old;                                               \
		return false;                                                  \
	}

LFK__AARCH64_DEFINE_LOAD_STORE(uint8_t, u8)
LFK__AARCH64_DEFINE_LOAD_STORE(uint16_t, u16)
LFK__AARCH64_DEFINE_OPS(uint32_t, u32, "w")
LFK__AARCH64_DEFINE_OPS(uint64_t, u64, "x")
#undef LFK__AARCH64_DEFINE_OPS
#undef LFK__AARCH64_DEFINE_LOAD_STORE
#undef LFK__AARCH64_RMW
#undef LFK__AARCH64_LLSC
#undef LFK__AARCH64_RMW_OP
#undef LFK__AARCH64_RMW_ADD
#undef LFK__AARCH64_RMW_CLR
#undef LFK__AARCH64_RMW_SET
#undef LFK__AARCH64_RMW_SWP
#undef LFK__AARCH64_CAS_STRONG
#undef LFK__AARCH64_CAS_WEAK

/* Double-width CAS: lo at the lower address (little-endian pair).  In:
 * (e0, e1) expected, (n0, n1) desired; out: (x0, x1) the pair found.  The
 * LSE form compares and returns in the same registers, so its callers pass
 * x0, x1 as e0, e1 too. */
#if defined(LFK__AARCH64_LSE)
#define LFK__AARCH64_CAS2(R, A, L, AL, M, x0, x1, p, e0, e1, n0, n1)           \
	__asm__ __volatile__("casp" AL " %0, %1, %3, %4, %2"                   \
			     : "+r"(x0), "+r"(x1), "+Q"(*(p))                  \
			     : "r"(n0), "r"(n1)                                \
			     : M)
#else
#define LFK__AARCH64_CAS2(R, A, L, AL, M, x0, x1, p, e0, e1, n0, n1)           \
	do {                                                                   \
		uint32_t lfk__status;                                          \
		__asm__ __volatile__("1: ld" A "xp %0, %1, %3\n\t"             \
				     "cmp %0, %4\n\t"                          \
				     "ccmp %1, %5, #0, eq\n\t"                 \
				     "b.ne 2f\n\t"                             \
				     "st" L "xp %w2, %6, %7, %3\n\t"           \
				     "cbnz %w2, 1b\n\t"                        \
				     "b 3f\n"                                  \
				     "2: stxp %w2, %0, %1, %3\n\t"             \
				     "cbnz %w2, 1b\n"                          \
				     "3:"                                      \
				     : "=&r"(x0), "=&r"(x1),                   \
				       "=&r"(lfk__status), "+Q"(*(p))          \
				     : "r"(e0), "r"(e1), "r"(n0), "r"(n1)      \
				     : "cc", M);                               \
	} while (0)
#endif

static inline bool lfk__aarch64_cas2(lfk_pair_t *p, lfk_pair_t *expected,
				     lfk_pair_t desired, int mo)
{
#if defined(LFK__AARCH64_LSE)
	register uint64_t x0 __asm__("x0") = expected->lo;
	register uint64_t x1 __asm__("x1") = expected->hi;
	register uint64_t x2 __asm__("x2") = desired.lo;
	register uint64_t x3 __asm__("x3") = desired.hi;
#define LFK__AARCH64_CAS2_EXPECTED x0, x1 /* casp compares in place */
#else
	uint64_t x0, x1, x2 = desired.lo, x3 = desired.hi;
	uint64_t e0 = expected->lo, e1 = expected->hi;
#define LFK__AARCH64_CAS2_EXPECTED e0, e1
#endif
	LFK__AARCH64_BY_ORDER(mo, LFK__AARCH64_CAS2, "x", x0, x1, p,
			      LFK__AARCH64_CAS2_EXPECTED, x2, x3);
#undef LFK__AARCH64_CAS2_EXPECTED
	if (x0 == expected->lo && x1 == expected->hi)
		return true;
	expected->lo = x0;
	expected->hi = x1;
	return false;
}

/*
 * An atomic 16-byte load: an exclusive pair load that is confirmed by storing
 * the same value back (the only way ARMv8.0 makes a 128-bit read single-copy
 * atomic).  The pair must be writable.
 */
#define LFK__AARCH64_LOAD2(R, A, L, AL, M, lo, hi, p)                          \
	do {                                                                   \
		uint32_t lfk__status;                                          \
		__asm__ __volatile__("1: ld" A "xp %0, %1, %3\n\t"             \
				     "stxp %w2, %0, %1, %3\n\t"                \
				     "cbnz %w2, 1b"                            \
				     : "=&r"(lo), "=&r"(hi),                   \
				       "=&r"(lfk__status), "+Q"(*(p))          \
				     :                                         \
				     : M);                                     \
	} while (0)

static inline lfk_pair_t lfk__aarch64_load2(lfk_pair_t *p, int mo)
{
	lfk_pair_t v;
	LFK__AARCH64_BY_ORDER(mo, LFK__AARCH64_LOAD2, "x", v.lo, v.hi, p);
	return v;
}

#undef LFK__AARCH64_CAS2
#undef LFK__AARCH64_LOAD2
#undef LFK__AARCH64_BY_ORDER

/*
 * Copies size bytes that other threads may be writing (a seqlock's data):
 * relaxed, 16 bytes per ldp while 16 remain, then one ldr of 8, 4, 2 and 1
 * bytes each as needed, any alignment (normal memory).  Each piece is one
 * load instruction that the compiler can neither split nor repeat; the copy
 * as a whole can be torn, so only a caller that discards torn copies (by a
 * sequence check) may rely on it.  An acquire copy is the generic one
 * (ldar per word): aarch64 has no acquire form of ldp before LRCPC3.
 */
#define LFK__AARCH64_LOAD_PIECE(T, INSN, R, s, d, size)                        \
	do {                                                                   \
		T lfk__w;                                                      \
		__asm__ __volatile__(INSN " %" R "0, %1"                       \
				     : "=r"(lfk__w)                            \
				     : "Q"(*(const T *)(const void *)(s)));    \
		memcpy(d, &lfk__w, sizeof(lfk__w));                            \
		(s) += sizeof(lfk__w), (d) += sizeof(lfk__w);                  \
		(size) -= sizeof(lfk__w);                                      \
	} while (0)

typedef uint64_t __attribute__((may_alias, aligned(1))) lfk__aarch64_u64u_t;
typedef uint32_t __attribute__((may_alias, aligned(1))) lfk__aarch64_u32u_t;
typedef uint16_t __attribute__((may_alias, aligned(1))) lfk__aarch64_u16u_t;
typedef struct {
	uint64_t w[2];
} __attribute__((may_alias, aligned(1))) lfk__aarch64_u128u_t;

static inline void lfk__aarch64_load_bytes(void *dst, const void *src,
					   size_t size, int mo)
{
	const unsigned char *s = (const unsigned char *)src;
	unsigned char *d = (unsigned char *)dst;
	if (mo != __ATOMIC_RELAXED) {
		lfk__generic_load_bytes(dst, src, size, mo);
		return;
	}
	LFK_ATOMIC_UNROLL
	for (; size >= 16; s += 16, d += 16, size -= 16) {
		uint64_t lo, hi;
		__asm__ __volatile__(
			"ldp %0, %1, %2"
			: "=r"(lo), "=r"(hi)
			: "Q"(*(const lfk__aarch64_u128u_t *)(const void *)s));
		memcpy(d, &lo, 8);
		memcpy(d + 8, &hi, 8);
	}
	if (size >= 8)
		LFK__AARCH64_LOAD_PIECE(lfk__aarch64_u64u_t, "ldr", "x", s, d,
					size);
	if (size >= 4)
		LFK__AARCH64_LOAD_PIECE(lfk__aarch64_u32u_t, "ldr", "w", s, d,
					size);
	if (size >= 2)
		LFK__AARCH64_LOAD_PIECE(lfk__aarch64_u16u_t, "ldrh", "w", s, d,
					size);
	if (size >= 1)
		LFK__AARCH64_LOAD_PIECE(unsigned char, "ldrb", "w", s, d, size);
}

#undef LFK__AARCH64_LOAD_PIECE

static inline void lfk__aarch64_compiler_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

static inline void lfk__aarch64_fence(int mo)
{
	if (mo == __ATOMIC_ACQUIRE || mo == __ATOMIC_CONSUME)
		__asm__ __volatile__("dmb ishld" ::: "memory");
	else if (mo != __ATOMIC_RELAXED)
		__asm__ __volatile__("dmb ish" ::: "memory");
}

/* No compiler barrier: yield touches no memory, and a spin loop re-reads
 * through atomic loads, which the compiler never caches across iterations. */
static inline void lfk__aarch64_cpu_relax(void)
{
	__asm__ __volatile__("yield");
}

#endif
