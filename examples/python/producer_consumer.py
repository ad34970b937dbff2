"""Producer/consumer with a bounded queue, task_done/join and shutdown:
queue.Queue and lfkit.Queue take the same code."""
import queue
import threading

import lfkit


def pipeline(make_queue, shut_down_error):
    jobs = make_queue(maxsize=16)
    done = []

    def worker():
        while True:
            try:
                n = jobs.get()
            except shut_down_error:
                return  # shut down and drained
            if n is None:  # the sentinel of Pythons without shutdown()
                jobs.task_done()
                return
            done.append(n * n)
            jobs.task_done()

    workers = [threading.Thread(target=worker) for _ in range(3)]
    for w in workers:
        w.start()
    for n in range(1000):
        jobs.put(n)  # blocks while 16 jobs wait
    jobs.join()  # every job processed
    if hasattr(jobs, "shutdown"):
        jobs.shutdown()  # 3.13's way to stop the workers
    else:
        for _ in workers:
            jobs.put(None)
    for w in workers:
        w.join()
    return sum(done)


if __name__ == "__main__":
    expect = sum(n * n for n in range(1000))
    std = pipeline(queue.Queue, getattr(queue, "ShutDown", ()))
    ours = pipeline(lfkit.Queue, lfkit.ShutDown)
    assert std == ours == expect
    print("queue.Queue %d, lfkit.Queue %d" % (std, ours))
