"""``taskgroup``: the parser, the dispatch to one module per subcommand, and the exit code
(:mod:`.main` loads this module and runs :func:`run_command`).

Run a task over a file of rows as one Task Group, watch groups, fetch their results. The API key
comes from ``PARALLEL_API_KEY``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import IO, Any, Callable, Optional

import parallel_taskgroup as ptg

from . import events as events_cmd
from . import report as report_cmd
from . import results as results_cmd
from . import run as run_cmd
from . import status as status_cmd
from .errors import (
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    EXIT_OK,
    UsageError,
    budget_to_finish,
    exit_status,
    resume_hint,
)
from .logs import library_logs
from .signals import handling
from .words import HELP_FORMAT, examples, paragraph

__all__ = ["build_parser", "run_command"]

EXAMPLES = examples(
    (
        "quote a job, then run it (the same command resumes after any stop)",
        "taskgroup run examples/companies.jsonl --out results.jsonl --key company_website "
        "--dry-run",
    ),
    ("how a job (or any group) stands", "taskgroup status results.jsonl"),
    ("a group's events as JSON lines, as they come", "taskgroup events tgrp_123 --follow"),
    (
        "every finished run of a group, once no run is active",
        "taskgroup results tgrp_123 --out results.csv --wait",
    ),
)


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
        description=paragraph(
            "Run Parallel Tasks over a file of rows as one Task Group, watch groups and fetch "
            "their results. The API key comes from PARALLEL_API_KEY."
        ),
        epilog=f"{EXAMPLES}\n\n{paragraph(EXIT_CODES_HELP)}",
        formatter_class=HELP_FORMAT,
    )
    parser.add_argument("--version", action="version", version=f"taskgroup {ptg.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (run_cmd, status_cmd, events_cmd, results_cmd, report_cmd):
        module.add_parser(sub, _connection_options)
    return parser


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def run_command(
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
    args: Optional[argparse.Namespace] = None
    try:
        try:
            with contextlib.redirect_stdout(out):  # --help and --version print there
                args = parsed = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version
            return int(exc.code or 0)
        if parsed.command is None:
            parser.print_help(out)
            return EXIT_OK
        base_url = parsed.base_url or os.environ.get("PARALLEL_BASE_URL")
        commands: dict[str, Callable[[], int]] = {
            "run": lambda: run_cmd.execute(parsed, argv, out, err),
            "status": lambda: status_cmd.execute(parsed, out),
            "events": lambda: events_cmd.execute(parsed, out),
            "results": lambda: results_cmd.execute(parsed, err),
            "report": lambda: report_cmd.execute(parsed, out, err),
        }
        if parsed.command == "run":  # its log lines go above its progress line
            return commands["run"]()
        with library_logs(parsed.verbose, err):
            return commands[parsed.command]()
    except KeyboardInterrupt as exc:
        with _ignoring_interrupts():
            return _failed(exc, EXIT_INTERRUPTED, None, args, argv, out, err)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly without a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        with _ignoring_interrupts():
            code, message = exit_status(exc, base_url=base_url)
            return _failed(exc, code, _one_line(message), args, argv, out, err)


def _ignoring_interrupts() -> AbstractContextManager[None]:
    """Ctrl-C ignored inside (in the main thread): one that lands while the final report is
    written would cut it short, and the command is ending anyway."""
    return handling((signal.SIGINT,), signal.SIG_IGN)


def _failed(
    exc: BaseException,
    code: int,
    message: Optional[str],
    args: Optional[argparse.Namespace],
    argv: list[str],
    out: IO[str],
    err: IO[str],
) -> int:
    """Say on stderr how the command failed (for ``run``, how to go on) and, for ``run
    --json``, give the summary on stdout; return the exit code. ``message`` is None for an
    interrupt."""
    err.write("taskgroup: interrupted\n" if message is None else f"taskgroup: error: {message}\n")
    is_run = args.command == "run" if args is not None else argv[:1] == ["run"]
    if is_run:
        retrying = args is not None and args.retry == "failed"
        hint = (
            resume_hint(code, argv, retrying=retrying, budget=budget_to_finish(exc))
            if args is not None
            else None
        )
        if hint:
            err.write(f"taskgroup: {hint}\n")
        err.flush()
        said = "interrupted" if message is None else message
        run_cmd.report_failure(args, argv, out, code=code, error=exc, message=said)
    err.flush()
    return code
