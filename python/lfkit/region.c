/* SPDX-License-Identifier: MIT */
/*
 * region.c - lfkit._Shared, the base of the classes that work across
 * processes (Lock, Event, Semaphore, Counter, SharedArray).
 *
 * Each object is one lfkit object named LFKP_OBJ_NAME in an lfk_shm region
 * of its own.  Pickling gives the region's name (__reduce__ ->
 * lfkit._lfkit._attach(cls, name)), so an object passed to a
 * multiprocessing child arrives there attached to the same memory, under
 * the fork and the spawn start methods alike; a forked child that inherits
 * the object uses the inherited mapping.
 *
 * Lifetime: the process that created the region removes its name when its
 * object is freed or closed; processes attached by then keep their mapping
 * (POSIX shared memory stays until the last unmap), later attaches get
 * FileNotFoundError.  Keep the creating object alive while children attach
 * (multiprocessing.Process keeps its arguments).
 */
#include "lfkit_py.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Room for the region's header and directory, and the object's alignment. */
#define REGION_OVERHEAD 65536

/* Which attach each class uses (few classes: a small table). */
static struct {
	PyTypeObject *type;
	lfkp_attach_fn attach;
} attach_table[8];
static size_t attach_count;

int lfkp_shared_add_type(PyObject *m, const char *name, PyTypeObject *type,
			 lfkp_attach_fn attach)
{
	if (PyType_Ready(type) < 0)
		return -1;
	if (attach_count == sizeof(attach_table) / sizeof(attach_table[0])) {
		PyErr_SetString(PyExc_RuntimeError, "attach table full");
		return -1;
	}
	attach_table[attach_count].type = type;
	attach_table[attach_count].attach = attach;
	attach_count++;
	Py_INCREF(type);
	return PyModule_AddObject(m, name, (PyObject *)type);
}

/* The attach of cls or of its nearest registered base. */
static lfkp_attach_fn find_attach(PyTypeObject *cls)
{
	for (PyTypeObject *t = cls; t != NULL; t = t->tp_base)
		for (size_t i = 0; i < attach_count; i++)
			if (attach_table[i].type == t)
				return attach_table[i].attach;
	return NULL;
}

/* A fresh name: pid, a per-process serial and clock bits, so that
 * processes and objects never collide. */
static void make_name(char *buf, size_t cap)
{
	static unsigned long serial;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, cap, "/lfkit-py-%ld-%lu-%lx", (long)getpid(), ++serial,
		 (unsigned long)ts.tv_nsec);
}

int lfkp_shared_create(lfkp_shared *self, const char *name, size_t bytes)
{
	size_t size;
	if (name == NULL)
		make_name(self->name, sizeof(self->name));
	else if (strlen(name) >= sizeof(self->name)) {
		PyErr_SetString(PyExc_ValueError, "region name too long");
		return -1;
	} else
		strcpy(self->name, name);
	if (__builtin_add_overflow(bytes, (size_t)REGION_OVERHEAD, &size)) {
		PyErr_SetString(PyExc_ValueError, "object too large");
		return -1;
	}
	int rc;
	Py_BEGIN_ALLOW_THREADS /* reserves every page: may take a while */
		rc = lfk_shm_create(self->name, size, 0600, &self->shm);
	Py_END_ALLOW_THREADS if (rc < 0)
	{
		self->shm = NULL;
		lfkp_raise(rc, self->name);
		return -1;
	}
	self->creator = getpid();
	return 0;
}

lfkp_shared *lfkp_shared_new(PyTypeObject *type, const char *name, size_t bytes)
{
	lfkp_shared *self = (lfkp_shared *)type->tp_alloc(type, 0);
	if (self != NULL && lfkp_shared_create(self, name, bytes) < 0)
		Py_CLEAR(self);
	return self;
}

PyObject *lfkp_shared_created(lfkp_shared *self, int rc, const char *what)
{
	if (rc < 0) {
		lfkp_raise(rc, what);
		Py_DECREF(self); /* dealloc unlinks the region */
		return NULL;
	}
	return (PyObject *)self;
}

/* Unmaps; the creating process also removes the name. */
static void shared_release(lfkp_shared *self)
{
	if (self->shm == NULL)
		return;
	lfk_shm_close(self->shm);
	self->shm = NULL;
	self->obj = NULL;
	if (self->creator == getpid())
		lfk_shm_unlink(self->name);
}

int lfkp_shared_check(lfkp_shared *self)
{
	if (self->obj != NULL)
		return 0;
	PyErr_SetString(PyExc_ValueError, "operation on a closed object");
	return -1;
}

static void shared_dealloc(lfkp_shared *self)
{
	shared_release(self);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* _attach(cls, name): an object of cls on the region called name. */
static PyObject *shared_attach(PyObject *unused, PyObject *args)
{
	PyTypeObject *cls;
	const char *name;
	(void)unused;
	if (!PyArg_ParseTuple(args, "O!s:_attach", &PyType_Type, &cls, &name))
		return NULL;
	lfkp_attach_fn attach = find_attach(cls);
	if (attach == NULL || !PyType_IsSubtype(cls, &lfkp_shared_type)) {
		PyErr_SetString(PyExc_TypeError, "not an lfkit shared class");
		return NULL;
	}
	if (strlen(name) >= LFK_SHM_REGION_NAME_MAX) {
		PyErr_SetString(PyExc_ValueError, "region name too long");
		return NULL;
	}
	lfkp_shared *self = (lfkp_shared *)cls->tp_alloc(cls, 0);
	if (self == NULL)
		return NULL;
	strcpy(self->name, name);
	int rc = lfk_shm_open(name, &self->shm);
	if (rc < 0) {
		self->shm = NULL;
		Py_DECREF(self);
		return lfkp_raise(rc, name);
	}
	rc = attach(self);
	if (rc < 0) {
		Py_DECREF(self);
		return lfkp_raise(rc, name);
	}
	return (PyObject *)self;
}

static PyMethodDef attach_def = {
	"_attach", shared_attach, METH_VARARGS,
	"_attach(cls, name): attaches to the region of an existing object."
};

static PyObject *attach_func; /* module-level, so that pickle finds it */

static PyObject *shared_attach_classmethod(PyObject *cls, PyObject *name)
{
	PyObject *args = PyTuple_Pack(2, cls, name);
	if (args == NULL)
		return NULL;
	PyObject *r = shared_attach(NULL, args);
	Py_DECREF(args);
	return r;
}

static PyObject *shared_reduce(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	if (lfkp_shared_check(self) < 0)
		return NULL;
	return Py_BuildValue("O(Os)", attach_func, (PyObject *)Py_TYPE(self),
			     self->name);
}

static PyObject *shared_close(lfkp_shared *self, PyObject *unused)
{
	(void)unused;
	shared_release(self);
	Py_RETURN_NONE;
}

static PyObject *shared_get_name(lfkp_shared *self, void *unused)
{
	(void)unused;
	return PyUnicode_FromString(self->name);
}

static PyMethodDef shared_methods[] = {
	{ "attach", (PyCFunction)shared_attach_classmethod, METH_O | METH_CLASS,
	  "attach(name): the object another process created under name; "
	  "FileNotFoundError if there is none, ValueError if it is not an "
	  "lfkit region of this kind." },
	{ "__reduce__", (PyCFunction)shared_reduce, METH_NOARGS,
	  "Pickles as the region's name." },
	{ "close", (PyCFunction)shared_close, METH_NOARGS,
	  "Unmaps the object now (the creator also removes the name); later "
	  "calls raise ValueError." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef shared_getset[] = {
	{ "name", (getter)shared_get_name, NULL,
	  "The region's name (for attach).", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject lfkp_shared_type = {
	LFKP_TYPE_HEAD("lfkit._Shared", lfkp_shared),
	.tp_dealloc = (destructor)shared_dealloc,
	.tp_doc = "Base of the lfkit classes that live in a shared region.",
	.tp_methods = shared_methods,
	.tp_getset = shared_getset,
};

/* Called by module init after the base type is ready. */
int lfkp_shared_ready(PyObject *m)
{
	PyObject *modname = PyModule_GetNameObject(m);
	if (modname == NULL)
		return -1;
	attach_func = PyCFunction_NewEx(&attach_def, NULL, modname);
	Py_DECREF(modname);
	if (attach_func == NULL)
		return -1;
	Py_INCREF(attach_func);
	return PyModule_AddObject(m, "_attach", attach_func);
}

/* ---- tagged bytes: objects without a region kind of their own ------------ */

/* The bytes begin with the class's magic, so that attach refuses another
 * class's region with -EPROTO (ValueError). */
struct tagged {
	uint64_t magic;
	uint64_t payload[];
};

int lfkp_shared_bytes_create(lfkp_shared *self, const char *name,
			     uint64_t magic, size_t size, void **out)
{
	void *p;
	size_t total;
	if (__builtin_add_overflow(size, sizeof(struct tagged), &total))
		return -EINVAL;
	int rc = lfk_shm_bytes_create(self->shm, name, total, &p);
	if (rc < 0)
		return rc;
	((struct tagged *)p)->magic = magic;
	*out = ((struct tagged *)p)->payload;
	return 0;
}

int lfkp_shared_bytes_attach(lfkp_shared *self, const char *name,
			     uint64_t magic, size_t size, void **out)
{
	void *p;
	size_t len;
	int rc = lfk_shm_bytes_attach(self->shm, name, &p, &len);
	if (rc < 0)
		return rc;
	if (len != size + sizeof(struct tagged) ||
	    ((struct tagged *)p)->magic != magic)
		return -EPROTO;
	*out = ((struct tagged *)p)->payload;
	return 0;
}
