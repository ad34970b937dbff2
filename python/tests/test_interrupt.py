"""Ctrl-C reaches a call blocked in lfkit: a child blocked in each waiting
call gets SIGINT and must end with KeyboardInterrupt."""
import os
import signal
import subprocess
import sys
import time

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


def interrupt_child(source, what):
    """Runs source blocked in `what`, sends SIGINT once it is ready, and
    checks that it ended with KeyboardInterrupt."""
    p = subprocess.Popen([sys.executable, "-c", source, what],
                         stdout=subprocess.PIPE, text=True, env=os.environ)
    try:
        assert p.stdout.readline().strip() == "ready"
        # Let it get into the call and block (were the signal early, the
        # handler would still raise inside the try: the test would pass
        # without testing the wait, never fail wrongly).
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=60)
    finally:
        p.kill()
        p.wait()
    assert out.strip() == "interrupted"
    assert p.returncode == 0


@pytest.mark.parametrize("what", ["get", "put", "join", "lock", "event", "sem"])
def test_sigint_interrupts_blocked_call(what):
    interrupt_child(CHILD, what)


def test_sigint_interrupts_blocked_sharedqueue_get():
    import lfkit
    if not hasattr(lfkit, "SharedQueue"):
        pytest.skip("built without lfk_msgring")
    interrupt_child(CHILD.replace('"get": lambda: q2.get(),',
                                  '"get": lambda: lfkit.SharedQueue().get(),'),
                    "get")
