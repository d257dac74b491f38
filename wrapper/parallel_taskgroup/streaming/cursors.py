"""Cursor stores: where a stream's last processed ``event_id`` is kept, keyed by (group, stream).

Given the same store, a new process resumes a stream where the previous one stopped. Delivery
across processes is at-least-once: a stream saves its cursor at most every half second (and on
close), so after a crash the next process may see again the last events the previous one
handled. De-duplicate by run id if that matters; within one process, delivery is exactly-once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Optional, Protocol, Union, runtime_checkable

from .._fs import atomic_write
from ..errors import CursorStoreError

__all__ = [
    "CursorStore",
    "JsonFileCursorStore",
    "MemoryCursorStore",
    "SqliteCursorStore",
]

_FORMAT = "parallel-taskgroup-cursors"
_VERSION = 1


@runtime_checkable
class CursorStore(Protocol):
    """Load and save the last processed event id of a (group, stream) pair."""

    def load(self, group_id: str, stream: str) -> Optional[str]: ...

    def save(self, group_id: str, stream: str, event_id: str) -> None: ...


class MemoryCursorStore:
    """Cursors in a dict: survives reconnects, not the process."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def load(self, group_id: str, stream: str) -> Optional[str]:
        with self._lock:
            return self._data.get((group_id, stream))

    def save(self, group_id: str, stream: str, event_id: str) -> None:
        with self._lock:
            self._data[(group_id, stream)] = event_id

    def __repr__(self) -> str:
        return f"MemoryCursorStore({len(self._data)} cursors)"


def _key(group_id: str, stream: str) -> str:
    return f"{group_id}/{stream}"


class JsonFileCursorStore:
    """Cursors in one small JSON file, rewritten atomically (temp file, fsync, ``os.replace``):
    a crash at any point leaves the previous or the new content, never a torn file.

    Each save reads the file again and changes only its own cursor, so processes following
    different streams can share a file: at worst two saves at the same instant leave one stream
    its previous cursor (its last events come again; none is lost). SqliteCursorStore shares
    without even that.
    """

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"JsonFileCursorStore({str(self.path)!r})"

    def _read(self) -> dict[str, str]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise CursorStoreError(f"cannot read cursor file {self.path}: {exc}") from None
        try:
            doc = json.loads(raw)
        except ValueError:
            raise CursorStoreError(
                f"cursor file {self.path} is not valid JSON; delete it to start the streams "
                "from the beginning, or restore it from a backup"
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            raise CursorStoreError(
                f"{self.path} is not a parallel-taskgroup cursor file (missing "
                f'"format": "{_FORMAT}"); pass another path'
            )
        cursors = doc.get("cursors")
        if not isinstance(cursors, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in cursors.items()
        ):
            raise CursorStoreError(
                f"cursor file {self.path}: 'cursors' must map strings to strings"
            )
        return cursors

    def load(self, group_id: str, stream: str) -> Optional[str]:
        with self._lock:
            return self._read().get(_key(group_id, stream))

    def save(self, group_id: str, stream: str, event_id: str) -> None:
        with self._lock:
            cursors = self._read()  # as another process may have left it
            cursors[_key(group_id, stream)] = event_id
            body = {"format": _FORMAT, "version": _VERSION, "cursors": cursors}
            try:
                atomic_write(self.path, json.dumps(body, indent=1, sort_keys=True).encode() + b"\n")
            except OSError as exc:
                raise CursorStoreError(f"cannot write cursor file {self.path}: {exc}") from None


class SqliteCursorStore:
    """Cursors in a SQLite table; safe to share between threads and processes."""

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS stream_cursors ("
                " group_id TEXT NOT NULL, stream TEXT NOT NULL, event_id TEXT NOT NULL,"
                " PRIMARY KEY (group_id, stream))"
            )
            self._conn.commit()
        except sqlite3.Error as exc:
            raise CursorStoreError(f"cannot open cursor database {self.path}: {exc}") from None

    def __repr__(self) -> str:
        return f"SqliteCursorStore({self.path!r})"

    def load(self, group_id: str, stream: str) -> Optional[str]:
        with self._lock:
            try:
                row = self._conn.execute(
                    "SELECT event_id FROM stream_cursors WHERE group_id = ? AND stream = ?",
                    (group_id, stream),
                ).fetchone()
            except sqlite3.Error as exc:
                raise CursorStoreError(f"cannot read cursor database {self.path}: {exc}") from None
        return None if row is None else str(row[0])

    def save(self, group_id: str, stream: str, event_id: str) -> None:
        with self._lock:
            try:
                with self._conn:
                    self._conn.execute(
                        "INSERT OR REPLACE INTO stream_cursors (group_id, stream, event_id) "
                        "VALUES (?, ?, ?)",
                        (group_id, stream, event_id),
                    )
            except sqlite3.Error as exc:
                raise CursorStoreError(f"cannot write cursor database {self.path}: {exc}") from None

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()
