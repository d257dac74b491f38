"""``taskgroup results GROUP --out FILE``: every finished run of a group, one line each."""

from __future__ import annotations

import argparse
from typing import IO, Any, Callable

import parallel_taskgroup as ptg

from .connection import connect
from .errors import EXIT_OK, EXIT_ROWS_FAILED

__all__ = ["add_parser", "execute"]


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``results`` to the subcommands."""
    parser = sub.add_parser("results", help="write every finished run of a group to a file")
    parser.add_argument("group", metavar="GROUP")
    parser.add_argument(
        "--out", required=True, metavar="FILE", help="results file (.jsonl, .csv or .parquet)"
    )
    parser.add_argument("--wait", action="store_true", help="wait for active runs to finish")
    parser.add_argument("--include-basis", action="store_true", help="add basis/citations")
    connection(parser)


def execute(args: argparse.Namespace, stderr: IO[str]) -> int:
    """Append the group's finished runs to --out; exit 1 if the file holds failed runs."""
    with connect(args) as client:
        report = ptg.export_results(
            client,
            args.group,
            out=args.out,
            include_basis=args.include_basis,
            wait=args.wait,
        )
    note = f"; {report.active} runs still active (use --wait)" if report.active else ""
    stderr.write(
        f"wrote {report.written} new result lines to {args.out} ({report.lines} in all){note}\n"
    )
    return EXIT_ROWS_FAILED if report.failed else EXIT_OK
