"""``taskgroup report RESULTS``: a job's quality in figures, read from its files (no API key,
no network): rows by status, failures by reason, each output field's confidence and citations,
spend by processor and attempt, run durations; ``--html FILE`` writes them as one page."""

from __future__ import annotations

import argparse
import json
import os
from typing import IO, Any, Callable

import parallel_taskgroup as ptg

from .errors import EXIT_OK, UsageError
from .words import examples, subcommand

__all__ = ["add_parser", "execute"]

EXAMPLES = examples(
    ("a finished job's figures", "taskgroup report results.jsonl"),
    (
        "the same as a page to open in a browser",
        "taskgroup report results.jsonl --html report.html",
    ),
    (
        "as JSON, priced with your own table",
        "taskgroup report results.csv --json --price-table prices.json",
    ),
)


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``report`` to the subcommands (it needs no connection: its options are not added)."""
    parser = subcommand(
        sub,
        "report",
        summary="a job's quality in figures, from its results file and journal",
        description=(
            "A job's figures, read from its results file and, beside it, its journal "
            "(RESULTS.journal): rows by status, failures by reason (messages that differ only "
            "in ids and numbers count as one), each output field's latest answers by "
            "confidence and how many cite a source (a list field's elements apart), the "
            "money spent by processor and by attempt, and how long runs took (median, p90, "
            "max). Without the journal, what the results file alone holds. Needs no API key "
            "and sends nothing."
        ),
        epilog=EXAMPLES,
    )
    parser.add_argument("results", metavar="RESULTS", help="the job's results file")
    parser.add_argument(
        "--html", metavar="FILE", help="also write the figures as one self-contained HTML page"
    )
    parser.add_argument(
        "--price-table",
        metavar="FILE",
        help='prices as JSON {"processor": usd_per_1000_runs} (default: the packaged table)',
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.set_defaults(base_url=None, verbose=False)


def execute(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    """Print the job's figures (and write the page, given --html)."""
    if args.html is not None and _is_job_file(args.html, args.results):
        raise UsageError(f"--html {args.html}: that is one of the job's own files")
    summary = ptg.summarize_job(args.results, prices=args.price_table)
    if args.json:
        stdout.write(json.dumps(summary.to_dict(), indent=2) + "\n")
    else:
        stdout.write(ptg.summary_text(summary))
    if args.html is not None:
        ptg.write_summary_html(summary, args.html)
        stderr.write(f"wrote the report page to {args.html}\n")
    return EXIT_OK


def _is_job_file(path: str, results: str) -> bool:
    target = os.path.abspath(path)
    job = os.path.abspath(results)
    return target in {
        job,
        *(job + s for s in (".state.json", ".journal", ".journal-records", ".lock")),
    }
