#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""lfkit's Python benchmark: messages between processes and between threads.

    /usr/bin/python3 python/bench/bench.py [--out DIR] [--rounds N] [--scale X]

Between two processes (1 producer to 1 consumer) and four (2 to 2):
lfkit.SharedQueue (pickled objects, and put_bytes/get_bytes), against
multiprocessing.Queue, multiprocessing.SimpleQueue and, 1 to 1 only (a
connection has two ends), multiprocessing.Pipe with send_bytes/recv_bytes.
Between threads: lfkit.Queue against queue.Queue.  Payloads of 8 B, 128 B,
1 KiB and 64 KiB.

Every run is checked: each message carries its producer and sequence
number, consumers count what they got and sum the tags, and a run whose
count or sum differs is marked verified=no (and the script exits 1).  The
implementations of one case run in interleaved rounds (A B C, A B C, ...)
and each ratio is the median of the per-round ratios to the standard
library's queue (multiprocessing.Queue, queue.Queue), so a slow phase of a
shared machine hits all of them alike.

Writes DIR/python-bench.csv (the lfbench columns, then payload and the
ratio), DIR/python-bench.txt and, with gnuplot, DIR/python-bench.png.
"""
import argparse
import multiprocessing as mp
import os
import queue
import statistics
import struct
import subprocess
import sys
import threading
import time

import lfkit

TAG = struct.Struct("<II")  # producer, sequence number
SIZES = [8, 128, 1024, 65536]
# Messages per run at --scale 1, by payload size.
COUNTS = {8: 20000, 128: 20000, 1024: 10000, 65536: 1000}
END = b""  # one per producer; each consumer stops at the first it gets


def message(template, p, seq):
    TAG.pack_into(template, 0, p, seq)
    return bytes(template)


# ---- implementations: (make, put, get) -------------------------------------
# make() returns the channel object(s) handed to the workers; put(ch, b) and
# get(ch) move one bytes payload.

def _sq_make():
    return lfkit.SharedQueue(ring_bytes=1 << 22)


def _pipe_make():
    r, w = mp.Pipe(duplex=False)
    return (r, w)


PROC_IMPLS = {
    "mp.Queue": (lambda: mp.get_context("fork").Queue(),
                 lambda q, b: q.put(b), lambda q: q.get()),
    "mp.SimpleQueue": (lambda: mp.get_context("fork").SimpleQueue(),
                       lambda q, b: q.put(b), lambda q: q.get()),
    "mp.Pipe": (_pipe_make, lambda c, b: c[1].send_bytes(b),
                lambda c: c[0].recv_bytes()),
}
if hasattr(lfkit, "SharedQueue"):
    PROC_IMPLS["lfkit.SharedQueue"] = (_sq_make, lambda q, b: q.put(b),
                                       lambda q: q.get())
    PROC_IMPLS["lfkit.SharedQueue_bytes"] = (
        _sq_make, lambda q, b: q.put_bytes(b), lambda q: q.get_bytes())
THREAD_IMPLS = {
    "queue.Queue": (queue.Queue, lambda q, b: q.put(b), lambda q: q.get()),
    "lfkit.Queue": (lfkit.Queue, lambda q, b: q.put(b), lambda q: q.get()),
}
PROC_BASELINE, THREAD_BASELINE = "mp.Queue", "queue.Queue"


# ---- workers ---------------------------------------------------------------

def producer(impl, ch, go, p, n, size):
    put = (PROC_IMPLS.get(impl) or THREAD_IMPLS[impl])[1]
    template = bytearray(max(size, TAG.size))[:size] if size >= TAG.size \
        else bytearray(TAG.size)
    go.wait()
    for seq in range(n):
        put(ch, message(template, p, seq))
    put(ch, END)


def consumer(impl, ch, go, out, slot):
    get = (PROC_IMPLS.get(impl) or THREAD_IMPLS[impl])[2]
    count = total = 0
    go.wait()
    while True:
        b = get(ch)
        if not b:
            break
        p, seq = TAG.unpack_from(b)
        count += 1
        total += (p << 32) + seq
    out[slot] = (count, total, time.monotonic())


def expected(producers, n):
    return producers * n, sum((p << 32) * n + n * (n - 1) // 2
                              for p in range(producers))


def run_procs(impl, producers, consumers, n, size):
    ctx = mp.get_context("fork")
    ch = PROC_IMPLS[impl][0]()
    go = ctx.Barrier(producers + consumers + 1)
    res = ctx.SimpleQueue()
    ps = [ctx.Process(target=producer, args=(impl, ch, go, p, n, size))
          for p in range(producers)]
    cs = [ctx.Process(target=_proc_consumer, args=(impl, ch, go, res, c))
          for c in range(consumers)]
    for w in ps + cs:
        w.start()
    go.wait()  # every worker started: the clock starts now
    t0 = time.monotonic()
    results = [res.get() for _ in cs]
    for w in ps + cs:
        w.join()
    return t0, results


def _proc_consumer(impl, ch, go, res, slot):
    box = {}
    consumer(impl, ch, go, box, slot)
    res.put(box[slot])


def run_threads(impl, producers, consumers, n, size):
    ch = THREAD_IMPLS[impl][0]()
    go = threading.Barrier(producers + consumers + 1)
    box = {}
    ts = [threading.Thread(target=producer, args=(impl, ch, go, p, n, size))
          for p in range(producers)]
    ts += [threading.Thread(target=consumer, args=(impl, ch, go, box, c))
           for c in range(consumers)]
    for t in ts:
        t.start()
    go.wait()
    t0 = time.monotonic()
    for t in ts:
        t.join()
    return t0, list(box.values())


def one_run(kind, impl, producers, consumers, n, size):
    runner = run_procs if kind == "processes" else run_threads
    t0, results = runner(impl, producers, consumers, n, size)
    count = sum(r[0] for r in results)
    total = sum(r[1] for r in results)
    elapsed = max(r[2] for r in results) - t0
    ok = (count, total) == expected(producers, n)
    return producers * n / elapsed / 1e6, ok


def machine_lines():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/loadavg") as f:
            load = f.read().strip()
    except OSError:
        load = "?"
    return ["# nproc=%d cpu=%s loadavg=%s python=%s" %
            (os.cpu_count(), model, load, sys.version.split()[0])]


def bench(args):
    rows = []
    all_ok = True
    cases = []
    for size in SIZES:
        for producers, consumers in ((1, 1), (2, 2)):
            cases.append(("processes", PROC_IMPLS, PROC_BASELINE,
                          producers, consumers, size))
            cases.append(("threads", THREAD_IMPLS, THREAD_BASELINE,
                          producers, consumers, size))
    for kind, impls, base, producers, consumers, size in cases:
        names = [i for i in impls if not (i == "mp.Pipe" and producers > 1)]
        n = max(50, int(COUNTS[size] * args.scale) // producers)
        mops = {i: [] for i in names}
        oks = {i: True for i in names}
        for _ in range(args.rounds):  # interleaved: A B C, A B C, ...
            for i in names:
                m, ok = one_run(kind, i, producers, consumers, n, size)
                mops[i].append(m)
                oks[i] = oks[i] and ok
        for i in names:
            ratios = [a / b for a, b in zip(mops[i], mops[base])]
            rows.append(dict(bench="py_" + kind, impl=i, producers=producers,
                             consumers=consumers, ops_per_run=producers * n,
                             runs=args.rounds,
                             mops_median=statistics.median(mops[i]),
                             mops_min=min(mops[i]), mops_max=max(mops[i]),
                             verified="yes" if oks[i] else "no",
                             payload=size, baseline=base,
                             ratio=statistics.median(ratios)))
            all_ok = all_ok and oks[i]
            print("%-9s %dp%dc %6dB %-24s %9.4f Mmsg/s  %6.2fx %s  %s" % (
                kind, producers, consumers, size, i, rows[-1]["mops_median"],
                rows[-1]["ratio"], base, rows[-1]["verified"]), flush=True)
    return rows, all_ok


COLUMNS = ["bench", "impl", "producers", "consumers", "ops_per_run", "runs",
           "mops_median", "mops_min", "mops_max", "verified", "payload",
           "baseline", "ratio"]


def write(rows, out):
    os.makedirs(out, exist_ok=True)
    head = machine_lines()
    with open(os.path.join(out, "python-bench.csv"), "w") as f:
        f.write("\n".join(head) + "\n" + ",".join(COLUMNS) + "\n")
        for r in rows:
            f.write(",".join(("%.4f" % r[c]) if isinstance(r[c], float)
                             else str(r[c]) for c in COLUMNS) + "\n")
    with open(os.path.join(out, "python-bench.txt"), "w") as f:
        f.write("\n".join(head) + "\n")
        f.write("%-10s %-5s %7s %-24s %12s %22s %9s %s\n" % (
            "between", "p:c", "payload", "impl", "Mmsg/s med",
            "(min-max)", "ratio", "verified"))
        for r in rows:
            f.write("%-10s %d:%d   %7d %-24s %12.4f %22s %8.2fx %s\n" % (
                r["bench"][3:], r["producers"], r["consumers"], r["payload"],
                r["impl"], r["mops_median"],
                "(%.4f-%.4f)" % (r["mops_min"], r["mops_max"]), r["ratio"],
                r["verified"]))
    plot(rows, out)


def plot(rows, out):
    """One bar chart: messages/s by case, one bar per implementation."""
    try:
        subprocess.run(["gnuplot", "--version"], capture_output=True,
                       check=True)
    except (OSError, subprocess.CalledProcessError):
        print("bench.py: gnuplot not found, no plot", file=sys.stderr)
        return
    impls = []
    for r in rows:
        if r["impl"] not in impls:
            impls.append(r["impl"])
    cases = []
    for r in rows:
        key = "%s %d:%d %dB" % (r["bench"][3:6], r["producers"],
                                r["consumers"], r["payload"])
        if key not in cases:
            cases.append(key)
    table = {}
    for r in rows:
        key = "%s %d:%d %dB" % (r["bench"][3:6], r["producers"],
                                r["consumers"], r["payload"])
        table[key, r["impl"]] = r["mops_median"] * 1e6
    dat = os.path.join(out, "python-bench.dat")
    with open(dat, "w") as f:
        for c in cases:
            f.write('"%s" %s\n' % (c, " ".join(
                "%.1f" % table[c, i] if (c, i) in table else "-"
                for i in impls)))
    script = """
set terminal pngcairo size 1600,600 noenhanced
set output '%s'
set title 'lfkit Python: messages per second (median; higher is better)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set datafile missing '-'
set logscale y
set grid ytics
set key outside right top
set xtics rotate by -40 left font ',9'
set bmargin 8
plot for [i=2:%d] '%s' using i:xtic(1) title columnhead(i) noenhanced
""" % (os.path.join(out, "python-bench.png"), len(impls) + 1, dat)
    # columnhead needs a header line: write one.
    with open(dat) as f:
        body = f.read()
    with open(dat, "w") as f:
        f.write("case " + " ".join('"%s"' % i for i in impls) + "\n" + body)
    subprocess.run(["gnuplot"], input=script, text=True, check=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="results")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    rows, ok = bench(args)
    write(rows, args.out)
    with open(os.path.join(args.out, "python-bench.txt")) as f:
        print(f.read())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
