"""``taskgroup``: the parser, the dispatch to one module per subcommand, and the exit code.

Run a task over a file of rows as one Task Group, watch groups, fetch their results. The API key
comes from ``PARALLEL_API_KEY``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import IO, Any, Callable, Optional

import parallel_taskgroup as ptg

from . import events as events_cmd
from . import results as results_cmd
from . import run as run_cmd
from . import status as status_cmd
from .errors import (
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    EXIT_OK,
    UsageError,
    exit_status,
    resume_hint,
)
from .logs import library_logs

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so that ``main()`` returns the code."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="log retries and reconnects to stderr"
    )
    parser.add_argument(
        "--base-url", help="API server (default: PARALLEL_BASE_URL or https://api.parallel.ai)"
    )
    parser.add_argument(
        "--api-version",
        choices=("v1", "v1beta"),
        help="path version for group endpoints (default: PARALLEL_API_VERSION or v1)",
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="allow a plain http:// --base-url on a trusted network (the key goes unencrypted)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="taskgroup",
        description="Run Parallel Tasks over a file of rows as one Task Group, watch groups and "
        "fetch their results. The API key comes from PARALLEL_API_KEY.",
        epilog=EXIT_CODES_HELP,
    )
    parser.add_argument("--version", action="version", version=f"taskgroup {ptg.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (run_cmd, status_cmd, events_cmd, results_cmd):
        module.add_parser(sub, _connection_options)
    return parser


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdout: Optional[IO[str]] = None,
    stderr: Optional[IO[str]] = None,
) -> int:
    """Run ``taskgroup`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    if not argv:
        parser.print_help(out)
        return EXIT_OK
    base_url: Optional[str] = None
    command: Optional[str] = None
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version
            return int(exc.code or 0)
        if args.command is None:
            parser.print_help(out)
            return EXIT_OK
        command = args.command
        base_url = args.base_url or os.environ.get("PARALLEL_BASE_URL")
        commands: dict[str, Callable[[], int]] = {
            "run": lambda: run_cmd.execute(args, argv, out, err),
            "status": lambda: status_cmd.execute(args, out),
            "events": lambda: events_cmd.execute(args, out),
            "results": lambda: results_cmd.execute(args, err),
        }
        if args.command == "run":  # its log lines go above its progress line
            return commands["run"]()
        with library_logs(args.verbose, err):
            return commands[args.command]()
    except KeyboardInterrupt:
        err.write("taskgroup: interrupted\n")
        if command == "run":
            err.write(f"taskgroup: {resume_hint(EXIT_INTERRUPTED, argv)}\n")
        err.flush()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly without a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        code, message = exit_status(exc, base_url=base_url)
        err.write(f"taskgroup: error: {_one_line(message)}\n")
        hint = resume_hint(code, argv) if command == "run" else None
        if hint:
            err.write(f"taskgroup: {hint}\n")
        err.flush()
        return code
