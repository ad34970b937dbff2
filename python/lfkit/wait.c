/* SPDX-License-Identifier: MIT */
/*
 * wait.c - blocking calls that release the GIL and stay interruptible.
 *
 * A C wait cannot see Ctrl-C: the signal handler Python installs only sets
 * a flag, which the interpreter looks at between bytecodes.  So a call that
 * may block waits in slices of at most LFKP_SLICE_NS with the GIL
 * released, and between slices takes the GIL back and runs the handlers
 * (PyErr_CheckSignals): KeyboardInterrupt reaches a blocked get within one
 * slice, and other threads run while it waits.
 */
#include "lfkit_py.h"

#include <math.h>
#include <time.h>

#include <lfkit/sync.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* seconds >= 0 -> a deadline; ValueError for NaN; huge values are forever. */
static int deadline_in(double seconds, struct lfkp_deadline *d)
{
	if (isnan(seconds)) {
		PyErr_SetString(PyExc_ValueError, "timeout must be a number");
		return -1;
	}
	d->forever = 0;
	d->nonblock = 0;
	if (seconds >= 1e9) { /* about 31 years: no deadline */
		d->forever = 1;
		return 0;
	}
	d->end_ns = now_ns() + (uint64_t)(seconds * 1e9);
	return 0;
}

const struct lfkp_deadline lfkp_forever = { .forever = 1 };
const struct lfkp_deadline lfkp_nowait = { .nonblock = 1 };

int lfkp_deadline_from_queue_args(int block, PyObject *timeout,
				  struct lfkp_deadline *d)
{
	if (!block) {
		*d = lfkp_nowait;
		return 0;
	}
	if (timeout == NULL || timeout == Py_None) {
		*d = lfkp_forever;
		return 0;
	}
	double s = PyFloat_AsDouble(timeout);
	if (s == -1.0 && PyErr_Occurred())
		return -1;
	if (s < 0) {
		/* queue.Queue's own message. */
		PyErr_SetString(PyExc_ValueError,
				"'timeout' must be a non-negative number");
		return -1;
	}
	return deadline_in(s, d);
}

int lfkp_deadline_from_seconds(double seconds, enum lfkp_negative neg,
			       struct lfkp_deadline *d)
{
	if (!(seconds < 0))
		return deadline_in(seconds, d); /* NaN too: its ValueError */
	if (neg == LFKP_NEGATIVE_IS_NOWAIT) {
		*d = lfkp_nowait;
		return 0;
	}
	/* threading's own message. */
	PyErr_SetString(PyExc_ValueError,
			"timeout value must be a non-negative number");
	return -1;
}

int lfkp_deadline_from_timeout(PyObject *timeout, enum lfkp_negative neg,
			       struct lfkp_deadline *d)
{
	if (timeout == NULL || timeout == Py_None) {
		*d = lfkp_forever;
		return 0;
	}
	double s = PyFloat_AsDouble(timeout);
	if (s == -1.0 && PyErr_Occurred())
		return -1;
	return lfkp_deadline_from_seconds(s, neg, d);
}

int lfkp_block(lfkp_op_fn op, void *arg, const struct lfkp_deadline *d)
{
	return lfkp_block_ex(op, arg, d, 0);
}

int lfkp_block_ex(lfkp_op_fn op, void *arg, const struct lfkp_deadline *d,
		  int release_first)
{
	int rc;
	if (release_first) {
		Py_BEGIN_ALLOW_THREADS rc = op(arg, 0);
		Py_END_ALLOW_THREADS
	} else
		rc = op(arg, 0);
	if (!lfkp_would_block(rc))
		return rc;
	if (d->nonblock)
		return -EAGAIN;
	for (;;) {
		uint64_t slice = LFKP_SLICE_NS;
		if (!d->forever) {
			uint64_t now = now_ns();
			if (now >= d->end_ns)
				return -ETIMEDOUT;
			if (d->end_ns - now < slice)
				slice = d->end_ns - now;
		}
		Py_BEGIN_ALLOW_THREADS rc = op(arg, slice);
		Py_END_ALLOW_THREADS if (!lfkp_would_block(rc)) return rc;
		if (PyErr_CheckSignals() < 0)
			return LFKP_RAISED;
	}
}
