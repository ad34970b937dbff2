/* SPDX-License-Identifier: MIT */
/*
 * queue_type.c - lfkit.Queue: queue.Queue(maxsize) over lfk_queue.
 *
 * Items are Python objects: the ring carries the object's address, and the
 * queue owns one reference to every object in it (taken by put, handed to
 * the caller by get).  Nothing is pickled or copied.
 *
 * maxsize > 0: one lfk_queue of that capacity; put blocks when it is full.
 * maxsize <= 0 (unbounded, as queue.Queue): a chain of segments, lfk_queues
 * of growing capacity (QSEG_FIRST doubling up to QSEG_MAX).  put goes to
 * the last segment; when that is full, a new segment is appended and the
 * full one is closed (sealed): its getters drain it and then get -EPIPE,
 * which sends them on to the next one, so FIFO order holds across
 * segments.  put never blocks and full() is always False, as in queue.Queue.
 *
 * Every ring operation that runs with the GIL held is one lfk_queue call
 * with timeout 0; a call that must wait runs lfk_queue_put/get with the GIL
 * released, in slices (wait.c).  Only gets and bounded puts ever run
 * without the GIL, so growing the chain (done with the GIL held by an
 * unbounded put) never races with another put.  A thread waiting on a
 * segment counts itself in seg->users; a sealed segment that the chain has
 * moved past is freed by the last of its users.
 *
 * task_done/join count here, with the GIL held (lfk_queue's own counts are
 * per segment): unfinished is raised before an item can be got, and an
 * lfk_event is set while it is 0, for join to wait on without the GIL.
 */
#include "lfkit_py.h"

#include <structmember.h>

#include <lfkit/queue.h>
#include <lfkit/sync.h>

#define QSEG_FIRST 1024
#define QSEG_MAX 65536

struct qseg {
	struct lfk_queue *q;
	struct qseg *next; /* the next (newer) segment, or NULL */
	unsigned users; /* threads waiting on it without the GIL */
	int retired; /* no longer in the chain: the last user frees it */
};

typedef struct {
	PyObject_HEAD Py_ssize_t maxsize;
	struct qseg *head; /* gets take from here */
	struct qseg *tail; /* puts go here */
	size_t next_cap; /* capacity of the next segment (unbounded) */
	uint64_t unfinished; /* items put and not yet task_done'd */
	struct lfk_event all_done; /* set while unfinished == 0 */
	int is_shutdown;
} queue_obj;

static void seg_free(struct qseg *s)
{
	uint64_t v;
	/* Whatever is left holds references of ours. */
	while (lfk_queue_get(s->q, &v, 0) == 0)
		Py_DECREF((PyObject *)(uintptr_t)v);
	lfk_queue_destroy(s->q);
	PyMem_Free(s);
}

static struct qseg *seg_new(size_t cap)
{
	struct qseg *s = PyMem_Calloc(1, sizeof(*s));
	if (s == NULL) {
		PyErr_NoMemory();
		return NULL;
	}
	/* The mpmc ring: O(1) qsize; under the GIL the ring operations do not
	 * contend, and a waiter that finds a slot still being published by a
	 * preempted producer only sleeps until that producer's wake-up. */
	int rc = lfk_queue_create(LFK_RING_MPMC, cap, 8, &s->q);
	if (rc < 0) {
		PyMem_Free(s);
		lfkp_raise(rc, "Queue");
		return NULL;
	}
	return s;
}

/* A waiter is done with s (GIL held). */
static void seg_unuse(struct qseg *s)
{
	if (--s->users == 0 && s->retired)
		seg_free(s);
}

/* The head segment is sealed and drained: move the chain on (GIL held). */
static void seg_advance(queue_obj *self, struct qseg *s)
{
	if (self->head != s || s->next == NULL)
		return;
	self->head = s->next;
	if (s->users == 0)
		seg_free(s);
	else
		s->retired = 1;
}

/* Unbounded put found the tail full: seal it, append a bigger segment. */
static int seg_grow(queue_obj *self)
{
	struct qseg *s = seg_new(self->next_cap);
	if (s == NULL)
		return -1;
	if (self->next_cap < QSEG_MAX)
		self->next_cap *= 2;
	lfk_queue_close(self->tail->q);
	self->tail->next = s;
	self->tail = s;
	return 0;
}

static PyObject *queue_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "maxsize", NULL };
	Py_ssize_t maxsize = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|n:Queue", kwlist,
					 &maxsize))
		return NULL;
	if (maxsize > (Py_ssize_t)LFK_RING_MAX_CAPACITY) {
		PyErr_Format(PyExc_ValueError, "maxsize above %zu",
			     (size_t)LFK_RING_MAX_CAPACITY);
		return NULL;
	}
	queue_obj *self = (queue_obj *)type->tp_alloc(type, 0);
	if (self == NULL)
		return NULL;
	self->maxsize = maxsize;
	self->next_cap = QSEG_FIRST;
	self->head = self->tail =
		seg_new(maxsize > 0 ? (size_t)maxsize : self->next_cap);
	if (self->head == NULL || lfk_event_init(&self->all_done, 0) < 0) {
		Py_DECREF(self);
		return NULL;
	}
	if (maxsize <= 0)
		self->next_cap *= 2;
	lfk_event_set(&self->all_done);
	return (PyObject *)self;
}

static void queue_dealloc(queue_obj *self)
{
	struct qseg *s = self->head;
	while (s != NULL) { /* no waiter is left: each held a reference */
		struct qseg *next = s->next;
		seg_free(s);
		s = next;
	}
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ---- put / get ---------------------------------------------------------- */

struct qop {
	struct qseg *seg;
	uint64_t item;
};

static int put_op(void *arg, uint64_t timeout_ns)
{
	struct qop *o = arg;
	return lfk_queue_put(o->seg->q, o->item, timeout_ns);
}

static int get_op(void *arg, uint64_t timeout_ns)
{
	struct qop *o = arg;
	return lfk_queue_get(o->seg->q, &o->item, timeout_ns);
}

static void unfinished_add(queue_obj *self)
{
	if (self->unfinished++ == 0)
		lfk_event_clear(&self->all_done);
}

static void unfinished_sub(queue_obj *self)
{
	if (self->unfinished > 0 && --self->unfinished == 0)
		lfk_event_set(&self->all_done);
}

/* One put; 0 or a negative errno / LFKP_RAISED. */
static int queue_put_item(queue_obj *self, PyObject *item,
			  const struct lfkp_deadline *d)
{
	struct qop o = { .item = (uint64_t)(uintptr_t)item };
	for (;;) {
		o.seg = self->tail;
		if (self->maxsize > 0) {
			int rc;
			o.seg->users++;
			rc = lfkp_block(put_op, &o, d);
			seg_unuse(o.seg);
			return rc;
		}
		int rc = lfk_queue_put(o.seg->q, o.item, 0);
		if (rc != -EAGAIN)
			return rc;
		if (seg_grow(self) < 0)
			return LFKP_RAISED;
	}
}

static PyObject *queue_put_impl(queue_obj *self, PyObject *item, int block,
				PyObject *timeout)
{
	struct lfkp_deadline d;
	if (lfkp_deadline_from_queue_args(block, timeout, &d) < 0)
		return NULL;
	if (self->is_shutdown) {
		PyErr_SetNone(lfkp_ShutDown);
		return NULL;
	}
	/* Counted before a getter can see it, so task_done cannot run ahead
	 * of the count; taken back if the put fails. */
	unfinished_add(self);
	Py_INCREF(item);
	int rc = queue_put_item(self, item, &d);
	if (rc == 0)
		Py_RETURN_NONE;
	Py_DECREF(item);
	unfinished_sub(self);
	return lfkp_queue_error(rc, lfkp_Full, "Queue.put");
}

static PyObject *queue_get_impl(queue_obj *self, int block, PyObject *timeout)
{
	struct lfkp_deadline d;
	struct qop o = { 0 };
	int rc;
	if (lfkp_deadline_from_queue_args(block, timeout, &d) < 0)
		return NULL;
	for (;;) {
		o.seg = self->head;
		o.seg->users++;
		rc = lfkp_block(get_op, &o, &d);
		struct qseg *next = o.seg->next;
		if (rc == -EPIPE && next != NULL)
			seg_advance(self, o.seg);
		seg_unuse(o.seg);
		if (rc != -EPIPE || next == NULL)
			break;
	}
	if (rc == 0)
		return (PyObject *)(uintptr_t)
			o.item; /* the queue's reference */
	return lfkp_queue_error(rc, lfkp_Empty, "Queue.get");
}

static PyObject *queue_put(queue_obj *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "item", "block", "timeout", NULL };
	PyObject *item, *timeout = Py_None;
	int block = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|pO:put", kwlist, &item,
					 &block, &timeout))
		return NULL;
	return queue_put_impl(self, item, block, timeout);
}

static PyObject *queue_put_nowait(queue_obj *self, PyObject *item)
{
	return queue_put_impl(self, item, 0, Py_None);
}

static PyObject *queue_get(queue_obj *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "block", "timeout", NULL };
	PyObject *timeout = Py_None;
	int block = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pO:get", kwlist, &block,
					 &timeout))
		return NULL;
	return queue_get_impl(self, block, timeout);
}

static PyObject *queue_get_nowait(queue_obj *self, PyObject *unused)
{
	(void)unused;
	return queue_get_impl(self, 0, Py_None);
}

/* ---- sizes, tasks, shutdown ---------------------------------------------- */

static size_t queue_count(queue_obj *self)
{
	size_t n = 0;
	for (struct qseg *s = self->head; s != NULL; s = s->next)
		n += lfk_queue_count(s->q);
	return n;
}

static PyObject *queue_qsize(queue_obj *self, PyObject *unused)
{
	(void)unused;
	return PyLong_FromSize_t(queue_count(self));
}

static PyObject *queue_empty(queue_obj *self, PyObject *unused)
{
	(void)unused;
	return PyBool_FromLong(queue_count(self) == 0);
}

static PyObject *queue_full(queue_obj *self, PyObject *unused)
{
	(void)unused;
	return PyBool_FromLong(self->maxsize > 0 &&
			       queue_count(self) >= (size_t)self->maxsize);
}

static PyObject *queue_task_done(queue_obj *self, PyObject *unused)
{
	(void)unused;
	if (self->unfinished == 0) {
		PyErr_SetString(PyExc_ValueError,
				"task_done() called too many times");
		return NULL;
	}
	unfinished_sub(self);
	Py_RETURN_NONE;
}

static PyObject *queue_join(queue_obj *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "timeout", NULL };
	PyObject *timeout = Py_None;
	struct lfkp_deadline d;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:join", kwlist,
					 &timeout) ||
	    lfkp_deadline_from_timeout(timeout, LFKP_NEGATIVE_IS_ERROR, &d) < 0)
		return NULL;
	/* The event may be set and cleared again before we look: loop until
	 * the count itself is 0, as Condition-based join does. */
	while (self->unfinished != 0) {
		int rc = lfkp_block(lfkp_event_op, &self->all_done, &d);
		if (rc == LFKP_RAISED)
			return NULL;
		if (rc == -ETIMEDOUT && self->unfinished != 0)
			return lfkp_raise(rc, "Queue.join");
	}
	Py_RETURN_NONE;
}

static PyObject *queue_shutdown(queue_obj *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "immediate", NULL };
	int immediate = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|p:shutdown", kwlist,
					 &immediate))
		return NULL;
	self->is_shutdown = 1;
	for (struct qseg *s = self->head; s != NULL; s = s->next) {
		lfk_queue_close(s->q);
		if (!immediate)
			continue;
		uint64_t v;
		while (lfk_queue_get(s->q, &v, 0) == 0) {
			Py_DECREF((PyObject *)(uintptr_t)v);
			unfinished_sub(self);
		}
	}
	Py_RETURN_NONE;
}

static PyObject *queue_get_unfinished(queue_obj *self, void *unused)
{
	(void)unused;
	return PyLong_FromUnsignedLongLong(self->unfinished);
}

static PyObject *queue_get_is_shutdown(queue_obj *self, void *unused)
{
	(void)unused;
	return PyBool_FromLong(self->is_shutdown);
}

static PyMethodDef queue_methods[] = {
	{ "put", KW_METH(queue_put),
	  "put(item, block=True, timeout=None): as queue.Queue.put; raises "
	  "queue.Full, or ShutDown after shutdown()." },
	{ "put_nowait", (PyCFunction)queue_put_nowait, METH_O,
	  "put(item, block=False)." },
	{ "get", KW_METH(queue_get),
	  "get(block=True, timeout=None): as queue.Queue.get; raises "
	  "queue.Empty, or ShutDown once shut down and empty." },
	{ "get_nowait", (PyCFunction)queue_get_nowait, METH_NOARGS,
	  "get(block=False)." },
	{ "qsize", (PyCFunction)queue_qsize, METH_NOARGS,
	  "Items in the queue (approximate while others put or get)." },
	{ "empty", (PyCFunction)queue_empty, METH_NOARGS, "qsize() == 0." },
	{ "full", (PyCFunction)queue_full, METH_NOARGS,
	  "0 < maxsize <= qsize()." },
	{ "task_done", (PyCFunction)queue_task_done, METH_NOARGS,
	  "One item got earlier is processed; ValueError if called more "
	  "times than items were put." },
	{ "join", KW_METH(queue_join),
	  "join(timeout=None): waits until every item put is task_done'd; "
	  "TimeoutError after timeout seconds (an lfkit extension)." },
	{ "shutdown", KW_METH(queue_shutdown),
	  "shutdown(immediate=False): as Python 3.13; puts raise ShutDown, "
	  "gets drain what is left (immediate: nothing) and then raise it." },
	{ NULL, NULL, 0, NULL },
};

static PyMemberDef queue_members[] = {
	{ "maxsize", T_PYSSIZET, offsetof(queue_obj, maxsize), READONLY,
	  "maxsize given at creation (<= 0: unbounded)." },
	{ NULL, 0, 0, 0, NULL },
};

static PyGetSetDef queue_getset[] = {
	{ "unfinished_tasks", (getter)queue_get_unfinished, NULL,
	  "Items put and not yet task_done'd.", NULL },
	{ "is_shutdown", (getter)queue_get_is_shutdown, NULL,
	  "Whether shutdown() was called.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject lfkp_queue_type = {
	LFKP_TYPE_HEAD("lfkit.Queue", queue_obj),
	.tp_dealloc = (destructor)queue_dealloc,
	.tp_doc = "Queue(maxsize=0): a drop-in for queue.Queue between the "
		  "threads of one process, over lfk_queue.  maxsize <= 0 is "
		  "unbounded (a chain of rings that grows).",
	.tp_methods = queue_methods,
	.tp_members = queue_members,
	.tp_getset = queue_getset,
	.tp_new = queue_new,
};
