/* SPDX-License-Identifier: MIT */
/*
 * Table-driven bad-input checks: a scenario lists its cases as rows {name,
 * call, argument, expected result} and runs them with one loop that checks
 * each and names the row that fails.  A call is a thunk over a context the
 * scenario prepares (the objects the calls act on) and the row's argument,
 * so one thunk serves the rows that differ by a value only.  Rows run in
 * order: a row may rely on what the rows before it did to the context (or
 * a `before` hook resets it ahead of each row).
 *
 * Rows whose call is one expression can be listed once in an X-macro,
 * X(name, expect, call), with `c` the context (the module defines
 * LFK_CASE_CTX as its type); the macro then builds the thunks and the rows:
 *
 *   #define LFK_CASE_CTX struct my_ctx
 *   MY_CASES(LFK_CASE_FN)
 *   static const struct lfk_case cases[] = { MY_CASES(LFK_CASE_ROW) };
 *   LFK_CHECK_CASES(cases, &ctx, reset, "my module");
 */
#ifndef LFK_TESTS_HARNESS_CASES_H
#define LFK_TESTS_HARNESS_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "lfk_test.h"

/* What a thunk returns when the call gave the expected result but left
 * something wrong beside it (an out-pointer set, a count changed): no
 * call returns it, so the row fails. */
#define LFK_CASE_SIDE_EFFECT (-1000000L)

struct lfk_case {
	const char *name;
	long (*call)(void *ctx, uint64_t arg);
	uint64_t arg;
	long expect; /* the result: a negative errno, 0, a count */
};

#define LFK_CASE_FN(name, expect, call)                                        \
	static long lfk_case_##name(void *ctx, uint64_t arg)                   \
	{                                                                      \
		LFK_CASE_CTX *c = ctx;                                         \
		(void)c;                                                       \
		(void)arg;                                                     \
		return (call);                                                 \
	}
#define LFK_CASE_ROW(name, expect, call)                                       \
	{ #name, lfk_case_##name, 0, (expect) },

/* rc when a failed constructor left its out-pointer NULL, else
 * LFK_CASE_SIDE_EFFECT: a failing create must not leave a stale object
 * behind.  Read out only after the call returned (a comma, not a second
 * argument: the order in which arguments are evaluated is unspecified). */
static inline long lfk_case_out_cleared(long rc, const void *out)
{
	return out == NULL ? rc : LFK_CASE_SIDE_EFFECT;
}

/* Runs cases[0 .. n) in order on ctx, calling before(ctx) (if given) ahead
 * of each; a case that returns anything but its expected value fails the
 * running scenario, named after `who` and the case. */
static inline void lfk_check_cases(const struct lfk_case *cases, size_t n,
				   void *ctx, void (*before)(void *ctx),
				   const char *who)
{
	for (size_t i = 0; i < n; i++) {
		long got;
		if (before != NULL)
			before(ctx);
		got = cases[i].call(ctx, cases[i].arg);
		LFK_CHECK(got == cases[i].expect, "%s: %s: got %ld, want %ld%s",
			  who, cases[i].name, got, cases[i].expect,
			  got == LFK_CASE_SIDE_EFFECT ? " (a side effect)"
						      : "");
	}
}

#define LFK_CHECK_CASES(cases, ctx, before, who)                               \
	lfk_check_cases((cases), sizeof(cases) / sizeof((cases)[0]), (ctx),    \
			(before), (who))

#endif
