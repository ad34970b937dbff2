/* SPDX-License-Identifier: MIT */
/*
 * lfkit_py.h - what the files of the lfkit Python extension share: the
 * exceptions it raises, errno mapping, blocking calls in interruptible
 * slices, and the shared-region base type of the cross-process classes.
 */
#ifndef LFKIT_PY_H
#define LFKIT_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

#include <lfkit/shm.h>

/* ---- exceptions and errors (module.c) ----------------------------------- */

/* queue.Full, queue.Empty, and queue.ShutDown (3.13) or lfkit.ShutDown. */
extern PyObject *lfkp_Full, *lfkp_Empty, *lfkp_ShutDown;

/* A module attribute to look up: the attribute name and where its new
 * reference goes. */
struct lfkp_attr {
	const char *name;
	PyObject **out;
};

/* Imports `module` and looks up each of the n attrs.  0, or -1 with the
 * exception set (ImportError, AttributeError). */
int lfkp_import_attrs(const char *module, const struct lfkp_attr *attrs,
		      size_t n);

/* Raises the Python exception for a negative errno: -ENOENT
 * FileNotFoundError, -EEXIST FileExistsError, -EINVAL/-EPROTO/-EMSGSIZE/
 * -EOVERFLOW ValueError, -ETIMEDOUT TimeoutError, -ENOMEM MemoryError, any
 * other OSError.  `what` prefixes the message.  Returns NULL. */
PyObject *lfkp_raise(int neg_errno, const char *what);

/* ---- blocking in slices (wait.c) ----------------------------------------- */

/* How long one GIL-released wait lasts at most before signals are checked
 * (Ctrl-C reaches a blocked call within this). */
#define LFKP_SLICE_NS 50000000ull

/* When a blocking call gives up: never (forever), at once (nonblock), or
 * at end_ns on CLOCK_MONOTONIC. */
struct lfkp_deadline {
	int forever;
	int nonblock;
	uint64_t end_ns;
};

/* The deadlines that need no arguments: a with statement's wait, and a
 * call that must not block (*_nowait, blocking=False). */
extern const struct lfkp_deadline lfkp_forever, lfkp_nowait;

/* queue.Queue's (block, timeout): block false -> never block; timeout None
 * -> forever; else seconds >= 0 (ValueError if negative).  0 or -1 with an
 * exception set. */
int lfkp_deadline_from_queue_args(int block, PyObject *timeout,
				  struct lfkp_deadline *d);

/* What a negative timeout means to the class's standard-library twin:
 * ValueError (Queue.join, Lock.acquire), or do not wait (Event.wait,
 * Semaphore.acquire). */
enum lfkp_negative {
	LFKP_NEGATIVE_IS_ERROR,
	LFKP_NEGATIVE_IS_NOWAIT
};

/* threading's timeout in seconds, as a double or a Python number (None:
 * forever); a negative one as `neg` says.  0 or -1 with an exception. */
int lfkp_deadline_from_seconds(double seconds, enum lfkp_negative neg,
			       struct lfkp_deadline *d);
int lfkp_deadline_from_timeout(PyObject *timeout, enum lfkp_negative neg,
			       struct lfkp_deadline *d);

/* One attempt of a blocking operation: 0 done, a negative errno, or
 * -EAGAIN / -ETIMEDOUT when it would block (after waiting up to
 * timeout_ns; 0 must not block). */
typedef int (*lfkp_op_fn)(void *arg, uint64_t timeout_ns);

/* The waits on an struct lfk_event / struct lfk_sem (arg) as lfkp_op_fn: the one
 * place each of lfk_event_wait and lfk_sem_wait is called (sync_types.c).
 * Timeout 0 tries without blocking. */
int lfkp_event_op(void *arg, uint64_t timeout_ns);
int lfkp_sem_op(void *arg, uint64_t timeout_ns);

/* The result of lfkp_block when a signal handler raised (exception set). */
#define LFKP_RAISED (-100000)

/*
 * Tries op once with the GIL held and timeout 0 (the fast path); if it
 * would block and the deadline allows, calls it again with the GIL
 * released, at most LFKP_SLICE_NS at a time, running the signal handlers
 * between slices.  Returns op's result, -ETIMEDOUT when the deadline passed
 * (-EAGAIN for a non-blocking deadline), or LFKP_RAISED.
 * op must be safe to run without the GIL.
 */
int lfkp_block(lfkp_op_fn op, void *arg, const struct lfkp_deadline *d);

/* lfkp_block whose first try also runs without the GIL (release_first):
 * for operations that copy many bytes even when they need not wait. */
int lfkp_block_ex(lfkp_op_fn op, void *arg, const struct lfkp_deadline *d,
		  int release_first);

/* Whether rc means "would block" (-EAGAIN, or -ETIMEDOUT from a wait
 * given timeout 0). */
static inline int lfkp_would_block(int rc)
{
	return rc == -EAGAIN || rc == -ETIMEDOUT;
}

/* A queue operation's failure rc as an exception: ShutDown for -EPIPE,
 * would_block (queue.Full or queue.Empty) when it would block or timed
 * out, nothing new for LFKP_RAISED, else lfkp_raise.  Returns NULL. */
PyObject *lfkp_queue_error(int rc, PyObject *would_block, const char *what);

/* A PyMethodDef's function and flags for a METH_VARARGS | METH_KEYWORDS
 * method (the cast through void (*)(void) keeps -Wcast-function-type
 * quiet). */
#define KW_METH(f)                                                             \
	(PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS

/* The head of a class's PyTypeObject: its Python name, the C struct of its
 * objects, the flags every lfkit class has (subclassable). */
#define LFKP_TYPE_HEAD(pyname, obj_struct)                                     \
	PyVarObject_HEAD_INIT(NULL, 0) /* ends in a comma of its own */        \
		.tp_name = (pyname),                                           \
		.tp_basicsize = sizeof(obj_struct),                            \
		.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE

/* Bytes from which a copy releases the GIL. */
#define LFKP_BIG_COPY 16384

/* ---- shared regions (region.c) ------------------------------------------- */

/* The name of the one object in a class's region. */
#define LFKP_OBJ_NAME "obj"

/*
 * Every cross-process class is one object in a region of its own.  The
 * region's name travels in pickles (__reduce__), so an object passes to a
 * multiprocessing child under fork and spawn alike; the process that
 * created the region removes its name when its object is freed (other
 * processes keep their mapping; attaching after that gives
 * FileNotFoundError).
 */
typedef struct {
	PyObject_HEAD struct lfk_shm *shm;
	char name[LFK_SHM_REGION_NAME_MAX + 1];
	pid_t creator; /* pid that unlinks the name, 0 for attached copies */
	void *obj; /* the object in this process's mapping */
} lfkp_shared;

/* How a class attaches its object in an opened region: 0 or a negative
 * errno. */
typedef int (*lfkp_attach_fn)(lfkp_shared *self);

/*
 * Creates the region for a new object: name NULL makes one up; bytes is
 * what the object needs.  0, or -1 with FileExistsError / ValueError /
 * OSError set.
 */
int lfkp_shared_create(lfkp_shared *self, const char *name, size_t bytes);

/* tp_alloc and lfkp_shared_create: the object, or NULL with an exception. */
lfkp_shared *lfkp_shared_new(PyTypeObject *type, const char *name,
			     size_t bytes);

/* Finishes a create: on rc < 0 removes the region and raises; returns the
 * object or NULL. */
PyObject *lfkp_shared_created(lfkp_shared *self, int rc, const char *what);

/* Readies a shared class, records its attach (its tp_new creates; attach
 * opens) and adds it to the module.  0 or -1 with an exception. */
int lfkp_shared_add_type(PyObject *m, const char *name, PyTypeObject *type,
			 lfkp_attach_fn attach);

/* Objects kept in the region's raw bytes under `name`, behind a magic
 * number of the class: creates or attaches `size` bytes, at *out.  0 or a
 * negative errno (-EPROTO: not this class's region). */
int lfkp_shared_bytes_create(lfkp_shared *self, const char *name,
			     uint64_t magic, size_t size, void **out);
int lfkp_shared_bytes_attach(lfkp_shared *self, const char *name,
			     uint64_t magic, size_t size, void **out);

/* Adds _attach to the module (after the base type is ready). */
int lfkp_shared_ready(PyObject *m);

/* The base type: name, __reduce__, attach(name), close(). */
extern PyTypeObject lfkp_shared_type;

/* LFKP_TYPE_HEAD of a class over a shared region (a subclass of
 * lfkp_shared_type). */
#define LFKP_SHARED_TYPE_HEAD(pyname, obj_struct)                              \
	LFKP_TYPE_HEAD(pyname, obj_struct), .tp_base = &lfkp_shared_type

/* Raises ValueError when the object was closed; 0 if usable. */
int lfkp_shared_check(lfkp_shared *self);

/* ---- the classes --------------------------------------------------------- */
extern PyTypeObject lfkp_queue_type;
extern PyTypeObject lfkp_lock_type, lfkp_event_type, lfkp_sem_type;
extern PyTypeObject lfkp_counter_type;
extern PyTypeObject lfkp_sharedarray_type;
extern PyTypeObject lfkp_sharedqueue_type;

/* Each file's type registration: 0 or -1 with an exception. */
int lfkp_sync_types_ready(PyObject *m);
int lfkp_counter_ready(PyObject *m);
int lfkp_sharedarray_ready(PyObject *m);
int lfkp_sharedqueue_ready(PyObject *m);

#endif
