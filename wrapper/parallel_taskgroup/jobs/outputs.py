"""The results file of `taskgroup run`/`taskgroup results`: JSONL or CSV, append-only.

Lines are appended in batches, each batch flushed and fsynced. On open, the keys already in
the file are read back, and a partially written last line (a crash mid-write) is cut off, so
a resumed run writes every key exactly once and never leaves half a line behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import IO, Any, Optional

from ..errors import ResultsFileError

__all__ = ["RESULT_FORMATS", "ResultsWriter", "check_writable", "output_format"]

RESULT_FORMATS = ("jsonl", "csv")
_BASE_COLUMNS = ["key", "status", "run_id", "input", "output", "error"]


def output_format(path: str, explicit: Optional[str]) -> str:
    """`csv` for a .csv path (or when asked), else `jsonl`."""
    if explicit:
        return explicit
    return "csv" if path.lower().endswith(".csv") else "jsonl"


def check_writable(path: str) -> None:
    """Raise ResultsFileError unless `path` can be created or appended to."""
    parent = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ResultsFileError(f"{path}: is a directory; --out needs a file path")
    if not os.path.isdir(parent):
        raise ResultsFileError(f"{path}: the folder {parent} does not exist")
    if os.path.exists(path):
        if not os.access(path, os.W_OK):
            raise ResultsFileError(f"{path}: the results file is not writable")
    elif not os.access(parent, os.W_OK | os.X_OK):
        raise ResultsFileError(f"{path}: cannot create files in {parent} (permission denied)")


class ResultsWriter:
    """Appends one record per key to a results file; a key already present is skipped."""

    def __init__(self, path: str, fmt: str = "jsonl", include_basis: bool = False) -> None:
        if fmt not in RESULT_FORMATS:
            raise ResultsFileError(f"unknown results format {fmt!r}; use jsonl or csv")
        self.path = path
        self.fmt = fmt
        self.columns = [*_BASE_COLUMNS, "basis"] if include_basis else list(_BASE_COLUMNS)
        self.keys: set[str] = set()
        self.status_counts: dict[str, int] = {}
        self.repaired_bytes = 0
        self._pending: list[str] = []
        self._file: Optional[IO[bytes]] = None

    def __enter__(self) -> ResultsWriter:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Read back existing keys, repair a torn last line, and open for appending."""
        check_writable(self.path)
        try:
            handle = open(self.path, "a+b")  # noqa: SIM115 - kept open until close()
        except OSError as exc:
            raise ResultsFileError(f"{self.path}: cannot open ({exc.strerror or exc})") from None
        try:
            self._recover(handle)
        except BaseException:
            handle.close()
            raise
        self._file = handle
        if self.fmt == "csv" and not self.keys and os.fstat(handle.fileno()).st_size == 0:
            self._pending.append(_csv_line(self.columns))
            self.flush()

    def _recover(self, handle: IO[bytes]) -> None:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        if size == 0:
            return
        handle.seek(0)
        good_end = 0
        header_seen = False
        for line_no, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                break  # torn last line: cut below
            text = raw.decode("utf-8", errors="replace")
            if self.fmt == "csv" and not header_seen:
                header = next(csv.reader([text]), [])
                if header != self.columns:
                    raise ResultsFileError(
                        f"{self.path}: existing CSV header {','.join(header)!r} does not match "
                        f"this run's columns {','.join(self.columns)!r} (--include-basis?)"
                    )
                header_seen = True
            else:
                key, status = self._parse_line(text, line_no)
                if key not in self.keys:
                    self.keys.add(key)
                    self.status_counts[status] = self.status_counts.get(status, 0) + 1
            good_end += len(raw)
        if good_end < size:
            handle.truncate(good_end)
            handle.flush()
            os.fsync(handle.fileno())
            self.repaired_bytes = size - good_end

    def _parse_line(self, text: str, line_no: int) -> tuple[str, str]:
        where = f"{self.path}, line {line_no}"
        if self.fmt == "jsonl":
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ResultsFileError(
                    f"{where}: not a results line ({exc.msg}); fix or move the file"
                ) from None
            if not isinstance(record, dict) or not isinstance(record.get("key"), str):
                raise ResultsFileError(
                    f"{where}: not a results line (no 'key'); fix or move the file"
                )
            return record["key"], str(record.get("status"))
        fields = next(csv.reader([text]), [])
        if len(fields) != len(self.columns):
            raise ResultsFileError(
                f"{where}: expected {len(self.columns)} CSV fields, got {len(fields)}"
            )
        return fields[0], fields[1]

    def write(self, record: dict[str, Any]) -> bool:
        """Queue `record` (must have a str "key"); False if its key is already in the file."""
        key = record["key"]
        if key in self.keys:
            return False
        self.keys.add(key)
        status = str(record.get("status"))
        self.status_counts[status] = self.status_counts.get(status, 0) + 1
        if self.fmt == "jsonl":
            self._pending.append(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            self._pending.append(_csv_line([_csv_cell(record.get(c)) for c in self.columns]))
        return True

    @property
    def pending(self) -> int:
        """Lines queued but not yet flushed."""
        return len(self._pending)

    def flush(self) -> None:
        """Append the queued lines in one write, then flush and fsync."""
        if not self._pending or self._file is None:
            return
        data = "".join(self._pending).encode("utf-8")
        # Cleared first: a retry after an interrupted write must not append these lines twice.
        self._pending.clear()
        try:
            self._file.write(data)
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise ResultsFileError(f"{self.path}: write failed ({exc.strerror or exc})") from None

    def close(self) -> None:
        """Flush what is queued and close the file."""
        if self._file is None:
            return
        try:
            self.flush()
        finally:
            self._file.close()
            self._file = None


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # Keep every record on one physical line so a torn write is detectable by its newline.
        return value.replace("\r", "\\r").replace("\n", "\\n")
    return json.dumps(value, ensure_ascii=False)


def _csv_line(fields: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue()
