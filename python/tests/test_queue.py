"""lfkit.Queue against queue.Queue: the same calls give the same results and
exceptions; threads move every item exactly once; timeouts, shutdown, join
and references behave as in the standard library."""
import queue
import sys
import threading
import time

import pytest

import lfkit
from helpers import Budget, seeded_random, stress_bounds


def outcome(fn, *args, **kw):
    try:
        return ("ok", fn(*args, **kw))
    except (queue.Full, queue.Empty, ValueError) as e:
        return ("raise", type(e))


@pytest.mark.parametrize("maxsize", [0, -1, 1, 3, 7, 2000])
def test_random_ops_match_queue_queue(maxsize):
    rnd = seeded_random()
    ours, ref = lfkit.Queue(maxsize), queue.Queue(maxsize)
    assert ours.maxsize == ref.maxsize
    serial = 0
    for step in range(3000):
        op = rnd.choice(["put", "put", "get", "qsize", "empty", "full",
                         "task_done"] * 20 + ["burst"])
        if op == "put":
            serial += 1
            got = (outcome(ours.put_nowait, serial),
                   outcome(ref.put_nowait, serial))
        elif op == "burst":  # crosses the unbounded queue's segments
            for _ in range(rnd.randrange(1500)):
                serial += 1
                got = (outcome(ours.put, serial, block=False),
                       outcome(ref.put, serial, block=False))
                assert got[0] == got[1], (step, op)
            continue
        elif op == "get":
            got = (outcome(ours.get_nowait), outcome(ref.get_nowait))
        elif op == "task_done":
            got = (outcome(ours.task_done), outcome(ref.task_done))
        else:
            got = (outcome(getattr(ours, op)), outcome(getattr(ref, op)))
        assert got[0] == got[1], (step, op)
        assert ours.unfinished_tasks == ref.unfinished_tasks


def test_objects_stay_python_objects():
    q = lfkit.Queue()
    obj = object()
    before = sys.getrefcount(obj)
    q.put(obj)
    assert sys.getrefcount(obj) == before + 1
    assert q.get() is obj
    assert sys.getrefcount(obj) == before
    for _ in range(3000):  # left in a grown queue: released with it
        q.put(obj)
    del q
    assert sys.getrefcount(obj) == before


@pytest.mark.parametrize("maxsize", [0, 16])
def test_threads_move_every_item_once(maxsize):
    items, seconds = stress_bounds()
    producers, consumers = 3, 3
    q = lfkit.Queue(maxsize)
    budget = Budget(seconds)
    sent = [0] * producers
    got = [[] for _ in range(consumers)]

    def produce(p):
        n = 0
        while n < items // producers and budget.left():
            q.put((p, n))
            n += 1
        sent[p] = n

    def consume(c):
        while True:
            item = q.get()
            if item is None:
                return
            got[c].append(item)
            q.task_done()

    cs = [threading.Thread(target=consume, args=(c,)) for c in range(consumers)]
    ps = [threading.Thread(target=produce, args=(p,)) for p in range(producers)]
    for t in cs + ps:
        t.start()
    for t in ps:
        t.join()
    q.join()  # every item task_done'd
    for _ in cs:
        q.put(None)
    for t in cs:
        t.join()
    total = sum(len(g) for g in got)
    assert total == sum(sent)
    # Per producer, each consumer sees its items in order; together all of
    # them exactly once (count and checksum).
    for g in got:
        for p in range(producers):
            seq = [n for (pp, n) in g if pp == p]
            assert seq == sorted(seq)
    everything = sorted(x for g in got for x in g)
    assert everything == sorted((p, n) for p in range(producers)
                                for n in range(sent[p]))


def test_waiting_getter_sees_items_across_grown_segments():
    q = lfkit.Queue()
    out = []
    t = threading.Thread(target=lambda: out.extend(q.get() for _ in range(5000)))
    t.start()
    for i in range(5000):  # grows the chain while the getter waits on it
        q.put(i)
    t.join()
    assert out == list(range(5000))


def test_timeouts_are_honoured():
    q = lfkit.Queue(1)
    t0 = time.monotonic()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.1)
    assert time.monotonic() - t0 >= 0.1
    q.put(1)
    t0 = time.monotonic()
    with pytest.raises(queue.Full):
        q.put(2, timeout=0.1)
    assert time.monotonic() - t0 >= 0.1
    with pytest.raises(queue.Full):
        q.put(2, timeout=0)
    with pytest.raises(queue.Full):
        q.put(2, False, 5)


def test_bad_arguments():
    q = lfkit.Queue(2)
    with pytest.raises(ValueError):
        q.get(timeout=-1)
    with pytest.raises(ValueError):
        q.put(1, timeout=-0.5)
    with pytest.raises(ValueError):
        q.task_done()
    with pytest.raises(ValueError):
        lfkit.Queue(1 << 40)
    with pytest.raises(TypeError):
        q.get(timeout="soon")
    with pytest.raises(TypeError):
        lfkit.Queue("big")


def test_wait_releases_the_gil():
    # The getter waits in C; the put below can only run if it released
    # the GIL while waiting.
    q = lfkit.Queue()
    out = []
    t = threading.Thread(target=lambda: out.append(q.get(timeout=30)))
    t.start()
    time.sleep(0.05)
    q.put("x")
    t.join()
    assert out == ["x"]


@pytest.mark.parametrize("maxsize", [0, 1])
def test_shutdown_wakes_getters_and_putters(maxsize):
    q = lfkit.Queue(maxsize)
    results = []

    def getter():
        try:
            q.get()
        except lfkit.ShutDown:
            results.append("get")

    def putter():
        try:
            q.put(1)
            q.put(2)  # full when maxsize is 1
        except lfkit.ShutDown:
            results.append("put")

    threads = [threading.Thread(target=getter)]
    if maxsize:
        threads[0] = threading.Thread(target=putter)
    for t in threads:
        t.start()
    time.sleep(0.1)
    q.shutdown()
    for t in threads:
        t.join()
    assert results == (["put"] if maxsize else ["get"])
    assert q.is_shutdown
    with pytest.raises(lfkit.ShutDown):
        q.put(3)


def test_shutdown_drains_then_raises():
    q = lfkit.Queue()
    for i in range(3000):
        q.put(i)
    q.shutdown()
    assert [q.get() for _ in range(3000)] == list(range(3000))
    with pytest.raises(lfkit.ShutDown):
        q.get()
    with pytest.raises(lfkit.ShutDown):
        q.get_nowait()


def test_shutdown_immediate_empties_and_releases_join():
    q = lfkit.Queue()
    for i in range(10):
        q.put(i)
    q.get()
    t = threading.Thread(target=q.join)
    t.start()
    q.shutdown(immediate=True)
    assert q.qsize() == 0
    # The one item got but never task_done'd keeps join waiting, as in
    # queue.Queue.
    assert q.unfinished_tasks == 1
    q.task_done()
    t.join()
    with pytest.raises(lfkit.ShutDown):
        q.get()


def test_join_timeout():
    q = lfkit.Queue()
    q.put(1)
    with pytest.raises(TimeoutError):
        q.join(timeout=0.05)
    q.get()
    q.task_done()
    q.join(timeout=0.05)


def test_shutdown_is_queue_shutdown_where_python_has_it():
    if hasattr(queue, "ShutDown"):
        assert lfkit.ShutDown is queue.ShutDown
    else:
        assert issubclass(lfkit.ShutDown, Exception)
