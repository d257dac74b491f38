"""``taskgroup run INPUT --out RESULTS``: the batch job, with a quote, a budget and a progress
line."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import IO, Any, Callable, Optional

import parallel_taskgroup as ptg

from .connection import connect, require_api_key
from .errors import (
    EXIT_BUDGET,
    EXIT_DUPLICATES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_ROWS_FAILED,
    EXIT_USAGE,
    UsageError,
    next_command,
    resume_hint,
)
from .logs import library_logs
from .malloc_arenas import use_one_malloc_arena
from .progress import Progress
from .run_options import add_parser, parse_metadata
from .run_report import describe_quote, quote_record, summary_lines, summary_record
from .signals import handling
from .words import plural

__all__ = ["add_parser", "execute", "report_failure"]


def _confirmer(args: argparse.Namespace, stderr: IO[str]) -> Callable[[ptg.JobQuote], bool]:
    def confirm(quote: ptg.JobQuote) -> bool:
        if not _needs_asking(args, quote):
            return True
        if _can_ask(stderr):
            stderr.write(f"taskgroup: {_what_it_costs(quote)}. Continue? [y/N] ")
            stderr.flush()
            return sys.stdin.readline().strip().lower() in ("y", "yes")
        if args.max_cost is not None:
            return True  # the cap bounds it
        raise UsageError(_unasked(args, quote))

    return confirm


def _needs_asking(args: argparse.Namespace, quote: ptg.JobQuote) -> bool:
    return not args.yes and quote.cost_usd > args.confirm_above


def _can_ask(stderr: IO[str]) -> bool:
    return sys.stdin.isatty() and stderr.isatty()


def _what_it_costs(quote: ptg.JobQuote) -> str:
    return (
        f"this job creates {plural(quote.to_submit, 'run')} at {quote.processor} "
        f"for ${quote.cost_usd:,.2f}"
    )


def _unasked(args: argparse.Namespace, quote: ptg.JobQuote) -> str:
    """Why a job quoted above --confirm-above is refused where no one can be asked."""
    return (
        f"{_what_it_costs(quote)}, above --confirm-above ${args.confirm_above:g}, and there is "
        "no terminal to ask: pass --yes to go ahead, or --max-cost USD to cap the spend"
    )


class _Interrupts:
    """What each Ctrl-C (or SIGTERM) does while a job runs: the first asks it to stop cleanly
    and says so at once; the second says what it still waits for; the third quits now, leaving
    the results file short until the same command (``resume``) runs again."""

    def __init__(
        self,
        progress: Progress,
        stop: threading.Event,
        *,
        out: str,
        resume: Optional[str],
        exit_now: Callable[[int], Any] = os._exit,
    ) -> None:
        self.progress = progress
        self.stop = stop
        self.out = out
        self.resume = resume
        self.exit_now = exit_now
        self.presses = 0

    def __call__(self, signum: int, frame: Any) -> None:
        self.presses += 1
        if self.presses == 1:
            self.stop.set()
            self.progress.stopping()
        elif self.presses == 2:
            self._say(
                "still stopping: the add-runs request in flight, if any, is being settled and "
                f"{self.out} completed; Ctrl-C once more quits at once, leaving {self.out} short "
                "until the same command runs again"
            )
        else:
            again = f": {self.resume}" if self.resume else ""
            self._say(
                f"quit at once, so {self.out} may be short; to settle the job and repair it, "
                f"run the same command again{again}"
            )
            self.exit_now(EXIT_INTERRUPTED)

    def _say(self, text: str) -> None:
        """A line on stderr, above the progress line; shown with --quiet too (it answers a key
        press)."""
        line = f"taskgroup: {text}"
        if not self.progress.quiet:
            self.progress.message(line)
            return
        try:
            self.progress.stream.write(line + "\n")
            self.progress.stream.flush()
        except (OSError, ValueError):
            pass  # a closed stderr must not keep the job from stopping


def _interrupts(handler: _Interrupts) -> AbstractContextManager[None]:
    """``handler`` answers Ctrl-C and SIGTERM inside (in the main thread only)."""
    return handling((signal.SIGINT, signal.SIGTERM), handler)


def _check_input(path: str) -> None:
    """A missing input file, said as reading it would say it, and a folder given as the input
    (``-`` is standard input)."""
    if path == "-":
        return
    try:
        os.stat(path)
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: cannot read input ({exc.strerror})") from None
    if os.path.isdir(path):
        raise UsageError(
            f"{path}: INPUT is a directory; give a file (JSONL, a JSON array or CSV), or - for "
            "standard input"
        )


def _check_out(path: str) -> None:
    """A results path below a file: no folder can be made there, so no rerun could write it
    (the nearest path on the way up that exists must be a folder)."""
    folder = os.path.dirname(path)
    while folder and not os.path.exists(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent
    if folder and not os.path.isdir(folder):
        raise UsageError(f"--out {path}: {folder} is a file, not a folder; choose another --out")


def _job_options(args: argparse.Namespace) -> dict[str, Any]:
    """run_job's keywords from the command line (the task spec read from its files)."""
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
    return dict(
        out=args.out,
        processor=args.processor,
        task_spec=spec,
        key=args.key,
        input_format=args.format,
        encoding=args.encoding,
        delimiter=args.delimiter,
        group_id=args.group,
        metadata=parse_metadata(args.metadata),
        include_basis=args.include_basis,
        max_cost=args.max_cost,
        prices=args.price_table,
        retry=args.retry,
        retry_fields=args.fields.split(",") if args.fields is not None else None,
        retry_at_most=args.at_most,
        retry_without_citations=args.without_citations,
        add_rows=args.add_rows,
        refresh=args.refresh,
        refresh_older_than=args.refresh_older_than,
        rate_per_minute=args.rate_per_minute,
        requests_per_minute=args.requests_per_minute,
        overwrite=args.overwrite,
        limit=args.limit,
        skip_invalid=args.skip_invalid,
    )


def _dry_run(
    args: argparse.Namespace, options: dict[str, Any], stdout: IO[str], stderr: IO[str]
) -> int:
    """Print the quote (or its JSON); exit 2 if the job would be refused (here, with no terminal
    to confirm it, too), 5 if --max-cost would stop it."""
    report = ptg.run_job(None, args.input, dry_run=True, **options)
    quote = report.quote
    code = EXIT_USAGE if not quote.accepted else EXIT_BUDGET if quote.stops_at_budget else EXIT_OK
    if (
        code == EXIT_OK
        and _needs_asking(args, quote)
        and args.max_cost is None
        and not _can_ask(stderr)
    ):
        stderr.write(f"taskgroup: the real run would refuse: {_unasked(args, quote)}\n")
        code = EXIT_USAGE
    if args.json:
        write_json(stdout, {"exit_code": code, "dry_run": True, **quote_record(quote)})
    else:
        stdout.write("\n".join(describe_quote(quote, args.out)) + "\n")
    return code


def write_json(stdout: IO[str], record: dict[str, Any]) -> None:
    """One JSON object on one line of stdout."""
    stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    stdout.flush()


def report_failure(
    args: Optional[argparse.Namespace],
    argv: Sequence[str],
    stdout: IO[str],
    *,
    code: int,
    error: BaseException,
    message: str,
) -> None:
    """With ``--json``, the summary of a run that ended with ``error`` (its report, if the
    error carries one); ``args`` is None when the command line itself was wrong."""
    wanted = args.json if args is not None else "--json" in argv
    if not wanted:
        return
    carried = getattr(error, "job_report", None) or getattr(error, "report", None)
    record = summary_record(
        code=code,
        argv=list(argv),
        out=args.out if args is not None else None,
        retrying=args is not None and args.retry == "failed",
        report=carried if isinstance(carried, ptg.JobReport) else None,
        error=error,
        message=message,
    )
    if args is not None and args.dry_run:
        record["dry_run"] = True
    write_json(stdout, record)


def execute(args: argparse.Namespace, argv: Sequence[str], stdout: IO[str], stderr: IO[str]) -> int:
    """Run the job; exit 0 when every row completed, 1 when some failed, 7 when the group
    holds more than one run for some rows."""
    options = _job_options(args)
    _check_input(args.input)
    _check_out(args.out)
    if args.dry_run:
        return _dry_run(args, options, stdout, stderr)
    require_api_key()
    use_one_malloc_arena()
    progress = Progress(stderr, quiet=args.quiet)
    logs = library_logs(args.verbose, stderr, progress.log_handler())
    stop = threading.Event()
    client = connect(args, give_up_after=args.give_up_after, submit_timeout=args.submit_timeout)
    resume = next_command(EXIT_INTERRUPTED, argv)
    handler = _Interrupts(progress, stop, out=args.out, resume=resume)
    with client, _interrupts(handler), logs:
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
    code = (
        EXIT_DUPLICATES if report.duplicate_rows else EXIT_ROWS_FAILED if report.failed else EXIT_OK
    )
    retrying = args.retry == "failed"
    hint = resume_hint(EXIT_ROWS_FAILED, argv, retrying=retrying) if report.failed else None
    for line in summary_lines(report, quiet=args.quiet, hint=hint, out=args.out):
        stderr.write(f"taskgroup: {line}\n")
    if args.json:
        record = summary_record(
            code=code, argv=list(argv), out=args.out, retrying=retrying, report=report
        )
        write_json(stdout, record)
    return code
