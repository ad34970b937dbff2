/* SPDX-License-Identifier: MIT */
/*
 * module.c - the lfkit._lfkit extension module: its exceptions (the
 * standard library's own, so that lfkit's classes are drop-ins), errno
 * mapping, and the registration of every class.
 */
#include "lfkit_py.h"

#include <string.h>

PyObject *lfkp_Full, *lfkp_Empty, *lfkp_ShutDown;

PyObject *lfkp_raise(int neg_errno, const char *what)
{
	int e = -neg_errno;
	PyObject *type;
	switch (e) {
	case EINVAL:
	case EPROTO:
	case EMSGSIZE:
	case EOVERFLOW:
		PyErr_Format(PyExc_ValueError, "%s: %s", what, strerror(e));
		return NULL;
	case ETIMEDOUT:
		type = PyExc_TimeoutError;
		break;
	case ENOMEM:
		return PyErr_NoMemory();
	default:
		/* OSError picks its subclass from errno: ENOENT gives
		 * FileNotFoundError, EEXIST FileExistsError. */
		type = PyExc_OSError;
	}
	PyObject *args = Py_BuildValue("(iss)", e, strerror(e), what);
	if (args != NULL) {
		PyErr_SetObject(type, args);
		Py_DECREF(args);
	}
	return NULL;
}

PyObject *lfkp_queue_error(int rc, PyObject *would_block, const char *what)
{
	if (rc == LFKP_RAISED)
		return NULL; /* already raised */
	if (rc == -EPIPE)
		PyErr_SetNone(lfkp_ShutDown);
	else if (lfkp_would_block(rc))
		PyErr_SetNone(would_block);
	else
		lfkp_raise(rc, what);
	return NULL;
}

int lfkp_import_attrs(const char *module, const struct lfkp_attr *attrs,
		      size_t n)
{
	PyObject *m = PyImport_ImportModule(module);
	int rc = m != NULL ? 0 : -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		*attrs[i].out = PyObject_GetAttrString(m, attrs[i].name);
		if (*attrs[i].out == NULL)
			rc = -1;
	}
	Py_XDECREF(m);
	return rc;
}

/* queue.Full / queue.Empty, and queue.ShutDown where the interpreter has it
 * (3.13); else a ShutDown of our own, exported as lfkit.ShutDown. */
static int import_exceptions(PyObject *m)
{
	const struct lfkp_attr full_empty[] = { { "Full", &lfkp_Full },
						{ "Empty", &lfkp_Empty } };
	const struct lfkp_attr shutdown = { "ShutDown", &lfkp_ShutDown };
	if (lfkp_import_attrs("queue", full_empty, 2) < 0)
		return -1;
	if (lfkp_import_attrs("queue", &shutdown, 1) < 0) {
		PyErr_Clear();
		lfkp_ShutDown = PyErr_NewExceptionWithDoc(
			"lfkit.ShutDown",
			"Raised by put() after shutdown(), and by get() once a "
			"shut-down queue is empty (queue.ShutDown on 3.13).",
			NULL, NULL);
		if (lfkp_ShutDown == NULL)
			return -1;
	}
	Py_INCREF(lfkp_ShutDown);
	return PyModule_AddObject(m, "ShutDown", lfkp_ShutDown);
}

static int add_type(PyObject *m, const char *name, PyTypeObject *t)
{
	if (PyType_Ready(t) < 0)
		return -1;
	Py_INCREF(t);
	if (PyModule_AddObject(m, name, (PyObject *)t) < 0) {
		Py_DECREF(t);
		return -1;
	}
	return 0;
}

static struct PyModuleDef lfkp_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "lfkit._lfkit",
	.m_doc = "lfkit's primitives for Python threads and processes.",
	.m_size = -1,
};

PyMODINIT_FUNC PyInit__lfkit(void)
{
	PyObject *m = PyModule_Create(&lfkp_module);
	if (m == NULL)
		return NULL;
	if (import_exceptions(m) < 0 ||
	    add_type(m, "Queue", &lfkp_queue_type) < 0 ||
	    add_type(m, "_Shared", &lfkp_shared_type) < 0 ||
	    lfkp_shared_ready(m) < 0 || lfkp_sync_types_ready(m) < 0 ||
	    lfkp_counter_ready(m) < 0 || lfkp_sharedarray_ready(m) < 0 ||
	    lfkp_sharedqueue_ready(m) < 0 ||
	    PyModule_AddIntConstant(m, "SLICE_NS", LFKP_SLICE_NS) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
