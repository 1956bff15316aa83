"""`python -m bench`: see bench/README.md."""

import signal
import sys

from bench.run import main


def _stopped(signum: int, _frame: object) -> None:
    """SIGTERM (a `timeout`, a CI's cancel) unwinds as Ctrl-C does: the servers stop and the
    throwaway database is dropped on the way out."""
    sys.exit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stopped)
    main()
