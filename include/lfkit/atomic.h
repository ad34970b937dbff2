/* SPDX-License-Identifier: MIT */
/*
 * lfkit/atomic.h - the one atomic vocabulary every lfkit structure uses.
 *
 * The C11 memory model is the specification; a backend under arch/ implements
 * it with the ISA's own instructions:
 *   arch/x86_64/   inline assembly for what decides the instruction (RMWs,
 *                  seq_cst stores, fences, 16-byte operations), __atomic
 *                  builtins for plain loads and stores (TSO: plain moves)
 *   arch/aarch64/  the same split (ldar/stlr; LSE atomics for armv8.1-a and
 *                  later, ldaxr/stlxr loops for armv8.0)
 *   arch/generic/  the compiler's __atomic builtins, for any other ISA
 * The backend is chosen at configure time (--with-arch) and recorded in
 * <lfkit/config.h>.  ThreadSanitizer builds always use the generic backend:
 * TSan instruments __atomic builtins but cannot see inside inline assembly,
 * so an asm atomic would hide both the access and its synchronization.
 * Each arch header documents the instruction every operation emits and why
 * that instruction provides the requested order on its ISA.
 *
 * Memory orders: LFK_RELAXED, LFK_ACQUIRE, LFK_RELEASE, LFK_ACQ_REL,
 * LFK_SEQ_CST, with C11 meaning.  Pass them as compile-time constants.
 *
 * Operations, for S in u32, u64 and uptr (uintptr_t); T is the matching type:
 *   T    lfk_atomic_load_S(const T *p, mo)        relaxed/acquire/seq_cst
 *   void lfk_atomic_store_S(T *p, T v, mo)        relaxed/release/seq_cst
 *   T    lfk_atomic_exchange_S(T *p, T v, mo)     returns the old value
 *   T    lfk_atomic_fetch_add_S / fetch_sub_S / fetch_and_S / fetch_or_S
 *                                (T *p, T v, mo)  return the old value;
 *                                                 arithmetic wraps modulo 2^N
 *   bool lfk_atomic_cas_S(T *p, T *expected, T desired, mo)
 *        strong compare-and-swap: true if *p was *expected and is now
 *        desired; otherwise false and *expected holds the value observed.
 *        The failure path keeps the acquire half of mo.
 *   bool lfk_atomic_cas_weak_S(...)   the same, but may fail spuriously
 *        (LL/SC backends); use it in retry loops.
 *   void lfk_atomic_and_S / lfk_atomic_or_S (T *p, T v, mo)
 *        *p &= v / *p |= v when the old value is not needed: one locked
 *        instruction on x86_64, where fetch_and / fetch_or are CAS loops.
 * 8- and 16-bit: lfk_atomic_load_u8/u16 and lfk_atomic_store_u8/u16 only
 * (what copying objects of any size word by word needs, e.g. seqlocks).
 * Pointers: lfk_atomic_load_ptr / store_ptr / exchange_ptr / cas_ptr on
 * void * objects.
 * Double-width, where LFK_HAVE_CAS2 is defined (x86_64 cmpxchg16b, aarch64
 * casp or ldaxp/stlxp; generic where the compiler has 128-bit atomics):
 *   bool       lfk_atomic_cas2(lfk_pair_t *p, lfk_pair_t *expected,
 *                              lfk_pair_t desired, mo)
 *   lfk_pair_t lfk_atomic_load2(lfk_pair_t *p, mo)   (the pair must be
 *                              writable: it is read with a CAS or LL/SC)
 *   lfk_pair_t is two uint64_t (lo, hi), 16-byte aligned.
 * Racy copies (seqlock readers):
 *   void lfk_atomic_load_bytes(void *dst, const void *src, size_t size, mo)
 *        copies size bytes (any alignment) that other threads may write
 *        meanwhile, with the widest loads the ISA has (16 bytes on x86_64
 *        and aarch64), each a relaxed (mo LFK_RELAXED) or acquire
 *        (LFK_ACQUIRE) atomic access of its own: race-free, but the copy
 *        as a whole can be torn, so use it only where a later check (a
 *        sequence) discards torn copies.  See lfk_load_bytes_before_acq_fence.
 * Fences and hints:
 *   lfk_atomic_fence(mo)         thread fence: acquire, release, seq_cst
 *   lfk_acquire_fence() / lfk_release_fence() with LFK_LOAD_BEFORE_ACQ_FENCE
 *   / LFK_STORE_AFTER_REL_FENCE: fence patterns that ThreadSanitizer sees
 *   lfk_compiler_barrier()       stops compiler reordering only
 *   lfk_cpu_relax()              spin-wait hint (pause / yield)
 * Layout:
 *   LFK_CACHELINE                the cache line size of the target
 *   LFK_CACHE_ALIGNED            aligns a type or field to its own line
 *   LFK_PAD_TO_LINE(name, used)  pads a struct member run to a full line
 *
 * Instructions per operation (the arch headers give the full reasoning):
 *
 *   operation          x86_64 (TSO)          aarch64 LSE      aarch64 LL/SC
 *   load relaxed     * mov                   ldr              ldr
 *   load acq/seq_cst * mov                   ldar             ldar
 *   store relaxed/rel* mov                   str / stlr       str / stlr
 *   store seq_cst      xchg                * stlr           * stlr
 *   exchange           xchg                  swp{,a,l,al}     ld[a]xr/st[l]xr
 *   fetch_add/sub      lock xadd           ldadd{..}       ld[a]xr/add/st[l]xr
 *   fetch_and          lock cmpxchg loop   ldclr{..} (~v)  ld[a]xr/bic/st[l]xr
 *   fetch_or           lock cmpxchg loop   ldset{..}       ld[a]xr/orr/st[l]xr
 *   and / or           lock and / lock or    ldclr / ldset    as fetch_and/or
 *   cas (weak)         lock cmpxchg        cas{..}         ld[a]xr/cmp/st[l]xr
 *   cas2 / load2       lock cmpxchg16b       casp{..}         ld[a]xp/st[l]xp
 *   load_bytes         movdqu, mov           ldp, ldr         ldp, ldr
 *   fence acq          (compiler only)       dmb ishld        dmb ishld
 *   fence rel/seq_cst  -/lock orq $0,(%rsp)  dmb ish          dmb ish
 *   cpu_relax          pause                 yield            yield
 *   * the compiler's __atomic builtin, which emits exactly this instruction
 *     (gcc and clang), so the compiler can schedule, unroll and fold it;
 *     the other rows are inline assembly, which fixes the instruction.
 *   generic backend: the matching __atomic builtin, chosen by the compiler.
 * Why these are enough: x86_64 only reorders a store with a later load, so
 * acquire and release come free and only seq_cst stores (xchg) and seq_cst
 * fences pay for draining the store buffer; every locked instruction is a
 * full barrier.  On aarch64, ldar/stlr are RCsc acquire/release, so seq_cst
 * loads and stores need nothing more, and the a/l/al suffixes put exactly
 * the requested half-barriers on each read-modify-write.
 *
 * Progress: every operation here is wait-free on x86_64 and on aarch64 with
 * LSE, except fetch_and and fetch_or on x86_64, which are lock cmpxchg
 * loops and so lock-free (a CAS fails only because another thread changed
 * the word; use and / or when the old value is not needed).  LL/SC loops
 * (aarch64 armv8.0) are lock-free: a store-exclusive fails only because
 * another thread wrote the line, so some thread progresses.
 * Double-width operations on the generic backend may take a lock inside
 * libatomic on ISAs with no native 16-byte CAS.
 */
#ifndef LFKIT_ATOMIC_H
#define LFKIT_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lfkit/config.h>

/* The calls defined in this header are static inline; lib/atomic_symbols.c
 * defines LFK__ATOMIC_API empty before including it, which exports the same
 * definitions as liblfkit symbols (see <lfkit/ring.h>). */
#ifndef LFK__ATOMIC_API
#define LFK__ATOMIC_API static inline
#endif

LFK_BEGIN_DECLS

#define LFK_RELAXED __ATOMIC_RELAXED
#define LFK_ACQUIRE __ATOMIC_ACQUIRE
#define LFK_RELEASE __ATOMIC_RELEASE
#define LFK_ACQ_REL __ATOMIC_ACQ_REL
#define LFK_SEQ_CST __ATOMIC_SEQ_CST

#if defined(__SANITIZE_THREAD__)
#define LFK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LFK_TSAN 1
#endif
#endif

/* The generic backend is always present: it defines lfk_pair_t, and tests
 * compare every arch operation with its generic twin. */
#include "arch/generic/atomic_generic.h"

#if !defined(LFK_TSAN) && defined(LFK_CONFIG_ARCH_X86_64) && defined(__x86_64__)
#include "arch/x86_64/atomic_x86_64.h"
#define LFK_ATOMIC_BACKEND "x86_64"
#define LFK__ARCH_OP(op) lfk__x86_64_##op
#define LFK_HAVE_CAS2 1
#elif !defined(LFK_TSAN) && defined(LFK_CONFIG_ARCH_AARCH64) &&                \
	defined(__aarch64__)
#include "arch/aarch64/atomic_aarch64.h"
#if defined(LFK__AARCH64_LSE)
#define LFK_ATOMIC_BACKEND "aarch64-lse"
#else
#define LFK_ATOMIC_BACKEND "aarch64-llsc"
#endif
#define LFK__ARCH_OP(op) lfk__aarch64_##op
#define LFK_HAVE_CAS2 1
#else
#define LFK_ATOMIC_BACKEND "generic"
#define LFK__ARCH_OP(op) lfk__generic_##op
#if defined(LFK__GENERIC_HAVE_CAS2)
#define LFK_HAVE_CAS2 1
#endif
#endif

#define lfk_atomic_load_u8 LFK__ARCH_OP(load_u8)
#define lfk_atomic_store_u8 LFK__ARCH_OP(store_u8)
#define lfk_atomic_load_u16 LFK__ARCH_OP(load_u16)
#define lfk_atomic_store_u16 LFK__ARCH_OP(store_u16)

#define lfk_atomic_load_u32 LFK__ARCH_OP(load_u32)
#define lfk_atomic_store_u32 LFK__ARCH_OP(store_u32)
#define lfk_atomic_exchange_u32 LFK__ARCH_OP(exchange_u32)
#define lfk_atomic_fetch_add_u32 LFK__ARCH_OP(fetch_add_u32)
#define lfk_atomic_fetch_sub_u32 LFK__ARCH_OP(fetch_sub_u32)
#define lfk_atomic_fetch_and_u32 LFK__ARCH_OP(fetch_and_u32)
#define lfk_atomic_fetch_or_u32 LFK__ARCH_OP(fetch_or_u32)
#define lfk_atomic_cas_u32 LFK__ARCH_OP(cas_u32)
#define lfk_atomic_cas_weak_u32 LFK__ARCH_OP(cas_weak_u32)
#define lfk_atomic_and_u32 LFK__ARCH_OP(and_u32)
#define lfk_atomic_or_u32 LFK__ARCH_OP(or_u32)

#define lfk_atomic_load_u64 LFK__ARCH_OP(load_u64)
#define lfk_atomic_store_u64 LFK__ARCH_OP(store_u64)
#define lfk_atomic_exchange_u64 LFK__ARCH_OP(exchange_u64)
#define lfk_atomic_fetch_add_u64 LFK__ARCH_OP(fetch_add_u64)
#define lfk_atomic_fetch_sub_u64 LFK__ARCH_OP(fetch_sub_u64)
#define lfk_atomic_fetch_and_u64 LFK__ARCH_OP(fetch_and_u64)
#define lfk_atomic_fetch_or_u64 LFK__ARCH_OP(fetch_or_u64)
#define lfk_atomic_cas_u64 LFK__ARCH_OP(cas_u64)
#define lfk_atomic_cas_weak_u64 LFK__ARCH_OP(cas_weak_u64)
#define lfk_atomic_and_u64 LFK__ARCH_OP(and_u64)
#define lfk_atomic_or_u64 LFK__ARCH_OP(or_u64)

#define lfk_atomic_load_bytes LFK__ARCH_OP(load_bytes)

#if defined(LFK_HAVE_CAS2)
#define lfk_atomic_cas2 LFK__ARCH_OP(cas2)
#define lfk_atomic_load2 LFK__ARCH_OP(load2)
#endif

#define lfk_atomic_fence LFK__ARCH_OP(fence)
#define lfk_compiler_barrier LFK__ARCH_OP(compiler_barrier)
#define lfk_cpu_relax LFK__ARCH_OP(cpu_relax)

/*
 * Pointer-sized operations.  uintptr_t is the same type as uint64_t (LP64)
 * or uint32_t (ILP32), so the uptr names forward to the matching width; a
 * void * object is accessed through a may_alias view of the same width.
 */
#if UINTPTR_MAX == UINT64_MAX
#define LFK__UPTR_OP(op) op##_u64
typedef uint64_t __attribute__((may_alias)) lfk__uptr_alias_t;
#else
#define LFK__UPTR_OP(op) op##_u32
typedef uint32_t __attribute__((may_alias)) lfk__uptr_alias_t;
#endif

#define lfk_atomic_load_uptr LFK__UPTR_OP(lfk_atomic_load)
#define lfk_atomic_store_uptr LFK__UPTR_OP(lfk_atomic_store)
#define lfk_atomic_exchange_uptr LFK__UPTR_OP(lfk_atomic_exchange)
#define lfk_atomic_fetch_add_uptr LFK__UPTR_OP(lfk_atomic_fetch_add)
#define lfk_atomic_fetch_sub_uptr LFK__UPTR_OP(lfk_atomic_fetch_sub)
#define lfk_atomic_fetch_and_uptr LFK__UPTR_OP(lfk_atomic_fetch_and)
#define lfk_atomic_fetch_or_uptr LFK__UPTR_OP(lfk_atomic_fetch_or)
#define lfk_atomic_cas_uptr LFK__UPTR_OP(lfk_atomic_cas)
#define lfk_atomic_cas_weak_uptr LFK__UPTR_OP(lfk_atomic_cas_weak)
#define lfk_atomic_and_uptr LFK__UPTR_OP(lfk_atomic_and)
#define lfk_atomic_or_uptr LFK__UPTR_OP(lfk_atomic_or)

LFK__ATOMIC_API void *lfk_atomic_load_ptr(void *const *p, int mo)
{
	return (void *)lfk_atomic_load_uptr((const lfk__uptr_alias_t *)p, mo);
}

LFK__ATOMIC_API void lfk_atomic_store_ptr(void **p, void *v, int mo)
{
	lfk_atomic_store_uptr((lfk__uptr_alias_t *)p, (uintptr_t)v, mo);
}

LFK__ATOMIC_API void *lfk_atomic_exchange_ptr(void **p, void *v, int mo)
{
	return (void *)lfk_atomic_exchange_uptr((lfk__uptr_alias_t *)p,
						(uintptr_t)v, mo);
}

LFK__ATOMIC_API bool lfk_atomic_cas_ptr(void **p, void **expected,
					void *desired, int mo)
{
	return lfk_atomic_cas_uptr((lfk__uptr_alias_t *)p,
				   (lfk__uptr_alias_t *)expected,
				   (uintptr_t)desired, mo);
}

/*
 * Fence pairs that stay visible to ThreadSanitizer.  A seqlock-style reader
 * loads data relaxed and then issues an acquire fence; a writer issues a
 * release fence and then stores data relaxed.  TSan does not model fences, so
 * in TSan builds the fence disappears and the accesses it orders take the
 * order themselves (acquire loads, release stores), which is at least as
 * strong.  Use them together:
 *     v = lfk_atomic_load_u64(&x, LFK_LOAD_BEFORE_ACQ_FENCE);
 *     lfk_acquire_fence();
 * and
 *     lfk_release_fence();
 *     lfk_atomic_store_u64(&x, v, LFK_STORE_AFTER_REL_FENCE);
 * lfk_load_bytes_before_acq_fence(dst, src, size) is the racy copy of
 * lfk_atomic_load_bytes in the same role: relaxed loads, acquire under TSan.
 */
#if defined(LFK_TSAN)
#define LFK_LOAD_BEFORE_ACQ_FENCE LFK_ACQUIRE
#define LFK_STORE_AFTER_REL_FENCE LFK_RELEASE
#define lfk_acquire_fence() lfk_compiler_barrier()
#define lfk_release_fence() lfk_compiler_barrier()
#else
#define LFK_LOAD_BEFORE_ACQ_FENCE LFK_RELAXED
#define LFK_STORE_AFTER_REL_FENCE LFK_RELAXED
#define lfk_acquire_fence() lfk_atomic_fence(LFK_ACQUIRE)
#define lfk_release_fence() lfk_atomic_fence(LFK_RELEASE)
#endif
#define lfk_load_bytes_before_acq_fence(dst, src, size)                        \
	lfk_atomic_load_bytes(dst, src, size, LFK_LOAD_BEFORE_ACQ_FENCE)

/* Cache-line layout.  64 bytes on every supported target; hot fields of
 * different owners (a producer's index, a consumer's index) each get a line
 * of their own. */
#define LFK_CACHELINE 64
#define LFK_CACHE_ALIGNED __attribute__((aligned(LFK_CACHELINE)))
#define LFK_PAD_TO_LINE(name, used)                                            \
	char name[LFK_CACHELINE - ((used) % LFK_CACHELINE)]

/* Name of the backend the inline operations use, e.g. "x86_64". */
const char *lfk_atomic_backend(void);

LFK_END_DECLS

#endif
