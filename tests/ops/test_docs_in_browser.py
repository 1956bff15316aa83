"""/docs in a real browser: headless Chromium against Quill under gunicorn, no outside request."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ops.server import gunicorn

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def chromium() -> str:
    """The browser is part of the test set-up (`make test` installs it): missing is a failure."""
    found = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not found:
        pytest.fail("Chromium is not installed: `apt-get install chromium` (make test does it)")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with gunicorn(tmp_path_factory.mktemp("server")) as running:
        yield running


def render(url: str, profile: Path) -> tuple[str, str]:
    """The DOM after scripts ran, and the browser's console; every host but ours unreachable."""
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",  # tests run as root in CI containers
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=15000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def operations(base: str) -> list[tuple[str, str, str]]:
    with urllib.request.urlopen(f"{base}/api/v1/openapi.json") as answer:
        document: dict[str, Any] = json.load(answer)
    return [
        (method, path, spec["operationId"])
        for path, item in document["paths"].items()
        for method, spec in item.items()
        if method in HTTP_METHODS
    ]


def test_the_docs_page_shows_every_operation_of_the_api(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    base, log = server
    dom, console = render(f"{base}/docs", tmp_path / "profile")
    shown = re.findall(r'class="opblock opblock-(\w+)[^"]*".*?data-path="([^"]+)"', dom, re.S)
    expected = {(method, path) for method, path, _ in operations(base)}
    assert {(method, path) for method, path in shown} == expected
    for _, _, operation_id in operations(base):
        assert f'-{operation_id}"' in dom  # Swagger UI's id of the operation's block
    assert "Content Security Policy" not in console, "the page's CSP blocked something it needs"
    assert {
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/docs/static/docs.js",
        "/api/v1/openapi.json",
    } <= paths_served_ok(log)


def paths_served_ok(log: Path) -> set[str]:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return {line["path"] for line in lines if line.get("status") == 200}


def test_the_docs_page_loads_nothing_from_elsewhere_and_locks_down_the_rest(
    server: tuple[str, Path],
) -> None:
    base, _ = server
    with urllib.request.urlopen(f"{base}/docs") as answer:
        page = answer.read().decode()
        policy = answer.headers["Content-Security-Policy"]
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    for reference in re.findall(r'(?:src|href)="([^"]+)"', page):
        with urllib.request.urlopen(f"{base}{reference}") as asset:
            assert asset.status == 200
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "connect-src 'self';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
