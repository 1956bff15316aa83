"""CPU accounting across processes that come and go during a measurement."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.profile import cpu_seconds, cpu_since


def spend_cpu(seconds: float) -> None:
    """Busy for this much of our own CPU: several of the kernel's 10 ms ticks, which psutil
    reads, however fast the machine."""
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_a_process_that_exits_during_the_measurement_never_makes_the_sum_negative() -> None:
    mine = os.getpid()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    before = {**cpu_seconds([mine]), gone.pid: (5.0, 5.0)}  # it had spent CPU, then exits
    gone.wait()
    spend_cpu(0.05)
    user, system = cpu_since(before, [mine, gone.pid])
    assert user >= 0 and system >= 0
    assert user + system > 0


def test_a_process_started_during_the_measurement_counts_from_zero() -> None:
    spend_cpu(0.05)
    mine = os.getpid()
    user, system = cpu_since({}, [mine])
    assert 0 < user + system <= sum(cpu_seconds([mine])[mine])
