/* SPDX-License-Identifier: MIT */
/*
 * sharedqueue.c - lfkit.SharedQueue: multiprocessing.Queue over an
 * lfk_msgring in a shared region.
 *
 * The region (region.c; pickled as its name, so a SharedQueue passes to a
 * child under fork and spawn) holds three objects:
 *   "obj"    the message ring, many producers (LFK_MSGRING_MP), shared;
 *   "meta"   the consumers' lock, the message count, maxsize;
 *   "slots"  with maxsize > 0, a semaphore of free places.
 * put pickles the object and copies the pickle into the ring (put_bytes
 * copies a bytes-like object as it is); get unpickles straight from the
 * message in place and then frees it (get_bytes copies it out).  No feeder
 * thread, no pipe: a put returns when its message is in the ring.
 *
 * lfk_msgring has one consumer; consumers of a SharedQueue take turns
 * through a robust process-shared mutex (lfk_ref_mutex, LFK_SYNC_SHARED):
 * the one holding it waits for a message (lfk_msgring_wait_readable), the
 * others wait for the lock.  A consumer killed while holding it leaves
 * nothing behind: the next locker gets EOWNERDEAD, and the message it may
 * have been reading is still at the head (head moves only at release).
 * A producer killed between its claim and its commit costs its message
 * only: the waiting consumer repairs the record once the producer is gone
 * (lfk_msgring_wait_readable does), so the other producers go on.  With
 * maxsize, a producer killed between taking a place and publishing its
 * message loses that place for good (the queue holds one less).
 *
 * The ring's data space is twice ring_bytes and a message holds at most
 * ring_bytes - 16 bytes: a record that does not fit before the ring's end
 * leaves a padding record there, which only the consumer frees; at most
 * half the space, a record and its padding always fit a ring the consumer
 * has emptied, so a put into an empty queue never waits for a get (with a
 * message of the whole space, a process that puts and then gets would wait
 * for itself).
 *
 * maxsize <= 0 (as multiprocessing.Queue, unbounded): bounded only by the
 * ring's bytes (ring_bytes): put then waits for room, where
 * multiprocessing.Queue's feeder thread would wait on the pipe instead.
 * Messages longer than the ring can ever hold raise ValueError.
 */
#include "lfkit_py.h"

#include <string.h>

#include <lfkit/atomic.h>
#include <lfkit/msgring.h>
#include <lfkit/ref/sync.h>
#include <lfkit/sync.h>

#define SQ_META_MAGIC 0x3254454d51535046ull /* "FPSQMET2" */
#define SQ_META_NAME "meta"
#define SQ_SLOTS_NAME "slots"
#define SQ_DEFAULT_BYTES (1u << 20)

struct sq_meta {
	struct lfk_ref_mutex consumers; /* robust: one consumer at a time */
	int64_t maxsize; /* <= 0: unbounded */
	/* Messages put and taken, for qsize (their difference), each on a
	 * line of its own: a put and a get then share no line here (one
	 * shared count moved a line between the processes per message). */
	uint64_t put __attribute__((aligned(LFK_CACHELINE)));
	uint64_t got __attribute__((aligned(LFK_CACHELINE)));
};

typedef struct {
	lfkp_shared base; /* base.obj: the ring */
	struct sq_meta *meta;
	struct lfk_sem *slots; /* NULL unless maxsize > 0 */
	int closed_here; /* close(): no more puts from this handle */
} sq_obj;

#define RING(self) ((struct lfk_msgring *)(self)->base.obj)

static PyObject *pickle_dumps, *pickle_loads, *pickle_protocol;

/* ---- creation and attach ------------------------------------------------- */

static int sq_attach(lfkp_shared *base)
{
	sq_obj *self = (sq_obj *)base;
	int rc = lfk_shm_msgring_attach(base->shm, LFKP_OBJ_NAME,
					(struct lfk_msgring **)&base->obj);
	if (rc == 0)
		rc = lfkp_shared_bytes_attach(base, SQ_META_NAME, SQ_META_MAGIC,
					      sizeof(struct sq_meta),
					      (void **)&self->meta);
	if (rc == 0 && self->meta->maxsize > 0)
		rc = lfk_shm_sem_attach(base->shm, SQ_SLOTS_NAME, &self->slots);
	if (rc < 0)
		base->obj = NULL;
	return rc;
}

/* The smallest power of two >= n (n <= 2^40), so any ring_bytes works. */
static size_t round_pow2(size_t n)
{
	size_t p = LFK_MSGRING_MIN_BYTES;
	while (p < n)
		p <<= 1;
	return p;
}

static int sq_build(sq_obj *self, size_t ring_bytes, long long maxsize)
{
	lfkp_shared *base = &self->base;
	int rc = lfk_shm_msgring_create(base->shm, LFKP_OBJ_NAME, ring_bytes,
					LFK_MSGRING_MP,
					(struct lfk_msgring **)&base->obj);
	if (rc == 0)
		rc = lfkp_shared_bytes_create(base, SQ_META_NAME, SQ_META_MAGIC,
					      sizeof(struct sq_meta),
					      (void **)&self->meta);
	if (rc == 0)
		rc = lfk_ref_mutex_init(&self->meta->consumers,
					LFK_SYNC_SHARED);
	if (rc == 0 && maxsize > 0)
		rc = lfk_shm_sem_create(base->shm, SQ_SLOTS_NAME,
					(uint32_t)maxsize, &self->slots);
	if (rc == 0)
		self->meta->maxsize = maxsize;
	return rc;
}

/* The largest message: half the data space less a header (see the top). */
static size_t sq_max_message(sq_obj *self)
{
	return lfk_msgring_bytes(RING(self)) / 2 - LFK_MSGRING_HDR;
}

static PyObject *sq_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "maxsize", "ring_bytes", "name", NULL };
	long long maxsize = 0;
	Py_ssize_t ring_bytes = SQ_DEFAULT_BYTES;
	const char *name = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|Ln$z:SharedQueue", kwlist,
					 &maxsize, &ring_bytes, &name))
		return NULL;
	if (maxsize > (long long)LFK_SEM_VALUE_MAX || ring_bytes <= 0 ||
	    (uint64_t)ring_bytes > LFK_MSGRING_MAX_BYTES / 2) {
		PyErr_SetString(PyExc_ValueError,
				"SharedQueue: maxsize above 2**31 - 1, or "
				"ring_bytes not in 1 .. 2**29");
		return NULL;
	}
	size_t bytes = 2 * round_pow2((size_t)ring_bytes); /* see the top */
	size_t need = lfk_msgring_size(bytes);
	if (need == 0 || need > SIZE_MAX - 4096) {
		PyErr_SetString(PyExc_ValueError,
				"SharedQueue: bad ring_bytes");
		return NULL;
	}
	/* The ring, the meta record and the semaphore, each aligned. */
	lfkp_shared *self = lfkp_shared_new(type, name, need + 4096);
	if (self == NULL)
		return NULL;
	return lfkp_shared_created(
		self, sq_build((sq_obj *)self, bytes, maxsize), "SharedQueue");
}

/* ---- put ----------------------------------------------------------------- */

struct send_op {
	struct lfk_msgring *ring;
	const void *buf;
	size_t len;
};

static int send_op(void *arg, uint64_t timeout_ns)
{
	struct send_op *o = arg;
	return lfk_msgring_send(o->ring, o->buf, o->len, timeout_ns);
}

/* One message in: 0, or -1 with an exception. */
static int sq_send(sq_obj *self, const void *buf, size_t len,
		   const struct lfkp_deadline *d)
{
	int rc;
	if (lfkp_shared_check(&self->base) < 0)
		return -1;
	if (self->closed_here) {
		PyErr_SetString(PyExc_ValueError, "SharedQueue is closed");
		return -1;
	}
	if (len > sq_max_message(self)) {
		PyErr_Format(PyExc_ValueError,
			     "message of %zu bytes: this SharedQueue holds at "
			     "most %zu (ring_bytes)",
			     len, sq_max_message(self));
		return -1;
	}
	if (self->slots != NULL) {
		rc = lfkp_block(lfkp_sem_op, self->slots, d);
		if (rc != 0)
			goto fail;
	}
	struct send_op o = { RING(self), buf, len };
	rc = lfkp_block_ex(send_op, &o, d, len >= LFKP_BIG_COPY);
	if (rc == 0) {
		/* Relaxed: a statistic for qsize, ordering nothing. */
		lfk_atomic_fetch_add_u64(&self->meta->put, 1, LFK_RELAXED);
		return 0;
	}
	if (self->slots != NULL)
		lfk_sem_post(self->slots);
fail:
	lfkp_queue_error(rc, lfkp_Full, "SharedQueue.put");
	return -1;
}

static int sq_send_bytes(sq_obj *self, PyObject *data,
			 const struct lfkp_deadline *d)
{
	Py_buffer view;
	if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
		return -1;
	int rc = sq_send(self, view.buf, (size_t)view.len, d);
	PyBuffer_Release(&view);
	return rc;
}

static int sq_send_object(sq_obj *self, PyObject *obj,
			  const struct lfkp_deadline *d)
{
	PyObject *b = PyObject_CallFunctionObjArgs(pickle_dumps, obj,
						   pickle_protocol, NULL);
	if (b == NULL)
		return -1;
	int rc = sq_send(self, PyBytes_AS_STRING(b),
			 (size_t)PyBytes_GET_SIZE(b), d);
	Py_DECREF(b);
	return rc;
}

/* put(obj, block=True, timeout=None) and put_bytes(data, ...). */
static PyObject *sq_put_common(sq_obj *self, PyObject *args, PyObject *kw,
			       int raw)
{
	static char *kwlist[] = { "obj", "block", "timeout", NULL };
	PyObject *obj, *timeout = Py_None;
	int block = 1;
	struct lfkp_deadline d;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|pO", kwlist, &obj, &block,
					 &timeout) ||
	    lfkp_deadline_from_queue_args(block, timeout, &d) < 0)
		return NULL;
	int rc = raw ? sq_send_bytes(self, obj, &d)
		     : sq_send_object(self, obj, &d);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *sq_put(sq_obj *self, PyObject *args, PyObject *kw)
{
	return sq_put_common(self, args, kw, 0);
}

static PyObject *sq_put_bytes(sq_obj *self, PyObject *args, PyObject *kw)
{
	return sq_put_common(self, args, kw, 1);
}

static PyObject *sq_put_nowait(sq_obj *self, PyObject *obj)
{
	if (sq_send_object(self, obj, &lfkp_nowait) < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* put_many(iterable, block=True, timeout=None) -> number put.  The
 * timeout covers the whole batch. */
static PyObject *sq_put_many(sq_obj *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "objs", "block", "timeout", "raw", NULL };
	PyObject *objs, *timeout = Py_None;
	int block = 1, raw = 0;
	struct lfkp_deadline d;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|pO$p:put_many", kwlist,
					 &objs, &block, &timeout, &raw) ||
	    lfkp_deadline_from_queue_args(block, timeout, &d) < 0)
		return NULL;
	PyObject *it = PyObject_GetIter(objs), *obj;
	if (it == NULL)
		return NULL;
	Py_ssize_t n = 0;
	while ((obj = PyIter_Next(it)) != NULL) {
		int rc = raw ? sq_send_bytes(self, obj, &d)
			     : sq_send_object(self, obj, &d);
		Py_DECREF(obj);
		if (rc < 0)
			break;
		n++;
	}
	Py_DECREF(it);
	if (PyErr_Occurred())
		return NULL;
	return PyLong_FromSsize_t(n);
}

/* ---- get ----------------------------------------------------------------- */

static int consumer_lock_op(void *arg, uint64_t timeout_ns)
{
	int rc = timeout_ns == 0 ? lfk_ref_mutex_trylock(arg)
				 : lfk_ref_mutex_timedlock(arg, timeout_ns);
	/* A consumer died holding it: the ring itself needs no repair (its
	 * head moves only at release). */
	return rc == -EOWNERDEAD ? 0 : rc;
}

static int readable_op(void *arg, uint64_t timeout_ns)
{
	return lfk_msgring_wait_readable(arg, timeout_ns);
}

/* The message as bytes (a copy; the GIL is released around a large one). */
static PyObject *message_bytes(const struct lfk_msgring_msg *m)
{
	PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)m->len);
	if (b == NULL)
		return NULL;
	if (m->len < LFKP_BIG_COPY) {
		memcpy(PyBytes_AS_STRING(b), m->data, m->len);
	} else {
		Py_BEGIN_ALLOW_THREADS memcpy(PyBytes_AS_STRING(b), m->data,
					      m->len);
		Py_END_ALLOW_THREADS
	}
	return b;
}

/* The message in place as what the caller wants: bytes (a copy) or the
 * unpickled object.  A small pickle is copied out first: a bytes object
 * and loads() on it cost less than a memoryview, loads() through the
 * buffer protocol and its release (a put and get of an 8-byte object
 * in one process, builds before and after run alternately: 0.71x the
 * time, 714-731 ns before, 501-509 after); a large one is unpickled
 * straight from the ring. */
static PyObject *take_message(const struct lfk_msgring_msg *m, int raw)
{
	if (raw || m->len < LFKP_BIG_COPY) {
		PyObject *b = message_bytes(m), *obj;
		if (raw || b == NULL)
			return b;
		obj = PyObject_CallOneArg(pickle_loads, b);
		Py_DECREF(b);
		return obj;
	}
	PyObject *view = PyMemoryView_FromMemory(
		(char *)m->data, (Py_ssize_t)m->len, PyBUF_READ);
	if (view == NULL)
		return NULL;
	PyObject *obj = PyObject_CallOneArg(pickle_loads, view);
	/* The memory is about to be reused: nobody may keep reading it. */
	PyObject *r = PyObject_CallMethod(view, "release", NULL);
	Py_XDECREF(r);
	if (r == NULL && obj != NULL)
		Py_CLEAR(obj);
	Py_DECREF(view);
	return obj;
}

/*
 * Takes up to max messages (at least one, waiting as d allows) with the
 * consumers' lock held; appends them to list, or returns the one message
 * when list is NULL.  NULL with an exception (Empty, ShutDown, ...).
 */
static PyObject *sq_take(sq_obj *self, const struct lfkp_deadline *d,
			 Py_ssize_t max, int raw, PyObject *list)
{
	struct lfk_msgring *ring = RING(self);
	PyObject *one = NULL;
	int rc;
	if (lfkp_shared_check(&self->base) < 0)
		return NULL;
	rc = lfkp_block(consumer_lock_op, &self->meta->consumers, d);
	if (rc != 0)
		goto fail;
	rc = lfkp_block(readable_op, ring, d);
	for (Py_ssize_t n = 0; rc == 0 && n < max; n++) {
		struct lfk_msgring_msg m;
		int r = lfk_msgring_read(ring, &m);
		if (r != 0) { /* a batch takes what is there */
			if (n == 0)
				rc = r;
			break;
		}
		PyObject *obj = take_message(&m, raw);
		lfk_msgring_release(
			ring, &m); /* consumed, even if unpickling failed */
		/* Relaxed: a statistic (see put); only the holder of the
		 * consumers' lock writes it, so no locked add is needed. */
		lfk_atomic_store_u64(
			&self->meta->got,
			lfk_atomic_load_u64(&self->meta->got, LFK_RELAXED) + 1,
			LFK_RELAXED);
		if (self->slots != NULL)
			lfk_sem_post(self->slots);
		if (obj == NULL) {
			rc = LFKP_RAISED;
			break;
		}
		if (list == NULL) {
			one = obj;
			break;
		}
		int bad = PyList_Append(list, obj);
		Py_DECREF(obj);
		if (bad) {
			rc = LFKP_RAISED;
			break;
		}
	}
	lfk_ref_mutex_unlock(&self->meta->consumers);
	if (rc == 0)
		return list != NULL ? list : one;
fail:
	Py_XDECREF(one);
	return lfkp_queue_error(rc, lfkp_Empty, "SharedQueue.get");
}

static PyObject *sq_get_common(sq_obj *self, PyObject *args, PyObject *kw,
			       int raw)
{
	static char *kwlist[] = { "block", "timeout", NULL };
	PyObject *timeout = Py_None;
	int block = 1;
	struct lfkp_deadline d;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pO", kwlist, &block,
					 &timeout) ||
	    lfkp_deadline_from_queue_args(block, timeout, &d) < 0)
		return NULL;
	return sq_take(self, &d, 1, raw, NULL);
}

static PyObject *sq_get(sq_obj *self, PyObject *args, PyObject *kw)
{
	return sq_get_common(self, args, kw, 0);
}

static PyObject *sq_get_bytes(sq_obj *self, PyObject *args, PyObject *kw)
{
	return sq_get_common(self, args, kw, 1);
}

static PyObject *sq_get_nowait(sq_obj *self, PyObject *unused)
{
	(void)unused;
	return sq_take(self, &lfkp_nowait, 1, 0, NULL);
}

/* get_many(max_items, block=True, timeout=None, *, raw=False) -> list:
 * waits for the first message as get does, then takes what is there, up
 * to max_items. */
static PyObject *sq_get_many(sq_obj *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "max_items", "block", "timeout", "raw",
				  NULL };
	Py_ssize_t max;
	PyObject *timeout = Py_None;
	int block = 1, raw = 0;
	struct lfkp_deadline d;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "n|pO$p:get_many", kwlist,
					 &max, &block, &timeout, &raw) ||
	    lfkp_deadline_from_queue_args(block, timeout, &d) < 0)
		return NULL;
	if (max < 1) {
		PyErr_SetString(PyExc_ValueError, "max_items must be >= 1");
		return NULL;
	}
	PyObject *list = PyList_New(0);
	if (list == NULL)
		return NULL;
	if (sq_take(self, &d, max, raw, list) == NULL) {
		Py_DECREF(list);
		return NULL;
	}
	return list;
}

/* ---- sizes and ends ------------------------------------------------------ */

static long long sq_count(sq_obj *self)
{
	/* Relaxed: statistics; put first, so that a put or get between the
	 * two loads can only make the difference smaller, never larger. */
	uint64_t put = lfk_atomic_load_u64(&self->meta->put, LFK_RELAXED);
	int64_t n = (int64_t)(put - lfk_atomic_load_u64(&self->meta->got,
							LFK_RELAXED));
	return n < 0 ? 0 : n; /* a get counted before its put */
}

static PyObject *sq_qsize(sq_obj *self, PyObject *unused)
{
	(void)unused;
	if (lfkp_shared_check(&self->base) < 0)
		return NULL;
	return PyLong_FromLongLong(sq_count(self));
}

static PyObject *sq_empty(sq_obj *self, PyObject *unused)
{
	(void)unused;
	if (lfkp_shared_check(&self->base) < 0)
		return NULL;
	return PyBool_FromLong(sq_count(self) == 0);
}

static PyObject *sq_full(sq_obj *self, PyObject *unused)
{
	(void)unused;
	if (lfkp_shared_check(&self->base) < 0)
		return NULL;
	return PyBool_FromLong(self->meta->maxsize > 0 &&
			       sq_count(self) >= self->meta->maxsize);
}

static PyObject *sq_close(sq_obj *self, PyObject *unused)
{
	(void)unused;
	self->closed_here = 1;
	Py_RETURN_NONE;
}

static PyObject *sq_nothing(sq_obj *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	Py_RETURN_NONE;
}

static PyObject *sq_shutdown(sq_obj *self, PyObject *unused)
{
	(void)unused;
	if (lfkp_shared_check(&self->base) < 0)
		return NULL;
	lfk_msgring_close(RING(self));
	Py_RETURN_NONE;
}

static PyObject *sq_get_maxsize(sq_obj *self, void *unused)
{
	(void)unused;
	if (lfkp_shared_check(&self->base) < 0)
		return NULL;
	return PyLong_FromLongLong(self->meta->maxsize);
}

static PyObject *sq_get_max_message(sq_obj *self, void *unused)
{
	(void)unused;
	if (lfkp_shared_check(&self->base) < 0)
		return NULL;
	return PyLong_FromSize_t(sq_max_message(self));
}

static PyMethodDef sq_methods[] = {
	{ "put", KW_METH(sq_put),
	  "put(obj, block=True, timeout=None): pickles obj into the queue; "
	  "queue.Full, ValueError (too large for the ring, or close()d), "
	  "ShutDown after shutdown()." },
	{ "put_nowait", (PyCFunction)sq_put_nowait, METH_O,
	  "put(obj, False)." },
	{ "put_bytes", KW_METH(sq_put_bytes),
	  "put_bytes(data, block=True, timeout=None): a bytes-like payload, "
	  "copied as it is (no pickling)." },
	{ "put_many", KW_METH(sq_put_many),
	  "put_many(objs, block=True, timeout=None, *, raw=False) -> count: "
	  "puts each object (raw: bytes-like payloads) in order." },
	{ "get", KW_METH(sq_get),
	  "get(block=True, timeout=None): the next object; queue.Empty, or "
	  "ShutDown once shut down and drained." },
	{ "get_nowait", (PyCFunction)sq_get_nowait, METH_NOARGS,
	  "get(False)." },
	{ "get_bytes", KW_METH(sq_get_bytes),
	  "get_bytes(block=True, timeout=None) -> bytes: a message put with "
	  "put_bytes." },
	{ "get_many", KW_METH(sq_get_many),
	  "get_many(max_items, block=True, timeout=None, *, raw=False) -> "
	  "list: waits for one message, then takes those already there, up "
	  "to max_items." },
	{ "qsize", (PyCFunction)sq_qsize, METH_NOARGS,
	  "Messages in the queue (approximate)." },
	{ "empty", (PyCFunction)sq_empty, METH_NOARGS, "qsize() == 0." },
	{ "full", (PyCFunction)sq_full, METH_NOARGS,
	  "0 < maxsize <= qsize()." },
	{ "close", (PyCFunction)sq_close, METH_NOARGS,
	  "This handle puts no more (as multiprocessing.Queue.close)." },
	{ "join_thread", (PyCFunction)sq_nothing, METH_NOARGS,
	  "Nothing to do: there is no feeder thread." },
	{ "cancel_join_thread", (PyCFunction)sq_nothing, METH_NOARGS,
	  "Nothing to do: there is no feeder thread." },
	{ "shutdown", (PyCFunction)sq_shutdown, METH_NOARGS,
	  "For every process: puts raise ShutDown; gets drain what is left, "
	  "then raise it." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef sq_getset[] = {
	{ "maxsize", (getter)sq_get_maxsize, NULL, "maxsize at creation.",
	  NULL },
	{ "max_message", (getter)sq_get_max_message, NULL,
	  "The longest message (pickle) the ring can hold.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject lfkp_sharedqueue_type = {
	LFKP_SHARED_TYPE_HEAD("lfkit.SharedQueue", sq_obj),
	.tp_doc = "SharedQueue(maxsize=0, ring_bytes=1 << 20, *, name=None): "
		  "a drop-in for multiprocessing.Queue over an lfk_msgring in "
		  "shared memory (picklable: pass it to Process under fork or "
		  "spawn).  put_bytes/get_bytes skip pickling; put_many/"
		  "get_many move batches.",
	.tp_methods = sq_methods,
	.tp_getset = sq_getset,
	.tp_new = sq_new,
};

int lfkp_sharedqueue_ready(PyObject *m)
{
	const struct lfkp_attr pickle[] = {
		{ "dumps", &pickle_dumps },
		{ "loads", &pickle_loads },
		{ "HIGHEST_PROTOCOL", &pickle_protocol },
	};
	if (lfkp_import_attrs("pickle", pickle, 3) < 0)
		return -1;
	return lfkp_shared_add_type(m, "SharedQueue", &lfkp_sharedqueue_type,
				    sq_attach);
}
