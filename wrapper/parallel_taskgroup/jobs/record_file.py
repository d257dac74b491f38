"""Where a job's journal keeps its records (:mod:`.record_text`): a file beside it,
``RESULTS.journal-records``, only ever appended to; the journal holds each record's place in it.

A record is ~3 KB, mostly its basis. Kept in SQLite, each took a page of its own, written twice
(to the WAL, then read back and written at the checkpoint): most of a long job's system time.
Here it is written once.

The order keeps them in step: records are appended and synced before the transaction that
names them commits, so the journal never names bytes the file may lack; a crash in between
leaves bytes no row names, which nothing reads. The file starts with a header naming its journal
(a token the journal keeps too, with the size it has vouched for): a file that is missing, shorter,
or another journal's makes the journal unusable (:class:`~parallel_taskgroup.errors.
JournalError`), and a job rebuilds it from its group like any damaged journal.

In the journal, a record's place is its text: ``@OFFSET+LENGTH`` (a record itself is a JSON
object, ``{...}``, as journals written before this file still hold them).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from collections.abc import Sequence
from typing import BinaryIO, Optional

from .._fs import atomic_write
from ..errors import JournalError

__all__ = ["RecordFile", "records_path", "vouched"]

_HEADER = '{"parallel_taskgroup_records": "%s"}\n'
_PLACE = "@"
_BUFFER = 1 << 16


def records_path(journal: str) -> str:
    """The records file of the journal at ``journal``."""
    return journal + "-records"


class RecordFile:
    """The records file of one journal. ``vouched``: what the journal says of it, ``(token,
    size)``, or None while it names no record there."""

    def __init__(self, journal: str, vouched: Optional[tuple[str, int]]) -> None:
        self.path = records_path(journal)
        self._token = vouched[0] if vouched else None
        self._lock = threading.Lock()
        self._reader: Optional[int] = None
        self._writer: Optional[BinaryIO] = None
        self._end = 0
        if vouched is not None:
            self._check(*vouched)

    def _check(self, token: str, size: int) -> None:
        header = (_HEADER % token).encode()
        try:
            with open(self.path, "rb") as f:
                found = f.read(len(header))
                f.seek(0, os.SEEK_END)
                actual = f.tell()
        except FileNotFoundError:
            raise self._damaged("is missing") from None
        except OSError as exc:
            raise self._damaged(f"cannot be read ({exc.strerror})") from None
        if found != header:
            raise self._damaged("belongs to another journal")
        if actual < size:
            raise self._damaged(f"holds {actual} bytes of the {size} the journal counts")

    def _damaged(self, why: str) -> JournalError:
        return JournalError(f"{self.path}: the job journal's records file {why}")

    # -- writing (one thread: the one keeping results) ------------------------------------------

    def append(self, texts: Sequence[str]) -> tuple[list[str], str]:
        """Append records, synced; (each one's place, what the journal must keep as ``records``
        in the same transaction that names them)."""
        with self._lock:
            writer = self._writer or self._open_writer()
            start = self._end
            places = []
            try:
                for text in texts:
                    # One record at a time through the writer's buffer: a batch joined first
                    # would hold it all twice more in memory.
                    data = text.encode()
                    places.append(f"{_PLACE}{start}+{len(data)}")
                    writer.write(data)
                    start += len(data)
                writer.flush()
                _sync(writer.fileno())
            except BaseException:
                # Some of the bytes may be in the file, some still buffered: the next append
                # starts from the file's real end, on a writer opened again.
                self._writer = None
                with contextlib.suppress(OSError):
                    writer.close()
                raise
            self._end = start
        return places, f"{self._token} {start}"

    def _open_writer(self) -> BinaryIO:
        if self._token is None:
            # Named by no journal yet (a new one, or one made before this file): any file here
            # is a leftover, replaced.
            self._token = secrets.token_hex(8)
            atomic_write(self.path, (_HEADER % self._token).encode())
        self._writer = open(self.path, "ab", buffering=_BUFFER)  # noqa: SIM115 - kept open
        self._end = self._writer.seek(0, os.SEEK_END)
        return self._writer

    # -- reading ------------------------------------------------------------------------------

    def text(self, value: str) -> str:
        """The record a journal's record column holds: itself, or read from its place."""
        if not value.startswith(_PLACE):
            return value
        at, _, length = value[1:].partition("+")
        if self._reader is None:
            with self._lock:
                if self._reader is None:
                    try:
                        self._reader = os.open(self.path, os.O_RDONLY)
                    except OSError as exc:
                        raise self._damaged(f"cannot be read ({exc.strerror})") from None
        data = _read_at(self._reader, int(at), int(length), self._lock)
        if len(data) != int(length):
            raise self._damaged("is shorter than the journal counts")
        return data.decode()

    def close(self) -> None:
        with self._lock:
            if self._reader is not None:
                os.close(self._reader)
            if self._writer is not None:
                self._writer.close()
            self._reader = self._writer = None


def _sync(fd: int) -> None:
    sync = getattr(os, "fdatasync", os.fsync)  # no fdatasync on macOS or Windows
    sync(fd)


def _read_at(fd: int, at: int, length: int, lock: threading.Lock) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, length, at)
    with lock:  # pragma: no cover - Windows
        os.lseek(fd, at, os.SEEK_SET)
        return os.read(fd, length)


def vouched(meta: Optional[str]) -> Optional[tuple[str, int]]:
    """The journal's ``records`` meta as (token, size)."""
    if not meta:
        return None
    token, _, size = meta.partition(" ")
    return token, int(size)
