/*
 * lfkit x86_64 atomic backend, in inline assembly.
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
 *   fetch_and / fetch_or    lock cmpxchg   loop (lock and/or return no old
 *                                          value).
 *   cas / cas_weak          lock cmpxchg   never fails spuriously.
 *   cas2                    lock cmpxchg16b
 *   fence acquire/release   compiler barrier only (TSO).
 *   fence seq_cst           lock orq $0,(%rsp): a full barrier that is
 *                           cheaper than mfence on most cores (mfence also
 *                           orders write-combining stores, which lfkit never
 *                           issues).  The same trick Linux uses for smp_mb().
 *   cpu_relax               pause
 * Orders weaker than the instruction provides still need a compiler barrier
 * ("memory" clobber) whenever they are not relaxed, so the compiler does not
 * move ordinary accesses across them.
 *
 * Do not include this file directly: include <lfkit/atomic.h>.
 */
#ifndef LFKIT_ARCH_X86_64_ATOMIC_X86_64_H
#define LFKIT_ARCH_X86_64_ATOMIC_X86_64_H

#include <stdbool.h>
#include <stdint.h>

#define LFK_X86_64_HAVE_CAS2 1

/*
 * T: the type, S: the name suffix, Q: the AT&T size suffix ("b", "w", "l"
 * or "q").  8- and 16-bit objects get loads and stores only.
 * A relaxed access has no "memory" clobber so the compiler may still schedule
 * unrelated accesses around it; every other order carries one.
 */
#define LFK_X86_64_DEFINE_LOAD_STORE(T, S, Q)                                         \
	static inline T lfk_x86_64_load_##S(const T *p, int mo)                \
	{                                                                      \
		T v;                                                           \
		if (mo == __ATOMIC_RELAXED)                                    \
			__asm__ __volatile__("mov" Q " %1, %0"                 \
					     : "=r"(v)                         \
					     : "m"(*p));                       \
		else                                                           \
			__asm__ __volatile__("mov" Q " %1, %0"                 \
					     : "=r"(v)                         \
					     : "m"(*p)                         \
					     : "memory");                      \
		return v;                                                      \
	}                                                                      \
	static inline void lfk_x86_64_store_##S(T *p, T v, int mo)             \
	{                                                                      \
		if (mo == __ATOMIC_SEQ_CST)                                    \
			__asm__ __volatile__("xchg" Q " %0, %1"                \
					     : "+r"(v), "+m"(*p)               \
					     :                                 \
					     : "memory");                      \
		else if (mo == __ATOMIC_RELAXED)                               \
			__asm__ __volatile__("mov" Q " %1, %0"                 \
					     : "=m"(*p)                        \
					     : "r"(v));                        \
		else                                                           \
			__asm__ __volatile__("mov" Q " %1, %0"                 \
					     : "=m"(*p)                        \
					     : "r"(v)                          \
					     : "memory");                      \
	}

#define LFK_X86_64_DEFINE_OPS(T, S, Q)                                         \
	LFK_X86_64_DEFINE_LOAD_STORE(T, S, Q)                                  \
	static inline T lfk_x86_64_exchange_##S(T *p, T v, int mo)             \
	{                                                                      \
		(void)mo; /* xchg is a full barrier whatever was asked */      \
		__asm__ __volatile__("xchg" Q " %0, %1"                        \
				     : "+r"(v), "+m"(*p)                       \
				     :                                         \
				     : "memory");                              \
		return v;                                                      \
	}                                                                      \
	static inline T lfk_x86_64_fetch_add_##S(T *p, T v, int mo)            \
	{                                                                      \
		(void)mo; /* lock xadd is a full barrier */                    \
		__asm__ __volatile__("lock xadd" Q " %0, %1"                   \
				     : "+r"(v), "+m"(*p)                       \
				     :                                         \
				     : "memory", "cc");                        \
		return v;                                                      \
	}                                                                      \
	static inline T lfk_x86_64_fetch_sub_##S(T *p, T v, int mo)            \
	{                                                                      \
		return lfk_x86_64_fetch_add_##S(p, (T)(0 - v), mo);            \
	}                                                                      \
	static inline bool lfk_x86_64_cas_##S(T *p, T *expected, T desired,    \
					      int mo)                          \
	{                                                                      \
		bool ok;                                                       \
		T old = *expected;                                             \
		(void)mo; /* lock cmpxchg is a full barrier */                 \
		__asm__ __volatile__("lock cmpxchg" Q " %3, %1"                \
				     : "+a"(old), "+m"(*p), "=@ccz"(ok)        \
				     : "r"(desired)                            \
				     : "memory");                              \
		if (!ok)                                                       \
			*expected = old;                                       \
		return ok;                                                     \
	}                                                                      \
	static inline bool lfk_x86_64_cas_weak_##S(T *p, T *expected,          \
						   T desired, int mo)          \
	{                                                                      \
		/* cmpxchg never fails spuriously: weak is strong. */          \
		return lfk_x86_64_cas_##S(p, expected, desired, mo);           \
	}                                                                      \
	static inline T lfk_x86_64_fetch_and_##S(T *p, T v, int mo)            \
	{                                                                      \
		T old = lfk_x86_64_load_##S(p, __ATOMIC_RELAXED);              \
		while (!lfk_x86_64_cas_##S(p, &old, old & v, mo))              \
			;                                                      \
		return old;                                                    \
	}                                                                      \
	static inline T lfk_x86_64_fetch_or_##S(T *p, T v, int mo)             \
	{                                                                      \
		T old = lfk_x86_64_load_##S(p, __ATOMIC_RELAXED);              \
		while (!lfk_x86_64_cas_##S(p, &old, old | v, mo))              \
			;                                                      \
		return old;                                                    \
	}

LFK_X86_64_DEFINE_LOAD_STORE(uint8_t, u8, "b")
LFK_X86_64_DEFINE_LOAD_STORE(uint16_t, u16, "w")
LFK_X86_64_DEFINE_OPS(uint32_t, u32, "l")
LFK_X86_64_DEFINE_OPS(uint64_t, u64, "q")

/* lfk_pair_t comes from the generic backend, which atomic.h always includes. */
static inline bool lfk_x86_64_cas2(lfk_pair_t *p, lfk_pair_t *expected,
				   lfk_pair_t desired, int mo)
{
	bool ok;
	uint64_t lo = expected->lo, hi = expected->hi;
	(void)mo; /* lock cmpxchg16b is a full barrier */
	__asm__ __volatile__("lock cmpxchg16b %2"
			     : "+a"(lo), "+d"(hi), "+m"(*p), "=@ccz"(ok)
			     : "b"(desired.lo), "c"(desired.hi)
			     : "memory");
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
static inline lfk_pair_t lfk_x86_64_load2(lfk_pair_t *p, int mo)
{
	lfk_pair_t v = { 0, 0 };
	lfk_x86_64_cas2(p, &v, v, mo);
	return v;
}

static inline void lfk_x86_64_compiler_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

static inline void lfk_x86_64_fence(int mo)
{
	if (mo == __ATOMIC_SEQ_CST)
		__asm__ __volatile__("lock orq $0, (%%rsp)" ::: "memory", "cc");
	else if (mo != __ATOMIC_RELAXED)
		lfk_x86_64_compiler_barrier();
}

static inline void lfk_x86_64_cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

#endif
