"""The `quill` admin command line: the same use cases, container and database as the server.
Each module adds its commands to the one group (`app.cli`); `main` is the entry point."""

from interfaces.cli import db, mail, seed, serve, users  # noqa: F401  (their commands)
from interfaces.cli.app import cli, main

__all__ = ["cli", "main"]
