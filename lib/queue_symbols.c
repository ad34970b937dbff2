/*
 * Exported symbols for the blocking queue's put and get calls.
 * The static inline definitions of <lfkit/queue.h>, compiled here with
 * external linkage (the scheme of <lfkit/ring.h>): callers that cannot use
 * the inline versions (other languages, a stable ABI) reach the same code.
 */
#define LFK_QUEUE_API
#include <lfkit/queue.h>
