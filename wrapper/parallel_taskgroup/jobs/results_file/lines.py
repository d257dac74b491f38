"""Records as the lines of a JSONL or CSV results file (see the package doc): the escapes of
CSV string cells, the encoding of a line (UTF-8, a lone surrogate kept or replaced), and a CSV
line split back into its fields."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from typing import Any

from ...errors import ResultsFileError
from .layout import _JSON, ResultsLayout, _columns, _json_text, columns, tabular_row

_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\0": "\\0"})
_UNESCAPES = {"\\": "\\", "n": "\n", "r": "\r", "0": "\0"}
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(0)), text)


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and kind != _JSON:
        return _escape(value)
    return _json_text(value)


class _Lines:
    """Records as the lines of a JSONL or CSV file, UTF-8 encoded, each ending in a newline."""

    def __init__(self, fmt: str, layout: ResultsLayout) -> None:
        self._fmt = fmt
        self._layout = layout
        self._kinds = [kind for _, kind in _columns(layout)] if fmt == "csv" else []
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")

    def header(self) -> bytes:
        """A CSV's first line (JSONL has none)."""
        if self._fmt != "csv":
            return b""
        return self._csv([_escape(name) for name in columns(self._layout)])

    def line(self, record: Mapping[str, Any]) -> bytes:
        if self._fmt == "jsonl":
            return _jsonl_line(record)
        values = tabular_row(record, self._layout)
        return self._csv([_csv_cell(v, k) for v, k in zip(values, self._kinds)])

    def _csv(self, cells: list[str]) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return _utf8(self._buffer.getvalue())


def _jsonl_line(record: Mapping[str, Any]) -> bytes:
    try:
        text = json.dumps(record, ensure_ascii=False) + "\n"
    except (TypeError, ValueError) as exc:
        raise ResultsFileError(f"the record cannot be written as JSON ({exc})") from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: kept exactly as a \u escape
        return (json.dumps(record) + "\n").encode("ascii")


_SURROGATES = re.compile("[\ud800-\udfff]")


def _utf8(text: str) -> bytes:
    """``text`` in UTF-8, with U+FFFD for each lone surrogate (which UTF-8 cannot hold)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text).encode("utf-8")


def _csv_fields(raw: bytes, where: str) -> list[str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResultsFileError(f"{where}: not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        return next(csv.reader([text], strict=True), [])
    except csv.Error as exc:
        raise ResultsFileError(f"{where}: not a CSV line ({exc})") from None
