"""A job's state on disk, row by row: one SQLite file (``RESULTS.journal``).

It holds every input row (its key, where it was in the input, its value), every attempt the job
created for it (run id, processor, final status), the result record of its latest attempt, and
the add-runs batches in flight. Nothing per row is kept in memory, so a job of a million rows
runs in the memory of a job of a thousand. It is also the job's submission journal: an
:class:`AttemptJournal` records what each add-runs POST created.

Each thread gets its own connection (WAL mode: readers never wait for the writer).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Optional

import attrs

from ..errors import JournalError
from ..submission.journal import PendingBatch, add_send_time
from ..submission.keys import identity, split_identity

__all__ = ["AttemptJournal", "JobStore", "RowCounts", "StoredRow"]

FORMAT = "parallel-taskgroup-job/1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    pos INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    line INTEGER NOT NULL,
    input TEXT NOT NULL,
    pass INTEGER NOT NULL DEFAULT 0,
    attempt INTEGER NOT NULL DEFAULT 0,
    status TEXT,
    record TEXT
);
CREATE INDEX IF NOT EXISTS rows_to_submit ON rows (attempt, pos);
CREATE INDEX IF NOT EXISTS rows_progress ON rows (status, attempt);
CREATE TABLE IF NOT EXISTS attempts (
    key TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    processor TEXT NOT NULL,
    run_id TEXT NOT NULL,
    status TEXT,
    error TEXT,
    PRIMARY KEY (key, attempt)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending_batch (
    batch_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    identities TEXT NOT NULL,
    sent_at REAL,
    timeout REAL NOT NULL DEFAULT 60
);
CREATE TABLE IF NOT EXISTS extra_runs (
    run_id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    processor TEXT NOT NULL
) WITHOUT ROWID;
"""
_CHUNK = 500  # bound parameters per statement (old SQLite builds allow 999)


@attrs.frozen
class RowCounts:
    """How the job's rows stand."""

    rows: int
    submitted: int
    finished: int
    completed: int
    failed: int


@attrs.frozen
class StoredRow:
    """A row as stored: key, input line, value (JSON text), latest attempt, its status."""

    pos: int
    key: str
    line: int
    input: str
    attempt: int
    status: Optional[str]
    record: Optional[str]


class JobStore:
    """The job's rows, attempts and pending batches in one SQLite file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[tuple[sqlite3.Connection, threading.Lock]] = []
        self._all_lock = threading.Lock()
        self._closed = False
        self._pass = 0
        # Bumped after every commit that may change the attempts table: runs_by_processor's
        # answer is cached until then.
        self._attempts_version = 0
        self._spent_cache: Optional[tuple[int, dict[str, int]]] = None
        try:
            with self._use() as db:
                db.executescript(_SCHEMA)
                add_send_time(db)
                found = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
                if found is None:
                    db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
                elif found[0] != FORMAT:
                    raise JournalError(f"{path}: job journal format {found[0]!r} is not supported")
        except sqlite3.DatabaseError as exc:
            self.close()
            raise JournalError(f"{path}: not a job journal, or damaged ({exc})") from None

    def __repr__(self) -> str:
        return f"JobStore({self.path!r})"

    # -- connections -------------------------------------------------------------------------

    def _connection(self) -> tuple[sqlite3.Connection, threading.Lock]:
        """This thread's connection (opened on first use) and the lock that guards it."""
        found: Optional[tuple[sqlite3.Connection, threading.Lock]] = getattr(
            self._local, "db", None
        )
        if found is None:
            try:
                db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA busy_timeout = 30000")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.DatabaseError as exc:
                raise JournalError(f"{self.path}: cannot open the job journal ({exc})") from None
            found = (db, threading.Lock())
            self._local.db = found
            with self._all_lock:
                self._all.append(found)
        return found

    @contextlib.contextmanager
    def _use(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, held: ``close`` waits for a query in progress to end."""
        if self._closed:
            raise JournalError(f"{self.path}: the job journal is closed")
        db, lock = self._connection()
        with lock:
            if self._closed:
                raise JournalError(f"{self.path}: the job journal is closed")
            yield db

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of one read."""
        with self._use() as db:
            return db.execute(sql, tuple(params)).fetchall()

    def _write(self, statements: Sequence[tuple[str, Any]]) -> None:
        """Run ``statements`` (sql, params or list of params) in one durable transaction."""
        try:
            with self._use() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    for sql, params in statements:
                        if isinstance(params, list):
                            db.executemany(sql, params)
                        else:
                            db.execute(sql, params)
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
        except sqlite3.DatabaseError as exc:
            raise _disk_error(self.path, exc) from exc

    def close(self) -> None:
        """Close every thread's connection; the store can no longer be used (a thread of an
        ended session cannot write to it)."""
        self._closed = True
        with self._all_lock:
            for db, lock in self._all:
                with lock:
                    db.close()
            self._all.clear()

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
        try:
            with self._use() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    for key, line, value in rows:
                        cursor = db.execute(
                            "INSERT OR IGNORE INTO rows (key, line, input, pass) "
                            "VALUES (?, ?, ?, ?)",
                            (key, line, value, self._pass),
                        )
                        if cursor.rowcount == 0:
                            first, seen_in = db.execute(
                                "SELECT line, pass FROM rows WHERE key = ?", (key,)
                            ).fetchone()
                            if not (skip_known and seen_in != self._pass):
                                duplicates.append((key, line, int(first)))
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
        except sqlite3.DatabaseError as exc:
            raise _disk_error(self.path, exc) from exc
        return duplicates

    def begin_pass(self) -> None:
        """Start a pass over an input: keys stored from now on belong to it (an incremental
        rerun tells a key repeated in its input from one stored by an earlier pass)."""
        self._pass = int(self._query("SELECT COALESCE(MAX(pass), 0) FROM rows")[0][0]) + 1

    def row_count(self) -> int:
        """How many rows the job has."""
        return int(self._query("SELECT COUNT(*) FROM rows")[0][0])

    def rows(self, *, where: str = "1", params: Sequence[Any] = ()) -> Iterator[StoredRow]:
        """Rows in input order (optionally filtered with a SQL condition), streamed.

        Read in short queries, one chunk at a time, so that no read transaction stays open
        between chunks: a caller may write to the store while it iterates (a transaction that
        began before another connection's commit could not write afterwards).
        """
        last = 0
        while True:
            batch = self._query(
                "SELECT pos, key, line, input, attempt, status, record FROM rows "
                f"WHERE pos > ? AND ({where}) ORDER BY pos LIMIT ?",
                (last, *params, _CHUNK),
            )
            for row in batch:
                yield StoredRow(*row)
            if len(batch) < _CHUNK:
                return
            last = batch[-1][0]

    def to_submit(self, attempt: int) -> Iterator[StoredRow]:
        """Rows whose run for ``attempt`` does not exist yet: new rows for attempt 1; for a
        retry, rows whose attempt ``attempt - 1`` failed."""
        if attempt == 1:
            return self.rows(where="attempt = 0")
        return self.rows(
            where="attempt = ? AND status IN ('failed', 'cancelled')", params=(attempt - 1,)
        )

    def retry_levels(self) -> list[int]:
        """The attempt numbers a retry of every failed row would create, lowest first."""
        found = self._query(
            "SELECT DISTINCT attempt + 1 FROM rows WHERE status IN ('failed', 'cancelled') "
            "ORDER BY 1"
        )
        return [int(r[0]) for r in found]

    def row(self, key: str) -> Optional[StoredRow]:
        """One row by key."""
        found = self._query(
            "SELECT pos, key, line, input, attempt, status, record FROM rows WHERE key = ?",
            (key,),
        )
        return StoredRow(*found[0]) if found else None

    def rows_by_key(self, keys: Sequence[str]) -> dict[str, StoredRow]:
        """The stored rows of ``keys`` (keys the job does not have are left out), a few
        hundred per query."""
        found: dict[str, StoredRow] = {}
        for start in range(0, len(keys), _CHUNK):
            part = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(part))
            for row in self._query(
                "SELECT pos, key, line, input, attempt, status, record FROM rows "
                f"WHERE key IN ({marks})",
                part,
            ):
                found[row[1]] = StoredRow(*row)
        return found

    def run_ids_by_key(self, keys: Sequence[str]) -> dict[tuple[str, int], str]:
        """(key, attempt) -> run id of every attempt of ``keys``, a few hundred keys a query."""
        found: dict[tuple[str, int], str] = {}
        for start in range(0, len(keys), _CHUNK):
            part = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(part))
            for key, attempt, run_id in self._query(
                f"SELECT key, attempt, run_id FROM attempts WHERE key IN ({marks})", part
            ):
                found[(key, int(attempt))] = run_id
        return found

    def counts(self) -> RowCounts:
        """How the rows stand."""
        found = self._query(
            "SELECT COUNT(*), "
            "COALESCE(SUM(attempt > 0), 0), "
            "COALESCE(SUM(status IS NOT NULL), 0), "
            "COALESCE(SUM(status = 'completed'), 0), "
            "COALESCE(SUM(status IN ('failed', 'cancelled')), 0) FROM rows"
        )[0]
        return RowCounts(*(int(v) for v in found))

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
                (
                    "UPDATE rows SET attempt = ?, status = NULL, record = NULL "
                    "WHERE key = ? AND attempt < ?",
                    [(a, k, a) for k, a, _, _ in batch],
                ),
            ]
        )
        self._attempts_version += 1  # after the commit: a read racing it is not kept

    def attempts_of(self, key: str) -> list[dict[str, Any]]:
        """Every attempt of a row, oldest first."""
        found = self._query(
            "SELECT attempt, run_id, processor, status, error FROM attempts WHERE key = ? "
            "ORDER BY attempt",
            (key,),
        )
        return [
            {
                "attempt": a,
                "run_id": r,
                "processor": p,
                "status": s,
                "error": json.loads(e) if e else None,
            }
            for a, r, p, s, e in found
        ]

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
        self._attempts_version += 1

    def extra_runs(self) -> list[tuple[str, str]]:
        """(row key, run id) of every extra run found, by key."""
        found = self._query("SELECT key, run_id FROM extra_runs ORDER BY key, attempt, run_id")
        return [(str(k), str(r)) for k, r in found]

    def runs_by_processor(self) -> dict[str, int]:
        """How many runs the job created, by processor (what it has spent), extra runs of a
        row included.

        Cached until the next write to the attempts: the job asks after every batch and on
        every progress update, and counting a million attempts each time would dominate.
        """
        version = self._attempts_version
        cached = self._spent_cache
        if cached is not None and cached[0] == version:
            return dict(cached[1])
        found = self._query(
            "SELECT processor, COUNT(*) FROM (SELECT processor FROM attempts "
            "UNION ALL SELECT processor FROM extra_runs) GROUP BY processor"
        )
        answer = {str(p): int(n) for p, n in found}
        self._spent_cache = (version, answer)
        return dict(answer)

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

    def classify_run(self, key: str, attempt: int, run_id: str) -> str:
        """What a finished run of (``key``, ``attempt``) is to the job: ``wanted`` (its result
        is still to be recorded), ``recorded``, ``extra`` (the job knows another run for it:
        this one was created besides) or ``other`` (not a run the job knows of, yet)."""
        with self._use() as db:
            row = db.execute("SELECT attempt, status FROM rows WHERE key = ?", (key,)).fetchone()
            if row is None:
                return "other"
            known = db.execute(
                "SELECT run_id, status FROM attempts WHERE key = ? AND attempt = ?", (key, attempt)
            ).fetchone()
        if known is None:
            return "other"
        if known[0] != run_id:
            return "extra"
        latest, status = row
        if attempt == latest:
            return "wanted" if status is None else "recorded"
        return "wanted" if attempt < latest and known[1] is None else "recorded"

    def save_results(
        self,
        results: Sequence[tuple[str, int, str, Optional[str], str]],
        *,
        lines_follow: bool = False,
    ) -> None:
        """Store finished runs: (key, attempt, status, error JSON, the row's record JSON).
        The row's record and status change only for its latest attempt. ``lines_follow``: their
        lines are appended to the results file next; until :meth:`set_meta` says
        ``appending="0"``, a later session knows the file may lack them."""
        statements: list[tuple[str, Any]] = [
            (
                "UPDATE attempts SET status = ?, error = ? WHERE key = ? AND attempt = ?",
                [(s, e, k, a) for k, a, s, e, _ in results],
            ),
            (
                "UPDATE rows SET status = ?, record = ? WHERE key = ? AND attempt = ?",
                [(s, rec, k, a) for k, a, s, _, rec in results],
            ),
        ]
        if lines_follow:
            statements.append(("INSERT OR REPLACE INTO meta VALUES ('appending', '1')", ()))
        self._write(statements)

    # -- the journal of add-runs batches -------------------------------------------------------

    def journal(self, processor: str) -> AttemptJournal:
        """The submission journal of add-runs calls that create runs of ``processor``."""
        return AttemptJournal(self, processor)

    def open_batch(
        self, batch_id: str, identities: Sequence[str], sent_at: float, timeout: float
    ) -> None:
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO pending_batch "
                    "(batch_id, seq, identities, sent_at, timeout) VALUES "
                    "(?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM pending_batch), ?, ?, ?)",
                    (batch_id, json.dumps(list(identities)), sent_at, timeout),
                )
            ]
        )

    def confirm(
        self, runs: Mapping[str, str], processor: str, batch_id: Optional[str] = None
    ) -> None:
        statements: list[tuple[str, Any]] = []
        if runs:
            parsed = [(*split_identity(i), run_id) for i, run_id in runs.items()]
            statements += [
                (
                    "INSERT OR REPLACE INTO attempts (key, attempt, processor, run_id) "
                    "VALUES (?, ?, ?, ?)",
                    [(k, a, processor, r) for k, a, r in parsed],
                ),
                (
                    "UPDATE rows SET attempt = ?, status = NULL, record = NULL "
                    "WHERE key = ? AND attempt < ?",
                    [(a, k, a) for k, a, _ in parsed],
                ),
            ]
        if batch_id is not None:
            statements.append(("DELETE FROM pending_batch WHERE batch_id = ?", (batch_id,)))
        if statements:
            self._write(statements)
            self._attempts_version += 1  # after the commit: a read racing it is not kept

    def discard_batch(self, batch_id: str) -> None:
        self._write([("DELETE FROM pending_batch WHERE batch_id = ?", (batch_id,))])

    def pending_batches(self) -> list[PendingBatch]:
        found = self._query(
            "SELECT batch_id, identities, sent_at, timeout FROM pending_batch ORDER BY seq"
        )
        return [PendingBatch(str(b), list(json.loads(i)), s, float(t)) for b, i, s, t in found]

    def confirmed_among(self, identities: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(identities), _CHUNK):
            part = [split_identity(i) for i in identities[start : start + _CHUNK]]
            marks = " OR ".join("(key = ? AND attempt = ?)" for _ in part)
            params = [v for pair in part for v in pair]
            for key, attempt, run_id in self._query(
                f"SELECT key, attempt, run_id FROM attempts WHERE {marks}", params
            ):
                found[identity(key, attempt)] = run_id
        return found


class AttemptJournal:
    """The :class:`~parallel_taskgroup.SubmissionJournal` of one job and processor: what add-runs
    created is stored as the rows' attempts (the group id is the job's own)."""

    def __init__(self, store: JobStore, processor: str) -> None:
        self._store = store
        self._processor = processor

    def open_batch(
        self,
        group_id: str,
        batch_id: str,
        keys: Sequence[str],
        *,
        sent_at: float,
        timeout: float,
    ) -> None:
        self._store.open_batch(batch_id, keys, sent_at, timeout)

    def confirm(
        self, group_id: str, runs: Mapping[str, str], *, batch_id: Optional[str] = None
    ) -> None:
        self._store.confirm(runs, self._processor, batch_id)

    def discard_batch(self, group_id: str, batch_id: str) -> None:
        self._store.discard_batch(batch_id)

    def pending_batches(self, group_id: str) -> list[PendingBatch]:
        return self._store.pending_batches()

    def confirmed_among(self, group_id: str, keys: Sequence[str]) -> dict[str, str]:
        return self._store.confirmed_among(keys)

    def close(self) -> None:
        """The store stays open: the job closes it."""


def _disk_error(path: str, exc: sqlite3.DatabaseError) -> BaseException:
    """A full disk as the OSError it is (the command line's I/O exit code); any other failure
    of the journal as a JournalError naming it."""
    text = str(exc).lower()
    if "full" in text:
        return OSError(errno.ENOSPC, f"{path}: the disk is full ({exc})")
    if "disk i/o" in text:
        return OSError(errno.EIO, f"{path}: writing failed ({exc}); is the disk full?")
    return JournalError(f"{path}: the job journal failed ({exc}); run the same command again")


def remove_store(path: str) -> None:
    """Delete a store file and its SQLite side files."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + suffix)
