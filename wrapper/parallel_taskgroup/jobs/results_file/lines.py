"""Records as the lines of a JSONL results file or the records of a CSV one (see the package
doc): RFC 4180 cells, and the encoding of a line (UTF-8, a lone surrogate kept or replaced)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..._json import readable
from ...errors import ResultsFileError
from .layout import _JSON, ResultsLayout, _columns, _json_text, columns, tabular_row

# A cell holding one of these is quoted (RFC 4180); any other cell is written as it is.
_QUOTED = re.compile('[,"\r\n]')


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and kind != _JSON:
        return value
    return _json_text(value)


def _csv_record(cells: list[str]) -> bytes:
    """One CSV record (RFC 4180, ending in a newline): a cell holding a comma, a quote, a
    carriage return or a newline is quoted, its quotes doubled."""
    quoted = [
        '"' + cell.replace('"', '""') + '"' if _QUOTED.search(cell) else cell for cell in cells
    ]
    return _utf8(",".join(quoted) + "\n")


class _Lines:
    """Records as the lines of a JSONL file or the records of a CSV one, UTF-8 encoded, each
    ending in a newline."""

    def __init__(self, fmt: str, layout: ResultsLayout) -> None:
        self._fmt = fmt
        self._layout = layout
        self._kinds = [kind for _, kind in _columns(layout)] if fmt == "csv" else []

    def header(self) -> bytes:
        """A CSV's first record (JSONL has none)."""
        if self._fmt != "csv":
            return b""
        return _csv_record(columns(self._layout))

    def line(self, record: Mapping[str, Any]) -> bytes:
        if self._fmt == "jsonl":
            return _jsonl_line(record)
        values = tabular_row(record, self._layout)
        return _csv_record([_csv_cell(v, k) for v, k in zip(values, self._kinds)])


def jsonl_start(key: str) -> bytes:
    """How the JSONL line of the record of the row ``key`` starts (``key`` is a record's first
    field), up to the separator after the key, as the line's own encoder writes it: no other
    row's line starts so."""
    return _jsonl_line({"key": key})[: -len(b"}\n")] + b","


def _jsonl_line(record: Mapping[str, Any]) -> bytes:
    try:
        text = readable(record) + "\n"
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
