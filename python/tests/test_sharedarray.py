"""lfkit.SharedArray: records in, records out, never torn while another
process writes (fork and spawn); bad indices and sizes are errors."""
import struct
import time

import pytest

import lfkit
from helpers import START_METHODS, Budget, context, stress_bounds

WORDS = 32  # a 256-byte record: 32 copies of one 64-bit value


def record(v):
    return struct.pack("<%dQ" % WORDS, *([v] * WORDS))


def check_whole(buf):
    words = struct.unpack("<%dQ" % WORDS, bytes(buf))
    assert len(set(words)) == 1, "torn record"
    return words[0]


def test_read_write_and_views():
    a = lfkit.SharedArray(5, 16)
    assert len(a) == 5 and a.record_size == 16
    assert a[0] == bytes(16)
    a[1] = b"a" * 16
    a.write(-1, bytearray(b"z" * 16))
    assert a.read(1) == b"a" * 16 and a[4] == b"z" * 16
    out = bytearray(32)
    assert a.read_into(4, memoryview(out)[8:]) == 16
    assert out[8:24] == b"z" * 16
    assert a.snapshot() == bytes(16) + b"a" * 16 + bytes(32) + b"z" * 16


def test_bad_arguments():
    a = lfkit.SharedArray(2, 8)
    for i in (2, -3, 1 << 40):
        with pytest.raises(IndexError):
            a[i]
    with pytest.raises(ValueError):
        a[0] = b"short"
    with pytest.raises(ValueError):
        a.read_into(0, bytearray(4))
    with pytest.raises(TypeError):
        a.read_into(0, b"readonly")
    with pytest.raises(TypeError):
        del a[0]
    for n, size in ((0, 8), (1, 0), (1, 12), (-1, 8), (1 << 62, 1 << 62)):
        with pytest.raises(ValueError):
            lfkit.SharedArray(n, size)


def writer(arr, items, seconds):
    budget = Budget(seconds)
    v = 1
    while v <= items and budget.left():
        arr[v % len(arr)] = record(v)
        v += 1
    arr.write(0, record(0xFFFFFFFF))  # the end mark


@pytest.mark.parametrize("method", START_METHODS)
def test_reads_never_torn_across_processes(method):
    items, seconds = stress_bounds()
    arr = lfkit.SharedArray(4, WORDS * 8)
    p = context(method).Process(target=writer, args=(arr, items, seconds))
    p.start()
    view = memoryview(bytearray(WORDS * 8))
    reads, v = 0, 0
    seen = [0] * 4  # the newest value read of each record

    def saw(i, value):
        # The writer's values of one record only grow: a read older than
        # an earlier one is a stale copy.
        assert value >= seen[i], "record %d went back" % i
        seen[i] = value
        return value

    # Until the writer's end mark; a writer that died without writing it
    # ends the loop too (its exit code fails the test below), and so does
    # a deadline well past the writer's own time bound.
    deadline = time.monotonic() + seconds + 60
    while time.monotonic() < deadline:
        v = saw(reads % 4, check_whole(arr[reads % 4]))
        arr.read_into((reads + 1) % 4, view)
        saw((reads + 1) % 4, check_whole(view))
        reads += 1
        if v == 0xFFFFFFFF:
            break
        if reads % 4 == 0:
            snap = arr.snapshot()
            for i in range(4):
                saw(i, check_whole(snap[i * WORDS * 8:(i + 1) * WORDS * 8]))
            if p.exitcode is not None and check_whole(arr[0]) != 0xFFFFFFFF:
                break
    p.join(timeout=10)
    assert p.exitcode == 0, f"writer exit code {p.exitcode}"
    assert v == 0xFFFFFFFF, "the end mark was never read"
