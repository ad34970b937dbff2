/* SPDX-License-Identifier: MIT */
/*
 * sharedarray.c - lfkit.SharedArray: fixed-size records that threads and
 * processes read and write, over lfk_seqarray in a shared region.
 *
 * A read never returns a torn record: it copies the record and retries if
 * a writer was inside (a seqlock per record), so readers never write and
 * never wait for each other.  Records come out as bytes (a[i], read), or
 * into any writable buffer (read_into, e.g. a memoryview of a bytearray or
 * of a NumPy array); snapshot() copies every record as of one instant.
 * Copies of at least LFKP_BIG_COPY bytes release the GIL.
 */
#include "lfkit_py.h"

#include <lfkit/seqarray.h>

#define ARR(self) ((struct lfk_seqarray *)(self)->obj)

static int array_attach(lfkp_shared *self)
{
	return lfk_shm_seqarray_attach(self->shm, LFKP_OBJ_NAME,
				       (struct lfk_seqarray **)&self->obj);
}

static PyObject *array_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "length", "record_size", "name", NULL };
	Py_ssize_t n, size;
	const char *name = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "nn|$z:SharedArray", kwlist,
					 &n, &size, &name))
		return NULL;
	size_t bytes = n > 0 && size > 0
			       ? lfk_seqarray_size((size_t)n, (size_t)size)
			       : 0;
	if (bytes == 0) {
		PyErr_SetString(
			PyExc_ValueError,
			"SharedArray: length must be > 0 and record_size "
			"a positive multiple of 8 (and not too large)");
		return NULL;
	}
	lfkp_shared *self = lfkp_shared_new(type, name, bytes);
	if (self == NULL)
		return NULL;
	return lfkp_shared_created(
		self,
		lfk_shm_seqarray_create(self->shm, LFKP_OBJ_NAME, (size_t)n,
					(size_t)size,
					(struct lfk_seqarray **)&self->obj),
		"SharedArray");
}

/* Python index -> record number (negative counts from the end); -1 with
 * IndexError. */
static Py_ssize_t array_index(lfkp_shared *self, Py_ssize_t i)
{
	if (lfkp_shared_check(self) < 0)
		return -1;
	Py_ssize_t n = (Py_ssize_t)lfk_seqarray_length(ARR(self));
	if (i < 0)
		i += n;
	if (i < 0 || i >= n) {
		PyErr_SetString(PyExc_IndexError,
				"SharedArray index out of range");
		return -1;
	}
	return i;
}

/* Copies record i into dst (record_size bytes). */
static void read_record(lfkp_shared *self, Py_ssize_t i, void *dst)
{
	size_t size = lfk_seqarray_elem_size(ARR(self));
	if (size < LFKP_BIG_COPY) {
		lfk_seqarray_read(ARR(self), (size_t)i, dst);
		return;
	}
	Py_BEGIN_ALLOW_THREADS lfk_seqarray_read(ARR(self), (size_t)i, dst);
	Py_END_ALLOW_THREADS
}

static PyObject *array_item(lfkp_shared *self, Py_ssize_t i)
{
	if ((i = array_index(self, i)) < 0)
		return NULL;
	PyObject *b = PyBytes_FromStringAndSize(
		NULL, (Py_ssize_t)lfk_seqarray_elem_size(ARR(self)));
	if (b != NULL)
		read_record(self, i, PyBytes_AS_STRING(b));
	return b;
}

static int array_write(lfkp_shared *self, Py_ssize_t i, PyObject *v)
{
	Py_buffer view;
	if (v == NULL) {
		PyErr_SetString(PyExc_TypeError,
				"SharedArray records cannot be deleted");
		return -1;
	}
	if ((i = array_index(self, i)) < 0 ||
	    PyObject_GetBuffer(v, &view, PyBUF_SIMPLE) < 0)
		return -1;
	size_t size = lfk_seqarray_elem_size(ARR(self));
	if ((size_t)view.len != size) {
		PyErr_Format(PyExc_ValueError,
			     "SharedArray records are %zu bytes, not %zd", size,
			     view.len);
		PyBuffer_Release(&view);
		return -1;
	}
	if (size < LFKP_BIG_COPY) {
		lfk_seqarray_write(ARR(self), (size_t)i, view.buf);
	} else {
		/* The buffer stays exported (and so unchanged in size) while
		 * we copy without the GIL. */
		Py_BEGIN_ALLOW_THREADS lfk_seqarray_write(ARR(self), (size_t)i,
							  view.buf);
		Py_END_ALLOW_THREADS
	}
	PyBuffer_Release(&view);
	return 0;
}

static PyObject *array_read(lfkp_shared *self, PyObject *arg)
{
	Py_ssize_t i = PyLong_AsSsize_t(arg);
	if (i == -1 && PyErr_Occurred())
		return NULL;
	return array_item(self, i);
}

static PyObject *array_read_into(lfkp_shared *self, PyObject *args)
{
	Py_ssize_t i;
	Py_buffer view;
	if (!PyArg_ParseTuple(args, "nw*:read_into", &i, &view))
		return NULL;
	PyObject *r = NULL;
	if ((i = array_index(self, i)) >= 0) {
		size_t size = lfk_seqarray_elem_size(ARR(self));
		if ((size_t)view.len < size)
			PyErr_Format(PyExc_ValueError,
				     "buffer of %zd bytes for a record of %zu",
				     view.len, size);
		else {
			read_record(self, i, view.buf);
			r = PyLong_FromSize_t(size);
		}
	}
	PyBuffer_Release(&view);
	return r;
}

static PyObject *array_write_method(lfkp_shared *self, PyObject *args)
{
	Py_ssize_t i;
	PyObject *v;
	if (!PyArg_ParseTuple(args, "nO:write", &i, &v) ||
	    array_write(self, i, v) < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *array_snapshot(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	if (lfkp_shared_check(self) < 0)
		return NULL;
	size_t total =
		lfk_seqarray_length(ARR(self)) *
		lfk_seqarray_elem_size(ARR(self)); /* checked at create */
	PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
	if (b == NULL)
		return NULL;
	int rc;
	Py_BEGIN_ALLOW_THREADS rc =
		lfk_seqarray_snapshot(ARR(self), PyBytes_AS_STRING(b));
	Py_END_ALLOW_THREADS if (rc < 0)
	{
		Py_DECREF(b);
		return lfkp_raise(rc, "SharedArray.snapshot");
	}
	return b;
}

/* a[i]: Python has added len to a negative i already; a still negative
 * one is out of range. */
static PyObject *array_sq_item(lfkp_shared *self, Py_ssize_t i)
{
	if (i < 0)
		return array_item(self, PY_SSIZE_T_MIN);
	return array_item(self, i);
}

static int array_sq_ass_item(lfkp_shared *self, Py_ssize_t i, PyObject *v)
{
	return array_write(self, i < 0 ? PY_SSIZE_T_MIN : i, v);
}

static Py_ssize_t array_len(lfkp_shared *self)
{
	if (lfkp_shared_check(self) < 0)
		return -1;
	return (Py_ssize_t)lfk_seqarray_length(ARR(self));
}

static PyObject *array_get_record_size(lfkp_shared *self, void *unused)
{
	(void)unused;
	if (lfkp_shared_check(self) < 0)
		return NULL;
	return PyLong_FromSize_t(lfk_seqarray_elem_size(ARR(self)));
}

static PyMethodDef array_methods[] = {
	{ "read", (PyCFunction)array_read, METH_O,
	  "read(i) -> bytes: record i, never torn (same as a[i])." },
	{ "read_into", (PyCFunction)array_read_into, METH_VARARGS,
	  "read_into(i, buffer) -> record_size: copies record i into a "
	  "writable buffer (memoryview, bytearray, ...) without allocating." },
	{ "write", (PyCFunction)array_write_method, METH_VARARGS,
	  "write(i, data): replaces record i (data: record_size bytes)." },
	{ "snapshot", (PyCFunction)array_snapshot, METH_NOARGS,
	  "Every record as of one instant, as bytes." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef array_getset[] = {
	{ "record_size", (getter)array_get_record_size, NULL,
	  "Bytes per record.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PySequenceMethods array_sequence = {
	.sq_length = (lenfunc)array_len,
	.sq_item = (ssizeargfunc)array_sq_item,
	.sq_ass_item = (ssizeobjargproc)array_sq_ass_item,
};

PyTypeObject lfkp_sharedarray_type = {
	LFKP_SHARED_TYPE_HEAD("lfkit.SharedArray", lfkp_shared),
	.tp_doc = "SharedArray(length, record_size, *, name=None): records of "
		  "record_size bytes (a multiple of 8) for threads and "
		  "processes, each under a seqlock: reads are never torn "
		  "(lfk_seqarray in a shared region; picklable).",
	.tp_methods = array_methods,
	.tp_getset = array_getset,
	.tp_as_sequence = &array_sequence,
	.tp_new = array_new,
};

int lfkp_sharedarray_ready(PyObject *m)
{
	return lfkp_shared_add_type(m, "SharedArray", &lfkp_sharedarray_type,
				    array_attach);
}
