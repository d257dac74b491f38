"""``taskgroup run INPUT --out RESULTS``: the batch job, with a quote, a budget and a progress
line."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, Callable, Optional, Union

import parallel_taskgroup as ptg

from .connection import connect, require_api_key
from .errors import (
    EXIT_BUDGET,
    EXIT_DUPLICATES,
    EXIT_OK,
    EXIT_ROWS_FAILED,
    EXIT_USAGE,
    UsageError,
)
from .logs import library_logs
from .progress import Progress

__all__ = ["add_parser", "execute", "parse_metadata"]

MetadataValue = Union[str, int, float, bool]
CONFIRM_ABOVE_USD = 25.0


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


def add_parser(sub: Any, connection: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``run`` to the subcommands."""
    run = sub.add_parser(
        "run",
        help="run a task over every row of a file and write one result line per row",
        description="Create (or reuse) a group, submit every row exactly once, and write one "
        "line per row to RESULTS as runs finish. Interrupt any time; the same command resumes.",
    )
    run.add_argument("input", metavar="INPUT", help="JSONL, JSON array or CSV file; - for stdin")
    run.add_argument(
        "--out", required=True, metavar="RESULTS", help="results file (.jsonl, .csv or .parquet)"
    )
    run.add_argument(
        "--format", choices=("jsonl", "json", "csv"), help="input format (default: from extension)"
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
        choices=("failed",),
        help="create a new run for each row whose latest run failed (with --processor)",
    )
    run.add_argument(
        "--add-rows",
        action="store_true",
        help="the input changed: add its new rows to this job (rows already in it are kept)",
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


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "no wait"
    return f"at least {seconds:.0f} s" if seconds < 120 else f"at least {seconds / 60:.1f} min"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _describe_quote(quote: ptg.JobQuote) -> list[str]:
    # Under the current docs' reading the limit counts POSTs (2,000 a minute, 1,000 runs each).
    by_requests = max(0.0, (quote.posts - 2000) / 2000 * 60)
    parts = [f"{quote.new:,} new"]
    if quote.retried:
        parts.append(f"{quote.retried:,} failed, run again")
    if quote.unfinished:
        parts.append(f"{quote.unfinished:,} running already (collected, no cost)")
    lines = [
        f"rows:        {quote.rows:,}",
        f"to submit:   {_plural(quote.to_submit, 'run')} at {quote.processor} "
        f"(${quote.price_per_run * 1000:g} per 1,000 runs): {', '.join(parts)}",
        f"price:       ${quote.cost_usd:,.2f}"
        + (f" (already spent ${quote.spent_usd:,.2f})" if quote.spent_usd else ""),
        f"requests:    {_plural(quote.posts, 'add-runs POST')}",
        f"submission:  {_duration(by_requests)} at 2,000 requests per minute (current docs); "
        f"{_duration(quote.min_submit_seconds)} if it counts runs instead",
        f"prices from: {quote.price_source}",
    ]
    if quote.within_budget is not None:
        if quote.stops_at_budget:
            lines.append(
                f"budget:      --max-cost stops the job after {_plural(quote.within_budget, 'run')}"
                f" of {quote.to_submit:,} (exit 5); raise it to send the rest"
            )
        else:
            lines.append("budget:      every run fits within --max-cost")
    if quote.rejected:
        lines.append(
            f"skipped:     {_plural(quote.rejected, 'invalid row')} left out (--skip-invalid), "
            "each written with why to RESULTS.rejects.jsonl:"
        )
        lines += [f"  {p}" for p in quote.problems]
    if quote.problem_count:
        lines.append(f"problems:    {_plural(quote.problem_count, 'row')} would be refused:")
        lines += [f"  {p}" for p in quote.problems]
        more = quote.problem_count - len(quote.problems)
        if more > 0:
            lines.append(f"  ... and {more} more")
    return lines


def _confirmer(args: argparse.Namespace, stderr: IO[str]) -> Callable[[ptg.JobQuote], bool]:
    def confirm(quote: ptg.JobQuote) -> bool:
        if args.yes or quote.cost_usd <= args.confirm_above:
            return True
        ask = (
            f"this job creates {quote.to_submit} runs at {quote.processor} "
            f"for ${quote.cost_usd:,.2f}"
        )
        if sys.stdin.isatty() and stderr.isatty():
            stderr.write(f"taskgroup: {ask}. Continue? [y/N] ")
            stderr.flush()
            return sys.stdin.readline().strip().lower() in ("y", "yes")
        if args.max_cost is not None:
            return True  # the cap bounds it
        raise UsageError(
            f"{ask}, above --confirm-above ${args.confirm_above:g}, and there is no terminal to "
            "ask: pass --yes to go ahead, or --max-cost USD to cap the spend"
        )

    return confirm


@contextmanager
def _interrupts(progress: Progress, stop: threading.Event) -> Iterator[None]:
    """The first Ctrl-C (or SIGTERM) asks the job to stop cleanly and says so at once; a second
    one exits now (the next run settles whatever was in flight)."""

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            os._exit(130)
        stop.set()
        progress.stopping()

    try:
        previous = [signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)]
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for s, old in zip((signal.SIGINT, signal.SIGTERM), previous):
            signal.signal(s, old)


def _check_input_exists(path: str) -> None:
    """A missing input file, said as reading it would say it (``-`` is standard input)."""
    if path == "-":
        return
    try:
        os.stat(path)
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: cannot read input ({exc.strerror})") from None


def execute(args: argparse.Namespace, argv: Sequence[str], stdout: IO[str], stderr: IO[str]) -> int:
    """Run the job; exit 0 when every row completed, 1 when some failed."""
    # The library (and the HTTP stack under it) loads only once the arguments look right:
    # a usage error answers at once.
    spec_files = (args.task_spec, args.output_schema, args.output_text, args.input_schema)
    spec = None
    if any(option is not None for option in spec_files):
        spec = ptg.task_spec_from_files(
            task_spec_file=args.task_spec,
            output_schema_file=args.output_schema,
            output_text=args.output_text,
            input_schema_file=args.input_schema,
        )
    metadata = parse_metadata(args.metadata)
    options: dict[str, Any] = dict(
        out=args.out,
        processor=args.processor,
        task_spec=spec,
        key=args.key,
        input_format=args.format,
        group_id=args.group,
        metadata=metadata,
        include_basis=args.include_basis,
        max_cost=args.max_cost,
        prices=args.price_table,
        retry=args.retry,
        add_rows=args.add_rows,
        rate_per_minute=args.rate_per_minute,
        requests_per_minute=args.requests_per_minute,
    )
    if args.dry_run:
        _check_input_exists(args.input)
        report = ptg.run_job(None, args.input, dry_run=True, **options)
        stdout.write("\n".join(_describe_quote(report.quote)) + "\n")
        if not report.quote.accepted:
            return EXIT_USAGE
        return EXIT_BUDGET if report.quote.stops_at_budget else EXIT_OK
    require_api_key()
    _check_input_exists(args.input)
    hint = shlex.join(["taskgroup", *argv])
    progress = Progress(stderr, quiet=args.quiet)
    logs = library_logs(args.verbose, stderr, progress.log_handler())
    stop = threading.Event()
    client = connect(args, give_up_after=args.give_up_after, submit_timeout=args.submit_timeout)
    with client, _interrupts(progress, stop), logs:
        try:
            report = ptg.run_job(
                client,
                args.input,
                confirm=_confirmer(args, stderr),
                listener=progress,
                stop=stop,
                **options,
            )
        finally:
            progress.stop()
    if not args.quiet:
        stderr.write(
            f"taskgroup: done: {report.completed} completed, {report.failed} failed of "
            f"{report.rows} rows; ${report.spent_usd:,.2f} spent; results in {args.out} "
            f"(group {report.group_id})\n"
        )
    if report.failed and not args.quiet:
        stderr.write(f"taskgroup: to retry the failed rows: {hint} --retry failed\n")
    if report.duplicate_rows:
        stderr.write(
            f"taskgroup: {report.duplicate_rows} row(s) have more than one run in group "
            f"{report.group_id} ({report.extra_runs} extra, each billed; keys: "
            f"{', '.join(sorted({k for k, _ in report.duplicates})[:10])})\n"
        )
        return EXIT_DUPLICATES
    return EXIT_ROWS_FAILED if report.failed else EXIT_OK
