/* Exported symbols for the rings' inline calls (see LFK_RING_API in
 * <lfkit/ring.h>): the same definitions, with external linkage. */
#define LFK_RING_API
#include <lfkit/ring.h>
