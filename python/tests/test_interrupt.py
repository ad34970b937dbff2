"""Ctrl-C reaches a call blocked in lfkit: a child blocked in each waiting
call gets SIGINT and must end with KeyboardInterrupt."""
import os
import signal
import subprocess
import sys

import pytest

CHILD = r"""
import sys, lfkit
what = sys.argv[1]
q, lock, ev, sem = lfkit.Queue(1), lfkit.Lock(), lfkit.Event(), lfkit.Semaphore(0)
lock.acquire()
q.put(0)
q2 = lfkit.Queue()
calls = {
    "get": lambda: q2.get(),
    "put": lambda: q.put(1),
    "join": lambda: q.join(),
    "lock": lambda: lock.acquire(),
    "event": lambda: ev.wait(),
    "sem": lambda: sem.acquire(),
}
try:
    print("ready", flush=True)
    calls[what]()
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(0)
print("returned", flush=True)
sys.exit(1)
"""


@pytest.mark.parametrize("what", ["get", "put", "join", "lock", "event", "sem"])
def test_sigint_interrupts_blocked_call(what):
    p = subprocess.Popen([sys.executable, "-c", CHILD, what],
                         stdout=subprocess.PIPE, text=True, env=os.environ)
    try:
        assert p.stdout.readline().strip() == "ready"
        # The child may not be inside the call yet: a signal before it
        # blocks interrupts it all the same (its handler runs at the next
        # bytecode or slice boundary, inside the try either way).
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=60)
    finally:
        p.kill()
        p.wait()
    assert out.strip() == "interrupted"
    assert p.returncode == 0
