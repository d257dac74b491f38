"""Reading a results file back (:func:`read_records`): JSONL, CSV or Parquet records streamed,
a torn last line ignored, any other damage an error naming the file and the line or row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Optional

from ...errors import ResultsFileError
from .decode import _record
from .files import _io_error
from .layout import (
    _ANY,
    _ARROW_TYPES,
    ResultsLayout,
    _columns,
    _layout_from_columns,
    _not_a_layout,
    results_format,
)
from .lines import _csv_fields, _unescape
from .parquet import _read_parquet


def read_records(path: str, *, fmt: Optional[str] = None) -> Iterator[dict[str, Any]]:
    """The records of a results file, streamed (see the package doc for what CSV and Parquet
    give back). A torn last line of a JSONL or CSV file is ignored; any other malformed line or
    row is a ResultsFileError naming the file and the line or row."""
    fmt = results_format(path, fmt)
    if fmt == "parquet":
        return _read_parquet(path)
    if fmt == "csv":
        return _read_csv(path)
    return _read_jsonl(path)


def _complete_lines(path: str) -> Iterator[tuple[int, bytes]]:
    """(number, bytes without the newline) of each line that ends in a newline."""
    try:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if raw.endswith(b"\n"):
                    yield number, raw[:-1]
    except OSError as exc:
        raise _io_error(path, "cannot read", exc) from exc


def _read_jsonl(path: str) -> Iterator[dict[str, Any]]:
    for number, raw in _complete_lines(path):
        where = f"{path}, line {number}"
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ResultsFileError(f"{where}: not valid UTF-8 (byte {exc.start + 1})") from None
        except json.JSONDecodeError as exc:
            raise ResultsFileError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("key"), str):
            raise ResultsFileError(f"{where}: not a results record (an object with a key)")
        yield record


def _read_csv(path: str) -> Iterator[dict[str, Any]]:
    layout: Optional[ResultsLayout] = None
    cols: list[tuple[str, str]] = []
    for number, raw in _complete_lines(path):
        where = f"{path}, line {number}"
        fields = _csv_fields(raw, where)
        if layout is None:
            names = [_unescape(field) for field in fields]
            layout = _layout_from_columns(names, {})
            if layout is None:
                raise ResultsFileError(
                    f"{where}: not a results file header ({_not_a_layout(names)})"
                )
            cols = [
                (name, _ANY if kind in _ARROW_TYPES else kind) for name, kind in _columns(layout)
            ]
            continue
        if len(fields) != len(cols):
            raise ResultsFileError(f"{where}: {len(fields)} fields, but the header has {len(cols)}")
        yield _record([f or None for f in fields], cols, layout, _unescape, where)
