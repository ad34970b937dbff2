# SPDX-License-Identifier: MIT
"""Per-thread state that a monitor reads while the workers run:
threading.local (private to each thread, so its progress is copied into a
dict behind a Lock for the monitor) beside lfkit.SharedArray, one record
per worker, which each worker overwrites without a lock and the monitor
reads whole (a seqlock underneath: never half-written)."""
import struct
import threading

import lfkit

REC = struct.Struct("<qq")  # (items done, their sum): a record is whole
N, WORKERS = 20000, 4


def stdlib():
    mine = threading.local()  # each worker's own tally
    board, lock = {}, threading.Lock()

    def work(me):
        mine.done, mine.sum = 0, 0
        for i in range(N):
            mine.done += 1
            mine.sum += i
            with lock:  # the monitor cannot see mine: publish a copy
                board[me] = (mine.done, mine.sum)

    def look():
        with lock:
            return list(board.values())

    return run(work, look)


def with_lfkit():
    board = lfkit.SharedArray(WORKERS, REC.size)

    def work(me):
        done, total = 0, 0
        for i in range(N):
            done += 1
            total += i
            board[me] = REC.pack(done, total)  # no lock

    def look():
        return list(REC.iter_unpack(board.snapshot()))

    return run(work, look)


def run(work, look):
    """Starts the workers, checks every record the monitor sees while they
    run, and returns the records at the end."""
    ts = [threading.Thread(target=work, args=(me,)) for me in range(WORKERS)]
    for t in ts:
        t.start()
    while any(t.is_alive() for t in ts):
        for done, total in look():  # never torn: sum of 0 .. done-1
            assert total == done * (done - 1) // 2, (done, total)
    for t in ts:
        t.join()
    return look()


if __name__ == "__main__":
    for name, fn in [("threading.local + dict + Lock", stdlib),
                     ("lfkit.SharedArray", with_lfkit)]:
        final = fn()
        assert sorted(final) == [(N, N * (N - 1) // 2)] * WORKERS, final
        print("%-30s %d workers, %d items each" % (name, len(final), N))
