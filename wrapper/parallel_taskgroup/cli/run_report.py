"""What ``taskgroup run`` says when it ends: the quote (``--dry-run``), the summary and the
command that goes on, as lines for stderr or as one JSON object for stdout (``--json``)."""

from __future__ import annotations

import contextlib
import csv
from typing import Any, Optional

import parallel_taskgroup as ptg

from .errors import (
    EXIT_DUPLICATES,
    EXIT_ROWS_FAILED,
    EXIT_USAGE,
    CommandError,
    budget_to_finish,
    next_command,
)
from .job_files import job_group, lines_by_status
from .words import plural

__all__ = ["describe_quote", "quote_record", "summary_lines", "summary_record"]

_PROBLEMS_SHOWN = "  ... and {} more"


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "no wait"
    return f"at least {seconds:.0f} s" if seconds < 120 else f"at least {seconds / 60:.1f} min"


def _rejects(out: str) -> str:
    return f"{out}.rejects.jsonl"


def describe_quote(quote: ptg.JobQuote, out: str) -> list[str]:
    """The quote as the lines ``--dry-run`` prints."""
    parts = [f"{quote.new:,} new"]
    for count, what in (
        (quote.edited, "edited"),
        (quote.stale, "stale"),
        (quote.weak, "low-confidence, run again"),
        (quote.retried, "failed, run again"),
        (quote.removed, "removed from the results (no cost)"),
        (quote.unfinished, "running already (collected, no cost)"),
    ):
        if count:
            parts.append(f"{count:,} {what}")
    lines = [
        f"rows:        {quote.rows:,}",
        f"to submit:   {plural(quote.to_submit, 'run')} at {quote.processor} "
        f"(${quote.price_per_run * 1000:g} per 1,000 runs): {', '.join(parts)}",
        f"price:       ${quote.cost_usd:,.2f}"
        + (f" (already spent ${quote.spent_usd:,.2f})" if quote.spent_usd else ""),
        f"requests:    {plural(quote.posts, 'add-runs POST')}",
        f"submission:  {_duration(quote.min_submit_seconds_by_requests)} at 2,000 requests per "
        "minute (current docs); "
        f"{_duration(quote.min_submit_seconds)} if it counts runs instead",
        f"prices from: {quote.price_source}",
    ]
    if quote.within_budget is not None:
        if quote.stops_at_budget:
            lines.append(
                f"budget:      --max-cost stops the job after {plural(quote.within_budget, 'run')}"
                f" of {quote.to_submit:,} (exit 5); raise it to send the rest"
            )
        else:
            lines.append("budget:      every run fits within --max-cost")
    listed = quote.rejected or quote.problem_count
    if quote.rejected:
        lines.append(
            f"skipped:     {plural(quote.rejected, 'invalid row')} left out (--skip-invalid), "
            f"each written with why to {_rejects(out)}:"
        )
    if quote.problem_count:
        lines.append(f"problems:    {plural(quote.problem_count, 'row')} would be refused:")
    lines += [f"  {p}" for p in quote.problems]
    if listed > len(quote.problems):
        lines.append(_PROBLEMS_SHOWN.format(f"{listed - len(quote.problems):,}"))
    return lines


def quote_record(quote: ptg.JobQuote) -> dict[str, Any]:
    """Every field of the quote as JSON data (each problem as ``{line, key, message}``), and
    whether the job would be accepted and whether ``--max-cost`` would stop it."""
    fields: Any = getattr(type(quote), "__attrs_attrs__", ())
    record = {field.name: getattr(quote, field.name) for field in fields}
    record["problems"] = [
        {"line": p.line, "key": p.key, "message": p.message} for p in quote.problems
    ]
    record["accepted"] = quote.accepted
    record["stops_at_budget"] = quote.stops_at_budget
    return record


def summary_lines(
    report: ptg.JobReport, *, quiet: bool, hint: Optional[str], out: str
) -> list[str]:
    """The summary of a finished session (``taskgroup: `` goes before each line)."""
    lines = []
    if not quiet:
        lines.append(
            f"done: {report.completed:,} completed, {report.failed:,} failed of "
            f"{plural(report.rows, 'row')}; ${report.spent_usd:,.2f} spent; results in {out} "
            f"(group {report.group_id})"
        )
        if report.quote.rejected:
            lines.append(
                f"{plural(report.quote.rejected, 'invalid row')} left out (--skip-invalid), "
                f"each with its line and why in {_rejects(out)}"
            )
        if hint:
            lines.append(hint)
    if report.duplicate_rows:
        keys = ", ".join(sorted({k for k, _ in report.duplicates})[:10])
        lines.append(
            f"group {report.group_id} holds more than one run for "
            f"{plural(report.duplicate_rows, 'row')} ({report.extra_runs:,} extra, each billed; "
            f"keys: {keys})"
        )
    return lines


def summary_record(
    *,
    code: int,
    argv: list[str],
    out: Optional[str],
    retrying: bool = False,
    report: Optional[ptg.JobReport] = None,
    error: Optional[BaseException] = None,
    message: Optional[str] = None,
) -> dict[str, Any]:
    """The ``--json`` summary of any exit: the report's counts when there is one, else what
    the job's files say (the group, the results file's lines by status), else nulls."""
    record: dict[str, Any] = {
        "exit_code": code,
        "group_id": None,
        "out": out,
        **dict.fromkeys(("rows", "completed", "failed", "not_submitted", "unfinished")),
        **dict.fromkeys(("spent_usd", "duplicate_rows", "extra_runs", "duplicates", "rejected")),
    }
    if report is not None:
        record.update(
            group_id=report.group_id,
            rows=report.rows,
            completed=report.completed,
            failed=report.failed,
            not_submitted=report.not_submitted,
            unfinished=report.unfinished,
            spent_usd=report.spent_usd,
            duplicate_rows=report.duplicate_rows,
            extra_runs=report.extra_runs,
            duplicates=[{"key": key, "run_id": run} for key, run in report.duplicates],
            rejected=report.quote.rejected,
        )
    elif out is not None and (code != EXIT_USAGE or isinstance(error, ptg.SubmissionError)):
        record.update(_from_files(out))
    record["error"] = (
        None if error is None else {"type": type(error).__name__, "message": message or str(error)}
    )
    failed_too = code == EXIT_DUPLICATES and report is not None and report.failed
    record["resume"] = next_command(
        EXIT_ROWS_FAILED if failed_too else code,
        argv,
        retrying=retrying,
        budget=None if error is None else budget_to_finish(error),
    )
    return record


def _from_files(out: str) -> dict[str, Any]:
    """What the job's files say when the library raised without a report (the results file
    holds one line per row on every exit but a usage error, and a refusal of its rows)."""
    known: dict[str, Any] = {}
    unreadable = (OSError, ValueError, csv.Error, CommandError)
    with contextlib.suppress(*unreadable):
        known["group_id"] = job_group(out)[0]
    with contextlib.suppress(*unreadable):
        counts = lines_by_status(out)
        known.update(
            rows=sum(counts.values()),
            completed=counts.get("completed", 0),
            failed=counts.get("failed", 0),
            not_submitted=counts.get("not_submitted", 0),
            unfinished=counts.get("unfinished", 0),
        )
    return known
