"""Input rows for the `taskgroup` command line: JSONL, a JSON array or CSV (TSV and other
delimiters too), in any ASCII-compatible encoding, plain or gzip-compressed, read as a stream.

Every reader yields `Row`s one at a time (nothing is materialised, a gzip stream is
decompressed as it is read) and raises `InputError` naming the file, the line and what is
wrong. The readers of the three formats are in :mod:`.input_formats`; a row and its value are
in :mod:`.input_row`.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import sys
import tempfile
import zlib
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, Callable, Optional, Union, cast

from .._json import canonical
from ..errors import ConfigurationError, InputError
from ..submission.keys import key_fields
from .input_formats import (
    _CHUNK,
    _csv_header,
    _csv_rows,
    _json_array_rows,
    _jsonl_rows,
    csv_delimiter,
)
from .input_row import Row, RowValue, _row_value, check_encoding

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "FORMATS",
    "GZIP_MAGIC",
    "check_encoding",
    "check_key_columns",
    "csv_delimiter",
    "csv_header",
    "detect_delimiter",
    "file_digest",
    "first_fields",
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
accepts for a run's task spec and input together (25,000 characters). For a gzip input, the
limit applies to the decompressed lines."""
GZIP_MAGIC = b"\x1f\x8b"
"""The first bytes of a gzip stream: an input starting with them is decompressed."""
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
}
_READ_ERRORS = (OSError, EOFError, zlib.error)
"""What reading a file can raise beyond our own errors (gzip: OSError, EOFError, zlib.error)."""


def _extension(path: str) -> tuple[str, bool]:
    """The extension of ``path`` that tells the format (lower case) and whether it ends .gz."""
    base, ext = os.path.splitext(path.lower())
    if ext == ".gz":
        return os.path.splitext(base)[1], True
    return ext, False


def detect_format(path: str, explicit: Optional[str]) -> str:
    """The input format: `explicit` if given, else from the file extension (stdin: jsonl).
    A ``.gz`` suffix is looked through (``rows.jsonl.gz``: jsonl); ``.tsv`` is CSV (its tab
    delimiter: :func:`detect_delimiter`)."""
    if explicit:
        return explicit
    if path == "-":
        return "jsonl"
    ext, gz = _extension(path)
    if ext not in _EXTENSIONS:
        shown = ext + ".gz" if gz else ext
        raise InputError(
            f"{path}: cannot tell the format from the extension {shown or '(none)'!r}; "
            "use --format jsonl|json|csv"
        )
    return _EXTENSIONS[ext]


def detect_delimiter(path: str, fmt: str, explicit: Optional[str] = None) -> Optional[str]:
    """The delimiter to read a ``fmt`` input with: ``explicit`` (checked by
    :func:`csv_delimiter`) if given, a tab for a ``.tsv`` / ``.tsv.gz`` file, else None (CSV:
    a comma). Raises ConfigurationError for an explicit delimiter and a format other than CSV."""
    if fmt != "csv":
        if explicit is not None:
            raise ConfigurationError(f"a delimiter applies to CSV input only, not {fmt}")
        return None
    if explicit is not None:
        return csv_delimiter(explicit)
    return "\t" if _extension(path)[0] == ".tsv" else None


def _cannot_read(name: str, exc: OSError, where: str = "") -> InputError:
    return InputError(f"{name}: cannot read input{where} ({exc.strerror or exc})")


@contextlib.contextmanager
def _opened(path: str, name: str) -> Iterator[IO[bytes]]:
    """The bytes of the file at ``path``, decompressed when they start with the gzip magic
    bytes (a name ending in ``.gz`` must)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _cannot_read(name, exc) from None
    with raw:
        try:
            gz = raw.peek(len(GZIP_MAGIC))[: len(GZIP_MAGIC)] == GZIP_MAGIC
        except OSError as exc:
            raise _cannot_read(name, exc) from None
        if not gz:
            if _extension(path)[1]:
                raise InputError(f"{name}: the name ends in .gz but the file is not gzip data")
            yield raw
            return
        with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
            yield cast(IO[bytes], unzipped)


def _unreadable(name: str, line: int, exc: BaseException) -> InputError:
    where = f"after line {line}" if line else "before the first row"
    if isinstance(exc, OSError) and not isinstance(exc, gzip.BadGzipFile):
        return _cannot_read(name, exc, " " + where)
    return InputError(f"{name}: the gzip data is corrupt or truncated {where} ({exc})")


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
        raise _cannot_read(path, exc) from None
    return "file:" + digest.hexdigest()[:32]


def iterable_rows(values: Iterable[Any], digest: Any) -> Iterator[Row]:
    """Rows of a Python iterable (dicts or strings), fed into ``digest`` (a hashlib object) as
    they go, so that its fingerprint is known after one pass."""
    for number, value in enumerate(values, start=1):
        if isinstance(value, Mapping) and not isinstance(value, dict):
            value = dict(value)
        checked = _row_value("rows", number, value, unit="row")
        digest.update(_fingerprint_text(checked).encode("utf-8") + b"\n")
        yield Row(number, number, checked)


def _fingerprint_text(value: Any) -> str:
    """A row's canonical JSON; for a row JSON cannot carry (NaN, a date, ...: refused once it
    is checked, by its number), a stand-in that is the same on every run."""
    try:
        return canonical(value)
    except (TypeError, ValueError, RecursionError):
        pass
    try:
        return json.dumps(value, sort_keys=True, default=lambda v: f"<{type(v).__name__}>")
    except (TypeError, ValueError, RecursionError):
        return "<a row JSON cannot carry>"


def read_rows(
    path: str,
    fmt: str,
    name: Optional[str] = None,
    *,
    format_guessed: bool = False,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    encoding: str = "utf-8",
    delimiter: Optional[str] = None,
) -> Generator[Row, None, None]:
    """Rows of the file at `path` in format `fmt`, streamed; errors call the file `name`.
    With ``format_guessed``, an error on the first line hints at ``--format``. A line (an
    array element) over ``max_line_bytes`` is an InputError before more of it is read.

    ``encoding``: of the text, any format (:func:`check_encoding`; UTF-8 by default, with or
    without a byte order mark); an undecodable byte is an InputError naming its line.
    ``delimiter``: CSV only (:func:`csv_delimiter`; None: a comma). A file starting with the
    gzip magic bytes is decompressed as it is read; corrupt gzip data is an InputError.
    Raises ConfigurationError for a bad encoding or delimiter."""
    name = name or path
    if delimiter is not None and fmt != "csv":
        raise ConfigurationError(f"a delimiter applies to CSV input only, not {fmt}")
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)}")
    check_encoding(encoding)
    with _opened(path, name) as handle:
        if fmt == "jsonl":
            rows = _jsonl_rows(name, handle, format_guessed, max_line_bytes, encoding)
        elif fmt == "json":
            rows = _json_array_rows(name, handle, max_line_bytes, encoding)
        else:
            rows = _csv_rows(name, handle, max_line_bytes, encoding, delimiter)
        line = 0
        try:
            while True:
                try:
                    row = next(rows, None)
                except _READ_ERRORS as exc:
                    raise _unreadable(name, line, exc) from None
                if row is None:
                    return
                line = row.line
                yield row
        finally:
            rows.close()


def csv_header(
    path: str,
    name: Optional[str] = None,
    *,
    encoding: str = "utf-8",
    delimiter: Optional[str] = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Optional[list[str]]:
    """The header of a CSV file (None when the file is empty), read as :func:`read_rows` reads
    it."""
    name = name or path
    check_encoding(encoding)
    with _opened(path, name) as handle:
        try:
            return _csv_header(name, handle, max_line_bytes, encoding, delimiter)
        except _READ_ERRORS as exc:
            raise _unreadable(name, 0, exc) from None


def first_fields(
    path: str,
    fmt: str,
    name: Optional[str] = None,
    *,
    encoding: str = "utf-8",
    delimiter: Optional[str] = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> Optional[list[str]]:
    """The field names the start of an input shows: a CSV file's header, the fields of the
    first row of JSONL or a JSON array (None for an empty input or a first row that is a
    string). What :func:`~parallel_taskgroup.submission.keys.parse_key` needs to tell a field
    named ``a,b`` from the fields ``a`` and ``b``."""
    if fmt == "csv":
        return csv_header(
            path, name, encoding=encoding, delimiter=delimiter, max_line_bytes=max_line_bytes
        )
    rows = read_rows(path, fmt, name, max_line_bytes=max_line_bytes, encoding=encoding)
    try:
        row = next(rows, None)
    finally:
        rows.close()
    return list(row.value) if row is not None and isinstance(row.value, dict) else None


def check_key_columns(name: str, header: Optional[list[str]], fields: Sequence[str]) -> None:
    """Raise InputError when a key field is not a column of the CSV ``header`` (None: an empty
    file, nothing to check)."""
    if header is None:
        return
    missing = [field for field in fields if field not in header]
    if missing:
        what = (
            f"the key column {missing[0]!r} is"
            if len(missing) == 1
            else f"the key columns {', '.join(repr(field) for field in missing)} are"
        )
        raise InputError(
            f"{name}: {what} not in the CSV header (columns: {', '.join(header)}); fix --key"
        )


KeyOf = Callable[[RowValue], str]


def scan(
    path: str,
    fmt: str,
    key_of: KeyOf,
    key_field: Union[str, Sequence[str], None] = None,
    required_fields: Iterable[str] = (),
    name: Optional[str] = None,
    *,
    encoding: str = "utf-8",
    delimiter: Optional[str] = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> InputSummary:
    """Read the whole input once, checking every row, before anything is submitted.

    `key_of` gives a row's exactly-once key (`key_field`, one field name or the names of a
    composite key, says where it comes from, for messages). Keeps the keys seen (to catch
    duplicates), never the rows. The input is read as :func:`read_rows` reads it.
    """
    name = name or path
    required = list(required_fields)
    fields = key_fields(key_field)
    if fmt == "csv" and fields is not None:
        header = csv_header(
            path, name, encoding=encoding, delimiter=delimiter, max_line_bytes=max_line_bytes
        )
        check_key_columns(name, header, fields)

    def rows() -> Iterator[Row]:
        return read_rows(
            path, fmt, name, encoding=encoding, delimiter=delimiter, max_line_bytes=max_line_bytes
        )

    keys: set[str] = set()
    for row in rows():
        if fields is not None and not isinstance(row.value, dict):
            raise InputError(
                f"{name}, line {row.line}: --key {','.join(fields)} needs object rows, got a string"
            )
        try:
            key = key_of(row.value)
        except ValueError as exc:
            raise InputError(f"{name}, line {row.line}: {exc}") from None
        if key in keys:
            first = _first_line_of(rows(), key_of, key)
            if fields is None:
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


def _first_line_of(rows: Iterable[Row], key_of: KeyOf, key: str) -> int:
    for row in rows:
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
