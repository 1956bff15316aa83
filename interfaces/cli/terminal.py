"""What the commands share at the terminal: questions, progress bars, tables, choices."""

from __future__ import annotations

import os
import select
import sys
from contextlib import ExitStack
from typing import Any

import click

from domain.text import is_printable


def confirm(question: str) -> None:
    """A person at a terminal is asked. Without one, an answer already waiting on stdin (`echo
    n | quill ...`) is read as the answer; with none (stdin empty, closed, or a pipe nobody
    writes to) the command runs as the contract writes it: a question nobody can answer would
    only abort a script, or hang it."""
    if sys.stdin is not None and sys.stdin.isatty():
        click.confirm(question, abort=True, err=True)
        return
    answer = _answer_waiting()
    if answer.strip():
        click.echo(f"{question} [y/N]: {answer.strip()}")
    if answer and answer.strip().lower() not in ("y", "yes"):  # an empty line is no, too
        raise click.Abort()


def _answer_waiting() -> str:
    """The line waiting on stdin, never waiting for one: "" when there is none."""
    if sys.stdin is None:
        return ""
    try:
        fd = sys.stdin.fileno()
    except (OSError, ValueError):  # a stream in memory (Click's test runner): it is all there
        return sys.stdin.readline()
    try:
        if not select.select([fd], [], [], 0)[0]:
            return ""
    except (OSError, ValueError):  # a descriptor select() cannot watch (Windows' pipes)
        return ""
    waiting = os.read(fd, 1024)  # what is there: at its end (/dev/null), nothing
    return waiting.decode(errors="replace").partition("\n")[0] + "\n" if waiting else ""


class StageBars:
    """A progress bar on stderr for each stage of a bulk load, as the use case reports them."""

    def __init__(self) -> None:
        self._shown = ExitStack()  # the current stage's bar, finished when the stage is
        self._bar: Any = None
        self._stage: str | None = None
        self._done = 0

    def update(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self._shown.close()
            bar = click.progressbar(length=total, label=f"Seeding {stage:9}", file=sys.stderr)
            self._bar = self._shown.enter_context(bar)
            self._stage, self._done = stage, 0
        self._bar.update(done - self._done)
        self._done = done

    def __enter__(self) -> StageBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self._shown.close()


def echo_table(rows: list[tuple[str, ...]]) -> None:
    """Rows as columns as wide as their widest cell, the first row the heading."""
    rows = [tuple(map(visible, row)) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def visible(text: str) -> str:
    """`text` with what has no glyph written as an escape (`\\x1b`, `\\u202e`): a control
    sequence in a mail server's answer, or a direction override kept in a name, would move
    the cursor or reorder what the operator reads."""
    if is_printable(text):
        return text
    return "".join(ch if is_printable(ch) else ch.encode("unicode_escape").decode() for ch in text)


class OneLineChoice(click.Choice[str]):
    """Click lists the choices of a missing argument one per line; an error is one line."""

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None) -> str:
        return f"Choose from: {', '.join(map(str, self.choices))}."
