"""A job's state on disk, row by row: one SQLite file (``RESULTS.journal``).

It holds every input row (its key, where it was in the input, its value, and why it is to run
again, if it is), every attempt the job created for it (run id, processor, final status, how long
it took, when it finished, and its answer once a newer attempt replaced it), the result record of
its latest attempt, the rows a refresh removed, and the add-runs batches in flight. Nothing per
row is kept in memory, so a job of a million rows runs in the memory of a job of a thousand. It
is also the job's submission journal: an :class:`AttemptJournal` records what each add-runs POST
created.

Its tables are in :mod:`.store_schema`. Each thread gets its own connection (WAL mode: readers
never wait for the writer): see :mod:`.store_db`. The submission journal is in
:mod:`.attempt_journal`. The records themselves are in the records file beside it
(:mod:`.record_file`); its tables hold their places, and a record read from the store is its
text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Optional

from ..errors import JournalError
from ..submission.journal import add_send_time
from ..submission.keys import split_identity
from .attempt_journal import _KEEP_ANSWER, _NEXT_ATTEMPT, AttemptJournal, BatchJournal
from .record_file import RecordFile, vouched
from .record_text import load_record
from .store_db import _CHUNK, _disk_error
from .store_schema import (
    _RECOUNT,
    _SCHEMA,
    FORMAT,
    OLD_FORMATS,
    REFRESH_STEPS,
    ROW_RECORD,
    AttemptFacts,
    RefreshCounts,
    RowCounts,
    StoredRow,
    add_columns,
    upgrade,
)

__all__ = [
    "AttemptFacts",
    "AttemptJournal",
    "JobStore",
    "RefreshCounts",
    "RowCounts",
    "StoredRow",
]


_NO_LINE = (None, None)
_ROW_COLUMNS = "pos, key, line, input, attempt, status"
"""A :class:`StoredRow`'s columns of ``FROM rows``."""

FinishedRun = tuple[str, int, str, Optional[str], str, Optional[float], Optional[float]]
"""(key, attempt, status, error JSON, record JSON, seconds, finished_at epoch)."""


_AGAIN = "redo IS NOT NULL"
"""The SQL condition of a row whose latest attempt is to be followed by another: it is marked
(:meth:`JobStore.mark_redo`, :meth:`JobStore.mark_failed`, ...) until that run is created."""


def _insert_new_keys(
    db: sqlite3.Connection,
    table: str,
    columns: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    held: tuple[str, ...],
) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Insert ``rows`` (values of ``columns``, key first) into ``table``, keyed by key, with one
    statement; a key the table holds already keeps its row. The rows not stored, in order, each
    with the ``held`` columns of its key's row: a row holding its own values there was stored
    now (its line and pass tell it: a line is unique within a pass over an input). Looked up
    only when the statement stored fewer rows than it was given."""
    stored = db.executemany(
        f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})",
        rows,
    ).rowcount
    if stored == len(rows):
        return []  # the common case: every key is new
    at = [columns.index(name) for name in held]
    refused = []
    for row in rows:
        found = tuple(
            db.execute(f"SELECT {', '.join(held)} FROM {table} WHERE key = ?", row[:1]).fetchone()
        )
        if found != tuple(row[i] for i in at):
            refused.append((row, found))
    return refused


class JobStore(BatchJournal):
    """The job's rows, attempts and pending batches in one SQLite file."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._pass = 0
        try:
            with self._use() as db:
                db.executescript(_SCHEMA)
                add_send_time(db)
                add_columns(db)
                found = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
                if found is None:
                    db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
                elif found[0] in OLD_FORMATS:
                    upgrade(db, found[0])
                elif found[0] != FORMAT:
                    raise JournalError(
                        f"{path}: job journal format {found[0]!r} is not supported by this "
                        "version of parallel-taskgroup"
                    )
                db.executescript(_RECOUNT)
                kept = db.execute("SELECT value FROM meta WHERE name = 'records'").fetchone()
        except sqlite3.DatabaseError as exc:
            self.close()
            error = _disk_error(path, exc)
            if isinstance(error, OSError):  # a full disk, not a damaged journal
                raise error from None
            raise JournalError(f"{path}: not a job journal, or damaged ({exc})") from None
        try:
            self._records = RecordFile(path, vouched(kept[0] if kept else None))
        except JournalError:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"JobStore({self.path!r})"

    def close(self) -> None:
        super().close()
        records = getattr(self, "_records", None)
        if records is not None:
            records.close()

    # -- meta --------------------------------------------------------------------------------

    def meta(self, name: str) -> Optional[str]:
        """A stored setting (``None`` if unset)."""
        found = self._query("SELECT value FROM meta WHERE name = ?", (name,))
        return str(found[0][0]) if found else None

    def set_meta(self, **values: str) -> None:
        """Store settings."""
        self._write(
            [("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, v) for k, v in values.items()])]
        )

    # -- rows ----------------------------------------------------------------------------------

    def insert_rows(
        self, rows: Sequence[tuple[str, int, str]], *, skip_known: bool = False
    ) -> list[tuple[str, int, int]]:
        """Store rows (key, line, value as JSON text) in input order, in one transaction.

        Returns the duplicates, (key, its line, the line that had it first), which are not
        stored; with ``skip_known``, a key stored by an earlier pass is skipped silently (only
        a key repeated within this input is a duplicate).
        """
        duplicates: list[tuple[str, int, int]] = []
        this_pass = self._pass
        with self._transaction() as db:
            refused = _insert_new_keys(
                db,
                "rows",
                ("key", "line", "input", "pass"),
                [(*row, this_pass) for row in rows],
                held=("line", "pass"),
            )
            for (key, line, _, _), (first, seen_in) in refused:
                if not (skip_known and seen_in != this_pass):
                    duplicates.append((key, line, int(first)))
        return duplicates

    def stage_rows(self, rows: Sequence[tuple[str, int, str]]) -> list[tuple[str, int, int]]:
        """Hold a refresh's rows (key, line, value as JSON text) until :meth:`apply_refresh`;
        the duplicates, (key, its line, the line that had it first), are not held."""
        with self._transaction() as db:
            refused = _insert_new_keys(
                db, "incoming", ("key", "line", "input"), rows, held=("line",)
            )
        return [(key, line, int(first)) for (key, line, _), (first,) in refused]

    def clear_staged(self) -> None:
        """Forget the rows held for a refresh."""
        self._write([("DELETE FROM incoming", ())])

    def apply_refresh(self) -> RefreshCounts:
        """Make the held rows the job's rows, in one transaction: rows removed earlier and back
        are restored, an edited row takes its new value and, if it was run, is marked for
        another run; new rows are added; rows not held are removed (kept aside with their
        attempts). The results file is then rewritten at the end of the session."""
        counts: dict[str, int] = {}
        with self._transaction() as db:
            for name, sql in REFRESH_STEPS:
                counts[name] = db.execute(sql).rowcount
            if counts["edited"] or counts["removed"] or counts["restored"]:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('rewrite', '1')")
            db.execute("DELETE FROM incoming")
        return RefreshCounts(
            new=counts["new"],
            edited=counts["edited"],
            removed=counts["removed"],
            restored=counts["restored"],
        )

    def begin_pass(self) -> None:
        """Start a pass over an input: keys stored from now on belong to it (an incremental
        rerun tells a key repeated in its input from one stored by an earlier pass)."""
        self._pass = int(self._query("SELECT COALESCE(MAX(pass), 0) FROM rows")[0][0]) + 1

    def drop_pass(self) -> None:
        """Forget the rows the current pass stored (none of them was sent)."""
        self._write([("DELETE FROM rows WHERE pass = ? AND attempt = 0", (self._pass,))])

    def row_count(self) -> int:
        """How many rows the job has."""
        return self.counts().rows

    def rows(self, *, where: str = "1", params: Sequence[Any] = ()) -> Iterator[StoredRow]:
        """Rows in input order (optionally filtered with a SQL condition), streamed."""
        for row in self._in_input_order(
            f"SELECT {_ROW_COLUMNS} FROM rows WHERE pos > ? AND ({where}) ORDER BY pos LIMIT ?",
            params,
        ):
            yield StoredRow(*row)

    def rows_with_records(self) -> Iterator[tuple[StoredRow, Optional[str]]]:
        """Every row in input order with its record's text (None until its latest attempt
        finished), streamed."""
        for *row, record in self._in_input_order(
            f"SELECT {_ROW_COLUMNS}, {ROW_RECORD} FROM rows WHERE pos > ? ORDER BY pos LIMIT ?"
        ):
            yield StoredRow(*row), None if record is None else self._records.text(record)

    def lines_at(self) -> Iterator[tuple[str, Optional[int], Optional[int]]]:
        """Where each row's line lies in the appended results file, in input order: (key,
        offset, length), None where unknown (see :meth:`save_results`)."""
        for _, key, at, length in self._in_input_order(
            "SELECT pos, key, line_at, line_len FROM rows WHERE pos > ? ORDER BY pos LIMIT ?"
        ):
            yield key, at, length

    def _in_input_order(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """The rows ``sql`` selects, its first column a row's ``pos`` (its parameters: the
        position to read after, ``params``, then how many to read), streamed.

        Read in short queries, one chunk at a time, so that no read transaction stays open
        between chunks: a caller may write to the store while it iterates (a transaction that
        began before another connection's commit could not write afterwards).
        """
        last = 0
        while True:
            batch = self._query(sql, (last, *params, _CHUNK))
            yield from batch
            if len(batch) < _CHUNK:
                return
            last = batch[-1][0]

    def to_submit(self, attempt: int) -> Iterator[StoredRow]:
        """Rows whose run for ``attempt`` does not exist yet: new rows for attempt 1; above it,
        rows at ``attempt - 1`` marked for another run."""
        if attempt == 1:
            return self.rows(where="attempt = 0")
        return self.rows(where=f"attempt = ? AND {_AGAIN}", params=(attempt - 1,))

    def retry_levels(self) -> list[int]:
        """The attempt numbers above 1 that :meth:`to_submit` would create, lowest first."""
        found = self._query(
            f"SELECT DISTINCT attempt + 1 FROM rows WHERE attempt > 0 AND {_AGAIN} ORDER BY 1"
        )
        return [int(r[0]) for r in found]

    def level_sizes(self) -> list[int]:
        """How many runs each attempt level would create, new rows first (as submitted)."""
        counts = self.counts()
        new = counts.rows - counts.submitted
        found = self._query(
            f"SELECT attempt, COUNT(*) FROM rows WHERE attempt > 0 AND {_AGAIN} "
            "GROUP BY attempt ORDER BY attempt"
        )
        return [new, *(int(n) for _, n in found)]

    def redo_counts(self) -> dict[str, int]:
        """Rows to run again, by the reason they were marked."""
        found = self._query(
            f"SELECT redo, COUNT(*) FROM rows WHERE attempt > 0 AND {_AGAIN} GROUP BY 1"
        )
        return {str(r): int(n) for r, n in found}

    def mark_failed(self) -> int:
        """Mark every row whose latest run failed (or was cancelled) for another run, unless
        marked already; how many were marked."""
        marked = self._write(
            [
                (
                    "UPDATE rows SET redo = 'failed' WHERE attempt > 0 AND redo IS NULL "
                    "AND status IN ('failed', 'cancelled')",
                    (),
                )
            ]
        )
        return int(marked)

    def mark_redo(self, keys: Sequence[str], reason: str) -> None:
        """Mark rows for another run (their next attempt), in one transaction; a row marked
        already keeps its first reason."""
        self._write(
            [
                (
                    "UPDATE rows SET redo = ? WHERE key = ? AND attempt > 0 AND redo IS NULL",
                    [(reason, k) for k in keys],
                )
            ]
        )

    def mark_stale(self, finished_before: float) -> tuple[int, int]:
        """Mark rows whose latest result finished before ``finished_before`` (epoch seconds)
        for another run; (how many, how many results are of unknown age: not marked)."""
        when = (
            "EXISTS (SELECT 1 FROM attempts a WHERE a.key = rows.key AND a.attempt = rows.attempt "
            "AND a.finished_at {})"
        )
        unknown = self._query(
            "SELECT COUNT(*) FROM rows WHERE redo IS NULL AND status IS NOT NULL AND "
            + when.format("IS NULL")
        )[0][0]
        marked = self._write(
            [
                (
                    "UPDATE rows SET redo = 'stale' WHERE redo IS NULL AND status IS NOT NULL "
                    "AND " + when.format("< ?"),
                    (finished_before,),
                )
            ]
        )
        return int(marked), int(unknown)

    def answers(self, *, not_by: str) -> Iterator[tuple[str, str]]:
        """(key, record JSON) of every row whose latest run completed, is not marked for
        another run, and was not a run of processor ``not_by``; streamed in input order."""
        for _, key, record in self._in_input_order(
            "SELECT r.pos, r.key, c.record FROM rows r JOIN row_records c ON c.pos = r.pos "
            "JOIN attempts a ON a.key = r.key AND a.attempt = r.attempt WHERE r.pos > ? "
            "AND r.status = 'completed' AND r.redo IS NULL "
            "AND a.processor != ? ORDER BY r.pos LIMIT ?",
            (not_by,),
        ):
            yield key, self._records.text(record)

    def row(self, key: str) -> Optional[StoredRow]:
        """One row by key."""
        found = self._query(
            f"SELECT {_ROW_COLUMNS} FROM rows WHERE key = ?",
            (key,),
        )
        return StoredRow(*found[0]) if found else None

    def rows_by_key(self, keys: Sequence[str]) -> dict[str, StoredRow]:
        """The stored rows of ``keys`` (keys the job does not have are left out), a few
        hundred per query."""
        sql = f"SELECT {_ROW_COLUMNS} FROM rows WHERE key IN ({{marks}})"
        return {row[1]: StoredRow(*row) for row in self._query_keys(sql, keys)}

    def counts(self) -> RowCounts:
        """How the rows stand (kept as they change: no row is counted here)."""
        found = self._query(
            "SELECT rows, submitted, finished, completed, failed FROM row_tally WHERE one = 1"
        )
        return RowCounts(*(int(v) for v in found[0]))

    # -- attempts ------------------------------------------------------------------------------

    def record_runs(self, runs: Iterable[tuple[str, str, str]]) -> None:
        """Store runs found in the group: (identity, run id, processor); rows get their latest
        attempt. Runs of keys this job does not have are ignored."""
        batch: list[tuple[str, int, str, str]] = []
        for ident, run_id, processor in runs:
            key, attempt = split_identity(ident)
            batch.append((key, attempt, processor, run_id))
            if len(batch) >= _CHUNK:
                self._store_attempts(batch)
                batch = []
        if batch:
            self._store_attempts(batch)

    def _store_attempts(self, batch: list[tuple[str, int, str, str]]) -> None:
        self._write(
            [
                (
                    "INSERT OR IGNORE INTO attempts (key, attempt, processor, run_id) "
                    "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rows WHERE key = ?)",
                    [(k, a, p, r, k) for k, a, p, r in batch],
                ),
                (  # a second run of a (key, attempt) the job knows: billed too, reported
                    "INSERT OR IGNORE INTO extra_runs (run_id, key, attempt, processor) "
                    "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM attempts "
                    "WHERE key = ? AND attempt = ? AND run_id != ?)",
                    [(r, k, a, p, k, a, r) for k, a, p, r in batch],
                ),
                (_KEEP_ANSWER, [(k, k, a) for k, a, _, _ in batch]),
                (_NEXT_ATTEMPT, [(a, k, a) for k, a, _, _ in batch]),
            ]
        )

    def attempts_of(self, key: str) -> list[dict[str, Any]]:
        """Every attempt of a row, oldest first."""
        found = self._query(
            "SELECT attempt, run_id, processor, status, error, record FROM attempts "
            "WHERE key = ? ORDER BY attempt",
            (key,),
        )
        history = []
        for a, r, p, s, e, rec in found:
            entry = {
                "attempt": a,
                "run_id": r,
                "processor": p,
                "status": s,
                "error": json.loads(e) if e else None,
            }
            if rec is not None:  # an earlier answer, kept when a newer attempt replaced it
                entry["output"] = load_record(self._records.text(rec)).get("output")
            history.append(entry)
        return history

    def attempt_facts(self) -> Iterator[AttemptFacts]:
        """Every run the job created for its current rows (extra runs aside), in input order
        and by attempt, read a chunk of rows at a time."""
        last = 0
        while True:
            chunk = self._query(
                "SELECT pos FROM rows WHERE pos > ? ORDER BY pos LIMIT ?", (last, _CHUNK)
            )
            if not chunk:
                return
            batch = self._query(
                "SELECT a.key, a.attempt, a.processor, a.status, a.seconds, a.finished_at "
                "FROM rows r JOIN attempts a ON a.key = r.key WHERE r.pos > ? AND r.pos <= ? "
                "ORDER BY r.pos, a.attempt",
                (last, chunk[-1][0]),
            )
            for key, attempt, processor, status, seconds, finished_at in batch:
                yield AttemptFacts(key, int(attempt), processor, status, seconds, finished_at)
            last = chunk[-1][0]

    def record_extra_runs(self, runs: Iterable[tuple[str, str, str]]) -> None:
        """Store runs the group holds for a row beside the one the job knows: (identity, run
        id, processor). They were billed; the job reports them."""
        batch = [(r, *split_identity(i), p) for i, r, p in runs]
        if not batch:
            return
        self._write(
            [
                (
                    "INSERT OR IGNORE INTO extra_runs (run_id, key, attempt, processor) "
                    "SELECT ?, ?, ?, ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM attempts WHERE run_id = ?)",
                    [(r, k, a, p, r) for r, k, a, p in batch],
                )
            ]
        )

    def extra_runs(self) -> list[tuple[str, str]]:
        """(row key, run id) of every extra run found, by key."""
        found = self._query("SELECT key, run_id FROM extra_runs ORDER BY key, attempt, run_id")
        return [(str(k), str(r)) for k, r in found]

    def runs_by_processor(self) -> dict[str, int]:
        """How many runs the job created, by processor (what it has spent), extra runs of a
        row included (kept as runs are recorded: nothing is counted here)."""
        found = self._query("SELECT processor, runs FROM run_tally WHERE runs > 0")
        return {str(p): int(n) for p, n in found}

    def needs_result(self, key: str, attempt: int) -> bool:
        """Whether a finished run of (key, attempt) still has to be recorded."""
        with self._use() as db:
            found = db.execute("SELECT attempt, status FROM rows WHERE key = ?", (key,)).fetchone()
            if found is None:
                return False
            latest, status = found
            if attempt < latest:
                done = db.execute(
                    "SELECT status FROM attempts WHERE key = ? AND attempt = ?", (key, attempt)
                ).fetchone()
                return done is not None and done[0] is None
        return bool(attempt == latest and status is None)

    def classify_runs(self, runs: Sequence[tuple[str, int, str]]) -> list[str]:
        """What each finished run (``key``, ``attempt``, ``run_id``) is to the job, a few
        hundred keys a query: ``wanted`` (its result is still to be recorded), ``recorded``,
        ``extra`` (the job knows another run for it: this one was created besides) or
        ``other`` (not a run the job knows of, yet)."""
        sql = (
            "SELECT a.key, a.attempt, r.attempt, r.status, a.run_id, a.status "
            "FROM attempts a JOIN rows r ON r.key = a.key WHERE a.key IN ({marks})"
        )
        known = {
            (key, int(attempt)): (int(latest), status, run_id, run_status)
            for key, attempt, latest, status, run_id, run_status in self._query_keys(
                sql, list({key for key, _, _ in runs})
            )
        }
        return [
            _verdict(attempt, run_id, known.get((key, attempt))) for key, attempt, run_id in runs
        ]

    def save_results(
        self,
        results: Sequence[FinishedRun],
        *,
        lines_at: Optional[Mapping[str, tuple[int, int]]] = None,
    ) -> None:
        """Store finished runs: (key, attempt, status, error JSON, the row's record JSON, the
        run's seconds, when it finished).
        The row's record and status change only for its latest attempt. ``lines_at``: their
        lines are appended to the results file next, each where it says, by key (offset and
        length in bytes); until :meth:`set_meta` says ``appending="0"``, a later session knows
        the file may lack them."""
        if not results:
            return
        spans = lines_at or {}
        # The records go to the records file first, and the rows get their places there.
        places, kept = self._records.append([r[4] for r in results])
        results = [(*r[:4], place, *r[5:]) for r, place in zip(results, places)]
        with self._transaction() as db:
            # A result whose row has moved on to a newer attempt (or is not this job's) is the
            # exception: its row is not updated, and only then is the journal asked whether its
            # attempt keeps its answer, which a condition on every result would ask each time.
            latest: list[FinishedRun] = []
            aside: list[FinishedRun] = []
            for r in results:
                updated = db.execute(
                    "UPDATE rows SET status = ?, line_at = ?, line_len = ? "
                    "WHERE key = ? AND attempt = ?",
                    (r[2], *spans.get(r[0], _NO_LINE), r[0], r[1]),
                ).rowcount
                (latest if updated else aside).append(r)
            db.executemany(
                "INSERT OR REPLACE INTO row_records (pos, record) "
                "SELECT pos, ? FROM rows WHERE key = ?",
                [(r[4], r[0]) for r in latest],
            )
            db.executemany(
                "UPDATE attempts SET status = ?, error = ?, seconds = ?, finished_at = ? "
                "WHERE key = ? AND attempt = ?",
                [(r[2], r[3], r[5], r[6], r[0], r[1]) for r in results],
            )
            db.executemany(  # an earlier attempt finishing after a newer one began
                "UPDATE attempts SET record = ? WHERE key = ? AND attempt = ? "
                "AND attempt < (SELECT attempt FROM rows WHERE key = ?)",
                [(r[4], r[0], r[1], r[0]) for r in aside],
            )
            db.execute("INSERT OR REPLACE INTO meta VALUES ('records', ?)", (kept,))
            if lines_at is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('appending', '1')")


def _verdict(
    attempt: int, run_id: str, known: Optional[tuple[int, Optional[str], str, Optional[str]]]
) -> str:
    """:meth:`JobStore.classify_runs`' word on one run, from its attempt as stored (the row's
    latest attempt and status, the attempt's run id and status)."""
    if known is None:
        return "other"
    latest, status, known_run, known_status = known
    if known_run != run_id:
        return "extra"
    if attempt == latest:
        return "wanted" if status is None else "recorded"
    return "wanted" if attempt < latest and known_status is None else "recorded"
