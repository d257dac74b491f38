r"""Results files of a batch job, one record per input row: JSONL, CSV or Parquet.

A record is a dict: ``key``, ``status``, ``run_id``, ``input``, ``output``, ``error``
(``{"message": ...}``), ``basis`` (with ``include_basis``) and ``attempts``; a missing key
means None. JSONL holds each record whole, as ``json.dumps(record, ensure_ascii=False)`` and a
newline. CSV and Parquet hold it in the columns of a :class:`ResultsLayout`, in this order:

1. the input: one column per input field, named as the field; or one ``input`` column when
   the input is a string (``input_columns`` is None);
2. the output: ``output.<field>`` per output field, in schema order; or one ``output`` column
   (``output_fields`` is None);
3. with ``include_basis``: per output field, ``basis.<field>.confidence`` and
   ``basis.<field>.citations`` (a JSON array of the citations' URLs); with no output fields,
   one ``basis`` column (the whole basis as JSON text);
4. ``status``, ``error`` (the error's message);
5. ``key``, ``run_id``, ``attempts`` (the earlier attempts as JSON text).

An input field named ``input``, ``output``, ``basis``, ``status``, ``error``, ``key``,
``run_id`` or ``attempts``, or whose name starts with ``input.``, ``output.`` or ``basis.``, is
in the column ``input.<field>``: no two columns share a name, and a header reads back as
exactly one layout. Output fields that the layout does not name are not written (JSONL keeps
everything).

Cells: strings as they are; None, and an empty basis or attempts list, as an empty cell (CSV) or
null (Parquet); numbers and booleans as their JSON text in CSV; objects and arrays as compact
JSON text. In Parquet, an ``output.<field>`` column whose JSON type is string, integer, number
or boolean is a nullable string, int64, float64 or bool column (so a number reads back as a
float), and a value of another type is an error naming the row and the column; every other
column is a nullable string column. The layout is also kept in the Parquet schema's metadata
(``parallel_taskgroup.layout``), rows are in row groups of at most 10,000.

Every CSV record is one physical line, so a write torn by a crash shows by its missing
newline: in string cells (and the header) a backslash is written ``\\``, a newline ``\n``, a
carriage return ``\r`` and NUL ``\0``; JSON text has none of them raw and is left as it is. A
lone surrogate, which UTF-8 cannot hold, stays a ``\u`` escape in JSONL and becomes U+FFFD in
CSV and Parquet.

Read back, JSONL gives each record exactly as written. CSV and Parquet give ``key``,
``status``, ``run_id`` and ``error`` (``{"message": ...}``) exactly, and rebuild the input, the
output (None when all its cells are empty), the basis (each field's confidence and citation
URLs) and the attempts from their columns: escapes are undone and JSON text is decoded where
it was written. In input and untyped output columns a cell that is exactly the compact JSON
of a number, boolean, object or array reads back as that value (the string ``"42"`` as 42), and
in CSV an empty cell reads back as None (so an empty ``run_id`` or error message as none).
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import io
import json
import os
import re
import secrets
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable, Optional

import attrs

from .._fs import fsync_dir
from .._json import compact
from ..errors import ResultsFileError

__all__ = [
    "FORMATS",
    "ResultsAppender",
    "ResultsLayout",
    "columns",
    "read_records",
    "results_format",
    "tabular_row",
    "write_results",
]

FORMATS = ("jsonl", "csv", "parquet")

_TAIL = ("status", "error", "key", "run_id", "attempts")
_CLASHING = frozenset(("input", "output", "basis", *_TAIL))
_PREFIXES = ("input.", "output.", "basis.")
_EXTENSIONS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_ROW_GROUP_ROWS = 10_000
_ARROW_BATCH_ROWS = 1_000
_READ_BATCH_ROWS = 1_000
_PARQUET_HINT = "pip install 'parallel-taskgroup[parquet]'"
_LAYOUT_KEY = b"parallel_taskgroup.layout"
_O_BINARY = getattr(os, "O_BINARY", 0)

# What a column holds, which decides how it is written and read back.
_TEXT = "text"  # a string: key, status, run id, error message, string input, confidence
_JSON = "json"  # JSON text: basis, citations, attempts
_ANY = "any"  # any JSON value: an input field, an untyped output field, the whole output
# An output field of one of these JSON types is a typed Parquet column (and _ANY in CSV).
_ARROW_TYPES = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool_"}
_INT64 = range(-(2**63), 2**63)


@attrs.frozen
class ResultsLayout:
    """How records map to the columns of a CSV or Parquet results file (see the module doc)."""

    input_columns: Optional[tuple[str, ...]]
    """The input's fields; None when the input is a string (one ``input`` column)."""
    output_fields: Optional[tuple[tuple[str, str], ...]]
    """(name, JSON type) of the output schema's top-level properties, in schema order; None
    for one ``output`` column."""
    include_basis: bool


def results_format(path: str, explicit: Optional[str] = None) -> str:
    """``explicit`` when given, else by the extension: .csv is csv, .parquet or .pq parquet,
    anything else jsonl."""
    if explicit is not None:
        if explicit not in FORMATS:
            raise ResultsFileError(
                f"unknown results format {explicit!r}; use one of {', '.join(FORMATS)}"
            )
        return explicit
    return _EXTENSIONS.get(os.path.splitext(path)[1].lower(), "jsonl")


def columns(layout: ResultsLayout) -> list[str]:
    """The column names of ``layout``, in order."""
    return [name for name, _ in _columns(layout)]


def tabular_row(record: Mapping[str, Any], layout: ResultsLayout) -> list[Any]:
    """The values of ``record``'s columns, in :func:`columns` order, before a format encodes
    them: None, strings, numbers, booleans, and JSON arrays or objects (citations, attempts,
    the basis, untyped input or output values). Raises ResultsFileError for an input or output
    that is not an object where the layout has fields for it."""
    values: list[Any] = []
    if layout.input_columns is None:
        values.append(_text(record.get("input")))
    else:
        fields = _fields(record.get("input"), "input")
        values.extend(fields.get(name) for name in layout.input_columns)
    if layout.output_fields is None:
        values.append(record.get("output"))
    else:
        fields = _fields(record.get("output"), "output")
        values.extend(fields.get(name) for name, _ in layout.output_fields)
    if layout.include_basis:
        values.extend(_basis_values(record.get("basis"), layout))
    values.extend(
        [
            _text(record.get("status")),
            _error_text(record.get("error")),
            _text(record.get("key")),
            _text(record.get("run_id")),
            record.get("attempts") or None,
        ]
    )
    return values


# -- the layout's columns -------------------------------------------------------------------


def _columns(layout: ResultsLayout) -> list[tuple[str, str]]:
    """(name, kind) of each column; kind is _TEXT, _JSON, _ANY or a key of _ARROW_TYPES."""
    cols: list[tuple[str, str]] = []
    if layout.input_columns is None:
        cols.append(("input", _TEXT))
    else:
        cols.extend((_input_column(name), _ANY) for name in layout.input_columns)
    if layout.output_fields is None:
        cols.append(("output", _ANY))
    else:
        cols.extend(
            (f"output.{name}", json_type if json_type in _ARROW_TYPES else _ANY)
            for name, json_type in layout.output_fields
        )
    if layout.include_basis:
        if layout.output_fields:
            for name, _ in layout.output_fields:
                cols.extend(
                    [(f"basis.{name}.confidence", _TEXT), (f"basis.{name}.citations", _JSON)]
                )
        else:
            cols.append(("basis", _JSON))
    cols.extend([("status", _TEXT), ("error", _TEXT), ("key", _TEXT), ("run_id", _TEXT)])
    cols.append(("attempts", _JSON))
    repeated = sorted(name for name, n in Counter(name for name, _ in cols).items() if n > 1)
    if repeated:
        raise ResultsFileError(f"the results layout repeats the column(s) {', '.join(repeated)}")
    return cols


def _input_column(field: str) -> str:
    clashes = field in _CLASHING or field.startswith(_PREFIXES)
    return f"input.{field}" if clashes else field


def _layout_from_columns(
    names: list[str], output_types: Mapping[str, str]
) -> Optional[ResultsLayout]:
    """The layout whose columns are exactly ``names``, or None when there is none."""
    if tuple(names[-len(_TAIL) :]) != _TAIL:
        return None
    inputs: list[str] = []
    outputs: list[str] = []
    string_input = whole_output = basis = False
    for name in names[: -len(_TAIL)]:
        if name == "input":
            string_input = True
        elif name == "output":
            whole_output = True
        elif name.startswith("output."):
            outputs.append(name[len("output.") :])
        elif name == "basis" or name.startswith("basis."):
            basis = True
        else:
            inputs.append(name[len("input.") :] if name.startswith("input.") else name)
    layout = ResultsLayout(
        input_columns=None if string_input else tuple(inputs),
        output_fields=None
        if whole_output
        else tuple((name, output_types.get(name, "")) for name in outputs),
        include_basis=basis,
    )
    try:
        return layout if columns(layout) == names else None
    except ResultsFileError:
        return None


# -- cell values ------------------------------------------------------------------------------


def _text(value: Any) -> Optional[str]:
    """A string column's value: strings as they are, anything else as JSON text."""
    return value if value is None or isinstance(value, str) else _json_text(value)


def _error_text(error: Any) -> Optional[str]:
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return str(error["message"])
    return _text(error)


def _fields(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ResultsFileError(
            f"the {what} is a {type(value).__name__}, but the layout has {what} fields"
        )
    return value


def _basis_values(basis: Any, layout: ResultsLayout) -> list[Any]:
    """The basis columns' values: per output field its confidence and citation URLs."""
    if not layout.output_fields:
        return [basis or None]
    by_field: dict[str, Mapping[str, Any]] = {}
    for entry in basis if isinstance(basis, list) else []:
        if isinstance(entry, Mapping):
            by_field.setdefault(str(entry.get("field")), entry)
    values: list[Any] = []
    for name, _ in layout.output_fields:
        entry = by_field.get(name)
        if entry is None:
            values.extend([None, None])
            continue
        citations = entry.get("citations") or []
        urls = [c.get("url") for c in citations if isinstance(c, Mapping)]
        values.extend([_text(entry.get("confidence")), urls])
    return values


def _json_text(value: Any) -> str:
    try:
        return compact(value)
    except (TypeError, ValueError) as exc:
        raise ResultsFileError(f"{_short(value)} cannot be written as JSON ({exc})") from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _parquet_value(value: Any, kind: str, column: str) -> Any:
    """``value`` as the Parquet column of ``kind`` holds it."""
    if value is None:
        return None
    if kind not in _ARROW_TYPES:
        return value if isinstance(value, str) and kind != _JSON else _json_text(value)
    typed = _typed(value, kind)
    if typed is None:
        raise ResultsFileError(
            f"column {column!r}: {_short(value)} is not a JSON {kind} (the field's type in the "
            "output schema)"
        )
    return typed


def _typed(value: Any, json_type: str) -> Any:
    """``value`` as Arrow holds a value of ``json_type``, or None when it is not one."""
    if json_type == "string":
        return value if isinstance(value, str) else None
    if json_type == "boolean":
        return value if isinstance(value, bool) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if json_type == "number":
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return value if value in _INT64 else None


def _decode(value: Any, kind: str, unescape: Callable[[str], str], column: str) -> Any:
    """A cell read back as the value it was written from (see the module doc)."""
    if not isinstance(value, str):
        return value
    if kind == _JSON:
        try:
            return json.loads(value)
        except ValueError:
            raise ResultsFileError(f"column {column!r}: {_short(value)} is not JSON") from None
    if kind == _ANY:
        decoded = _json_value(value)
        if decoded is not None:
            return decoded
    return unescape(value) if kind in (_TEXT, _ANY) else value


def _json_value(text: str) -> Any:
    """The number, boolean, object or array whose compact JSON is exactly ``text``, else None."""
    if not text or text[0] not in "-0123456789tf[{":
        return None
    try:
        value = json.loads(text, parse_constant=_reject)
        return value if not isinstance(value, str) and compact(value) == text else None
    except ValueError:
        return None


def _reject(constant: str) -> Any:
    raise ValueError(constant)


def _rebuild(cells: Mapping[str, Any], layout: ResultsLayout) -> dict[str, Any]:
    """The record of a row whose decoded cells are ``cells`` (by column name)."""
    if layout.input_columns is None:
        run_input = cells["input"]
    else:
        run_input = {name: cells[_input_column(name)] for name in layout.input_columns}
    if layout.output_fields is None:
        output = cells["output"]
    else:
        values = {name: cells[f"output.{name}"] for name, _ in layout.output_fields}
        output = values if any(v is not None for v in values.values()) else None
    error = cells["error"]
    record: dict[str, Any] = {
        "key": cells["key"] or "",
        "status": cells["status"],
        "run_id": cells["run_id"],
        "input": run_input,
        "output": output,
        "error": None if error is None else {"message": error},
    }
    if layout.include_basis:
        record["basis"] = _rebuild_basis(cells, layout)
    record["attempts"] = cells["attempts"]
    return record


def _rebuild_basis(cells: Mapping[str, Any], layout: ResultsLayout) -> Optional[list[Any]]:
    if not layout.output_fields:
        basis: Optional[list[Any]] = cells["basis"]
        return basis
    entries = []
    for name, _ in layout.output_fields:
        confidence = cells[f"basis.{name}.confidence"]
        urls = cells[f"basis.{name}.citations"]
        if confidence is None and urls is None:
            continue
        if not isinstance(urls, (list, type(None))):
            raise ResultsFileError(f"column 'basis.{name}.citations': not a JSON array")
        entry: dict[str, Any] = {"field": name, "citations": [{"url": u} for u in urls or []]}
        if confidence is not None:
            entry["confidence"] = confidence
        entries.append(entry)
    return entries or None


# -- CSV lines ---------------------------------------------------------------------------------

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


def _header_difference(found: list[str], expected: list[str]) -> str:
    missing = [name for name in expected if name not in found]
    extra = [name for name in found if name not in expected]
    parts = [
        f"{label} {_names(names)}"
        for label, names in (("missing", missing), ("unexpected", extra))
        if names
    ]
    return "; ".join(parts) or "the same columns in another order"


def _not_a_layout(names: list[str]) -> str:
    if tuple(names[-len(_TAIL) :]) != _TAIL:
        return f"the last columns must be {', '.join(_TAIL)}; found {_names(names[-len(_TAIL) :])}"
    return f"the columns {_names(names)} do not follow the results layout"


def _names(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


# -- appending ---------------------------------------------------------------------------------


def _io_error(path: str, action: str, exc: OSError) -> ResultsFileError:
    """ResultsFileError for a failed file operation; raise it ``from exc`` (errno stays there)."""
    return ResultsFileError(f"{path}: {action} ({exc.strerror or exc})")


class ResultsAppender:
    """Appends records to a JSONL or CSV results file; each :meth:`flush` is one write, then an
    fsync. A line only counts with its newline: :meth:`open` cuts a torn last line."""

    def __init__(self, path: str, *, fmt: str, layout: ResultsLayout) -> None:
        if fmt == "parquet":
            raise ResultsFileError(
                f"{path}: a Parquet results file cannot be appended to; write it whole"
            )
        results_format(path, fmt)
        self.path = path
        self.fmt = fmt
        self.layout = layout
        self.repaired_bytes = 0
        self._lines = _Lines(fmt, layout)
        self._queue: list[bytes] = []
        self._fd: Optional[int] = None
        self._size = 0

    @property
    def pending(self) -> int:
        """Lines queued but not yet written."""
        return len(self._queue)

    def __enter__(self) -> ResultsAppender:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> int:
        """Create the file (a CSV with its header) or open it for appending: check a CSV's
        header, cut a torn last line (``repaired_bytes``). Returns the file's size."""
        if self._fd is not None:
            raise ResultsFileError(f"{self.path}: already open")
        created = not os.path.exists(self.path)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _O_BINARY, 0o666)
        except OSError as exc:
            raise _io_error(self.path, "cannot open", exc) from exc
        try:
            self._size = self._repair(fd)
            self._fd = fd
            if self.fmt == "csv" and self._size == 0:
                self._queue.insert(0, self._lines.header())
                self.flush()
        except BaseException:
            self._fd = None
            os.close(fd)
            raise
        if created:
            fsync_dir(os.path.dirname(os.path.abspath(self.path)))
        return self._size

    def _repair(self, fd: int) -> int:
        """Check a CSV header, then cut what follows the last newline; the size after."""
        try:
            with open(fd, "rb", closefd=False) as handle:
                size = os.fstat(fd).st_size
                end = _end_of_last_line(handle, size)
                if self.fmt == "csv" and end > 0:
                    handle.seek(0)
                    self._check_header(handle.readline())
                if end < size:
                    os.ftruncate(fd, end)
                    os.fsync(fd)
                    self.repaired_bytes = size - end
                return end
        except OSError as exc:
            raise _io_error(self.path, "cannot read back", exc) from exc

    def _check_header(self, line: bytes) -> None:
        found = [_unescape(n) for n in _csv_fields(line[:-1], f"{self.path}, line 1")]
        expected = columns(self.layout)
        if found != expected:
            raise ResultsFileError(
                f"{self.path}: the CSV header does not match this job's columns "
                f"({_header_difference(found, expected)}); was the file written by another job "
                "or with other options?"
            )

    def append(self, record: Mapping[str, Any]) -> None:
        """Queue ``record``'s line; :meth:`flush` writes it."""
        try:
            line = self._lines.line(record)
        except ResultsFileError as exc:
            raise ResultsFileError(
                f"{self.path}, key {record.get('key')!r}: {exc.message}"
            ) from None
        self._queue.append(line)

    def flush(self) -> int:
        """Write the queued lines in one write, then fsync; returns the file's new size.
        On failure the file is cut back to its last whole line and the lines are dropped."""
        if self._fd is None:
            raise ResultsFileError(f"{self.path}: not open")
        if not self._queue:
            return self._size
        data = b"".join(self._queue)
        # Cleared first: a retry after a failed write must not append these lines twice.
        self._queue.clear()
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


# -- writing a whole file ----------------------------------------------------------------------


def write_results(
    path: str, records: Iterable[Mapping[str, Any]], *, fmt: str, layout: ResultsLayout
) -> int:
    """Write the whole file from ``records``, streamed to a temp file beside ``path``, fsynced
    and renamed over it (a crash leaves the old file or the new one); returns the number of
    records. Parquet is written in row groups of at most 10,000 records."""
    results_format(path, fmt)
    cols = _columns(layout)
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as out:
            if fmt == "parquet":
                count = _write_parquet(tmp, records, cols, layout, path)
            else:
                count = _write_lines(out, records, _Lines(fmt, layout), path)
            try:
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise _io_error(path, "cannot write", exc) from exc
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _io_error(path, f"cannot replace it with {tmp}", exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(os.path.dirname(os.path.abspath(path)))
    return count


def _create_temp(path: str) -> tuple[int, str]:
    """A new empty file beside ``path``, with the mode ``path`` has (or a new file would get)."""
    directory, name = os.path.split(os.path.abspath(path))
    for _ in range(100):
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _io_error(path, f"cannot create a file in {directory}", exc) from exc
        with contextlib.suppress(OSError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        return fd, tmp
    raise ResultsFileError(f"{path}: cannot find a free temporary file name in {directory}")


def _where(path: str, row: int, record: Mapping[str, Any]) -> str:
    return f"{path}, row {row} (key {record.get('key')!r})"


def _write_lines(
    out: io.BufferedWriter,
    records: Iterable[Mapping[str, Any]],
    lines: _Lines,
    path: str,
) -> int:
    count = 0
    _write(out, lines.header(), path)
    for count, record in enumerate(records, start=1):
        try:
            line = lines.line(record)
        except ResultsFileError as exc:
            raise ResultsFileError(f"{_where(path, count, record)}: {exc.message}") from None
        _write(out, line, path)
    return count


def _write(out: io.BufferedWriter, data: bytes, path: str) -> None:
    try:
        out.write(data)
    except OSError as exc:
        raise _io_error(path, "cannot write", exc) from exc


# -- Parquet -----------------------------------------------------------------------------------


def _pyarrow(path: str) -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, imported on first use: only Parquet needs them."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ResultsFileError(
            f"{path}: Parquet results files need pyarrow: {_PARQUET_HINT}"
        ) from None


def _write_parquet(
    tmp: str,
    records: Iterable[Mapping[str, Any]],
    cols: list[tuple[str, str]],
    layout: ResultsLayout,
    path: str,
) -> int:
    pa, pq = _pyarrow(path)
    fields = [
        pa.field(name, getattr(pa, _ARROW_TYPES.get(kind, "string"))()) for name, kind in cols
    ]
    layout_json = compact(attrs.asdict(layout)).encode("utf-8")
    schema = pa.schema(fields, metadata={_LAYOUT_KEY: layout_json})
    with _arrow_errors(pa, path):
        writer = pq.ParquetWriter(tmp, schema)
    groups = _RowGroups(pa, writer, schema, path)
    count = 0
    try:
        for count, record in enumerate(records, start=1):
            try:
                values = tabular_row(record, layout)
                groups.add([_parquet_value(v, kind, name) for v, (name, kind) in zip(values, cols)])
            except ResultsFileError as exc:
                raise ResultsFileError(f"{_where(path, count, record)}: {exc.message}") from None
        groups.flush()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.close()
        raise
    with _arrow_errors(pa, path):
        writer.close()
    return count


class _RowGroups:
    """Rows turned into Arrow batches of 1,000 (few Python objects held at once), written as
    row groups of ``_ROW_GROUP_ROWS``."""

    def __init__(self, pa: Any, writer: Any, schema: Any, path: str) -> None:
        self._pa, self._writer, self._schema, self._path = pa, writer, schema, path
        self._cells: list[list[Any]] = [[] for _ in schema]
        self._batches: list[Any] = []
        self._rows = 0

    def add(self, row: list[Any]) -> None:
        for cells, value in zip(self._cells, row):
            cells.append(value)
        self._rows += 1
        if self._rows == _ROW_GROUP_ROWS:
            self.flush()
        elif self._rows % _ARROW_BATCH_ROWS == 0:
            self._to_batch()

    def _to_batch(self) -> None:
        pa = self._pa
        with _arrow_errors(pa, self._path):
            arrays = [_arrow_array(pa, c, f.type) for c, f in zip(self._cells, self._schema)]
            self._batches.append(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        for cells in self._cells:
            cells.clear()

    def flush(self) -> None:
        """Write the rows added since the last flush as one row group."""
        if self._cells[0]:
            self._to_batch()
        if self._batches:
            with _arrow_errors(self._pa, self._path):
                table = self._pa.Table.from_batches(self._batches, schema=self._schema)
                self._writer.write_table(table, row_group_size=_ROW_GROUP_ROWS)
        self._batches.clear()
        self._rows = 0


def _arrow_array(pa: Any, cells: list[Any], arrow_type: Any) -> Any:
    try:
        return pa.array(cells, type=arrow_type)
    except UnicodeEncodeError:
        return pa.array([_utf8(c).decode() if isinstance(c, str) else c for c in cells], arrow_type)


@contextlib.contextmanager
def _arrow_errors(pa: Any, path: str, action: str = "cannot write") -> Iterator[None]:
    try:
        yield
    except (OSError, pa.ArrowException) as exc:
        raise ResultsFileError(f"{path}: {action} ({exc})") from exc


def _read_parquet(path: str) -> Iterator[dict[str, Any]]:
    pa, pq = _pyarrow(path)
    with _arrow_errors(pa, path, "cannot read it as Parquet"):
        handle = pq.ParquetFile(path)
    with handle:
        schema = handle.schema_arrow
        layout = _parquet_layout(schema, path)
        cols = _columns(layout)
        batches = handle.iter_batches(batch_size=_READ_BATCH_ROWS)
        row = 0
        while True:
            with _arrow_errors(pa, path, "cannot read it as Parquet"):
                batch = next(batches, None)
            if batch is None:
                return
            for values in zip(*(column.to_pylist() for column in batch.columns)):
                row += 1
                yield _record(values, cols, layout, str, f"{path}, row {row}")


def _parquet_layout(schema: Any, path: str) -> ResultsLayout:
    """The layout stored by :func:`write_results`, else the one its columns follow."""
    names = list(schema.names)
    stored = _stored_layout((schema.metadata or {}).get(_LAYOUT_KEY))
    if stored is not None and columns(stored) == names:
        return stored
    arrow_json_types = {"int64": "integer", "double": "number", "bool": "boolean"}
    types = {
        field.name[len("output.") :]: arrow_json_types.get(str(field.type), "")
        for field in schema
        if field.name.startswith("output.")
    }
    layout = _layout_from_columns(names, types)
    if layout is None:
        raise ResultsFileError(f"{path}: not a results file ({_not_a_layout(names)})")
    return layout


def _stored_layout(raw: Optional[bytes]) -> Optional[ResultsLayout]:
    """The layout stored in a Parquet file's metadata by :func:`write_results`."""
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        inputs, outputs = data["input_columns"], data["output_fields"]
        return ResultsLayout(
            input_columns=None if inputs is None else tuple(str(n) for n in inputs),
            output_fields=None if outputs is None else tuple((str(n), str(t)) for n, t in outputs),
            include_basis=bool(data["include_basis"]),
        )
    except (TypeError, ValueError, KeyError):
        return None


# -- reading -----------------------------------------------------------------------------------


def read_records(path: str, *, fmt: Optional[str] = None) -> Iterator[dict[str, Any]]:
    """The records of a results file, streamed (see the module doc for what CSV and Parquet
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


def _record(
    values: Iterable[Any],
    cols: list[tuple[str, str]],
    layout: ResultsLayout,
    unescape: Callable[[str], str],
    where: str,
) -> dict[str, Any]:
    try:
        cells = {name: _decode(v, kind, unescape, name) for v, (name, kind) in zip(values, cols)}
        return _rebuild(cells, layout)
    except ResultsFileError as exc:
        raise ResultsFileError(f"{where}: {exc.message}") from None
