/* SPDX-License-Identifier: MIT */
/*
 * What the atomic layer's scenario files share: the two backends side by
 * side (ARCH: the configured one, GEN: the generic __atomic one) and the
 * memory orders each kind of operation takes.
 */
#ifndef LFK_TESTS_ATOMIC_HELPERS_H
#define LFK_TESTS_ATOMIC_HELPERS_H

#include <lfkit/atomic.h>

#include "atomic_scenarios.h"

#define ARCH(op) LFK__ARCH_OP(op)
#define GEN(op) lfk__generic_##op
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const int load_orders[] = { LFK_RELAXED, LFK_ACQUIRE, LFK_SEQ_CST };
static const int store_orders[] = { LFK_RELAXED, LFK_RELEASE, LFK_SEQ_CST };
static const int rmw_orders[] = { LFK_RELAXED, LFK_ACQUIRE, LFK_RELEASE,
				  LFK_ACQ_REL, LFK_SEQ_CST };

#endif
