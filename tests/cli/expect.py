"""Assertions shared by the CLI tests: how a command must fail."""

from __future__ import annotations

from click.testing import Result


def one_line_error(result: Result) -> str:
    """The command failed cleanly: non-zero exit, one line on stderr, no traceback."""
    assert result.exit_code != 0, result.output
    # An exception Click did not handle shows up here as itself rather than as SystemExit.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def process_one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]
