/* SPDX-License-Identifier: MIT */
/* Exported symbols for the rings' inline calls (see LFK__RING_API in
 * <lfkit/ring.h>): the same definitions, with external linkage, and with
 * the kind check (LFK__RING_SYMBOLS): a caller from another language has
 * no type to stop it passing one kind's ring to another kind's call. */
#define LFK__RING_API
#define LFK__RING_SYMBOLS 1
#include <lfkit/ring.h>
