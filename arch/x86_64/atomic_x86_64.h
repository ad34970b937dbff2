/* SPDX-License-Identifier: MIT */
/*
 * lfkit x86_64 atomic backend.
 *
 * x86_64 is TSO: loads are not reordered with older loads, stores are not
 * reordered with older loads or stores, and a locked instruction is a full
 * barrier.  The only reordering the hardware does is a store followed by a
 * load of another location (the store buffer).  Hence:
 *   load (any order)        mov            TSO gives acquire for free; a
 *                                          seq_cst load needs nothing more
 *                                          because seq_cst stores drain the
 *                                          store buffer themselves (xchg).
 *   store relaxed/release   mov            TSO gives release for free.
 *   store seq_cst           xchg           implicit lock: drains the store
 *                                          buffer, so no later load passes it.
 *   exchange                xchg           implicit lock, full barrier.
 *   fetch_add / fetch_sub   lock xadd      full barrier, any order.
 *   fetch_and / fetch_or    lock cmpxchg   loop: x86 has no instruction that
 *                                          ands/ors and returns the old value.
 *   and / or (no result)    lock and / lock or
 *   cas / cas_weak          lock cmpxchg   never fails spuriously.
 *   cas2                    lock cmpxchg16b
 *   fence acquire/release   compiler barrier only (TSO).
 *   fence seq_cst           lock orq $0,(%rsp): a full barrier that is
 *                           cheaper than mfence on most cores (mfence also
 *                           orders write-combining stores, which lfkit never
 *                           issues).  The same trick Linux uses for smp_mb().
 *   cpu_relax               pause
 *
 * Loads and relaxed/release stores are the compiler's __atomic builtins:
 * gcc and clang emit exactly the mov above for them, and the compiler then
 * sees what they are (it can unroll loops around them, fold a load into
 * the instruction that uses it, and order the surrounding code exactly as
 * the C11 order asks), which an asm statement would hide.  Everything
 * whose instruction matters (seq_cst stores, every read-modify-write,
 * fences) is asm, so the instruction is the one in the table whatever the
 * compiler's version.
 *
 * Compiler barriers ("memory" clobbers): the hardware orders every locked
 * instruction fully, but the compiler must also keep ordinary accesses on
 * the right side of it.  A read-modify-write or CAS carries the clobber for
 * every order except relaxed (where C11 allows moving other accesses across
 * it, and the "+m" operand already tells the compiler which object is
 * read and written).  A seq_cst store and an acquire, release or seq_cst
 * fence carry it because that is their whole point at the compiler level.
 *
 * Do not include this file directly: include <lfkit/atomic.h>.
 */
#ifndef LFKIT_ARCH_X86_64_ATOMIC_X86_64_H
#define LFKIT_ARCH_X86_64_ATOMIC_X86_64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LFK__X86_64_HAVE_CAS2 1

/* Removes the parentheses around an asm operand list passed to a macro. */
#define LFK__X86_64_LIST(...) __VA_ARGS__

/* One asm statement, with a compiler barrier unless mo is relaxed (see the
 * header comment); OUT and IN are parenthesized operand lists. */
#define LFK__X86_64_ASM(mo, INSN, OUT, IN)                                     \
	do {                                                                   \
		if ((mo) == __ATOMIC_RELAXED)                                  \
			__asm__ __volatile__(INSN                              \
					     : LFK__X86_64_LIST OUT            \
					     : LFK__X86_64_LIST IN             \
					     : "cc");                          \
		else                                                           \
			__asm__ __volatile__(INSN                              \
					     : LFK__X86_64_LIST OUT            \
					     : LFK__X86_64_LIST IN             \
					     : "memory", "cc");                \
	} while (0)

/*
 * T: the type, S: the name suffix, Q: the AT&T size suffix ("b", "w", "l"
 * or "q").  8- and 16-bit objects get loads and stores only.
 */
#define LFK__X86_64_DEFINE_LOAD_STORE(T, S, Q)                                 \
	static inline T lfk__x86_64_load_##S(const T *p, int mo)               \
	{                                                                      \
		return __atomic_load_n(p, mo); /* mov */                       \
	}                                                                      \
	static inline void lfk__x86_64_store_##S(T *p, T v, int mo)            \
	{                                                                      \
		if (mo == __ATOMIC_SEQ_CST)                                    \
			__asm__ __volatile__("xchg" Q " %0, %1"                \
					     : "+r"(v), "+m"(*p)               \
					     :                                 \
					     : "memory");                      \
		else                                                           \
			__atomic_store_n(p, v, mo); /* mov */                  \
	}

#define LFK__X86_64_DEFINE_OPS(T, S, Q)                                        \
	LFK__X86_64_DEFINE_LOAD_STORE(T, S, Q)                                 \
	static inline T lfk__x86_64_exchange_##S(T *p, T v, int mo)            \
	{                                                                      \
		LFK__X86_64_ASM(mo, "xchg" Q " %0, %1", ("+r"(v), "+m"(*p)),   \
				());                                           \
		return v;                                                      \
	}                                                                      \
	static inline T lfk__x86_64_fetch_add_##S(T *p, T v, int mo)           \
	{                                                                      \
		LFK__X86_64_ASM(mo, "lock xadd" Q " %0, %1",                   \
				("+r"(v), "+m"(*p)), ());                      \
		return v;                                                      \
	}                                                                      \
	static inline T lfk__x86_64_fetch_sub_##S(T *p, T v, int mo)           \
	{                                                                      \
		return lfk__x86_64_fetch_add_##S(p, (T)(0 - v), mo);           \
	}                                                                      \
	static inline bool lfk__x86_64_cas_##S(T *p, T *expected, T desired,   \
					       int mo)                         \
	{                                                                      \
		bool ok;                                                       \
		T old = *expected;                                             \
		LFK__X86_64_ASM(mo, "lock cmpxchg" Q " %3, %1",                \
				("+a"(old), "+m"(*p), "=@ccz"(ok)),            \
				("r"(desired)));                               \
		if (!ok)                                                       \
			*expected = old;                                       \
		return ok;                                                     \
	}                                                                      \
	static inline bool lfk__x86_64_cas_weak_##S(T *p, T *expected,         \
						    T desired, int mo)         \
	{                                                                      \
		/* cmpxchg never fails spuriously: weak is strong. */          \
		return lfk__x86_64_cas_##S(p, expected, desired, mo);          \
	}                                                                      \
	static inline T lfk__x86_64_fetch_and_##S(T *p, T v, int mo)           \
	{                                                                      \
		T old = lfk__x86_64_load_##S(p, __ATOMIC_RELAXED);             \
		while (!lfk__x86_64_cas_##S(p, &old, old & v, mo))             \
			;                                                      \
		return old;                                                    \
	}                                                                      \
	static inline T lfk__x86_64_fetch_or_##S(T *p, T v, int mo)            \
	{                                                                      \
		T old = lfk__x86_64_load_##S(p, __ATOMIC_RELAXED);             \
		while (!lfk__x86_64_cas_##S(p, &old, old | v, mo))             \
			;                                                      \
		return old;                                                    \
	}                                                                      \
	static inline void lfk__x86_64_and_##S(T *p, T v, int mo)              \
	{                                                                      \
		LFK__X86_64_ASM(mo, "lock and" Q " %1, %0", ("+m"(*p)),        \
				("r"(v)));                                     \
	}                                                                      \
	static inline void lfk__x86_64_or_##S(T *p, T v, int mo)               \
	{                                                                      \
		LFK__X86_64_ASM(mo, "lock or" Q " %1, %0", ("+m"(*p)),         \
				("r"(v)));                                     \
	}

LFK__X86_64_DEFINE_LOAD_STORE(uint8_t, u8, "b")
LFK__X86_64_DEFINE_LOAD_STORE(uint16_t, u16, "w")
LFK__X86_64_DEFINE_OPS(uint32_t, u32, "l")
LFK__X86_64_DEFINE_OPS(uint64_t, u64, "q")

#undef LFK__X86_64_DEFINE_OPS
#undef LFK__X86_64_DEFINE_LOAD_STORE

/* lfk_pair_t comes from the generic backend, which atomic.h always includes. */
static inline bool lfk__x86_64_cas2(lfk_pair_t *p, lfk_pair_t *expected,
				    lfk_pair_t desired, int mo)
{
	bool ok;
	uint64_t lo = expected->lo, hi = expected->hi;
	LFK__X86_64_ASM(mo, "lock cmpxchg16b %2",
			("+a"(lo), "+d"(hi), "+m"(*p), "=@ccz"(ok)),
			("b"(desired.lo), "c"(desired.hi)));
	if (!ok) {
		expected->lo = lo;
		expected->hi = hi;
	}
	return ok;
}

/*
 * An atomic 16-byte load: cmpxchg16b with expected == desired either fails
 * (and returns the current value) or stores the value that was already there.
 * It needs the pair to be writable and costs a locked instruction; SSE 16-byte
 * loads are atomic only on some CPUs, so they are not used.
 */
static inline lfk_pair_t lfk__x86_64_load2(lfk_pair_t *p, int mo)
{
	lfk_pair_t v = { 0, 0 };
	lfk__x86_64_cas2(p, &v, v, mo);
	return v;
}

/*
 * Copies size bytes that other threads may be writing (a seqlock's data):
 * 16-byte SSE loads (movdqu) while 16 bytes remain, then one 8-, 4-, 2-
 * and 1-byte move each as needed, any alignment.  Each piece is one load
 * instruction that the compiler can neither split nor repeat (asm); the
 * copy as a whole is not atomic, and a 16-byte load is not atomic on every
 * CPU, so only a caller that discards torn copies (by a sequence check) may
 * rely on it.  Relaxed: no compiler barrier (the caller's fences order the
 * copy); acquire: TSO orders each load before later accesses, and one
 * compiler barrier after the copy keeps the compiler from hoisting them.
 */
#define LFK__X86_64_LOAD_PIECE(T, INSN, REG, s, d, size)                       \
	do {                                                                   \
		T lfk__w;                                                      \
		__asm__ __volatile__(INSN " %1, %0"                            \
				     : "=" REG(lfk__w)                         \
				     : "m"(*(const T *)(const void *)(s)));    \
		memcpy(d, &lfk__w, sizeof(lfk__w));                            \
		(s) += sizeof(lfk__w), (d) += sizeof(lfk__w);                  \
		(size) -= sizeof(lfk__w);                                      \
	} while (0)

typedef long long lfk__x86_64_v2di_t
	__attribute__((vector_size(16), may_alias, aligned(1)));
typedef uint64_t __attribute__((may_alias, aligned(1))) lfk__x86_64_u64u_t;
typedef uint32_t __attribute__((may_alias, aligned(1))) lfk__x86_64_u32u_t;
typedef uint16_t __attribute__((may_alias, aligned(1))) lfk__x86_64_u16u_t;

static inline void lfk__x86_64_load_bytes(void *dst, const void *src,
					  size_t size, int mo)
{
	const unsigned char *s = (const unsigned char *)src;
	unsigned char *d = (unsigned char *)dst;
	LFK_ATOMIC_UNROLL
	while (size >= 16)
		LFK__X86_64_LOAD_PIECE(lfk__x86_64_v2di_t, "movdqu", "x", s, d,
				       size);
	if (size >= 8)
		LFK__X86_64_LOAD_PIECE(lfk__x86_64_u64u_t, "movq", "r", s, d,
				       size);
	if (size >= 4)
		LFK__X86_64_LOAD_PIECE(lfk__x86_64_u32u_t, "movl", "r", s, d,
				       size);
	if (size >= 2)
		LFK__X86_64_LOAD_PIECE(lfk__x86_64_u16u_t, "movw", "r", s, d,
				       size);
	if (size >= 1)
		LFK__X86_64_LOAD_PIECE(unsigned char, "movb", "q", s, d, size);
	if (mo != __ATOMIC_RELAXED)
		__asm__ __volatile__("" ::: "memory");
}

#undef LFK__X86_64_LOAD_PIECE

static inline void lfk__x86_64_compiler_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

static inline void lfk__x86_64_fence(int mo)
{
	if (mo == __ATOMIC_SEQ_CST)
		__asm__ __volatile__("lock orq $0, (%%rsp)" ::: "memory", "cc");
	else if (mo != __ATOMIC_RELAXED)
		lfk__x86_64_compiler_barrier();
}

/* No compiler barrier: pause touches no memory, and a spin loop re-reads
 * through atomic loads, which the compiler never caches across iterations. */
static inline void lfk__x86_64_cpu_relax(void)
{
	__asm__ __volatile__("pause");
}

#undef LFK__X86_64_ASM
#undef LFK__X86_64_LIST

#endif
