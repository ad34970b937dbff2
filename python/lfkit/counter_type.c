/* SPDX-License-Identifier: MIT */
/*
 * counter_type.c - lfkit.Counter: an integer that threads and processes
 * add to without a lock.
 *
 * One 64-bit word in a shared region, changed by atomic fetch-add.  Why not
 * lfk_counter: its shards are thread-local slots of one process (an
 * lfk_tlocal), which cannot live in a region another process maps; and
 * under the GIL the threads of one process never add at the same instant,
 * so sharding would buy nothing.  Between processes the one word is exact
 * at every read.
 */
#include "lfkit_py.h"

#include <lfkit/atomic.h>

#define COUNTER_MAGIC 0x544e4350594c46ull /* "LFPYCNT" */

static int counter_attach(lfkp_shared *self)
{
	return lfkp_shared_bytes_attach(self, LFKP_OBJ_NAME, COUNTER_MAGIC,
					sizeof(uint64_t), &self->obj);
}

static PyObject *counter_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "value", "name", NULL };
	long long value = 0;
	const char *name = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|L$z:Counter", kwlist,
					 &value, &name))
		return NULL;
	lfkp_shared *self = lfkp_shared_new(type, name, sizeof(uint64_t));
	if (self == NULL)
		return NULL;
	int rc = lfkp_shared_bytes_create(self, LFKP_OBJ_NAME, COUNTER_MAGIC,
					  sizeof(uint64_t), &self->obj);
	if (rc == 0) /* before the region's name is given to anyone */
		*(uint64_t *)self->obj = (uint64_t)value;
	return lfkp_shared_created(self, rc, "Counter");
}

static PyObject *counter_add(lfkp_shared *self, PyObject *args)
{
	long long n = 1;
	if (!PyArg_ParseTuple(args, "|L:add", &n) ||
	    lfkp_shared_check(self) < 0)
		return NULL;
	/* Relaxed: the count orders no other memory. */
	uint64_t old =
		lfk_atomic_fetch_add_u64(self->obj, (uint64_t)n, LFK_RELAXED);
	return PyLong_FromLongLong((long long)(old + (uint64_t)n));
}

static PyObject *counter_get_value(lfkp_shared *self, void *unused)
{
	(void)unused;
	if (lfkp_shared_check(self) < 0)
		return NULL;
	return PyLong_FromLongLong(
		(long long)lfk_atomic_load_u64(self->obj, LFK_RELAXED));
}

static int counter_set_value(lfkp_shared *self, PyObject *v, void *unused)
{
	(void)unused;
	if (v == NULL) {
		PyErr_SetString(PyExc_AttributeError, "cannot delete value");
		return -1;
	}
	long long x = PyLong_AsLongLong(v);
	if ((x == -1 && PyErr_Occurred()) || lfkp_shared_check(self) < 0)
		return -1;
	lfk_atomic_store_u64(self->obj, (uint64_t)x, LFK_RELAXED);
	return 0;
}

static PyObject *counter_int(lfkp_shared *self)
{
	return counter_get_value(self, NULL);
}

static PyMethodDef counter_methods[] = {
	{ "add", (PyCFunction)counter_add, METH_VARARGS,
	  "add(n=1) -> the value after this add (atomic; wraps modulo "
	  "2**64)." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef counter_getset[] = {
	{ "value", (getter)counter_get_value, (setter)counter_set_value,
	  "The count (setting it races with concurrent adds).", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyNumberMethods counter_number = {
	.nb_int = (unaryfunc)counter_int,
	.nb_index = (unaryfunc)counter_int,
};

PyTypeObject lfkp_counter_type = {
	LFKP_SHARED_TYPE_HEAD("lfkit.Counter", lfkp_shared),
	.tp_doc = "Counter(value=0, *, name=None): a 64-bit integer that "
		  "threads and processes add to atomically (shared region; "
		  "picklable).  Replaces an int behind a Lock.",
	.tp_methods = counter_methods,
	.tp_getset = counter_getset,
	.tp_as_number = &counter_number,
	.tp_new = counter_new,
};

int lfkp_counter_ready(PyObject *m)
{
	return lfkp_shared_add_type(m, "Counter", &lfkp_counter_type,
				    counter_attach);
}
