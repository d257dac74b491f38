"""Durable submission journals: which row keys were sent in which batch, and which are confirmed.

The submission engine writes a batch as *pending* (durably, with the wall-clock time its POST
leaves and that POST's timeout) before its POST and marks its keys *confirmed* (with run ids)
once the server's answer, or a reconciliation against the group, shows them created. A batch
still pending when a process starts may or may not have been created, and its POST may still
land: the engine reads the group, and for keys not there waits until the POST can no longer be
applied (:meth:`PendingBatch.settles_at`) before reading again and sending anything else. Records
are scoped by group id, so one journal file can serve several groups.

Three stores, same family as the cursor stores: :class:`MemoryJournal` (this process only),
:class:`SqliteJournal` (one SQLite file, transactions), :class:`JsonlJournal` (an append-only
JSON-lines file, fsynced, replayed on open).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import NamedTuple, Optional, Protocol, TypeVar, Union, runtime_checkable

from ..errors import JournalError

__all__ = [
    "SETTLE_MARGIN",
    "JsonlJournal",
    "MemoryJournal",
    "PendingBatch",
    "SqliteJournal",
    "SubmissionJournal",
    "open_journal",
]

SETTLE_MARGIN = 5.0
"""Seconds past a POST's timeout (at most; never more than the timeout itself) after which it
is taken as never to land: time for the server to apply a request that reached it at the last
moment, and for clock steps between processes."""


class PendingBatch(NamedTuple):
    """A batch whose POST may or may not have created its runs."""

    batch_id: str
    keys: list[str]
    """Row keys, in the order they were sent."""
    sent_at: Optional[float] = None
    """Wall-clock seconds (epoch) when its POST left; None when an older journal did not say."""
    timeout: float = 60.0
    """The longest its POST could take (the client's ``submit_timeout``)."""

    def settles_at(self, now: float) -> float:
        """Wall-clock time after which the POST can no longer be applied (``now`` stands in
        for an unknown send time: the batch may have left just now)."""
        sent = self.sent_at if self.sent_at is not None else now
        return sent + self.timeout + min(self.timeout, SETTLE_MARGIN)


@runtime_checkable
class SubmissionJournal(Protocol):
    """What the submission engine needs from a journal."""

    def open_batch(
        self,
        group_id: str,
        batch_id: str,
        keys: Sequence[str],
        *,
        sent_at: float,
        timeout: float,
    ) -> None:
        """Record (durably) that ``keys`` are about to be sent as batch ``batch_id`` by a POST
        leaving at ``sent_at`` (epoch seconds) that takes at most ``timeout`` seconds."""

    def confirm(
        self, group_id: str, runs: Mapping[str, str], *, batch_id: Optional[str] = None
    ) -> None:
        """Record ``runs`` (key -> run id) as created; close ``batch_id`` if given."""

    def discard_batch(self, group_id: str, batch_id: str) -> None:
        """Close ``batch_id`` whose keys were certainly not created (they may be sent again)."""

    def pending_batches(self, group_id: str) -> list[PendingBatch]:
        """Batches opened and not yet closed, oldest first."""

    def confirmed_among(self, group_id: str, keys: Sequence[str]) -> dict[str, str]:
        """The subset of ``keys`` already confirmed, with their run ids."""

    def close(self) -> None:
        """Release the underlying file, if any."""


_J = TypeVar("_J", bound="_JournalBase")


class _JournalBase:
    def __enter__(self: _J) -> _J:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release."""


class MemoryJournal(_JournalBase):
    """A journal held in memory: exactly-once within this process, forgotten afterwards."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, dict[str, PendingBatch]] = {}
        self._confirmed: dict[str, dict[str, str]] = {}

    def open_batch(
        self,
        group_id: str,
        batch_id: str,
        keys: Sequence[str],
        *,
        sent_at: float,
        timeout: float,
    ) -> None:
        self._remember(group_id, PendingBatch(batch_id, list(keys), sent_at, timeout))

    def _remember(self, group_id: str, batch: PendingBatch) -> None:
        with self._lock:
            self._pending.setdefault(group_id, {})[batch.batch_id] = batch

    def confirm(
        self, group_id: str, runs: Mapping[str, str], *, batch_id: Optional[str] = None
    ) -> None:
        with self._lock:
            self._confirmed.setdefault(group_id, {}).update(runs)
            if batch_id is not None:
                self._pending.get(group_id, {}).pop(batch_id, None)

    def discard_batch(self, group_id: str, batch_id: str) -> None:
        with self._lock:
            self._pending.get(group_id, {}).pop(batch_id, None)

    def pending_batches(self, group_id: str) -> list[PendingBatch]:
        with self._lock:
            return list(self._pending.get(group_id, {}).values())

    def confirmed_among(self, group_id: str, keys: Sequence[str]) -> dict[str, str]:
        with self._lock:
            known = self._confirmed.get(group_id, {})
            return {k: known[k] for k in keys if k in known}

    def known_runs(self, group_id: str) -> int:
        """How many rows of ``group_id`` this journal holds a record of: confirmed, or in a
        batch still pending."""
        with self._lock:
            confirmed = self._confirmed.get(group_id, {})
            pending = {k for b in self._pending.get(group_id, {}).values() for k in b.keys}
            return len(confirmed) + len(pending.difference(confirmed))


_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending_batch (
    group_id TEXT NOT NULL, batch_id TEXT NOT NULL, seq INTEGER NOT NULL, keys TEXT NOT NULL,
    sent_at REAL, timeout REAL NOT NULL DEFAULT 60,
    PRIMARY KEY (group_id, batch_id));
CREATE TABLE IF NOT EXISTS confirmed_key (
    group_id TEXT NOT NULL, row_key TEXT NOT NULL, run_id TEXT NOT NULL,
    PRIMARY KEY (group_id, row_key)) WITHOUT ROWID;
"""
_SQLITE_FORMAT = "parallel-taskgroup-journal/1"
_SQL_CHUNK = 500  # stay well under SQLite's bound-parameter limit on old builds


_OPEN_SECONDS = 10.0


def _connect(path: str) -> sqlite3.Connection:
    """The journal file at ``path``, made one if new; JournalError for another format."""
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
        add_send_time(db)
        db.execute(
            "INSERT OR IGNORE INTO journal_meta (name, value) VALUES ('format', ?)",
            (_SQLITE_FORMAT,),
        )
        (found,) = db.execute("SELECT value FROM journal_meta WHERE name = 'format'").fetchone()
        if found != _SQLITE_FORMAT:
            raise JournalError(f"{path}: journal format {found!r} is not supported")
    except BaseException:
        db.close()
        raise
    return db


class SqliteJournal(_JournalBase):
    """A journal in one SQLite file; every record is its own committed transaction."""

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        # Two processes opening one new file at once: one may find it locked while the other
        # sets it up (switching to WAL does not wait), so setting up is tried again a while.
        deadline = time.monotonic() + _OPEN_SECONDS
        while True:
            try:
                self._db = _connect(self.path)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise JournalError(
                        f"{self.path}: cannot use this file as a submission journal ({exc})"
                    ) from None
                time.sleep(0.05)
            except sqlite3.DatabaseError as exc:
                raise JournalError(
                    f"{self.path}: cannot use this file as a submission journal ({exc})"
                ) from None

    def __repr__(self) -> str:
        return f"SqliteJournal({self.path!r})"

    def _write(self, statements: Sequence[tuple[str, Sequence[object]]]) -> None:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    if args and isinstance(args[0], tuple):
                        db.executemany(sql, args)  # type: ignore[arg-type]
                    else:
                        db.execute(sql, args)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def open_batch(
        self,
        group_id: str,
        batch_id: str,
        keys: Sequence[str],
        *,
        sent_at: float,
        timeout: float,
    ) -> None:
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO pending_batch "
                    "(group_id, batch_id, seq, keys, sent_at, timeout) VALUES "
                    "(?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM pending_batch), ?, ?, ?)",
                    (group_id, batch_id, json.dumps(list(keys)), sent_at, timeout),
                )
            ]
        )

    def confirm(
        self, group_id: str, runs: Mapping[str, str], *, batch_id: Optional[str] = None
    ) -> None:
        statements: list[tuple[str, Sequence[object]]] = []
        if runs:
            statements.append(
                (
                    "INSERT OR REPLACE INTO confirmed_key (group_id, row_key, run_id) "
                    "VALUES (?, ?, ?)",
                    [(group_id, k, v) for k, v in runs.items()],
                )
            )
        if batch_id is not None:
            statements.append(
                (
                    "DELETE FROM pending_batch WHERE group_id = ? AND batch_id = ?",
                    (group_id, batch_id),
                )
            )
        if statements:
            self._write(statements)

    def discard_batch(self, group_id: str, batch_id: str) -> None:
        self._write(
            [
                (
                    "DELETE FROM pending_batch WHERE group_id = ? AND batch_id = ?",
                    (group_id, batch_id),
                )
            ]
        )

    def pending_batches(self, group_id: str) -> list[PendingBatch]:
        with self._lock:
            rows = self._db.execute(
                "SELECT batch_id, keys, sent_at, timeout FROM pending_batch WHERE group_id = ? "
                "ORDER BY seq",
                (group_id,),
            ).fetchall()
        return [PendingBatch(str(b), list(json.loads(k)), s, float(t)) for b, k, s, t in rows]

    def confirmed_among(self, group_id: str, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(keys), _SQL_CHUNK):
                part = list(keys[start : start + _SQL_CHUNK])
                marks = ",".join("?" * len(part))
                for key, run_id in self._db.execute(
                    "SELECT row_key, run_id FROM confirmed_key "
                    f"WHERE group_id = ? AND row_key IN ({marks})",
                    (group_id, *part),
                ):
                    found[key] = run_id
        return found

    def known_runs(self, group_id: str) -> int:
        """How many rows of ``group_id`` this journal holds a record of: confirmed, or in a
        batch still pending."""
        with self._lock:
            (confirmed,) = self._db.execute(
                "SELECT COUNT(*) FROM confirmed_key WHERE group_id = ?", (group_id,)
            ).fetchone()
        pending = list({k for b in self.pending_batches(group_id) for k in b.keys})
        return int(confirmed) + len(pending) - len(self.confirmed_among(group_id, pending))

    def close(self) -> None:
        with self._lock:
            self._db.close()


class JsonlJournal(MemoryJournal):
    """An append-only JSON-lines journal: one fsynced line per record, replayed on open.

    A torn last line (the process died mid-write) is dropped on open: it can only be a batch
    that was never sent or a confirmation that reconciliation will redo.
    """

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None:
        super().__init__()
        self.path = os.fspath(path)
        self._replay()
        self._file = open(self.path, "ab")  # noqa: SIM115 - closed by close()

    def __repr__(self) -> str:
        return f"JsonlJournal({self.path!r})"

    def _replay(self) -> None:
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise JournalError(f"{self.path}: cannot read the journal ({exc})") from None
        end = data.rfind(b"\n") + 1
        if end < len(data):
            with open(self.path, "r+b") as f:
                f.truncate(end)
        for number, line in enumerate(data[:end].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                op, group = rec["op"], rec["group"]
                if op == "open":
                    sent_at = rec.get("sent_at")
                    self._remember(
                        group,
                        PendingBatch(
                            str(rec["batch"]),
                            [str(k) for k in rec["keys"]],
                            float(sent_at) if sent_at is not None else None,
                            float(rec.get("timeout", 60.0)),
                        ),
                    )
                elif op == "confirm":
                    super().confirm(group, rec["runs"], batch_id=rec.get("batch"))
                elif op == "discard":
                    super().discard_batch(group, rec["batch"])
                else:
                    raise ValueError(f"unknown op {op!r}")
            except (ValueError, KeyError, TypeError) as exc:
                raise JournalError(
                    f"{self.path}, line {number}: not a submission journal record ({exc})"
                ) from None

    def _append(self, record: dict[str, object]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with self._lock:
            self._file.write(line + b"\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def open_batch(
        self,
        group_id: str,
        batch_id: str,
        keys: Sequence[str],
        *,
        sent_at: float,
        timeout: float,
    ) -> None:
        self._append(
            {
                "op": "open",
                "group": group_id,
                "batch": batch_id,
                "keys": list(keys),
                "sent_at": sent_at,
                "timeout": timeout,
            }
        )
        super().open_batch(group_id, batch_id, keys, sent_at=sent_at, timeout=timeout)

    def confirm(
        self, group_id: str, runs: Mapping[str, str], *, batch_id: Optional[str] = None
    ) -> None:
        record: dict[str, object] = {"op": "confirm", "group": group_id, "runs": dict(runs)}
        if batch_id is not None:
            record["batch"] = batch_id
        self._append(record)
        super().confirm(group_id, runs, batch_id=batch_id)

    def discard_batch(self, group_id: str, batch_id: str) -> None:
        self._append({"op": "discard", "group": group_id, "batch": batch_id})
        super().discard_batch(group_id, batch_id)

    def close(self) -> None:
        with self._lock:
            self._file.close()


def open_journal(path: Union[str, os.PathLike[str]]) -> Union[SqliteJournal, JsonlJournal]:
    """Open (or create) a journal file: ``.jsonl``/``.ndjson`` is JSON lines, anything else
    SQLite."""
    text = os.fspath(path)
    if text.endswith((".jsonl", ".ndjson")):
        return JsonlJournal(text)
    return SqliteJournal(text)


def add_send_time(db: sqlite3.Connection) -> None:
    """Give a ``pending_batch`` table written by an older version its send-time columns (their
    batches then read as sent at an unknown time)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(pending_batch)")}
    if "sent_at" not in columns:
        db.execute("ALTER TABLE pending_batch ADD COLUMN sent_at REAL")
    if "timeout" not in columns:
        db.execute("ALTER TABLE pending_batch ADD COLUMN timeout REAL NOT NULL DEFAULT 60")
