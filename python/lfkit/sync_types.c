/* SPDX-License-Identifier: MIT */
/*
 * sync_types.c - lfkit.Lock, lfkit.Event, lfkit.Semaphore: threading's
 * Lock, Event and Semaphore for threads and processes, over lfk_mutex,
 * lfk_event and lfk_sem initialized with LFK_SYNC_SHARED in a region of
 * their own (region.c).  Waits release the GIL and stay interruptible
 * (wait.c).
 */
#include "lfkit_py.h"

#include <lfkit/sync.h>

#define LOCK_MAGIC 0x4b434f4c50594c46ull /* "LFPYLOCK" */

/* Waits with op on the object until d: True, False (would block / timed
 * out), or an exception. */
static PyObject *wait_on(lfkp_shared *self, lfkp_op_fn op,
			 const struct lfkp_deadline *d, const char *what)
{
	int rc = lfkp_block(op, self->obj, d);
	if (rc == 0)
		Py_RETURN_TRUE;
	if (rc == LFKP_RAISED)
		return NULL;
	if (lfkp_would_block(rc))
		Py_RETURN_FALSE;
	return lfkp_raise(rc, what);
}

/* ---- Lock ---------------------------------------------------------------- */

static int lock_attach(lfkp_shared *self)
{
	return lfkp_shared_bytes_attach(self, LFKP_OBJ_NAME, LOCK_MAGIC,
					sizeof(struct lfk_mutex), &self->obj);
}

static PyObject *lock_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", NULL };
	const char *name = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|$z:Lock", kwlist, &name))
		return NULL;
	lfkp_shared *self =
		lfkp_shared_new(type, name, sizeof(struct lfk_mutex));
	if (self == NULL)
		return NULL;
	int rc = lfkp_shared_bytes_create(self, LFKP_OBJ_NAME, LOCK_MAGIC,
					  sizeof(struct lfk_mutex), &self->obj);
	if (rc == 0)
		rc = lfk_mutex_init(self->obj, LFK_SYNC_SHARED);
	return lfkp_shared_created(self, rc, "Lock");
}

static int lock_op(void *arg, uint64_t timeout_ns)
{
	if (timeout_ns == 0)
		return lfk_mutex_trylock(arg);
	return lfk_mutex_timedlock(arg, timeout_ns);
}

static PyObject *lock_acquire(lfkp_shared *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "blocking", "timeout", NULL };
	int blocking = 1;
	double timeout = -1;
	struct lfkp_deadline d;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pd:acquire", kwlist,
					 &blocking, &timeout) ||
	    lfkp_shared_check(self) < 0)
		return NULL;
	if (!blocking && timeout != -1) { /* threading.Lock's rules */
		PyErr_SetString(
			PyExc_ValueError,
			"can't specify a timeout for a non-blocking call");
		return NULL;
	}
	/* -1: forever; another negative timeout is threading's ValueError. */
	d = blocking ? lfkp_forever : lfkp_nowait;
	if (timeout != -1 &&
	    lfkp_deadline_from_seconds(timeout, LFKP_NEGATIVE_IS_ERROR, &d) < 0)
		return NULL;
	return wait_on(self, lock_op, &d, "Lock.acquire");
}

static PyObject *lock_release(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	if (lfkp_shared_check(self) < 0)
		return NULL;
	int rc = lfk_mutex_unlock(self->obj);
	if (rc == -EPERM) {
		PyErr_SetString(PyExc_RuntimeError, "release unlocked lock");
		return NULL;
	}
	if (rc < 0)
		return lfkp_raise(rc, "Lock.release");
	Py_RETURN_NONE;
}

static PyObject *lock_locked(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	if (lfkp_shared_check(self) < 0)
		return NULL;
	/* No peeking at the futex word: a try and an undo. */
	if (lfk_mutex_trylock(self->obj) != 0)
		Py_RETURN_TRUE;
	lfk_mutex_unlock(self->obj);
	Py_RETURN_FALSE;
}

/* __enter__: waits with op without a deadline. */
static PyObject *enter_with(lfkp_shared *self, lfkp_op_fn op, const char *what)
{
	if (lfkp_shared_check(self) < 0)
		return NULL;
	return wait_on(self, op, &lfkp_forever, what);
}

static PyObject *lock_enter(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	return enter_with(self, lock_op, "Lock.acquire");
}

static PyObject *lock_exit(lfkp_shared *self, PyObject *args)
{
	(void)args;
	return lock_release(self, NULL);
}

static PyMethodDef lock_methods[] = {
	{ "acquire", KW_METH(lock_acquire),
	  "acquire(blocking=True, timeout=-1) -> bool, as threading.Lock." },
	{ "release", (PyCFunction)lock_release, METH_NOARGS,
	  "Unlocks; RuntimeError if not locked." },
	{ "locked", (PyCFunction)lock_locked, METH_NOARGS,
	  "Whether some thread or process holds the lock." },
	{ "__enter__", (PyCFunction)lock_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)lock_exit, METH_VARARGS, NULL },
	{ NULL, NULL, 0, NULL },
};

PyTypeObject lfkp_lock_type = {
	LFKP_SHARED_TYPE_HEAD("lfkit.Lock", lfkp_shared),
	.tp_doc = "Lock(*, name=None): threading.Lock for threads and "
		  "processes (lfk_mutex in a shared region; picklable).  Not "
		  "robust: a process that dies holding it leaves it locked.",
	.tp_methods = lock_methods,
	.tp_new = lock_new,
};

/* ---- Event --------------------------------------------------------------- */

static int event_attach(lfkp_shared *self)
{
	return lfk_shm_event_attach(self->shm, LFKP_OBJ_NAME,
				    (struct lfk_event **)&self->obj);
}

static PyObject *event_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", NULL };
	const char *name = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|$z:Event", kwlist, &name))
		return NULL;
	lfkp_shared *self =
		lfkp_shared_new(type, name, sizeof(struct lfk_event));
	if (self == NULL)
		return NULL;
	return lfkp_shared_created(
		self,
		lfk_shm_event_create(self->shm, LFKP_OBJ_NAME,
				     (struct lfk_event **)&self->obj),
		"Event");
}

int lfkp_event_op(void *arg, uint64_t timeout_ns)
{
	return lfk_event_wait(arg, timeout_ns);
}

static PyObject *event_wait(lfkp_shared *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "timeout", NULL };
	PyObject *timeout = Py_None;
	struct lfkp_deadline d;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:wait", kwlist,
					 &timeout) ||
	    lfkp_shared_check(self) < 0)
		return NULL;
	/* threading.Event.wait: a negative timeout waits not at all. */
	if (lfkp_deadline_from_timeout(timeout, LFKP_NEGATIVE_IS_NOWAIT, &d) <
	    0)
		return NULL;
	return wait_on(self, lfkp_event_op, &d, "Event.wait");
}

static PyObject *event_simple(lfkp_shared *self, int (*fn)(struct lfk_event *))
{
	if (lfkp_shared_check(self) < 0)
		return NULL;
	int rc = fn(self->obj);
	if (rc < 0)
		return lfkp_raise(rc, "Event");
	Py_RETURN_NONE;
}

static PyObject *event_set(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	return event_simple(self, lfk_event_set);
}

static PyObject *event_clear(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	return event_simple(self, lfk_event_clear);
}

static PyObject *event_is_set(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	bool set;
	int rc;
	if (lfkp_shared_check(self) < 0)
		return NULL;
	rc = lfk_event_is_set(self->obj, &set);
	if (rc < 0)
		return lfkp_raise(rc, "Event.is_set");
	return PyBool_FromLong(set);
}

static PyMethodDef event_methods[] = {
	{ "set", (PyCFunction)event_set, METH_NOARGS,
	  "Sets the flag; wakes every waiter." },
	{ "clear", (PyCFunction)event_clear, METH_NOARGS, "Clears the flag." },
	{ "is_set", (PyCFunction)event_is_set, METH_NOARGS,
	  "Whether the flag is set." },
	{ "wait", KW_METH(event_wait),
	  "wait(timeout=None) -> bool, as threading.Event.wait." },
	{ NULL, NULL, 0, NULL },
};

PyTypeObject lfkp_event_type = {
	LFKP_SHARED_TYPE_HEAD("lfkit.Event", lfkp_shared),
	.tp_doc = "Event(*, name=None): threading.Event for threads and "
		  "processes (lfk_event in a shared region; picklable).",
	.tp_methods = event_methods,
	.tp_new = event_new,
};

/* ---- Semaphore ----------------------------------------------------------- */

static int sem_attach(lfkp_shared *self)
{
	return lfk_shm_sem_attach(self->shm, LFKP_OBJ_NAME,
				  (struct lfk_sem **)&self->obj);
}

static PyObject *sem_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "value", "name", NULL };
	long long value = 1;
	const char *name = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|L$z:Semaphore", kwlist,
					 &value, &name))
		return NULL;
	if (value < 0 || value > (long long)LFK_SEM_VALUE_MAX) {
		PyErr_SetString(PyExc_ValueError,
				"semaphore initial value must be >= 0 and "
				"at most 2**31 - 1");
		return NULL;
	}
	lfkp_shared *self = lfkp_shared_new(type, name, sizeof(struct lfk_sem));
	if (self == NULL)
		return NULL;
	return lfkp_shared_created(
		self,
		lfk_shm_sem_create(self->shm, LFKP_OBJ_NAME, (uint32_t)value,
				   (struct lfk_sem **)&self->obj),
		"Semaphore");
}

int lfkp_sem_op(void *arg, uint64_t timeout_ns)
{
	if (timeout_ns == 0)
		return lfk_sem_trywait(arg);
	return lfk_sem_wait(arg, timeout_ns);
}

static PyObject *sem_acquire(lfkp_shared *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "blocking", "timeout", NULL };
	int blocking = 1;
	PyObject *timeout = Py_None;
	struct lfkp_deadline d;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pO:acquire", kwlist,
					 &blocking, &timeout) ||
	    lfkp_shared_check(self) < 0)
		return NULL;
	if (!blocking && timeout != Py_None) { /* threading.Semaphore's rule */
		PyErr_SetString(
			PyExc_ValueError,
			"can't specify timeout for non-blocking acquire");
		return NULL;
	}
	/* A negative timeout waits not at all (threading.Semaphore). */
	d = lfkp_nowait;
	if (blocking && lfkp_deadline_from_timeout(
				timeout, LFKP_NEGATIVE_IS_NOWAIT, &d) < 0)
		return NULL;
	return wait_on(self, lfkp_sem_op, &d, "Semaphore.acquire");
}

/* Posts n units: release(n) and __exit__. */
static PyObject *sem_post_n(lfkp_shared *self, Py_ssize_t n)
{
	if (lfkp_shared_check(self) < 0)
		return NULL;
	if (n < 1) {
		PyErr_SetString(PyExc_ValueError, "n must be one or more");
		return NULL;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		int rc = lfk_sem_post(self->obj);
		if (rc < 0)
			return lfkp_raise(rc, "Semaphore.release");
	}
	Py_RETURN_NONE;
}

static PyObject *sem_release(lfkp_shared *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "n", NULL };
	Py_ssize_t n = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|n:release", kwlist, &n))
		return NULL;
	return sem_post_n(self, n);
}

static PyObject *sem_enter(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	return enter_with(self, lfkp_sem_op, "Semaphore.acquire");
}

static PyObject *sem_exit(lfkp_shared *self, PyObject *args)
{
	(void)args;
	return sem_post_n(self, 1);
}

static PyObject *sem_get_value(lfkp_shared *self, void *unused)
{
	(void)unused;
	uint32_t value;
	int rc;
	if (lfkp_shared_check(self) < 0)
		return NULL;
	rc = lfk_sem_value(self->obj, &value);
	if (rc < 0)
		return lfkp_raise(rc, "Semaphore.get_value");
	return PyLong_FromUnsignedLong(value);
}

static PyMethodDef sem_methods[] = {
	{ "acquire", KW_METH(sem_acquire),
	  "acquire(blocking=True, timeout=None) -> bool, as "
	  "threading.Semaphore." },
	{ "release", KW_METH(sem_release),
	  "release(n=1); ValueError beyond 2**31 - 1 units." },
	{ "__enter__", (PyCFunction)sem_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)sem_exit, METH_VARARGS, NULL },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef sem_getset[] = {
	{ "value", (getter)sem_get_value, NULL, "Units available now.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject lfkp_sem_type = {
	LFKP_SHARED_TYPE_HEAD("lfkit.Semaphore", lfkp_shared),
	.tp_doc = "Semaphore(value=1, *, name=None): threading.Semaphore for "
		  "threads and processes (lfk_sem in a shared region; "
		  "picklable).",
	.tp_methods = sem_methods,
	.tp_getset = sem_getset,
	.tp_new = sem_new,
};

int lfkp_sync_types_ready(PyObject *m)
{
	if (lfkp_shared_add_type(m, "Lock", &lfkp_lock_type, lock_attach) < 0 ||
	    lfkp_shared_add_type(m, "Event", &lfkp_event_type, event_attach) <
		    0 ||
	    lfkp_shared_add_type(m, "Semaphore", &lfkp_sem_type, sem_attach) <
		    0)
		return -1;
	return 0;
}
