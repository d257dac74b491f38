"""Input rows for the `taskgroup` command line: JSONL, a JSON array or CSV, read as a stream.

Every reader yields `Row`s one at a time (nothing is materialised) and raises `InputError`
naming the file, the line and what is wrong. The readers of the three formats are in
:mod:`.input_formats`; a row and its value are in :mod:`.input_row`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable, Optional

from .._json import canonical
from ..errors import InputError
from .input_formats import _CHUNK, _csv_rows, _json_array_rows, _jsonl_rows, _text_lines
from .input_row import Row, RowValue, _row_value

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "FORMATS",
    "file_digest",
    "iterable_rows",
    "InputSummary",
    "Row",
    "RowValue",
    "detect_format",
    "read_rows",
    "scan",
    "spool_stdin",
]

FORMATS = ("jsonl", "json", "csv")
DEFAULT_MAX_LINE_BYTES = 1 << 20
"""The longest line (JSONL, CSV) or array element (JSON) read: 1 MiB, forty times what the API
accepts for a run's task spec and input together (25,000 characters)."""
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}


def detect_format(path: str, explicit: Optional[str]) -> str:
    """The input format: `explicit` if given, else from the file extension (stdin: jsonl)."""
    if explicit:
        return explicit
    if path == "-":
        return "jsonl"
    ext = os.path.splitext(path)[1].lower()
    if ext not in _EXTENSIONS:
        raise InputError(
            f"{path}: cannot tell the format from the extension {ext or '(none)'!r}; "
            "use --format jsonl|json|csv"
        )
    return _EXTENSIONS[ext]


def spool_stdin(directory: Optional[str] = None) -> str:
    """Copy standard input to a temporary file (so it can be read twice) and return its path."""
    fd, path = tempfile.mkstemp(prefix="taskgroup-stdin-", suffix=".input", dir=directory)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, _CHUNK)
    return path


def file_digest(path: str) -> str:
    """A fingerprint of a file's bytes (is this the same input as last time?)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"{path}: cannot read input ({exc.strerror or exc})") from None
    return "file:" + digest.hexdigest()[:32]


def iterable_rows(values: Iterable[Any], digest: Any) -> Iterator[Row]:
    """Rows of a Python iterable (dicts or strings), fed into ``digest`` (a hashlib object) as
    they go, so that its fingerprint is known after one pass."""
    for number, value in enumerate(values, start=1):
        if isinstance(value, Mapping) and not isinstance(value, dict):
            value = dict(value)
        checked = _row_value("rows", number, value, unit="row")
        digest.update(canonical(checked).encode("utf-8") + b"\n")
        yield Row(number, number, checked)


def read_rows(
    path: str,
    fmt: str,
    name: Optional[str] = None,
    *,
    format_guessed: bool = False,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Iterator[Row]:
    """Rows of the file at `path` in format `fmt`, streamed; errors call the file `name`.
    With ``format_guessed``, an error on the first line hints at ``--format``. A line (an
    array element) over ``max_line_bytes`` is an InputError before more of it is read."""
    name = name or path
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the generator's finally
    except OSError as exc:
        raise InputError(f"{name}: cannot read input ({exc.strerror or exc})") from None
    try:
        if fmt == "jsonl":
            yield from _jsonl_rows(name, handle, format_guessed, max_line_bytes)
        elif fmt == "json":
            yield from _json_array_rows(name, handle, max_line_bytes)
        elif fmt == "csv":
            yield from _csv_rows(name, handle, max_line_bytes)
        else:
            raise InputError(f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)}")
    finally:
        handle.close()


def csv_header(path: str, name: Optional[str] = None) -> Optional[list[str]]:
    """The header of a CSV file (None when the file is empty)."""
    name = name or path
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"{name}: cannot read input ({exc.strerror or exc})") from None
    with handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        try:
            header = next(csv.reader(_text_lines(text, name, DEFAULT_MAX_LINE_BYTES)), None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{name}, line 1: invalid CSV header ({exc})") from None
        finally:
            text.detach()
    return header


KeyOf = Callable[[RowValue], str]


def scan(
    path: str,
    fmt: str,
    key_of: KeyOf,
    key_field: Optional[str] = None,
    required_fields: Iterable[str] = (),
    name: Optional[str] = None,
) -> InputSummary:
    """Read the whole input once, checking every row, before anything is submitted.

    `key_of` gives a row's exactly-once key (`key_field` names where it comes from, for
    messages). Keeps the keys seen (to catch duplicates), never the rows.
    """
    name = name or path
    required = list(required_fields)
    if fmt == "csv" and key_field is not None:
        header = csv_header(path, name)
        if header is not None and key_field not in header:
            raise InputError(
                f"{name}: the key column {key_field!r} is not in the CSV header "
                f"(columns: {', '.join(header)}); fix --key"
            )
    keys: set[str] = set()
    for row in read_rows(path, fmt, name):
        if key_field is not None and not isinstance(row.value, dict):
            raise InputError(
                f"{name}, line {row.line}: --key {key_field} needs object rows, got a string"
            )
        try:
            key = key_of(row.value)
        except ValueError as exc:
            raise InputError(f"{name}, line {row.line}: {exc}") from None
        if key in keys:
            first = _first_line_of(path, fmt, key_of, key)
            if key_field is None:
                raise InputError(
                    f"{name}, line {row.line}: same input as line {first}; identical "
                    "rows would share one result: remove the duplicate or pass --key FIELD"
                )
            raise InputError(
                f"{name}, line {row.line}: duplicate key {key!r} "
                f"(first on line {first}); keys must be unique"
            )
        keys.add(key)
        if required and isinstance(row.value, dict):
            missing = [f for f in required if f not in row.value]
            if missing:
                raise InputError(
                    f"{name}, line {row.line}: missing field(s) required by the input "
                    f"schema: {', '.join(missing)}"
                )
    return InputSummary(keys)


def _first_line_of(path: str, fmt: str, key_of: KeyOf, key: str) -> int:
    for row in read_rows(path, fmt):
        if key_of(row.value) == key:
            return row.line
    return 0


class InputSummary:
    """What a validation pass learned about an input file: every row's key."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys

    @property
    def rows(self) -> int:
        return len(self.keys)
