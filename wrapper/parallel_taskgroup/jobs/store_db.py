"""The SQLite file of a job's store as many threads use it (:class:`StoreDb`, which
:class:`~.store.JobStore` builds on): each thread gets its own connection (WAL mode: readers
never wait for the writer), reads, durable write transactions, closing every connection at
once; a full or failing disk told from a failure of the journal; removing the file with its
SQLite side files."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import Any, Optional

from ..errors import JournalError
from .record_file import records_path

_CHUNK = 500  # bound parameters per statement (old SQLite builds allow 999)


class StoreDb:
    """One SQLite file, a connection per thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[tuple[sqlite3.Connection, threading.Lock]] = []
        self._all_lock = threading.Lock()
        self._closed = False

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
                # Each thread's connection has its own page cache, which fills as a long job
                # goes on (SQLite's default, 2 MiB each, grew a job's peak memory with its
                # rows); the OS caches the file for all of them anyway.
                db.execute("PRAGMA cache_size = -512")
                db.execute("PRAGMA recursive_triggers = ON")  # REPLACE fires delete triggers
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

    def _query_keys(self, sql: str, keys: Sequence[Any]) -> Iterator[Any]:
        """The rows of ``sql`` for ``keys``, a few hundred keys a query: ``{marks}`` in ``sql``
        stands for the placeholders of one query's keys."""
        for start in range(0, len(keys), _CHUNK):
            part = keys[start : start + _CHUNK]
            yield from self._query(sql.format(marks=",".join("?" * len(part))), part)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection in one durable write transaction: committed when the block
        ends, rolled back if it raises; a failing disk raised as what it is."""
        try:
            with self._use() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
        except sqlite3.DatabaseError as exc:
            raise _disk_error(self.path, exc) from exc

    def _write(self, statements: Sequence[tuple[str, Any]]) -> int:
        """Run ``statements`` (sql, params or list of params) in one durable transaction; how
        many rows the last one changed."""
        changed = 0
        with self._transaction() as db:
            for sql, params in statements:
                if isinstance(params, list):
                    changed = db.executemany(sql, params).rowcount
                else:
                    changed = db.execute(sql, params).rowcount
        return changed

    def close(self) -> None:
        """Close every thread's connection; the store can no longer be used (a thread of an
        ended session cannot write to it)."""
        self._closed = True
        with self._all_lock:
            for db, lock in self._all:
                with lock:
                    db.close()
            self._all.clear()


def _disk_error(path: str, exc: sqlite3.DatabaseError) -> BaseException:
    """A full disk as the OSError it is (the command line's I/O exit code); any other failure
    of the journal as a JournalError naming it."""
    text = str(exc).lower()
    if "full" in text:
        return OSError(errno.ENOSPC, f"{path}: the disk is full ({exc})")
    if "disk i/o" in text:
        return OSError(errno.EIO, f"{path}: writing failed ({exc}); is the disk full?")
    return JournalError(f"{path}: the job journal failed ({exc}); run the same command again")


def _with_side_files(path: str) -> list[str]:
    """A store file and its side files: SQLite's, and its records file."""
    return [path, path + "-wal", path + "-shm", records_path(path)]


def remove_store(path: str) -> None:
    """Delete a store file and its side files."""
    for name in _with_side_files(path):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def move_store(path: str, to: str) -> None:
    """Move a (closed) store file and its side files to ``to``: set aside whole, none of them
    left for a new store at ``path`` to take as its own."""
    for name, target in zip(_with_side_files(path), _with_side_files(to)):
        with contextlib.suppress(FileNotFoundError):
            os.replace(name, target)
