"""A finished (or stopped) job's quality in figures: :func:`summarize_job` reads the job's files
and returns a :class:`JobSummary`: its rows by status, why rows failed, how each output field's
latest answers are backed (confidence, citations), what the job spent by processor and by
attempt, and how long its runs took.

The journal (``RESULTS.journal``, found through ``RESULTS.state.json``) is read first: the rows'
latest records (their basis always kept there), every run the job created and its duration.
Without it (deleted, damaged, or a file of ``taskgroup results``), the results file alone gives
the statuses, the failures and, when it has them, the basis; what only the journal knows is
named in ``unavailable``. Rows are streamed into counters, so a job of a million rows is
summarised in the memory of a small one.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, Optional, Union

import attrs

from ..errors import ConfigurationError, JournalError, ResultsFileError, StateFileError
from .prices import PriceTable, price_table
from .record_text import load_record
from .results_file import read_records
from .state import default_journal_path, default_state_path, load_state
from .store import JobStore
from .summary_tally import (
    FAILED,
    STATUSES,
    BasisTally,
    Durations,
    DurationTally,
    FailureReason,
    FieldBasis,
    ReasonTally,
)

__all__ = [
    "AttemptSpend",
    "Durations",
    "FailureReason",
    "FieldBasis",
    "JobSummary",
    "ProcessorSpend",
    "summarize_job",
]

TOP_REASONS = 20


@attrs.frozen
class ProcessorSpend:
    """The runs the job created on one processor (extra runs of a row included) and their
    price; ``usd`` is None when the price table has no price for the processor."""

    processor: str
    runs: int
    usd_per_1000: Optional[float]
    usd: Optional[float]


@attrs.frozen
class AttemptSpend:
    """The runs of one attempt number (1: the first run of a row; 2: its first retry, ...) on
    one processor. ``attempt`` None: runs outside the current rows' attempts (extra runs the
    group holds for a row, runs of rows a refresh removed from the job)."""

    attempt: Optional[int]
    processor: str
    runs: int
    usd: Optional[float]


@attrs.frozen
class JobSummary:
    """A job's figures (plain values; :meth:`to_dict` for JSON).

    ``fields`` is None when no basis can be read (no journal, and a results file written
    without ``include_basis``); ``spend``, ``spend_by_attempt``, ``spent_usd`` and
    ``durations`` are None without a journal. ``unavailable`` says, one phrase each, what could
    not be figured and why."""

    results: str
    group_id: Optional[str]
    journal: Optional[str]
    """The journal read; None when the figures come from the results file alone."""
    rows: int
    by_status: Mapping[str, int]
    """Rows by the status of their line: completed, failed, cancelled, not_submitted,
    unfinished (always present), then any other."""
    failure_reasons: tuple[FailureReason, ...]
    """Failed and cancelled rows by reason, most rows first (at most 20)."""
    distinct_reasons: int
    fields: Optional[tuple[FieldBasis, ...]]
    spend: Optional[tuple[ProcessorSpend, ...]]
    spend_by_attempt: Optional[tuple[AttemptSpend, ...]]
    spent_usd: Optional[float]
    """What the runs cost; None when the price table lacks a processor the job ran (a total
    of the others would understate it: ``unavailable`` names the processor)."""
    prices: str
    """Where the prices come from."""
    durations: Optional[tuple[Durations, ...]]
    unavailable: tuple[str, ...] = ()

    @property
    def failed(self) -> int:
        """Rows whose latest run failed or was cancelled."""
        return sum(self.by_status.get(s, 0) for s in FAILED)

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready dicts and lists."""
        return attrs.asdict(self)


class _RowTally:
    """Rows by status, failures by reason, answers by field."""

    def __init__(self) -> None:
        self.by_status: Counter[str] = Counter()
        self.reasons = ReasonTally()
        self.basis = BasisTally()
        self.has_basis = False

    def add(self, status: Any, record: Mapping[str, Any]) -> None:
        status = str(status) if status else "unknown"
        self.by_status[status] += 1
        if status in FAILED:
            self.reasons.add(record.get("error"))
        if "basis" in record:
            self.has_basis = True
            self.basis.add(record["basis"])

    def statuses(self) -> dict[str, int]:
        shown = {s: self.by_status.get(s, 0) for s in STATUSES}
        shown.update(sorted((s, n) for s, n in self.by_status.items() if s not in shown))
        return shown


def summarize_job(out: str, *, prices: Union[str, PriceTable, None] = None) -> JobSummary:
    """The figures of the job whose results file is ``out``, read from its files (no network).

    ``prices``: a price table, or the path of a JSON file ``{"processor": usd_per_1000_runs}``
    (default: the packaged table). A path that is not a results file, or does not exist, is a
    ResultsFileError; a missing or damaged journal or state file is not an error: the summary
    says what it could not figure without them."""
    table = price_table(prices)
    first = _first_record(out)
    unavailable: list[str] = []
    state_path = default_state_path(out)
    journal_path = default_journal_path(out)
    group_id: Optional[str] = None
    try:
        state = load_state(state_path)
    except StateFileError as exc:
        state = None
        unavailable.append(f"the state file: {exc.message}; the journal was looked for beside it")
    if state is not None:
        group_id = state.group_id
        journal_path = state.journal_path(state_path)
    if group_id is None and first is not None and isinstance(first.get("group_id"), str):
        group_id = first["group_id"]
    store, lacking = _open_journal(journal_path)
    try:
        if store is not None and store.row_count() == 0 and first is not None:
            store.close()
            store, lacking = None, f"{journal_path} holds no rows"
        return _summary(out, group_id, store, lacking, table, unavailable)
    finally:
        if store is not None:
            store.close()


def _summary(
    out: str,
    group_id: Optional[str],
    store: Optional[JobStore],
    lacking: str,
    table: PriceTable,
    unavailable: list[str],
) -> JobSummary:
    rows = _RowTally()
    for status, record in _journal_rows(store) if store is not None else _file_rows(out):
        rows.add(status, record)
    if store is None:
        unavailable.append(
            f"spend, attempts and run durations: only the job's journal has them, and {lacking}; "
            "the results file was read instead"
        )
        if not rows.has_basis:
            unavailable.append(
                "basis: the results file has none (the job ran without include_basis)"
            )
    spend = by_attempt = durations = None
    spent: Optional[float] = None
    if store is not None:
        spend, by_attempt, durations = _runs(store, table)
        priced = [s.usd for s in spend if s.usd is not None]
        spent = round(sum(priced), 6) if len(priced) == len(spend) else None
        unavailable += [
            f"the price of {s.processor}: not in the price table ({table.source}); give it "
            "in a price table file"
            for s in spend
            if s.usd is None
        ]
    return JobSummary(
        results=out,
        group_id=group_id,
        journal=store.path if store is not None else None,
        rows=sum(rows.by_status.values()),
        by_status=rows.statuses(),
        failure_reasons=rows.reasons.top(TOP_REASONS),
        distinct_reasons=rows.reasons.distinct,
        fields=rows.basis.fields() if rows.has_basis else None,
        spend=spend,
        spend_by_attempt=by_attempt,
        spent_usd=spent,
        prices=table.source,
        durations=durations,
        unavailable=tuple(unavailable),
    )


def _first_record(out: str) -> Optional[dict[str, Any]]:
    """The first record of the results file (None for an empty one); ResultsFileError when
    ``out`` is missing or not a results file."""
    if not os.path.exists(out):
        raise ResultsFileError(f"{out}: no such results file")
    if os.path.isdir(out):
        raise ResultsFileError(f"{out}: is a directory, not a results file")
    records = read_records(out)
    try:
        return next(records, None)
    finally:
        close = getattr(records, "close", None)
        if callable(close):
            close()


def _open_journal(path: str) -> tuple[Optional[JobStore], str]:
    """The job's journal, or None and why not. Never created: opening a path that is not
    there would make an empty journal."""
    if not os.path.isfile(path):
        return None, f"{path} is not there"
    try:
        return JobStore(path), ""
    except JournalError as exc:
        return None, f"it cannot be read ({exc.message})"


def _journal_rows(store: JobStore) -> Iterator[tuple[Optional[str], Mapping[str, Any]]]:
    """(status, latest record) of each of the job's current rows; a row without a finished run
    is ``not_submitted`` or ``unfinished``, as its line says."""
    for row, text in store.rows_with_records():
        status = row.status or ("not_submitted" if row.attempt == 0 else "unfinished")
        record = load_record(text) if text else None
        yield status, record if isinstance(record, dict) else {}


def _file_rows(out: str) -> Iterator[tuple[Any, Mapping[str, Any]]]:
    for record in read_records(out):
        yield record.get("status"), record


def _runs(
    store: JobStore, table: PriceTable
) -> tuple[tuple[ProcessorSpend, ...], tuple[AttemptSpend, ...], tuple[Durations, ...]]:
    """Spend by processor and by attempt, and durations, from the journal's runs."""
    by_attempt: Counter[tuple[int, str]] = Counter()
    durations = DurationTally()
    for facts in store.attempt_facts():
        by_attempt[(facts.attempt, facts.processor)] += 1
        if facts.status is not None:
            durations.add(facts.processor, facts.seconds)
    runs = store.runs_by_processor()
    spend = tuple(
        ProcessorSpend(p, n, _usd(table, p, 1000), _usd(table, p, n))
        for p, n in sorted(runs.items(), key=lambda item: (-item[1], item[0]))
    )
    attempts = [
        AttemptSpend(a, p, n, _usd(table, p, n)) for (a, p), n in sorted(by_attempt.items())
    ]
    counted: Counter[str] = Counter()
    for (_, processor), n in by_attempt.items():
        counted[processor] += n
    attempts += [
        AttemptSpend(None, p, n - counted[p], _usd(table, p, n - counted[p]))
        for p, n in sorted(runs.items())
        if n > counted[p]
    ]
    return spend, tuple(attempts), durations.durations()


def _usd(table: PriceTable, processor: str, runs: int) -> Optional[float]:
    try:
        return round(table.per_run(processor) * runs, 6)
    except ConfigurationError:
        return None
