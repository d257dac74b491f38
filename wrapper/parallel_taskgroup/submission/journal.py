"""Durable submission journals: which row keys were sent in which batch, and which are confirmed.

The submission engine writes a batch as *pending* (durably) before its POST and marks its keys
*confirmed* (with run ids) once the server's answer, or a reconciliation against the group, shows
them created. A batch still pending when a process starts may or may not have been created: the
engine reconciles it against the group before sending anything else. Records are scoped by group
id, so one journal file can serve several groups.

Three stores, same family as the cursor stores: :class:`MemoryJournal` (this process only),
:class:`SqliteJournal` (one SQLite file, transactions), :class:`JsonlJournal` (an append-only
JSON-lines file, fsynced, replayed on open).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Optional, Protocol, TypeVar, Union, runtime_checkable

from ..errors import JournalError

__all__ = [
    "JsonlJournal",
    "MemoryJournal",
    "PendingBatch",
    "SqliteJournal",
    "SubmissionJournal",
    "open_journal",
]

PendingBatch = tuple[str, list[str]]
"""(batch id, row keys in the order they were sent)."""


@runtime_checkable
class SubmissionJournal(Protocol):
    """What the submission engine needs from a journal."""

    def open_batch(self, group_id: str, batch_id: str, keys: Sequence[str]) -> None:
        """Record (durably) that ``keys`` are about to be sent as batch ``batch_id``."""

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
        self._pending: dict[str, dict[str, list[str]]] = {}
        self._confirmed: dict[str, dict[str, str]] = {}

    def open_batch(self, group_id: str, batch_id: str, keys: Sequence[str]) -> None:
        with self._lock:
            self._pending.setdefault(group_id, {})[batch_id] = list(keys)

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
            return [(b, list(k)) for b, k in self._pending.get(group_id, {}).items()]

    def confirmed_among(self, group_id: str, keys: Sequence[str]) -> dict[str, str]:
        with self._lock:
            known = self._confirmed.get(group_id, {})
            return {k: known[k] for k in keys if k in known}


_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending_batch (
    group_id TEXT NOT NULL, batch_id TEXT NOT NULL, seq INTEGER NOT NULL, keys TEXT NOT NULL,
    PRIMARY KEY (group_id, batch_id));
CREATE TABLE IF NOT EXISTS confirmed_key (
    group_id TEXT NOT NULL, row_key TEXT NOT NULL, run_id TEXT NOT NULL,
    PRIMARY KEY (group_id, row_key)) WITHOUT ROWID;
"""
_SQLITE_FORMAT = "parallel-taskgroup-journal/1"
_SQL_CHUNK = 500  # stay well under SQLite's bound-parameter limit on old builds


class SqliteJournal(_JournalBase):
    """A journal in one SQLite file; every record is its own committed transaction."""

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute(
                "SELECT value FROM journal_meta WHERE name = 'format'"
            ).fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO journal_meta (name, value) VALUES ('format', ?)", (_SQLITE_FORMAT,)
                )
            elif row[0] != _SQLITE_FORMAT:
                raise JournalError(f"{self.path}: journal format {row[0]!r} is not supported")
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

    def open_batch(self, group_id: str, batch_id: str, keys: Sequence[str]) -> None:
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO pending_batch (group_id, batch_id, seq, keys) VALUES "
                    "(?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM pending_batch), ?)",
                    (group_id, batch_id, json.dumps(list(keys))),
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
                "SELECT batch_id, keys FROM pending_batch WHERE group_id = ? ORDER BY seq",
                (group_id,),
            ).fetchall()
        return [(str(b), list(json.loads(k))) for b, k in rows]

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
                    super().open_batch(group, rec["batch"], rec["keys"])
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

    def open_batch(self, group_id: str, batch_id: str, keys: Sequence[str]) -> None:
        self._append({"op": "open", "group": group_id, "batch": batch_id, "keys": list(keys)})
        super().open_batch(group_id, batch_id, keys)

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
