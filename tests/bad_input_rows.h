/* SPDX-License-Identifier: MIT */
/*
 * Table-driven bad input: a scenario lists its cases as rows {name, call,
 * argument, expected result} and runs them with one loop that checks each
 * and names the row that fails.  A call is a thunk over a context the
 * scenario prepares (the objects the calls act on) and the row's argument,
 * so one thunk serves the rows that differ by a value only.  Rows run in
 * order: a row may rely on what the rows before it did to the context.
 */
#ifndef LFK_TESTS_BAD_INPUT_ROWS_H
#define LFK_TESTS_BAD_INPUT_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "harness/lfk_test.h"

/* What a thunk returns when the call gave the expected result but left
 * something wrong beside it (an out-pointer set, a count changed): no
 * call returns it, so the row fails. */
#define BAD_ROW_SIDE_EFFECT (-1000000L)

struct bad_row {
	const char *name;
	long (*call)(void *ctx, uint64_t arg);
	uint64_t arg;
	long want; /* the result: a negative errno, 0, a count */
};

/* Runs rows[0 .. n) in order on ctx; `who` prefixes a failing row's name. */
static inline void bad_rows_run(const struct bad_row *rows, size_t n, void *ctx,
				const char *who)
{
	for (size_t i = 0; i < n; i++) {
		long got = rows[i].call(ctx, rows[i].arg);
		LFK_CHECK(got == rows[i].want, "%s: %s: got %ld, want %ld%s",
			  who, rows[i].name, got, rows[i].want,
			  got == BAD_ROW_SIDE_EFFECT ? " (a side effect)" : "");
	}
}

#define BAD_ROWS_RUN(rows, ctx, who)                                           \
	bad_rows_run((rows), sizeof(rows) / sizeof((rows)[0]), (ctx), (who))

#endif
