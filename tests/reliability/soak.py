"""A bounded soak: mixed reads and writes against gunicorn on PostgreSQL; 5xx and worker RSS.

Not collected by pytest. Run it by hand:

    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python -m tests.reliability.soak --seconds 60

It makes its own database next to TEST_DATABASE_URL (dropped afterwards), starts gunicorn with
two sync workers on a free port, and exits non-zero on any 5xx or on worker memory that keeps
growing (the last third of the run more than 25% above the first third).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter

from tests.factories import PASSWORD
from tests.pg import postgres_database
from tests.reliability.servers import Server, gunicorn, rss_kib


class Client:
    """One simulated person: signs up, then mixes reads and writes until told to stop."""

    def __init__(self, server: Server, rng: random.Random) -> None:
        self.server, self.rng = server, rng
        self.email = f"soak-{uuid.uuid4().hex[:10]}@example.com"
        body = {"email": self.email, "name": "Soak Tester", "password": PASSWORD}
        assert server.call("POST", "/api/v1/users", body)[0] == 201
        self.log_in()
        self.posts: list[int] = []

    def log_in(self) -> int:
        status, tokens = self.server.call(
            "POST", "/api/v1/auth/login", {"email": self.email, "password": PASSWORD}
        )
        if status == 200:
            self.access, self.refresh = tokens["access_token"], tokens["refresh_token"]
        return status

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.access}"}

    def step(self) -> int:
        roll = self.rng.random()
        if roll < 0.35:
            page = self.rng.randint(1, 5)
            return self.server.call("GET", f"/api/v1/posts?page={page}&per_page=20")[0]
        if roll < 0.45:
            status, listing = self.server.call("GET", "/api/v1/posts?per_page=10")
            cursor = listing.get("next_cursor") if isinstance(listing, dict) else None
            return (
                self.server.call("GET", f"/api/v1/posts?cursor={cursor}")[0] if cursor else status
            )
        if roll < 0.6 and self.posts:
            return self.server.call(
                "GET", f"/api/v1/posts/{self.rng.choice(self.posts)}", headers=self.auth()
            )[0]
        if roll < 0.78:
            body = {
                "title": f"soak {uuid.uuid4().hex[:8]}",
                "content": "x" * self.rng.randint(10, 5000),
                "published": True,
            }
            status, post = self.server.call("POST", "/api/v1/posts", body, self.auth())
            if status == 201:
                self.posts.append(post["id"])
            return status
        if roll < 0.88 and self.posts:
            body = {"title": f"edited {uuid.uuid4().hex[:8]}"}
            return self.server.call(
                "PATCH", f"/api/v1/posts/{self.rng.choice(self.posts)}", body, self.auth()
            )[0]
        if roll < 0.94:
            return self.server.call("GET", "/api/v1/users/me", headers=self.auth())[0]
        if roll < 0.98:
            status, tokens = self.server.call(
                "POST", "/api/v1/auth/refresh", headers=self.auth(self.refresh)
            )
            if status == 200:
                self.access, self.refresh = tokens["access_token"], tokens["refresh_token"]
            return status
        return self.log_in()


def soak(server: Server, seconds: float, clients: int, interval: float) -> int:
    stop = threading.Event()
    lock = threading.Lock()
    statuses: Counter[int | str] = Counter()

    def run(seed: int) -> None:
        client = Client(server, random.Random(seed))
        while not stop.is_set():
            try:
                status: int | str = client.step()
            except OSError as error:
                status = type(error).__name__
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    samples: list[tuple[float, int, dict[int, int]]] = []
    started = time.monotonic()
    print(f"{'t (s)':>6} {'requests':>9} {'5xx':>5}  worker RSS (MiB)")
    elapsed = 0.0
    while elapsed < seconds:
        time.sleep(interval)
        elapsed = time.monotonic() - started
        with lock:
            total = sum(statuses.values())
            errors = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
        rss = {pid: rss_kib(pid) for pid in server.workers}
        samples.append((elapsed, total, rss))
        shown = " ".join(f"{pid}:{kib / 1024:.1f}" for pid, kib in sorted(rss.items()))
        print(f"{elapsed:6.0f} {total:9d} {errors:5d}  {shown}", flush=True)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return report(statuses, samples)


def report(statuses: Counter[int | str], samples: list[tuple[float, int, dict[int, int]]]) -> int:
    total = sum(statuses.values())
    server_errors = sum(n for s, n in statuses.items() if not isinstance(s, int) or s >= 500)
    third = max(1, len(samples) // 3)
    first = statistics.mean(sum(rss.values()) for _, _, rss in samples[:third])
    last = statistics.mean(sum(rss.values()) for _, _, rss in samples[-third:])
    seconds = samples[-1][0] if samples else 0
    rate = total / max(seconds, 1)
    print(f"\n{total} requests in {seconds:.0f} s ({rate:.0f}/s); statuses {dict(statuses)}")
    print(f"5xx or no answer: {server_errors}")
    change = (last / first - 1) * 100
    print(
        f"workers' RSS, first third {first / 1024:.1f} MiB,"
        f" last third {last / 1024:.1f} MiB ({change:+.1f}%)"
    )
    growing = last > first * 1.25
    if growing:
        print("worker memory kept growing")
    return 1 if server_errors or growing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--interval", type=float, default=5)
    args = parser.parse_args()
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        print(
            "Set TEST_DATABASE_URL to a PostgreSQL server (a database is made next to it).",
            file=sys.stderr,
        )
        return 2
    with (
        postgres_database(url, "soak") as database,
        gunicorn(database, workers=args.workers) as server,
    ):
        name = database.rsplit("/", 1)[-1]
        print(f"gunicorn on port {server.port}, workers {server.workers}, database {name}")
        return soak(server, args.seconds, args.clients, args.interval)


if __name__ == "__main__":
    sys.exit(main())
