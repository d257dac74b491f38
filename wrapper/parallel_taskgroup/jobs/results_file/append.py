"""Appending records to a JSONL or CSV results file (:class:`ResultsAppender`): each flush one
write and an fsync, a torn last line (or CSV record) cut on open, a CSV header checked against
the job's columns."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Mapping
from typing import Any, Optional

from ..._fs import O_BINARY, fsync_dir
from ...errors import ResultsFileError
from .csv_records import (
    _check_torn,
    _csv_fields,
    _csv_records,
    _end_of_last_record,
    _line_number,
)
from .files import _io_error
from .formats import appendable, results_format
from .layout import ResultsLayout, _names, columns
from .lines import _Lines


def _header_difference(found: list[str], expected: list[str]) -> str:
    missing = [name for name in expected if name not in found]
    extra = [name for name in found if name not in expected]
    parts = [
        f"{label} {_names(names)}"
        for label, names in (("missing", missing), ("unexpected", extra))
        if names
    ]
    return "; ".join(parts) or "the same columns in another order"


class ResultsAppender:
    """Appends records to a JSONL or CSV results file; each :meth:`flush` is one write, then an
    fsync. A line (a CSV record) only counts with its newline: :meth:`open` cuts a torn last
    one. Other formats (:func:`appendable` is false) are refused: write them whole."""

    def __init__(self, path: str, *, fmt: str, layout: ResultsLayout) -> None:
        results_format(path, fmt)
        if not appendable(fmt):
            raise ResultsFileError(
                f"{path}: a {fmt} results file cannot be appended to; write it whole"
            )
        self.path = path
        self.fmt = fmt
        self.layout = layout
        self.repaired_bytes = 0
        self._lines = _Lines(fmt, layout)
        self._queue: list[bytes] = []
        self._queued = 0
        self._fd: Optional[int] = None
        self._size = 0

    @property
    def pending(self) -> int:
        """Lines queued but not yet written."""
        return len(self._queue)

    @property
    def end(self) -> int:
        """Where the next line queued will lie in the file (its offset once written)."""
        return self._size + self._queued

    def __enter__(self) -> ResultsAppender:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> int:
        """Create the file (a CSV with its header) or open it for appending: check a CSV's
        header, cut a torn last line or CSV record (``repaired_bytes``). Returns the file's
        size."""
        if self._fd is not None:
            raise ResultsFileError(f"{self.path}: already open")
        created = not os.path.exists(self.path)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | O_BINARY, 0o666)
        except OSError as exc:
            raise _io_error(self.path, "cannot open", exc) from exc
        try:
            self._size = self._repair(fd)
            self._fd = fd
            if self.fmt == "csv" and self._size == 0:
                header = self._lines.header()
                self._queue.insert(0, header)
                self._queued += len(header)
                self.flush()
        except BaseException:
            self._fd = None
            os.close(fd)
            raise
        if created:
            fsync_dir(os.path.dirname(os.path.abspath(self.path)))
        return self._size

    def _repair(self, fd: int) -> int:
        """Check a CSV header, then cut what follows the last complete line or CSV record;
        the size after. A CSV whose end is not one torn record (quotes out of place) is a
        ResultsFileError, and nothing is cut."""
        try:
            with open(fd, "rb", closefd=False) as handle:
                size = os.fstat(fd).st_size
                if self.fmt == "jsonl":
                    end = _end_of_last_line(handle, size)
                else:
                    end = self._csv_end(handle, size)
                if end < size:
                    os.ftruncate(fd, end)
                    os.fsync(fd)
                    self.repaired_bytes = size - end
                return end
        except OSError as exc:
            raise _io_error(self.path, "cannot read back", exc) from exc

    def _csv_end(self, handle: io.BufferedReader, size: int) -> int:
        """The end of the last complete CSV record, once the header is checked and what
        follows is known to be one torn record."""
        end = _end_of_last_record(handle)
        if end > 0:
            handle.seek(0)
            self._check_header(next(_csv_records(handle, self.path))[1])
        if end < size:
            where = f"{self.path}, line {_line_number(handle, end)}"
            handle.seek(end)
            _check_torn(iter(handle.readline, b""), where)
        return end

    def _check_header(self, header: bytes) -> None:
        found = _csv_fields(header, f"{self.path}, line 1")
        expected = columns(self.layout)
        if found != expected:
            raise ResultsFileError(
                f"{self.path}: the CSV header does not match this job's columns "
                f"({_header_difference(found, expected)}); was the file written by another job "
                "or with other options?"
            )

    def append(self, record: Mapping[str, Any]) -> int:
        """Queue ``record``'s line (:meth:`flush` writes it); its length in bytes."""
        try:
            line = self._lines.line(record)
        except ResultsFileError as exc:
            raise ResultsFileError(
                f"{self.path}, key {record.get('key')!r}: {exc.message}"
            ) from None
        self._queue.append(line)
        self._queued += len(line)
        return len(line)

    def discard(self) -> None:
        """Drop the lines queued (they are not to be written)."""
        self._queue.clear()
        self._queued = 0

    def flush(self) -> int:
        """Write the queued lines in one write, then fsync; returns the file's new size.
        On failure the file is cut back to its last whole line and the lines are dropped."""
        if self._fd is None:
            raise ResultsFileError(f"{self.path}: not open")
        if not self._queue:
            return self._size
        data = b"".join(self._queue)
        # Cleared first: a retry after a failed write must not append these lines twice.
        self.discard()
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)
            if isinstance(exc, OSError):
                raise _io_error(self.path, "cannot write", exc) from exc
            raise
        self._size += len(data)
        return self._size

    def close(self) -> None:
        """Flush what is queued and close the file."""
        if self._fd is None:
            return
        try:
            self.flush()
        finally:
            os.close(self._fd)
            self._fd = None


def _end_of_last_line(handle: io.BufferedReader, size: int) -> int:
    """The offset just past the last newline (0 when there is none)."""
    end = size
    while end > 0:
        start = max(0, end - 65536)
        handle.seek(start)
        at = handle.read(end - start).rfind(b"\n")
        if at >= 0:
            return start + at + 1
        end = start
    return 0
