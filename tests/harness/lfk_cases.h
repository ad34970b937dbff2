/* SPDX-License-Identifier: MIT */
/*
 * Table-driven bad-input checks: one row per case, {name, call, expected
 * return}, and one loop that runs them and names the row that failed.
 *
 * A module lists its cases once in an X-macro, X(name, expect, call), where
 * call is an expression over `c`, a pointer to the module's context (the
 * live objects the calls need; the module defines LFK_CASE_CTX as its
 * type), and builds the thunks and the table from it:
 *
 *   #define LFK_CASE_CTX struct my_ctx
 *   MY_CASES(LFK_CASE_FN)
 *   static const struct lfk_case cases[] = { MY_CASES(LFK_CASE_ROW) };
 *   lfk_check_cases(cases, sizeof(cases) / sizeof(cases[0]), &ctx, reset);
 */
#ifndef LFK_TESTS_HARNESS_CASES_H
#define LFK_TESTS_HARNESS_CASES_H

#include <stddef.h>

#include "lfk_test.h"

struct lfk_case {
	const char *name;
	int (*call)(void *ctx);
	int expect;
};

#define LFK_CASE_FN(name, expect, call)                                        \
	static int lfk_case_##name(void *ctx)                                  \
	{                                                                      \
		LFK_CASE_CTX *c = ctx;                                         \
		(void)c;                                                       \
		return (call);                                                 \
	}
#define LFK_CASE_ROW(name, expect, call) { #name, lfk_case_##name, (expect) },

/* rc when a failed constructor left its out-pointer NULL, else 1 (never an
 * expected value): a failing create must not leave a stale object behind.
 * Read out only after the call returned (a comma, not a second argument:
 * the order in which arguments are evaluated is unspecified). */
static inline int lfk_case_out_cleared(int rc, const void *out)
{
	return out == NULL ? rc : 1;
}

/* Runs every case against ctx, calling before(ctx) (if given) ahead of each
 * one; a case that returns anything but its expected value fails the
 * running scenario with the case's name. */
static inline void lfk_check_cases(const struct lfk_case *cases, size_t n,
				   void *ctx, void (*before)(void *ctx))
{
	for (size_t i = 0; i < n; i++) {
		int rc;
		if (before != NULL)
			before(ctx);
		rc = cases[i].call(ctx);
		LFK_CHECK(rc == cases[i].expect, "%s returned %d, expected %d",
			  cases[i].name, rc, cases[i].expect);
	}
}

#endif
