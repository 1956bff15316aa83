"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe):
JSON messages ended by NUL on file descriptors 3 (to the browser) and 4 (from it). Enough to
load a page, type into it with the keyboard, and read what it shows."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.ops.test_docs_in_browser import chromium


class Browser:
    def __init__(self, profile: Path) -> None:
        to_browser, self._writer = self._high(*os.pipe())
        self._reader, from_browser = self._high(*os.pipe())

        def as_fds_3_and_4() -> None:  # the descriptors the browser expects
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        self.process = subprocess.Popen(
            [
                chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--remote-debugging-pipe",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={profile}", "about:blank",
            ],
            # Placed after the fork: close_fds would close them again (every other
            # descriptor of ours is close-on-exec, so none leaks).
            close_fds=False,
            preexec_fn=as_fds_3_and_4,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.page(f"{domain}.enable")

    @staticmethod
    def _high(*fds: int) -> tuple[int, ...]:
        """Close-on-exec copies above 4, so that placing the child's 3 and 4 clobbers none."""
        high = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds)
        for fd in fds:
            os.close(fd)
        return high

    def close(self) -> None:
        with contextlib.suppress(OSError, AssertionError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._writer)
        os.close(self._reader)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._writer, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive(deadline=time.monotonic() + 30)
            if answer.get("id") == self._next_id:
                assert "error" not in answer, answer
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.call(method, self._session, **params)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            # Waited for with the deadline: a browser that stops writing fails the test, not
            # hangs it.
            readable, _, _ = select.select([self._reader], [], [], max(left, 0))
            assert readable, "the browser did not answer"
            chunk = os.read(self._reader, 65536)
            assert chunk, "the browser closed the pipe"
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(raw)
        return parsed

    # What a test does with a page.

    def open(self, url: str) -> None:
        self.events.clear()
        self.page("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")

    def evaluate(self, expression: str) -> Any:
        result = self.page("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while not self.evaluate(expression):
            assert time.monotonic() < deadline, f"never true: {expression}"
            time.sleep(0.05)

    def press(self, key: str, code: int) -> None:
        """A key as the keyboard sends it (down, then up): Tab moves focus, Enter submits."""
        for kind in ("keyDown", "keyUp"):
            text = "\r" if key == "Enter" and kind == "keyDown" else ""
            self.page(
                "Input.dispatchKeyEvent", type=kind, key=key, code=key,
                windowsVirtualKeyCode=code, text=text,
            )  # fmt: skip

    def type(self, text: str) -> None:
        self.page("Input.insertText", text=text)

    def focused(self) -> str:
        return str(self.evaluate("document.activeElement && document.activeElement.id"))

    def console(self) -> list[str]:
        """What the browser logged: console messages and its own (CSP reports among them)."""
        texts = []
        for event in self.events:
            if event.get("method") == "Log.entryAdded":
                texts.append(event["params"]["entry"]["text"])
            if event.get("method") == "Runtime.consoleAPICalled":
                texts += [str(arg.get("value")) for arg in event["params"]["args"]]
        return texts
