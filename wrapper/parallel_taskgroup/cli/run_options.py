"""The options of ``taskgroup run``: the parser, its value types and ``--metadata``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, Callable, Optional, Union

from .errors import UsageError
from .words import examples, subcommand

__all__ = ["CONFIRM_ABOVE_USD", "MetadataValue", "add_parser", "parse_metadata"]

MetadataValue = Union[str, int, float, bool]
CONFIRM_ABOVE_USD = 25.0

EXAMPLES = examples(
    (
        "quote the job (rows, price, problems): sends nothing",
        "taskgroup run examples/companies.jsonl --out results.jsonl --key company_website "
        "--task-spec examples/company_task.json --dry-run",
    ),
    (
        "run every row, spending at most $20 (the same command resumes)",
        "taskgroup run examples/companies.jsonl --out results.jsonl --key company_website "
        "--task-spec examples/company_task.json --max-cost 20",
    ),
    (
        "the table changed: run its new and edited rows, drop removed ones",
        "taskgroup run examples/companies.jsonl --out results.jsonl --key company_website "
        "--task-spec examples/company_task.json --refresh",
    ),
    (
        "run rows with a low-confidence answer again on a stronger processor",
        "taskgroup run examples/companies.jsonl --out results.jsonl --key company_website "
        "--task-spec examples/company_task.json --retry low-confidence --processor core",
    ),
)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _usd(text: str) -> float:
    try:
        value = float(text.lstrip("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount in USD") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be zero or more")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than zero")
    return value


_AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def _age(text: str) -> float:
    """``30d``, ``12h``, ``90m``, ``45s``, ``2w`` (or plain seconds) as seconds."""
    unit = _AGE_UNITS.get(text[-1:].lower())
    number = text[:-1] if unit else text
    try:
        value = float(number) * (unit or 1)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an age; use a number with s, m, h, d or w, e.g. 30d"
        ) from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than zero")
    return value


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``run`` to the subcommands."""
    run = subcommand(
        sub,
        "run",
        summary="run a task over every row of a file and write one result line per row",
        description=(
            "Create (or reuse) a group, submit every row exactly once, and write one line per "
            "row to RESULTS as runs finish. Interrupt any time; the same command resumes."
        ),
        epilog=EXAMPLES,
    )
    run.add_argument("input", metavar="INPUT", help="JSONL, JSON array or CSV file; - for stdin")
    run.add_argument(
        "--out",
        required=True,
        metavar="RESULTS",
        help="results file: .jsonl, .csv, .parquet, .jsonl.gz or .csv.gz",
    )
    run.add_argument(
        "--format", choices=("jsonl", "json", "csv"), help="input format (default: from extension)"
    )
    run.add_argument(
        "--encoding",
        default="utf-8",
        metavar="NAME",
        help="the input's encoding, e.g. cp1252, latin-1 (default utf-8)",
    )
    run.add_argument(
        "--delimiter",
        metavar="CHAR",
        help="CSV delimiter, e.g. ';' or tab (default: a comma; tab for .tsv)",
    )
    run.add_argument("--processor", default="base", help="processor for every run (default base)")
    spec = run.add_mutually_exclusive_group()
    spec.add_argument("--task-spec", metavar="FILE", help="task spec JSON (input/output schema)")
    spec.add_argument("--output-schema", metavar="FILE", help="output JSON schema file")
    spec.add_argument("--output-text", metavar="TEXT", help="describe a text output instead")
    run.add_argument("--input-schema", metavar="FILE", help="input JSON schema file")
    run.add_argument("--key", metavar="FIELD", help="row field holding a unique key per row")
    run.add_argument(
        "--group", metavar="ID", help="add the rows to this group (also re-attaches a job)"
    )
    run.add_argument(
        "--metadata",
        action="append",
        default=[],
        metavar="K=V",
        help="metadata for a new group (repeat for more)",
    )
    run.add_argument("--include-basis", action="store_true", help="add basis/citations to results")
    money = run.add_argument_group("cost")
    money.add_argument(
        "--dry-run",
        action="store_true",
        help="check every row and print the quote; send nothing (no network needed)",
    )
    money.add_argument(
        "--max-cost", type=_usd, metavar="USD", help="never let the job's runs cost more than this"
    )
    money.add_argument(
        "--confirm-above",
        type=_usd,
        default=CONFIRM_ABOVE_USD,
        metavar="USD",
        help=f"ask before starting a job quoted above this (default {CONFIRM_ABOVE_USD:g})",
    )
    money.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    money.add_argument(
        "--price-table", metavar="FILE", help='prices as JSON {"processor": usd_per_1000_runs}'
    )
    money.add_argument(
        "--retry",
        choices=("failed", "low-confidence"),
        help="create a new run, on --processor, for each row whose latest run failed, or whose "
        "latest answer is weak (by default: a field with confidence low; see --fields, "
        "--at-most, --without-citations); the line keeps the earlier attempts",
    )
    weak = run.add_argument_group("weak answers (with --retry low-confidence)")
    weak.add_argument(
        "--fields", metavar="F,G", help="judge only these output fields (default: every field)"
    )
    weak.add_argument(
        "--at-most",
        choices=("low", "medium", "high"),
        default="low",
        help="a field with confidence at or below this is weak (default low)",
    )
    weak.add_argument(
        "--without-citations",
        action="store_true",
        help="a field without citations is weak too",
    )
    run.add_argument(
        "--add-rows",
        action="store_true",
        help="the input changed: add its new rows to this job (rows already in it are kept)",
    )
    run.add_argument(
        "--refresh",
        action="store_true",
        help="the input changed: match its rows to the job's by --key; new and edited rows get "
        "a run, unchanged rows keep their result, rows gone from it leave RESULTS",
    )
    run.add_argument(
        "--refresh-older-than",
        type=_age,
        metavar="AGE",
        help="with --refresh (implied): also run again rows whose result is older than AGE, "
        "e.g. 30d, 12h, 90m",
    )
    run.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="try the job on the input's first N rows only; a later run without --limit needs "
        "--add-rows to take the rest",
    )
    run.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave bad rows out instead of refusing the job; each is written, with its line "
        "and why, to RESULTS.rejects.jsonl",
    )
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a file at RESULTS that this job cannot prove it wrote (another job's "
        "results, or not a results file)",
    )
    run.add_argument(
        "--rate-per-minute",
        type=_positive_int,
        metavar="N",
        help="cap submission at N runs per minute (default: no cap; the pace adapts to the "
        "service's rate limit); for a key shared with other work",
    )
    run.add_argument(
        "--requests-per-minute",
        type=_positive_int,
        metavar="N",
        help="cap submission at N add-runs requests per minute (default: no cap)",
    )
    run.add_argument(
        "--give-up-after",
        type=_seconds,
        default=300.0,
        metavar="SECONDS",
        help="stop (resumable) when requests have failed this long without a break (default 300)",
    )
    run.add_argument(
        "--submit-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="the longest one add-runs request may take (default 60); a rerun that finds one "
        "of unknown outcome waits until that much (plus 5 s) has passed since it was sent",
    )
    run.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    run.add_argument(
        "--json",
        action="store_true",
        help="print a JSON summary on stdout however the command ends (with --dry-run: the "
        "quote); messages stay on stderr",
    )
    connection(run)


def parse_metadata(items: Sequence[str]) -> Optional[dict[str, MetadataValue]]:
    """``K=V`` pairs as a metadata dict; numbers and true/false keep their types."""
    if not items:
        return None
    result: dict[str, MetadataValue] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--metadata {item!r}: expected KEY=VALUE")
        value: MetadataValue = raw
        if raw in ("true", "false"):
            value = raw == "true"
        else:
            for convert in (int, float):
                try:
                    value = convert(raw)
                    break
                except ValueError:
                    continue
        result[key] = value
    return result
