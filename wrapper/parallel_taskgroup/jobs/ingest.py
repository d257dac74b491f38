"""Input rows into the job's store, each checked once before anything is sent.

One pass over the input: every row gets its key (the key field, or a hash of the row), is
checked as add-runs will check it (metadata, the documented size limits, JSON) and against the
input schema's required fields, and is stored. Duplicate keys are found by the store's unique
index, not a set in memory. Problems are collected, not raised one by one: a user fixes the
file once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Callable, Optional

import attrs

from .._json import compact
from .._words import plural
from ..errors import InputError, RowError
from ..submission.prepare import RowPlan, prepare_one
from .input_row import RowValue
from .inputs import Row
from .store import JobStore

__all__ = ["Ingested", "Problem", "ingest"]

MAX_PROBLEMS = 20
"""Problems described in full; beyond these only a count is kept."""

_BATCH = 1000
_MAX_COLUMNS = 500


@attrs.frozen
class Problem:
    """What is wrong with one input row."""

    line: int
    key: Optional[str]
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" (key {self.key!r})" if self.key is not None else "")
        return f"{where}: {self.message}"


@attrs.frozen
class Ingested:
    """What one pass over the input found."""

    rows: int
    """Rows read (including those with problems)."""
    stored: int
    """Rows newly stored (an incremental rerun skips keys the job already has)."""
    problems: tuple[Problem, ...]
    problem_count: int
    input_columns: Optional[tuple[str, ...]]
    """Field names of the rows, in first-seen order (None when rows are strings)."""

    def raise_if_problems(self, name: str) -> None:
        """Raise InputError listing the problems (nothing was sent)."""
        if not self.problem_count:
            return
        more = self.problem_count - len(self.problems)
        listed = "; ".join(str(p) for p in self.problems)
        tail = f"; and {more} more" if more > 0 else ""
        raise InputError(
            f"{name}: {plural(self.problem_count, 'row')} cannot be submitted, nothing was "
            "sent: "
            f"{listed}{tail}"
        )


def _row_text(value: RowValue) -> Optional[str]:
    """A refused row's JSON text, for its reject; None for a row that cannot be written as
    JSON (e.g. one holding NaN or Infinity, which reading JSON accepts and writing it does
    not): what is wrong with it is its problem, not a second error."""
    try:
        return compact(value)
    except (TypeError, ValueError, RecursionError):
        return None


def ingest(
    store: JobStore,
    rows: Iterable[Row],
    *,
    plan: RowPlan,
    required_fields: Iterable[str] = (),
    known_keys_skip: bool = False,
    staging: bool = False,
    check_key: Optional[Callable[[Row], None]] = None,
    show_keys: bool = True,
    reject: Optional[Callable[[Problem, Optional[str]], None]] = None,
) -> Ingested:
    """Check and store ``rows``. With ``known_keys_skip`` (an incremental rerun), a key the
    job already has is not a duplicate: the row is skipped. With ``staging`` (a refresh), rows
    are held for :meth:`~.store.JobStore.apply_refresh` instead of stored. ``reject`` is told
    of every bad row (its problem and its JSON text) as it is found, beyond the few described
    in full."""
    required = list(required_fields)
    problems: list[Problem] = []
    count = 0
    columns: dict[str, None] = {}
    strings = False
    total = 0
    pending: list[tuple[str, int, str]] = []

    def note(problem: Problem, text: Optional[str]) -> None:
        nonlocal count
        count += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(problem if show_keys else attrs.evolve(problem, key=None))
        if reject is not None:
            reject(problem, text)

    def flush() -> None:
        texts = {line: text for _, line, text in pending}
        found = (
            store.stage_rows(pending)
            if staging
            else store.insert_rows(pending, skip_known=known_keys_skip)
        )
        for key, line, first in found:
            note(
                Problem(line, key, f"duplicate key (first on line {first}); keys must be unique"),
                texts.get(line),
            )
        pending.clear()

    before = store.row_count()
    for position, row in enumerate(rows):
        total += 1
        value = row.value
        if check_key is not None:
            try:
                check_key(row)
            except InputError as exc:
                note(Problem(row.line, None, exc.message), _row_text(value))
                continue
        try:
            prepared = prepare_one(plan, position, value)
        except RowError as exc:
            note(Problem(row.line, exc.key, exc.problem), _row_text(value))
            continue
        if isinstance(value, dict):
            missing = [f for f in required if f not in value]
            if missing:
                note(
                    Problem(
                        row.line,
                        prepared.key,
                        f"missing field(s) required by the input schema: {', '.join(missing)}",
                    ),
                    compact(value),
                )
                continue
            if len(columns) < _MAX_COLUMNS:
                for name in value:
                    columns.setdefault(name, None)
        else:
            strings = True
        pending.append((prepared.key, row.line, compact(value)))
        if len(pending) >= _BATCH:
            flush()
    if pending:
        flush()
    stored = store.row_count() - before
    return Ingested(
        rows=total,
        stored=stored,
        problems=tuple(problems),
        problem_count=count,
        input_columns=None if strings or not columns else tuple(columns),
    )
