"""Reading a results file back (:func:`read_records`): JSONL, CSV (either gzip-compressed or
not) or Parquet records streamed, a torn last line or CSV record ignored, any other damage an
error naming the file and the line or row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Optional

from ...errors import ResultsFileError
from .csv_records import _csv_fields, _csv_records
from .decode import _csv_value, _record
from .files import _reading
from .formats import _gzipped, _lines_format, results_format
from .layout import _columns, _layout_from_columns, _not_a_layout
from .parquet import _read_parquet


def read_records(path: str, *, fmt: Optional[str] = None) -> Iterator[dict[str, Any]]:
    """The records of a results file, streamed (see the package doc for what CSV and Parquet
    give back). A torn last line of a JSONL file, or a torn last record of a CSV file, is
    ignored; any other malformed line, record or row is a ResultsFileError naming the file and
    the line or row."""
    fmt = results_format(path, fmt)
    if fmt == "parquet":
        return _read_parquet(path)
    if _lines_format(fmt) == "csv":
        return _read_csv(path, _gzipped(fmt))
    return _read_jsonl(path, _gzipped(fmt))


def _read_jsonl(path: str, gzipped: bool) -> Iterator[dict[str, Any]]:
    with _reading(path, gzipped) as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                return  # a torn last line
            yield _jsonl_record(raw, f"{path}, line {number}")


def _jsonl_record(raw: bytes, where: str) -> dict[str, Any]:
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ResultsFileError(f"{where}: not valid UTF-8 (byte {exc.start + 1})") from None
    except json.JSONDecodeError as exc:
        raise ResultsFileError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict) or not isinstance(record.get("key"), str):
        raise ResultsFileError(f"{where}: not a results record (an object with a key)")
    return record


def _read_csv(path: str, gzipped: bool) -> Iterator[dict[str, Any]]:
    with _reading(path, gzipped) as handle:
        records = _csv_records(handle, path)
        first = next(records, None)
        if first is None:
            return
        names = _csv_fields(first[1], f"{path}, line 1")
        layout = _layout_from_columns(names)
        if layout is None:
            raise ResultsFileError(
                f"{path}, line 1: not a results file header ({_not_a_layout(names)})"
            )
        cols = _columns(layout)
        for number, raw in records:
            where = f"{path}, line {number}"
            fields = _csv_fields(raw, where)
            if len(fields) != len(cols):
                raise ResultsFileError(
                    f"{where}: {len(fields)} fields, but the header has {len(cols)}"
                )
            yield _record(fields, cols, layout, _csv_value, where)
