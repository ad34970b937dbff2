/* SPDX-License-Identifier: MIT */
/*
 * lfkit generic atomic backend: the C11 memory model through the compiler's
 * __atomic builtins.  It is the fallback for every ISA without a hand-written
 * backend, the backend of ThreadSanitizer builds (TSan instruments __atomic
 * builtins but cannot see inline assembly), and the reference every
 * hand-written backend is tested against.
 *
 * Do not include this file directly: include <lfkit/atomic.h>.  Tests and
 * benchmarks include it beside the configured backend to compare the two.
 *
 * Every function takes a memory order (LFK_RELAXED ... LFK_SEQ_CST, equal to
 * the compiler's __ATOMIC_* values) that is a compile-time constant at every
 * call site in lfkit; after inlining the builtins fold to one instruction
 * sequence.
 */
#ifndef LFKIT_ARCH_GENERIC_ATOMIC_GENERIC_H
#define LFKIT_ARCH_GENERIC_ATOMIC_GENERIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The failure order of a CAS may not be release or stronger than the success
 * order: keep the acquire half of the success order, drop the release half. */
#define LFK__GENERIC_CAS_FAIL_ORDER(mo)                                        \
	((mo) == __ATOMIC_ACQ_REL || (mo) == __ATOMIC_ACQUIRE                  \
		 ? __ATOMIC_ACQUIRE                                            \
	 : (mo) == __ATOMIC_SEQ_CST ? __ATOMIC_SEQ_CST                         \
				    : __ATOMIC_RELAXED)

#define LFK__GENERIC_DEFINE_LOAD_STORE(T, S)                                   \
	static inline T lfk__generic_load_##S(const T *p, int mo)              \
	{                                                                      \
		return __atomic_load_n(p, mo);                                 \
	}                                                                      \
	static inline void lfk__generic_store_##S(T *p, T v, int mo)           \
	{                                                                      \
		__atomic_store_n(p, v, mo);                                    \
	}

#define LFK__GENERIC_DEFINE_OPS(T, S)                                          \
	LFK__GENERIC_DEFINE_LOAD_STORE(T, S)                                   \
	static inline T lfk__generic_exchange_##S(T *p, T v, int mo)           \
	{                                                                      \
		return __atomic_exchange_n(p, v, mo);                          \
	}                                                                      \
	static inline T lfk__generic_fetch_add_##S(T *p, T v, int mo)          \
	{                                                                      \
		return __atomic_fetch_add(p, v, mo);                           \
	}                                                                      \
	static inline T lfk__generic_fetch_sub_##S(T *p, T v, int mo)          \
	{                                                                      \
		return __atomic_fetch_sub(p, v, mo);                           \
	}                                                                      \
	static inline T lfk__generic_fetch_and_##S(T *p, T v, int mo)          \
	{                                                                      \
		return __atomic_fetch_and(p, v, mo);                           \
	}                                                                      \
	static inline T lfk__generic_fetch_or_##S(T *p, T v, int mo)           \
	{                                                                      \
		return __atomic_fetch_or(p, v, mo);                            \
	}                                                                      \
	/* unused results: the compiler emits lock and / lock or on x86 */     \
	static inline void lfk__generic_and_##S(T *p, T v, int mo)             \
	{                                                                      \
		(void)__atomic_fetch_and(p, v, mo);                            \
	}                                                                      \
	static inline void lfk__generic_or_##S(T *p, T v, int mo)              \
	{                                                                      \
		(void)__atomic_fetch_or(p, v, mo);                             \
	}                                                                      \
	static inline bool lfk__generic_cas_##S(T *p, T *expected, T desired,  \
						int mo)                        \
	{                                                                      \
		return __atomic_compare_exchange_n(                            \
			p, expected, desired, false, mo,                       \
			LFK__GENERIC_CAS_FAIL_ORDER(mo));                      \
	}                                                                      \
	static inline bool lfk__generic_cas_weak_##S(T *p, T *expected,        \
						     T desired, int mo)        \
	{                                                                      \
		return __atomic_compare_exchange_n(                            \
			p, expected, desired, true, mo,                        \
			LFK__GENERIC_CAS_FAIL_ORDER(mo));                      \
	}

LFK__GENERIC_DEFINE_LOAD_STORE(uint8_t, u8)
LFK__GENERIC_DEFINE_LOAD_STORE(uint16_t, u16)
LFK__GENERIC_DEFINE_OPS(uint32_t, u32)
LFK__GENERIC_DEFINE_OPS(uint64_t, u64)
#undef LFK__GENERIC_DEFINE_OPS
#undef LFK__GENERIC_DEFINE_LOAD_STORE

typedef uint64_t __attribute__((may_alias)) lfk__generic_u64a_t;
typedef uint32_t __attribute__((may_alias)) lfk__generic_u32a_t;
typedef uint16_t __attribute__((may_alias)) lfk__generic_u16a_t;

/*
 * Copies one piece of a racy copy: the widest access (8, 4, 2 or 1 bytes)
 * that the address's alignment and the remaining size allow; returns its
 * size.  Atomic accesses must be naturally aligned, hence the narrow edges.
 */
static inline size_t lfk__generic_load_piece(unsigned char *d,
					     const unsigned char *s,
					     size_t size, int mo)
{
	uintptr_t a = (uintptr_t)s;
	if (size >= 8 && a % 8 == 0) {
		uint64_t w =
			__atomic_load_n((const lfk__generic_u64a_t *)s, mo);
		memcpy(d, &w, 8);
		return 8;
	}
	if (size >= 4 && a % 4 == 0) {
		uint32_t w =
			__atomic_load_n((const lfk__generic_u32a_t *)s, mo);
		memcpy(d, &w, 4);
		return 4;
	}
	if (size >= 2 && a % 2 == 0) {
		uint16_t w =
			__atomic_load_n((const lfk__generic_u16a_t *)s, mo);
		memcpy(d, &w, 2);
		return 2;
	}
	*d = __atomic_load_n(s, mo);
	return 1;
}

/* Unrolls the loop that follows up to 16 times: with a constant size (the
 * common case) a word-by-word copy becomes straight-line code.  Compilers
 * do not unroll loops around atomics or asm by themselves.  Shared by the
 * backends' copies and the seqlock's write copy. */
#if defined(__clang__)
#define LFK_ATOMIC_UNROLL _Pragma("unroll 16")
#else
#define LFK_ATOMIC_UNROLL _Pragma("GCC unroll 16")
#endif

/*
 * Copies size bytes that other threads may be writing (a seqlock's data),
 * with atomic loads of order mo (relaxed or acquire) of at most 8 bytes
 * each: no data race, but the copy as a whole can be torn, so only a caller
 * that discards torn copies may rely on it.
 */
static inline void lfk__generic_load_bytes(void *dst, const void *src,
					   size_t size, int mo)
{
	const unsigned char *s = (const unsigned char *)src;
	unsigned char *d = (unsigned char *)dst;
	while (size != 0 && (uintptr_t)s % 8 != 0) {
		size_t k = lfk__generic_load_piece(d, s, size, mo);
		s += k, d += k, size -= k;
	}
	LFK_ATOMIC_UNROLL
	for (; size >= 8; s += 8, d += 8, size -= 8) {
		uint64_t w =
			__atomic_load_n((const lfk__generic_u64a_t *)s, mo);
		memcpy(d, &w, 8);
	}
	while (size != 0) {
		size_t k = lfk__generic_load_piece(d, s, size, mo);
		s += k, d += k, size -= k;
	}
}

/*
 * Double-width CAS on a 16-byte aligned pair, through the compiler's 128-bit
 * atomics.  Where the ISA has no native 16-byte CAS, or the compiler routes
 * it through libatomic (gcc does on x86_64 and aarch64), the operation may
 * take a lock inside libatomic: correct, but not lock-free.  The hand-written
 * backends are the lock-free ones.
 */
/* The operand of the double-width operations, on every backend. */
typedef struct lfk_pair {
	uint64_t lo;
	uint64_t hi;
} __attribute__((aligned(16))) lfk_pair_t;

#if defined(__SIZEOF_INT128__)
#define LFK__GENERIC_HAVE_CAS2 1

/* __extension__: strict ISO C and C++ (-pedantic) have no __int128. */
__extension__ typedef unsigned __int128 lfk__u128;

/* clang warns (-Watomic-alignment) that a 16-byte atomic may go through
 * libatomic; that is the documented cost of this fallback, said above. */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Watomic-alignment"
#endif

static inline lfk__u128 lfk__generic_pair_pack(lfk_pair_t v)
{
	return ((lfk__u128)v.hi << 64) | v.lo;
}

static inline lfk_pair_t lfk__generic_pair_unpack(lfk__u128 v)
{
	lfk_pair_t r = { (uint64_t)v, (uint64_t)(v >> 64) };
	return r;
}

static inline bool lfk__generic_cas2(lfk_pair_t *p, lfk_pair_t *expected,
				     lfk_pair_t desired, int mo)
{
	lfk__u128 exp = lfk__generic_pair_pack(*expected);
	bool ok = __atomic_compare_exchange_n(
		(lfk__u128 *)p, &exp, lfk__generic_pair_pack(desired), false,
		mo, LFK__GENERIC_CAS_FAIL_ORDER(mo));
	if (!ok)
		*expected = lfk__generic_pair_unpack(exp);
	return ok;
}

static inline lfk_pair_t lfk__generic_load2(lfk_pair_t *p, int mo)
{
	return lfk__generic_pair_unpack(__atomic_load_n((lfk__u128 *)p, mo));
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
#endif

/*
 * ThreadSanitizer does not model stand-alone fences (gcc says so with
 * -Wtsan).  lfkit's own structures never rely on a fence in TSan builds:
 * they use the LFK_*_FENCE pairs of <lfkit/atomic.h>, which turn the fence
 * into acquire loads or release stores that TSan understands.  The fence
 * itself is still emitted so the code stays correct; only the warning is
 * silenced here, and a user's own fence-based code may get TSan reports.
 */
#if defined(__SANITIZE_THREAD__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
static inline void lfk__generic_fence(int mo)
{
	__atomic_thread_fence(mo);
}
#if defined(__SANITIZE_THREAD__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static inline void lfk__generic_compiler_barrier(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void lfk__generic_cpu_relax(void)
{
	/* The spin hint has no memory effect, so TSan builds lose nothing. */
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

#undef LFK__GENERIC_CAS_FAIL_ORDER

#endif
