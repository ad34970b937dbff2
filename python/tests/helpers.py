"""What the lfkit tests share: stress bounds, seeds, start methods."""
import multiprocessing
import os
import random
import time

# Process start methods every cross-process test runs under.
START_METHODS = ["fork", "spawn"]


def stress_bounds(default_items=20000):
    """(items, seconds): LFK_STRESS_ITEMS and LFK_STRESS_SECONDS as the C
    stress tests read them; a loop stops at whichever comes first."""
    items = int(float(os.environ.get("LFK_STRESS_ITEMS", default_items)))
    seconds = float(os.environ.get("LFK_STRESS_SECONDS", "1"))
    return min(items, default_items), seconds


def seeded_random():
    """A Random seeded from LFK_SEED or the clock; the seed is printed so
    a failing run can be repeated (pytest shows it on failure)."""
    seed = int(os.environ.get("LFK_SEED", time.time_ns() % 1000000007))
    print("LFK_SEED=%d" % seed)
    return random.Random(seed)


def context(method):
    return multiprocessing.get_context(method)


class Budget:
    """Time budget of a stress loop."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return time.monotonic() < self.end
