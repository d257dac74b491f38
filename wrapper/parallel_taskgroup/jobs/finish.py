"""Ending a session, however it ends: one line per input row in the results file (the result,
or a placeholder saying why there is none), the state saved, and the report."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from typing import Any, Optional

from .._clock import Interrupted
from ..errors import (
    BudgetExceededError,
    JournalError,
    ParallelError,
    PaymentRequiredError,
    SubmissionError,
)
from .options import JobOptions
from .quote import JobQuote
from .record_text import load_record
from .recorder import Recorder
from .records import placeholder
from .report import JobReport
from .reporter import JobReporter
from .results_file import ResultsLayout, reorder_lines, results_format, write_results
from .state import JobState, save_state
from .store import JobStore

__all__ = ["finish", "finish_without_group", "why_unsent"]


_ALL_LINES_IN = str(2**62)
"""The ``appended_pos`` of a file in input order with every row's line in: a line appended
after it is out of order."""


def finish(
    *,
    store: JobStore,
    recorder: Recorder,
    reporter: JobReporter,
    state: JobState,
    options: JobOptions,
    quote: JobQuote,
    error: Optional[BaseException],
) -> JobReport:
    """Write one line per row (rewriting the file from the journal when it cannot simply be
    completed), save the state and return the report. ``error``: what stopped the session."""
    reporter.phase("finishing")
    # A full disk may refuse the journal (or the state) a write, yet leave room for the lines:
    # what is held but not journaled is fetched again by the next session.
    torn = False  # the appended file may lack lines the journal has
    try:
        recorder.flush(force=True)
        recorder.close_file()
    except (OSError, ParallelError):
        torn = True
    counts = store.counts()
    complete = counts.finished == counts.rows
    rewrite = torn or recorder.rewrite or not complete
    if not rewrite and recorder.reorder:
        # Every line is right, some out of input order: moved, unless the journal's word of
        # where they lie is not exactly the file's lines (then written whole).
        size = store.meta("results_size")
        rewrite = not (
            recorder.fmt == "jsonl"
            and size is not None
            and reorder_lines(options.out, store.lines_at(), size=int(size))
        )
        if not rewrite:
            with contextlib.suppress(OSError, JournalError):
                store.set_meta(reorder="0", appended_pos=_ALL_LINES_IN)
    if rewrite:
        records = _final_records(store, why_unsent(error), options.include_basis, state.group_id)
        write_results(options.out, records, fmt=recorder.fmt, layout=recorder.layout)
        with contextlib.suppress(OSError, JournalError):
            store.set_meta(
                results_size=str(os.path.getsize(options.out)),
                placeholders="0" if complete else "1",
                rewrite="0",
                reorder="0",
                appending="0",
                appended_pos=_ALL_LINES_IN,
            )
    state.submitted_all = counts.submitted == counts.rows
    with contextlib.suppress(OSError):
        save_state(options.state_path, state)
    extra = store.extra_runs()
    report = JobReport(
        group_id=state.group_id,
        out=options.out,
        rows=counts.rows,
        completed=counts.completed,
        failed=counts.failed,
        not_submitted=counts.rows - counts.submitted,
        unfinished=counts.submitted - counts.finished,
        spent_usd=round(reporter.spent(), 6),
        quote=quote,
        stopped_by=None if error is None else type(error).__name__,
        duplicate_rows=len({key for key, _ in extra}),
        extra_runs=len(extra),
        duplicates=tuple(extra),
    )
    reporter.emit(force=True)
    return report


def finish_without_group(
    store: JobStore, options: JobOptions, layout: ResultsLayout, error: BaseException
) -> None:
    """One placeholder line per row for a job whose group could not be created (nothing was
    sent; the same command creates it next time)."""
    why = (
        f"not submitted: the job stopped before its group was created ({type(error).__name__}); "
        "run the same command again"
    )
    records = _final_records(store, why, options.include_basis, None)
    write_results(options.out, records, fmt=results_format(options.out), layout=layout)
    store.set_meta(placeholders="1")  # the next session replaces these lines


def why_unsent(error: Optional[BaseException]) -> str:
    """Why a row was not submitted, for its placeholder line."""
    if error is None:
        return "not submitted"
    if isinstance(error, BudgetExceededError):
        return "not submitted: the job reached its --max-cost"
    if isinstance(error, PaymentRequiredError):
        return "not submitted: not enough credit (402); top up and run the same command again"
    if isinstance(error, (Interrupted, KeyboardInterrupt)):
        return "not submitted: the job was interrupted; run the same command again"
    if isinstance(error, SubmissionError) and error.status_code in (400, 403, 422):
        return f"not submitted: the service refused the rows ({error}); fix them, then run again"
    return f"not submitted: the job stopped ({type(error).__name__}); run the same command again"


def _final_records(
    store: JobStore, why: str, include_basis: bool, group_id: Optional[str]
) -> Iterator[dict[str, Any]]:
    for row, text in store.rows_with_records():
        if text is not None:
            record = load_record(text)
            if not include_basis:
                record.pop("basis", None)
            yield record
            continue
        value = json.loads(row.input)
        if row.attempt == 0:
            yield placeholder(row.key, value, "not_submitted", why, group_id=group_id)
        else:
            history = store.attempts_of(row.key)
            found = [a for a in history if a["attempt"] == row.attempt]
            run_id = found[0]["run_id"] if found else None
            yield placeholder(
                row.key,
                value,
                "unfinished",
                "the run was still active when the job stopped; run the same command again to "
                "collect it",
                run_id=run_id,
                group_id=group_id,
                attempts=[a for a in history if a["attempt"] < row.attempt],
            )
