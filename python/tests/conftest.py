"""pytest setup for the lfkit package's tests.

Prints "[lfk-scenarios] python passed=N failed=M" at the end, the line
.ci/run sums over every test program.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))


def pytest_terminal_summary(terminalreporter):
    stats = terminalreporter.stats
    passed = len(stats.get("passed", []))
    failed = len(stats.get("failed", [])) + len(stats.get("error", []))
    terminalreporter.write_line(
        "[lfk-scenarios] python passed=%d failed=%d" % (passed, failed))
