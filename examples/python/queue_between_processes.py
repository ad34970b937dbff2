"""Work handed between processes: multiprocessing.Queue and
lfkit.SharedQueue take the same code (put/get of any picklable object);
SharedQueue also moves raw bytes without pickling, and batches."""
import multiprocessing

import lfkit


def worker(jobs, results):
    while True:
        job = jobs.get()
        if job is None:
            break
        results.put((job["id"], sum(job["values"])))


def run(make_queue):
    jobs, results = make_queue(), make_queue()
    ps = [multiprocessing.Process(target=worker, args=(jobs, results))
          for _ in range(2)]
    for p in ps:
        p.start()
    for i in range(500):
        jobs.put({"id": i, "values": list(range(i))})
    for _ in ps:
        jobs.put(None)
    total = sum(results.get()[1] for _ in range(500))
    for p in ps:
        p.join()
    return total


def raw_bytes():
    q = lfkit.SharedQueue()
    q.put_many([b"frame-%d" % i for i in range(100)], raw=True)
    frames = []
    while len(frames) < 100:
        frames += q.get_many(32, raw=True)  # up to 32 per call
    return len(frames)


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")  # fork works the same way
    expect = sum(i * (i - 1) // 2 for i in range(500))
    std, ours = run(multiprocessing.Queue), run(lfkit.SharedQueue)
    assert std == ours == expect
    print("multiprocessing.Queue %d, lfkit.SharedQueue %d" % (std, ours))
    print("raw frames moved in batches: %d" % raw_bytes())
