"""The `quill` command group and its error map: one line on stderr, never a traceback; the
container built once a command's arguments have parsed."""

from __future__ import annotations

import functools
import getpass
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from click.exceptions import NoArgsIsHelpError

from domain.errors import DomainError, InvalidInput, ServiceUnavailable
from domain.text import is_text
from interfaces.container import (
    SCHEMA_BEHIND_ADVICE,
    SettingsError,
    build_container,
    close_databases,
    outage_reason,
    schema_behind,
)


def _with_container(ctx: click.Context) -> None:
    """The container from the settings, built once and seen at every level; bad settings
    are one line."""
    if ctx.obj is not None:
        return
    try:
        container = build_container()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    ctx.find_root().call_on_close(lambda: close_databases(container))  # as the command ends
    each: click.Context | None = ctx
    while each is not None:
        each.obj, each = container, each.parent


class QuillCommand(click.Command):
    """A command builds the container once its own arguments have parsed, so `--help` at
    any depth needs no valid settings."""

    def invoke(self, ctx: click.Context) -> Any:
        _with_container(ctx)
        return super().invoke(ctx)


PROMPTED = "quill.prompted"  # in a context's meta: the option whose answer is being read


def at_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


class AskedOption(click.Option):
    """An option prompted for when not given: the settings are checked before the question,
    so nobody types a password for a command that cannot run."""

    def prompt_for_value(self, ctx: click.Context) -> Any:
        _with_container(ctx)
        option = self.opts[-1]
        ctx.meta[PROMPTED] = option  # for a parameter type's check of the answer
        try:
            if self.confirmation_prompt and not at_terminal():
                answer = self._confirmed_once(ctx)
            else:
                answer = super().prompt_for_value(ctx)
        except click.Abort:
            # (First: Click's Abort is a RuntimeError.) Answers piped in ran out (`< /dev/null`,
            # a short script): say which, not "Aborted!". At a terminal, Ctrl-C or Ctrl-D is
            # the person's own choice.
            if sys.stdin is None or sys.stdin.isatty():
                raise
            asked = "answered and confirmed" if self.confirmation_prompt else "answered"
            message = (
                f"stdin ended before {option} was {asked}: give {option} to run without a prompt."
            )
            raise click.UsageError(message) from None
        except (RuntimeError, AttributeError):
            # Started with stdin closed (`<&-`): input() has lost it, and getpass, with no
            # terminal to read instead, finds none. A hidden prompt at a terminal still works.
            if sys.stdin is not None:
                raise
            message = f"stdin is closed: give {option} to run without a prompt."
            raise click.UsageError(message) from None
        finally:
            ctx.meta.pop(PROMPTED, None)
        # Piped answers may end their lines CRLF, and a hidden prompt without a terminal
        # (getpass) strips the LF alone: the CR is the line's, not the answer's.
        if isinstance(answer, str) and not at_terminal():
            return answer.removesuffix("\r")
        return answer

    def _confirmed_once(self, ctx: click.Context) -> Any:
        """Piped answers, asked once each: an empty line or a confirmation that differs is
        not asked again (Click's loop), which would read the next lines as the answer and its
        confirmation; a mismatch is one line, and a blank answer the use case's to refuse."""
        ask = functools.partial(
            click.prompt, hide_input=self.hide_input, default="", show_default=False
        )
        answer = ask(self.prompt, value_proc=lambda raw: self.process_value(ctx, raw))
        again = ask("Repeat for confirmation")
        if str(answer).removesuffix("\r") != again.removesuffix("\r"):
            raise click.ClickException(f"{self.opts[-1]}: the two entered values do not match.")
        return answer


class QuillGroup(click.Group):
    """The CLI's error map: a domain error is one line on stderr and exit code 1; a usage
    error one line too (Click's own puts the usage before it), with its exit code 2."""

    command_class = QuillCommand
    group_class = type  # the groups under `quill` are QuillGroups too

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _usage_in_one_line():  # a subcommand's arguments, an unknown command
                return super().invoke(ctx)
        except DomainError as error:
            raise click.ClickException(_describe(error)) from None

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _usage_in_one_line():  # the group's own options (`quill --bogus`), before invoke
            return super().make_context(info_name, args, parent=parent, **extra)


@contextmanager
def _usage_in_one_line() -> Iterator[None]:
    try:
        yield
    except NoArgsIsHelpError:
        raise  # a group named alone shows its help
    except click.UsageError as error:
        raise OneLineUsageError(error) from None


class OneLineUsageError(click.ClickException):
    exit_code = 2

    def __init__(self, error: click.UsageError) -> None:
        where = error.ctx.command_path if error.ctx else "quill"
        said = error.format_message().rstrip()
        said += "" if said.endswith((".", "?", "!")) else "."
        super().__init__(f"{said} See '{where} --help'.")


def _describe(error: DomainError) -> str:
    if isinstance(error, InvalidInput) and error.errors:
        details = "; ".join(
            f"{name}: {' '.join(problems)}" for name, problems in error.errors.items()
        )
        return f"{error.message} {details}"
    if isinstance(error, ServiceUnavailable):
        # The operator at the command line is the one who can fix it.
        return outage_reason(error.message, error)
    return error.message


@click.group(cls=QuillGroup)
def cli() -> None:
    """Quill: a blogging API. Admin commands for the database and its users."""


def main() -> None:
    # A password piped in (no terminal) makes getpass warn with its own source line; its
    # one-line "Password input may be echoed." says as much.
    warnings.filterwarnings("ignore", category=getpass.GetPassWarning)
    for position, argument in enumerate(sys.argv[1:], start=1):
        if not is_text(argument):  # bytes that are not UTF-8, which no command can take
            # Named by its place, not shown: it may be a password.
            click.echo(f"Error: argument {position} is not UTF-8 text.", err=True)
            sys.exit(2)
    try:
        cli.main(standalone_mode=True)
    except Exception as error:  # the last guard: one line, never a traceback
        click.echo(f"Error: {_one_line(error)}", err=True)
        sys.exit(1)


def _one_line(error: Exception) -> str:
    if schema_behind(error):
        return SCHEMA_BEHIND_ADVICE
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"{type(error).__name__}: {text}"
