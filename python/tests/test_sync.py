"""lfkit.Lock, Event, Semaphore and Counter: the same results as threading's
on random operation sequences; exact counts across threads and across
processes started by fork and by spawn (the objects travel by pickling
their region's name); errors as the standard library raises them."""
import pickle
import threading

import pytest

import lfkit
from helpers import START_METHODS, Budget, context, seeded_random, stress_bounds


def outcome(fn, *args, **kw):
    try:
        return ("ok", fn(*args, **kw))
    except (RuntimeError, ValueError) as e:
        return ("raise", type(e))


def test_lock_random_ops_match_threading():
    rnd = seeded_random()
    ours, ref = lfkit.Lock(), threading.Lock()
    for step in range(2000):
        op = rnd.choice(["try", "timed", "release", "locked"])
        if op == "try":
            got = outcome(ours.acquire, False), outcome(ref.acquire, False)
        elif op == "timed":
            got = outcome(ours.acquire, True, 0), outcome(ref.acquire, True, 0)
        elif op == "release":
            got = outcome(ours.release), outcome(ref.release)
        else:
            got = outcome(ours.locked), outcome(ref.locked)
        assert got[0] == got[1], (step, op)


def test_semaphore_random_ops_match_threading():
    rnd = seeded_random()
    ours, ref = lfkit.Semaphore(2), threading.Semaphore(2)
    for step in range(2000):
        op = rnd.choice(["try", "timed", "release", "release_n"])
        if op == "try":
            got = outcome(ours.acquire, False), outcome(ref.acquire, False)
        elif op == "timed":
            got = (outcome(ours.acquire, timeout=0),
                   outcome(ref.acquire, timeout=0))
        elif op == "release":
            got = outcome(ours.release), outcome(ref.release)
        else:
            n = rnd.randrange(-1, 3)
            got = outcome(ours.release, n), outcome(ref.release, n)
        assert got[0] == got[1], (step, op)
        assert ours.value == ref._value


def test_event_random_ops_match_threading():
    rnd = seeded_random()
    ours, ref = lfkit.Event(), threading.Event()
    for step in range(2000):
        op = rnd.choice(["set", "clear", "is_set", "wait0", "wait_neg"])
        if op == "wait0":
            got = outcome(ours.wait, 0), outcome(ref.wait, 0)
        elif op == "wait_neg":
            got = outcome(ours.wait, -1), outcome(ref.wait, -1)
        else:
            got = outcome(getattr(ours, op)), outcome(getattr(ref, op))
        assert got[0] == got[1], (step, op)


def test_bad_arguments():
    with pytest.raises(ValueError):
        lfkit.Semaphore(-1)
    with pytest.raises(ValueError):
        lfkit.Lock().acquire(False, 1)
    with pytest.raises(ValueError):
        lfkit.Lock().acquire(True, -2)
    with pytest.raises(ValueError):  # as threading.Lock; not "forever"
        lfkit.Lock().acquire(True, float("nan"))
    with pytest.raises(ValueError):
        lfkit.Semaphore().acquire(False, 1)
    with pytest.raises(ValueError):
        lfkit.Semaphore().release(0)
    with pytest.raises(ValueError):
        lfkit.Semaphore(2**31 - 1).release()
    with pytest.raises(ValueError):
        lfkit.Event().wait(float("nan"))
    with pytest.raises(FileNotFoundError):
        lfkit.Event.attach("/lfkit-py-no-such-region")
    with pytest.raises(ValueError):
        lfkit.Lock(name="no-leading-slash")
    c = lfkit.Counter()
    with pytest.raises(FileExistsError):
        lfkit.Counter(name=c.name)
    with pytest.raises(ValueError):  # a Counter's region is not a Lock
        lfkit.Lock.attach(c.name)
    with pytest.raises(ValueError):  # nor an Event's
        lfkit.Event.attach(c.name)
    c.close()
    with pytest.raises(ValueError):
        c.add()
    with pytest.raises(FileNotFoundError):  # the creator removed the name
        lfkit.Counter.attach(c.name)


def test_timeouts_are_honoured():
    import time
    lock, ev, sem = lfkit.Lock(), lfkit.Event(), lfkit.Semaphore(0)
    lock.acquire()
    for call in (lambda: lock.acquire(timeout=0.1), lambda: ev.wait(0.1),
                 lambda: sem.acquire(timeout=0.1)):
        t0 = time.monotonic()
        assert call() is False
        assert time.monotonic() - t0 >= 0.1


def test_counter_threads():
    items, seconds = stress_bounds()
    c = lfkit.Counter(7)
    budget = Budget(seconds)
    added = [0] * 4

    def work(t):
        while added[t] < items // 4 and budget.left():
            c.add(1)
            added[t] += 1
        c.add(-1)

    ts = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert c.value == 7 + sum(added) - 4
    c.value = 3
    assert int(c) == 3 and c.add(2) == 5


def test_lock_excludes_threads():
    items, seconds = stress_bounds()
    lock = lfkit.Lock()
    budget = Budget(seconds)
    box = [0]
    done = [0] * 3

    def work(t):
        while done[t] < items // 10 and budget.left():
            with lock:
                v = box[0]
                threading.Event().wait(0) if v % 500 == 0 else None
                box[0] = v + 1
            done[t] += 1

    ts = [threading.Thread(target=work, args=(t,)) for t in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert box[0] == sum(done)


# ---- across processes ------------------------------------------------------

def locked_increments(lock, arr, counter, n, seconds):
    """Read-modify-write of a shared record under the lock, counted on the
    side: lost updates show (the record falls behind the count) if the lock
    ever lets two processes in.  Until n or the time bound."""
    budget = Budget(seconds)
    for _ in range(n):
        if not budget.left():
            break
        with lock:
            v = int.from_bytes(arr[0], "little")
            arr[0] = (v + 1).to_bytes(8, "little")
        counter.add(1)


@pytest.mark.parametrize("method", START_METHODS)
def test_lock_and_counter_across_processes(method):
    items, seconds = stress_bounds()
    ctx = context(method)
    lock, arr, counter = lfkit.Lock(), lfkit.SharedArray(1, 8), lfkit.Counter()
    args = (lock, arr, counter, items // 20, seconds)
    procs = [ctx.Process(target=locked_increments, args=args)
             for _ in range(2)]
    for p in procs:
        p.start()
    locked_increments(*args)
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert counter.value > 0
    assert int.from_bytes(arr[0], "little") == counter.value


def ping_pong(ev_go, ev_done, sem, n):
    ev_go.wait()
    for _ in range(n):
        sem.release()
    ev_done.set()


@pytest.mark.parametrize("method", START_METHODS)
def test_event_and_semaphore_across_processes(method):
    ctx = context(method)
    go, done, sem = lfkit.Event(), lfkit.Event(), lfkit.Semaphore(0)
    p = ctx.Process(target=ping_pong, args=(go, done, sem, 500))
    p.start()
    assert not sem.acquire(timeout=0.01)
    go.set()
    for _ in range(500):
        assert sem.acquire(timeout=30)
    assert done.wait(30)
    p.join()
    assert p.exitcode == 0
    assert not sem.acquire(False)


def test_pickle_attaches_the_same_memory():
    c = lfkit.Counter(1)
    d = pickle.loads(pickle.dumps(c))
    d.add(41)
    assert c.value == 42 and d.name == c.name and type(d) is lfkit.Counter
