/* SPDX-License-Identifier: MIT */
/*
 * Exported symbols for the atomic vocabulary.  <lfkit/atomic.h> maps each
 * lfk_atomic_* name to the build's arch backend by a macro, which only C
 * callers see; here every such name is also a real function (the memory
 * order is then a run-time argument: the backends' ops take any LFK_* order
 * and use one at least as strong).  The pointer ops are static inline
 * functions of the header, exported by the scheme of <lfkit/ring.h>.
 *
 * The name macros cannot be the names of definitions here (they would
 * expand), so each function has an internal name and takes its public one
 * as an assembler label.
 */
#define LFK__ATOMIC_API
#include <lfkit/atomic.h>

#define LFK__SYM(name) __asm__("lfk_atomic_" #name)

#define LFK__EXPORT_LOAD_STORE(T, S)                                           \
	T lfk__sym_load_##S(const T *p, int mo) LFK__SYM(load_##S);            \
	T lfk__sym_load_##S(const T *p, int mo)                                \
	{                                                                      \
		return LFK__ARCH_OP(load_##S)(p, mo);                          \
	}                                                                      \
	void lfk__sym_store_##S(T *p, T v, int mo) LFK__SYM(store_##S);        \
	void lfk__sym_store_##S(T *p, T v, int mo)                             \
	{                                                                      \
		LFK__ARCH_OP(store_##S)(p, v, mo);                             \
	}

/* One read-modify-write op OP of width S returning R. */
#define LFK__EXPORT_RMW(R, T, S, OP)                                           \
	R lfk__sym_##OP##_##S(T *p, T v, int mo) LFK__SYM(OP##_##S);           \
	R lfk__sym_##OP##_##S(T *p, T v, int mo)                               \
	{                                                                      \
		return LFK__ARCH_OP(OP##_##S)(p, v, mo);                       \
	}

#define LFK__EXPORT_CAS(T, S, OP)                                              \
	bool lfk__sym_##OP##_##S(T *p, T *expected, T desired, int mo)         \
		LFK__SYM(OP##_##S);                                            \
	bool lfk__sym_##OP##_##S(T *p, T *expected, T desired, int mo)         \
	{                                                                      \
		return LFK__ARCH_OP(OP##_##S)(p, expected, desired, mo);       \
	}

#define LFK__EXPORT_OPS(T, S)                                                  \
	LFK__EXPORT_LOAD_STORE(T, S)                                           \
	LFK__EXPORT_RMW(T, T, S, exchange)                                     \
	LFK__EXPORT_RMW(T, T, S, fetch_add)                                    \
	LFK__EXPORT_RMW(T, T, S, fetch_sub)                                    \
	LFK__EXPORT_RMW(T, T, S, fetch_and)                                    \
	LFK__EXPORT_RMW(T, T, S, fetch_or)                                     \
	LFK__EXPORT_RMW(void, T, S, and)                                       \
	LFK__EXPORT_RMW(void, T, S, or)                                        \
	LFK__EXPORT_CAS(T, S, cas)                                             \
	LFK__EXPORT_CAS(T, S, cas_weak)

LFK__EXPORT_LOAD_STORE(uint8_t, u8)
LFK__EXPORT_LOAD_STORE(uint16_t, u16)
LFK__EXPORT_OPS(uint32_t, u32)
LFK__EXPORT_OPS(uint64_t, u64)

/* The uptr names: aliases of the matching width's functions. */
#if UINTPTR_MAX == UINT64_MAX
#define LFK__UPTR_WIDTH "_u64"
#else
#define LFK__UPTR_WIDTH "_u32"
#endif
#define LFK__UPTR_ALIAS(op)                                                    \
	__typeof__(LFK__UPTR_OP(lfk__sym_##op)) lfk__sym_##op##_uptr LFK__SYM( \
		op##_uptr)                                                     \
		__attribute__((alias("lfk_atomic_" #op LFK__UPTR_WIDTH)));
LFK__UPTR_ALIAS(load)
LFK__UPTR_ALIAS(store)
LFK__UPTR_ALIAS(exchange)
LFK__UPTR_ALIAS(fetch_add)
LFK__UPTR_ALIAS(fetch_sub)
LFK__UPTR_ALIAS(fetch_and)
LFK__UPTR_ALIAS(fetch_or)
LFK__UPTR_ALIAS(and)
LFK__UPTR_ALIAS(or)
LFK__UPTR_ALIAS(cas)
LFK__UPTR_ALIAS(cas_weak)

void lfk__sym_load_bytes(void *dst, const void *src, size_t size, int mo)
	LFK__SYM(load_bytes);
void lfk__sym_load_bytes(void *dst, const void *src, size_t size, int mo)
{
	LFK__ARCH_OP(load_bytes)(dst, src, size, mo);
}

#if defined(LFK_HAVE_CAS2)
bool lfk__sym_cas2(lfk_pair_t *p, lfk_pair_t *expected, lfk_pair_t desired,
		   int mo) LFK__SYM(cas2);
bool lfk__sym_cas2(lfk_pair_t *p, lfk_pair_t *expected, lfk_pair_t desired,
		   int mo)
{
	return LFK__ARCH_OP(cas2)(p, expected, desired, mo);
}

lfk_pair_t lfk__sym_load2(lfk_pair_t *p, int mo) LFK__SYM(load2);
lfk_pair_t lfk__sym_load2(lfk_pair_t *p, int mo)
{
	return LFK__ARCH_OP(load2)(p, mo);
}
#endif

void lfk__sym_fence(int mo) LFK__SYM(fence);
void lfk__sym_fence(int mo)
{
	LFK__ARCH_OP(fence)(mo);
}

/* A call is itself a compiler barrier; these two complete the set of names
 * the header's macros define. */
void lfk__sym_compiler_barrier(void) __asm__("lfk_compiler_barrier");
void lfk__sym_compiler_barrier(void)
{
	LFK__ARCH_OP(compiler_barrier)();
}

void lfk__sym_cpu_relax(void) __asm__("lfk_cpu_relax");
void lfk__sym_cpu_relax(void)
{
	LFK__ARCH_OP(cpu_relax)();
}
