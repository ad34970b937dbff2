"""A counter many workers bump: an int behind a Lock (standard library)
beside lfkit.Counter, first between threads, then between processes."""
import multiprocessing
import threading

import lfkit

N, WORKERS = 20000, 4


def stdlib_threads():
    lock, box = threading.Lock(), [0]

    def work():
        for _ in range(N):
            with lock:
                box[0] += 1

    run_threads(work)
    return box[0]


def lfkit_threads():
    hits = lfkit.Counter()

    def work():
        for _ in range(N):
            hits.add(1)

    run_threads(work)
    return hits.value


def run_threads(work):
    ts = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def bump(hits, n):
    for _ in range(n):
        hits.add(1)


def stdlib_processes():
    hits = multiprocessing.Value("q", 0)  # a lock inside
    ps = [multiprocessing.Process(target=bump_value, args=(hits, N))
          for _ in range(WORKERS)]
    run_processes(ps)
    return hits.value


def bump_value(hits, n):
    for _ in range(n):
        with hits.get_lock():
            hits.value += 1


def lfkit_processes():
    hits = lfkit.Counter()  # travels to the children by its region's name
    run_processes([multiprocessing.Process(target=bump, args=(hits, N))
                   for _ in range(WORKERS)])
    return hits.value


def run_processes(ps):
    for p in ps:
        p.start()
    for p in ps:
        p.join()
        assert p.exitcode == 0


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")  # fork works the same way
    for name, fn in [("threads, int + Lock", stdlib_threads),
                     ("threads, lfkit.Counter", lfkit_threads),
                     ("processes, multiprocessing.Value", stdlib_processes),
                     ("processes, lfkit.Counter", lfkit_processes)]:
        total = fn()
        assert total == N * WORKERS, (name, total)
        print("%-34s %d" % (name, total))
