"""Processes sharing records: multiprocessing.shared_memory with a Lock
around every access, beside lfkit.SharedArray, whose readers never lock
and never see a half-written record."""
import multiprocessing
import struct
from multiprocessing import shared_memory

import lfkit

REC = struct.Struct("<qq")  # (version, version * 3): a record is whole
N = 2000


def stdlib_writer(name, lock):
    shm = shared_memory.SharedMemory(name=name)
    for v in range(1, N + 1):
        with lock:
            REC.pack_into(shm.buf, 0, v, v * 3)
    shm.close()


def stdlib():
    shm = shared_memory.SharedMemory(create=True, size=REC.size)
    lock = multiprocessing.Lock()
    p = multiprocessing.Process(target=stdlib_writer, args=(shm.name, lock))
    p.start()
    v = 0
    while v < N:
        with lock:
            v, w = REC.unpack_from(shm.buf, 0)
        assert w == v * 3
    p.join()
    shm.close()
    shm.unlink()
    return v


def lfkit_writer(arr, ready):
    ready.set()
    for v in range(1, N + 1):
        arr[0] = REC.pack(v, v * 3)


def with_lfkit():
    arr, ready = lfkit.SharedArray(1, REC.size), lfkit.Event()
    p = multiprocessing.Process(target=lfkit_writer, args=(arr, ready))
    p.start()
    ready.wait()
    v = 0
    while v < N:
        v, w = REC.unpack(arr[0])  # no lock: never torn
        assert w == v * 3
    p.join()
    return v


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    print("shared_memory + Lock: last version %d" % stdlib())
    print("lfkit.SharedArray:    last version %d" % with_lfkit())
