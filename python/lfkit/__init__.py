"""lfkit for Python: lock-free queues, locks, events, semaphores, counters
and shared record arrays for threads and processes.

    lfkit.Queue(maxsize=0)       queue.Queue between threads (lfk_queue)
    lfkit.SharedQueue(maxsize=0) multiprocessing.Queue (lfk_msgring in shared
                                 memory), with put_bytes/get_bytes and
                                 put_many/get_many
    lfkit.Lock / Event / Semaphore
                                 threading's, usable across processes
    lfkit.Counter(value=0)       an integer processes add to atomically
    lfkit.SharedArray(n, size)   fixed-size records under seqlocks
    lfkit.ShutDown               queue.ShutDown where Python has it (3.13)

Built for Debian's /usr/bin/python3 (see the README).
"""
from lfkit._lfkit import (Queue, SharedQueue, Lock, Event, Semaphore,
                          Counter, SharedArray, ShutDown)

__all__ = ["Queue", "SharedQueue", "Lock", "Event", "Semaphore", "Counter",
           "SharedArray", "ShutDown"]
