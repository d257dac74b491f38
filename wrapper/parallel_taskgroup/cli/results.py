"""``taskgroup results GROUP --out FILE``: every finished run of a group, one line each; with
``--wait``, once no run is active (a progress line meanwhile; Ctrl-C writes what finished)."""

from __future__ import annotations

import argparse
import signal
from typing import IO, Any, Callable, Optional

import parallel_taskgroup as ptg

from .connection import connect
from .errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_ROWS_FAILED
from .progress import Progress
from .signals import handling
from .words import examples, plural, subcommand

__all__ = ["add_parser", "execute"]

EXAMPLES = examples(
    ("every run of the group that has finished so far", "taskgroup results tgrp_123 --out r.jsonl"),
    (
        "wait until no run is active, then write them all (Ctrl-C writes what finished)",
        "taskgroup results tgrp_123 --out results.csv --wait",
    ),
    (
        "replace a file that holds another group's results",
        "taskgroup results tgrp_123 --out results.jsonl --overwrite",
    ),
)


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``results`` to the subcommands."""
    parser = subcommand(
        sub,
        "results",
        summary="write every finished run of a group to a file",
        description=(
            "Write a line for every finished run of a group (failures included) to FILE, from "
            "one snapshot of its runs. Running it again rewrites the file; a file of another "
            "group's results, or a 'taskgroup run' job's results file, is refused unless "
            "--overwrite."
        ),
        epilog=EXAMPLES,
    )
    parser.add_argument("group", metavar="GROUP")
    parser.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="results file: .jsonl, .csv, .parquet, .jsonl.gz or .csv.gz",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="wait for active runs to finish (showing progress); Ctrl-C writes the runs "
        "finished so far",
    )
    parser.add_argument("--include-basis", action="store_true", help="add basis/citations")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace FILE even if it is not this group's"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    connection(parser)


class _GroupProgress:
    """A group's status as the progress line's snapshot: its runs are the rows."""

    phase = "collecting results"
    spent_usd = 0.0
    submit_seconds_left: Optional[float] = None
    waiting: Optional[str] = None
    waiting_until: Optional[float] = None

    def __init__(self, status: ptg.types.TaskGroupStatus) -> None:
        counts = ptg.status_counts(status)
        self.rows = self.submitted = status.num_task_runs
        self.completed = counts.get("completed", 0)
        self.failed = counts.get("failed", 0)
        self.queued = counts.get("queued", 0)
        self.running = counts.get("running", 0)
        ended = self.completed + self.failed + counts.get("cancelled", 0)
        self.finished = ended if status.is_active else self.rows


def execute(args: argparse.Namespace, stderr: IO[str]) -> int:
    """Write the group's finished runs to --out; exit 1 if the file holds failed runs, 130 if
    interrupted while waiting (what had finished is written)."""
    progress = Progress(stderr, quiet=args.quiet or not args.wait)

    def export(wait: bool) -> ptg.ExportReport:
        return ptg.export_results(
            client,
            args.group,
            out=args.out,
            include_basis=args.include_basis,
            wait=wait,
            overwrite=args.overwrite,
            on_progress=lambda status: progress.update(_GroupProgress(status)),
        )

    with connect(args) as client:
        try:
            try:
                with handling((signal.SIGTERM,), _as_interrupt):
                    report = export(args.wait)
            except KeyboardInterrupt:
                progress.stopping()
                raise
            finally:
                progress.stop()
        except KeyboardInterrupt:
            stderr.write("taskgroup: interrupted: writing the runs finished so far\n")
            stderr.flush()
            report = export(False)
            stderr.write(
                f"taskgroup: {_wrote(report, args.out)}; {plural(report.active, 'run')} still "
                "active: run the same command again to go on\n"
            )
            return EXIT_INTERRUPTED
    note = f"; {plural(report.active, 'run')} still active (use --wait)" if report.active else ""
    stderr.write(f"{_wrote(report, args.out)}{note}\n")
    return EXIT_ROWS_FAILED if report.failed else EXIT_OK


def _as_interrupt(signum: int, frame: Any) -> None:
    """SIGTERM while waiting ends it as Ctrl-C does: what finished is written."""
    raise KeyboardInterrupt


def _wrote(report: ptg.ExportReport, out: str) -> str:
    return f"wrote {plural(report.written, 'new result line')} to {out} ({report.lines:,} in all)"
