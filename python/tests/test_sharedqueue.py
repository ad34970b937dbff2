"""lfkit.SharedQueue: multiprocessing.Queue's calls over a message ring in
shared memory.  Its synchronous results are checked against queue.Queue
(multiprocessing.Queue's own qsize/empty lag behind its feeder thread);
processes started by fork and by spawn move every message exactly once;
a producer killed with SIGKILL does not stop the others."""
import os
import queue
import signal
import threading
import time
import zlib

import pytest

import lfkit
from helpers import START_METHODS, Budget, context, seeded_random, stress_bounds

if not hasattr(lfkit, "SharedQueue"):
    pytest.skip("built without lfk_msgring", allow_module_level=True)


def outcome(fn, *args, **kw):
    try:
        return ("ok", fn(*args, **kw))
    except (queue.Full, queue.Empty, ValueError) as e:
        return ("raise", type(e))


@pytest.mark.parametrize("maxsize", [0, 1, 5])
def test_random_ops_match_queue_queue(maxsize):
    rnd = seeded_random()
    ours, ref = lfkit.SharedQueue(maxsize), queue.Queue(maxsize)
    for step in range(3000):
        op = rnd.choice(["put", "get", "qsize", "empty", "full"])
        if op == "put":
            obj = {"n": step, "blob": b"x" * rnd.randrange(300)}
            got = outcome(ours.put_nowait, obj), outcome(ref.put_nowait, obj)
        elif op == "get":
            got = outcome(ours.get_nowait), outcome(ref.get_nowait)
        else:
            got = outcome(getattr(ours, op)), outcome(getattr(ref, op))
        assert got[0] == got[1], (step, op)


def test_bytes_batches_and_sizes():
    q = lfkit.SharedQueue(ring_bytes=4096)
    q.put_bytes(b"abc")
    q.put_bytes(memoryview(b"xyz123")[3:])
    assert q.get_bytes() == b"abc" and q.get_bytes() == b"123"
    assert q.put_many([1, "two", (3,)]) == 3
    assert q.put_many([b"r1", b"r2"], raw=True) == 2
    assert q.get_many(3) == [1, "two", (3,)]
    assert q.get_many(10, raw=True) == [b"r1", b"r2"]
    big = b"B" * q.max_message
    q.put_bytes(big)
    assert q.get_bytes() == big
    with pytest.raises(ValueError):
        q.put_bytes(b"B" * (q.max_message + 1))
    with pytest.raises(ValueError):
        q.get_many(0)


def test_get_many_takes_what_is_there():
    q = lfkit.SharedQueue()
    q.put_many(range(10))
    assert q.get_many(4) == [0, 1, 2, 3]
    assert q.get_many(100) == list(range(4, 10))
    with pytest.raises(queue.Empty):
        q.get_many(5, timeout=0.05)
    q.put_many([b"a", b"bb"], raw=True)
    assert q.get_many(5, raw=True) == [b"a", b"bb"]


def test_bad_arguments_and_timeouts():
    with pytest.raises(ValueError):
        lfkit.SharedQueue(2**31)
    with pytest.raises(ValueError):
        lfkit.SharedQueue(ring_bytes=0)
    q = lfkit.SharedQueue(1)
    q.put(1)
    t0 = time.monotonic()
    with pytest.raises(queue.Full):
        q.put(2, timeout=0.1)
    assert time.monotonic() - t0 >= 0.1
    assert q.get() == 1
    t0 = time.monotonic()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.1)
    assert time.monotonic() - t0 >= 0.1
    with pytest.raises(ValueError):
        q.get(timeout=-1)
    with pytest.raises(TypeError):
        q.put_bytes("not bytes")
    with pytest.raises(FileNotFoundError):
        lfkit.SharedQueue.attach("/lfkit-py-no-such-queue")
    c = lfkit.Counter()
    with pytest.raises(ValueError):  # a Counter's region is no queue
        lfkit.SharedQueue.attach(c.name)
    q.close()
    with pytest.raises(ValueError):
        q.put(3)


def test_shutdown_wakes_a_waiting_get():
    q = lfkit.SharedQueue()
    got = []

    def getter():
        try:
            got.append(q.get())
            q.get()
        except lfkit.ShutDown:
            got.append("shutdown")

    t = threading.Thread(target=getter)
    t.start()
    q.put("last")
    time.sleep(0.1)
    q.shutdown()
    t.join()
    assert got == ["last", "shutdown"]
    with pytest.raises(lfkit.ShutDown):
        q.put(1)


# ---- across processes ----------------------------------------------------------

def payload(rnd, p, seq):
    body = rnd.randbytes(rnd.randrange(2000))
    return (p, seq, body, zlib.crc32(body))


def produce(q, out, p, n, seconds, seed):
    """Puts (p, seq, ...) for seq = 0, 1, ... until n or the time bound,
    then its end marker; reports how many it sent."""
    import random
    rnd = random.Random(seed + p)
    budget = Budget(seconds)
    seq = 0
    while seq < n and budget.left():
        if seq % 3 == 0:  # a batch of up to 5
            batch = [payload(rnd, p, s) for s in range(seq, min(n, seq + 5))]
            q.put_many(batch)
            seq += len(batch)
        else:
            q.put(payload(rnd, p, seq))
            seq += 1
    q.put(None)
    out.put(("sent", p, seq))


def consume(q, out, stop_after):
    """Takes messages until stop_after end markers; reports, per producer,
    the count and the sum of the sequence numbers it got."""
    got, last = {}, {}
    ends = 0
    while ends < stop_after:
        for m in q.get_many(16):
            if m is None:
                ends += 1
                if ends > stop_after:  # another consumer's: hand it on
                    q.put(None)
                continue
            p, seq, body, crc = m
            assert zlib.crc32(body) == crc  # not torn
            assert seq > last.get(p, -1)  # per producer, in order
            last[p] = seq
            count, total = got.get(p, (0, 0))
            got[p] = (count + 1, total + seq)
    out.put(("got", got))


@pytest.mark.parametrize("method", START_METHODS)
def test_processes_move_every_message_once(method):
    items, seconds = stress_bounds()
    ctx = context(method)
    n = max(100, items // 10)
    q, out = lfkit.SharedQueue(64, ring_bytes=1 << 16), ctx.SimpleQueue()
    seed = seeded_random().randrange(1 << 30)
    producers = [ctx.Process(target=produce,
                             args=(q, out, p, n, seconds, seed))
                 for p in range(2)]
    # Two consumers: each stops after one end marker; two producers send
    # one each, so together they take everything.
    consumers = [ctx.Process(target=consume, args=(q, out, 1))
                 for _ in range(2)]
    for w in producers + consumers:
        w.start()
    sent, got = {}, {}
    for _ in producers + consumers:
        report = out.get()
        if report[0] == "sent":
            sent[report[1]] = report[2]
            continue
        for p, (count, total) in report[1].items():
            c, t = got.get(p, (0, 0))
            got[p] = (c + count, t + total)
    for w in producers + consumers:
        w.join()
        assert w.exitcode == 0
    # Nothing lost or duplicated: per producer, the count and the sum of
    # the sequence numbers 0 .. sent - 1.
    assert got == {p: (k, k * (k - 1) // 2) for p, k in sent.items() if k}
    assert q.qsize() == 0


def survive(q, n):
    for i in range(n):
        q.put_bytes(b"s%d" % i)
    q.put_bytes(b"end")


def flood(q):
    while True:
        q.put_bytes(b"doomed" * 10)


@pytest.mark.parametrize("method", START_METHODS)
def test_killed_producer_does_not_stop_the_others(method):
    ctx = context(method)
    q = lfkit.SharedQueue(ring_bytes=1 << 12)  # full most of the time
    doomed = ctx.Process(target=flood, args=(q,))
    doomed.start()
    _, seconds = stress_bounds()
    budget = Budget(min(seconds, 0.5))
    while budget.left():
        q.get_bytes(timeout=30)
    os.kill(doomed.pid, signal.SIGKILL)  # maybe between claim and commit
    doomed.join()
    survivor = ctx.Process(target=survive, args=(q, 50))
    survivor.start()
    seen = []
    while not seen or seen[-1] != b"end":
        for m in q.get_many(8, timeout=30, raw=True):
            if not m.startswith(b"doomed"):
                seen.append(m)
    survivor.join()
    assert seen == [b"s%d" % i for i in range(50)] + [b"end"]
