"""``taskgroup``'s entry point: it loads the command (:mod:`.command`) and runs it.

Loading the command and the library under it takes a noticeable moment; a Ctrl-C in that moment
ends the command as any other interrupt does, quietly, instead of with a traceback. So this
module loads only the exit codes at import.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Callable, Optional

from .errors import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import IO

    from . import command  # noqa: F401 - loaded in main(); named here for the import graph

__all__ = ["main"]


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdout: Optional[IO[str]] = None,
    stderr: Optional[IO[str]] = None,
) -> int:
    """Run ``taskgroup`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    try:
        # By name, as the package loads its public names on first use: the layering rules
        # (tools/import_graph.py) forbid an import statement in a function.
        run: Callable[..., int] = importlib.import_module(".command", __package__).run_command
        return run(argv, stdout=stdout, stderr=stderr)
    except KeyboardInterrupt:  # before the command could answer it
        err = stderr or sys.stderr
        err.write("taskgroup: interrupted\n")
        err.flush()
        return EXIT_INTERRUPTED
