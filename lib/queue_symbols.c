/* Exported symbols for the blocking queue's inline calls (see
 * LFK__QUEUE_API in <lfkit/queue.h>): the same definitions, with external
 * linkage. */
#define LFK__QUEUE_API
#include <lfkit/queue.h>
