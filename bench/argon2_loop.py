"""S5's yardstick: one password verified in a loop, on as many processes as gunicorn workers."""

from __future__ import annotations

import time
from multiprocessing import get_context

from infrastructure.security import Argon2PasswordHasher
from infrastructure.settings import Settings

PASSWORD = "Bench-Pass-12345"


def _verify_for(args: tuple[dict[str, int], float, float]) -> int:
    params, start_at, seconds = args
    hasher = Argon2PasswordHasher(**params)
    stored = hasher.hash(PASSWORD)
    time.sleep(max(0.0, start_at - time.time()))  # every process loops over the same span
    count, deadline = 0, time.time() + seconds
    while time.time() < deadline:
        assert hasher.verify(stored, PASSWORD)
        count += 1
    return count


def params(env: dict[str, str]) -> dict[str, int]:
    """The parameters Quill itself reads from the same environment."""
    settings = Settings.from_env(env)
    return {
        "time_cost": settings.argon2_time_cost,
        "memory_cost": settings.argon2_memory_cost,
        "parallelism": settings.argon2_parallelism,
    }


def verify_rate(env: dict[str, str], processes: int, seconds: float) -> float:
    """Verifications per second, all processes together."""
    with get_context("spawn").Pool(processes) as pool:
        start_at = time.time() + 3  # after every process has started and hashed once
        counts = pool.map(_verify_for, [(params(env), start_at, seconds)] * processes)
    return sum(counts) / seconds
