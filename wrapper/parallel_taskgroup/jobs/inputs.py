"""Input rows for the `taskgroup` command line: JSONL, a JSON array or CSV, read as a stream.

Every reader yields `Row`s one at a time (nothing is materialised) and raises `InputError`
naming the file, the line and what is wrong.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, Callable, Optional, Union

from .._json import canonical
from ..errors import InputError

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
_CHUNK = 1 << 16

RowValue = Union[str, dict[str, Any]]


class Row:
    """One input row: its 1-based position among rows, its source line, and its value."""

    __slots__ = ("line", "number", "value")

    def __init__(self, number: int, line: int, value: RowValue) -> None:
        self.number = number
        self.line = line
        self.value = value

    def __repr__(self) -> str:
        return f"Row(number={self.number}, line={self.line})"


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


def _row_value(path: str, line: int, value: Any, *, unit: str = "line") -> RowValue:
    if isinstance(value, (dict, str)):
        return value
    kind = "null" if value is None else type(value).__name__
    if isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, (int, float)):
        kind = "number"
    elif isinstance(value, list):
        kind = "array"
    raise InputError(
        f"{path}, {unit} {line}: each row must be a JSON object or a string, got {kind}"
    )


def _too_long(path: str, where: str, limit: int) -> InputError:
    return InputError(
        f"{path}, {where}: longer than {limit:,} bytes, far over what the API accepts for one "
        "run (25,000 characters); shorten or split it (or raise max_line_bytes)"
    )


def _lines(handle: IO[bytes], path: str, limit: int) -> Iterator[bytes]:
    """The lines of ``handle``, none held longer than ``limit`` bytes."""
    line_no = 0
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            raise _too_long(path, f"line {line_no}", limit)
        yield raw


def _jsonl_rows(path: str, handle: IO[bytes], format_guessed: bool, limit: int) -> Iterator[Row]:
    number = 0
    for line_no, raw in enumerate(_lines(handle, path, limit), start=1):
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}, line {line_no}: not valid UTF-8 (byte {exc.start + 1} of the line)"
            ) from None
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = ""
            if format_guessed and number == 0 and "," in text and text[:1] not in '{["':
                hint = "; if the input is CSV, pass --format csv"
            raise InputError(
                f"{path}, line {line_no}: invalid JSON ({exc.msg} at column {exc.colno}){hint}"
            ) from None
        number += 1
        yield Row(number, line_no, _row_value(path, line_no, value))


class _TextCursor:
    """A growing window over a text stream for incremental `raw_decode` parsing."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # line number at self.pos
        self._counted_to = 0
        self._col_base = 0  # characters of the buffer's first line already dropped

    def fill(self, at_least: int = _CHUNK) -> bool:
        if self.eof:
            return False
        # Drop consumed text so memory stays bounded by the largest element.
        self._advance_lines()
        newline = self.buf.rfind("\n", 0, self.pos)
        self._col_base = self.pos - (newline + 1) + (self._col_base if newline < 0 else 0)
        self.buf = self.buf[self.pos :]
        self._counted_to -= self.pos
        self.pos = 0
        chunk = self.stream.read(max(at_least, _CHUNK))
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def _advance_lines(self) -> None:
        if self.pos > self._counted_to:
            self.line += self.buf.count("\n", self._counted_to, self.pos)
            self._counted_to = self.pos

    def line_at_pos(self) -> int:
        self._advance_lines()
        return self.line

    def location(self) -> str:
        line = self.line_at_pos()
        newline = self.buf.rfind("\n", 0, self.pos)
        column = self.pos - (newline + 1) + (self._col_base if newline < 0 else 0) + 1
        return f"line {line}, column {column}"

    def skip_space(self) -> Optional[str]:
        """Skip whitespace; return the next character without consuming it (None at EOF)."""
        while True:
            n = len(self.buf)
            while self.pos < n and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < n:
                return self.buf[self.pos]
            if not self.fill():
                return None


def _json_array_rows(path: str, handle: IO[bytes], limit: int) -> Iterator[Row]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    cur = _TextCursor(text)
    decoder = json.JSONDecoder()
    try:
        first = cur.skip_space()
        if first != "[":
            raise InputError(
                f"{path}, {cur.location()}: a .json input must be one JSON array of rows "
                "(use .jsonl for one row per line)"
            )
        cur.pos += 1
        number = 0
        expect_element = True
        while True:
            ch = cur.skip_space()
            if ch is None:
                raise InputError(f"{path}, {cur.location()}: the JSON array is not closed (']')")
            if ch == "]" and (number == 0 or not expect_element):
                cur.pos += 1
                break
            if not expect_element:
                if ch != ",":
                    raise InputError(
                        f"{path}, {cur.location()}: expected ',' or ']' after array element"
                    )
                cur.pos += 1
                expect_element = True
                continue
            line = cur.line_at_pos()
            value = _decode_element(path, cur, decoder, limit)
            number += 1
            yield Row(number, line, _row_value(path, line, value))
            expect_element = False
        if cur.skip_space() is not None:
            raise InputError(f"{path}, {cur.location()}: unexpected text after the JSON array")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid UTF-8") from None
    finally:
        text.detach()


def _decode_element(path: str, cur: _TextCursor, decoder: json.JSONDecoder, limit: int) -> Any:
    want = _CHUNK
    while True:
        try:
            value, end = decoder.raw_decode(cur.buf, cur.pos)
        except json.JSONDecodeError as exc:
            offset = exc.pos - cur.pos  # where the error is, from the element's start
            if len(cur.buf) - cur.pos > limit:
                raise _too_long(path, f"the array element at {cur.location()}", limit) from None
            if not cur.eof and cur.fill(want):
                want *= 2  # geometric growth keeps huge elements linear overall
                continue
            # A refill (even one that found the end) moved the element to the buffer's start.
            cur.pos += offset
            raise InputError(f"{path}, {cur.location()}: invalid JSON ({exc.msg})") from None
        # A number (or literal) ending exactly at the buffer edge may continue in the next chunk.
        if end >= len(cur.buf) and not cur.eof and cur.fill(want):
            continue
        if end - cur.pos > limit:
            raise _too_long(path, f"the array element at {cur.location()}", limit)
        cur.pos = end
        return value


def _text_lines(text: IO[str], path: str, limit: int) -> Iterator[str]:
    """The lines of ``text``, none held longer than ``limit`` characters."""
    line_no = 0
    while True:
        line = text.readline(limit + 1)
        if not line:
            return
        line_no += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise _too_long(path, f"line {line_no}", limit)
        yield line


def _csv_rows(path: str, handle: IO[bytes], limit: int) -> Iterator[Row]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(_text_lines(text, path, limit))
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InputError(f"{path}, line {reader.line_num}: invalid CSV ({exc})") from None
        if header is None:
            return
        _check_header(path, header)
        number = 0
        while True:
            try:
                fields = next(reader, None)
            except csv.Error as exc:
                raise InputError(f"{path}, line {reader.line_num}: invalid CSV ({exc})") from None
            if fields is None:
                break
            if not fields:
                continue
            if len(fields) != len(header):
                raise InputError(
                    f"{path}, line {reader.line_num}: expected {len(header)} fields "
                    f"(as in the header), got {len(fields)}"
                )
            number += 1
            yield Row(number, reader.line_num, dict(zip(header, fields)))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid UTF-8") from None
    finally:
        text.detach()


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


def _check_header(path: str, header: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        if not name.strip():
            raise InputError(f"{path}, line 1: column {index} of the header has no name")
        if name in seen:
            raise InputError(f"{path}, line 1: the header names column {name!r} twice")
        seen.add(name)


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
