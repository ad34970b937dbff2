"""lfkit for Python: lock-free queues, locks, events, semaphores, counters
and shared record arrays for threads and processes.

    lfkit.Queue(maxsize=0)       queue.Queue between threads (lfk_queue)
    lfkit.Lock / Event / Semaphore
                                 threading's, usable across processes
    lfkit.Counter(value=0)       an integer processes add to atomically
    lfkit.SharedArray(n, size)   fixed-size records under seqlocks
    lfkit.ShutDown               queue.ShutDown where Python has it (3.13)

Built for Debian's /usr/bin/python3 (see the README).
"""
from lfkit._lfkit import (Queue, Lock, Event, Semaphore, Counter,
                          SharedArray, ShutDown)

__all__ = ["Queue", "Lock", "Event", "Semaphore", "Counter", "SharedArray",
           "ShutDown"]
