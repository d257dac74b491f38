"""Parquet results files (see the package doc): pyarrow, imported only when a Parquet file is
written or read; two passes over the records, the first spooling their rows to a temporary file
while it finds the column types (:mod:`.column_types`), the second writing row groups of at most
10,000 rows with the layout kept in the schema's metadata; and reading the records back."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, Optional

import attrs

from ..._json import compact, fast_compact
from ...errors import ResultsFileError
from .column_types import (
    _BOOL,
    _FLOAT,
    _INT,
    _INT64,
    _JSON,
    ColumnType,
    _ColumnTypes,
)
from .decode import _json_cell, _record
from .files import _io_error, _where
from .layout import (
    _JSON as _JSON_KIND,
)
from .layout import (
    ResultsLayout,
    _columns,
    _layout_from_columns,
    _not_a_layout,
    columns,
    tabular_row,
)
from .lines import _SURROGATES

_ROW_GROUP_ROWS = 10_000
_ARROW_BATCH_ROWS = 1_000
_READ_BATCH_ROWS = 1_000
_PARQUET_HINT = "pip install 'parallel-taskgroup[parquet]'"
_LAYOUT_KEY = b"parallel_taskgroup.layout"
# In a column's field metadata: its cells are JSON text (values of mixed types).
_ENCODING_KEY = b"parallel_taskgroup.encoding"
_JSON_ENCODING = {_ENCODING_KEY: b"json"}
_ARROW_SCALARS = {_BOOL: "bool_", _INT: "int64", _INT64: "int64", _FLOAT: "float64"}


def _pyarrow(path: str) -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, imported on first use: only Parquet needs them."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ModuleNotFoundError as exc:
        if exc.name not in ("pyarrow", "pyarrow.parquet"):
            raise ResultsFileError(_broken(path, exc)) from None
        raise ResultsFileError(
            f"{path}: Parquet results files need pyarrow: {_PARQUET_HINT}"
        ) from None
    except Exception as exc:  # installed, but its import fails (e.g. a numpy it was not built for)
        raise ResultsFileError(_broken(path, exc)) from None


def _broken(path: str, exc: BaseException) -> str:
    return (
        f"{path}: Parquet results files need pyarrow, and importing it fails "
        f"({type(exc).__name__}: {exc}); reinstall it: {_PARQUET_HINT}"
    )


def require_pyarrow(path: str) -> None:
    """ResultsFileError unless Parquet can be written: checked before a job sends anything."""
    _pyarrow(path)


def _write_parquet(
    tmp: str, records: Iterable[Mapping[str, Any]], layout: ResultsLayout, path: str
) -> int:
    pa, pq = _pyarrow(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        spool = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115  (closed by the with below)
    except OSError as exc:
        raise _io_error(path, f"cannot create a file in {directory}", exc) from exc
    with spool:
        count, types = _spool(records, layout, spool, path)
        spool.seek(0)
        _write_rows(pa, pq, tmp, _schema(pa, layout, types), spool, path)
    return count


def _schema(pa: Any, layout: ResultsLayout, types: list[ColumnType]) -> Any:
    """The Arrow schema of the columns of ``types``; JSON text marked in its field's metadata,
    the layout in the schema's."""
    fields = [
        pa.field(name, _arrow_type(pa, t), metadata=_JSON_ENCODING if t == _JSON else None)
        for name, t in zip(columns(layout), types)
    ]
    layout_json = compact(attrs.asdict(layout)).encode("utf-8")
    return pa.schema(fields, metadata={_LAYOUT_KEY: layout_json})


def _write_rows(pa: Any, pq: Any, tmp: str, schema: Any, spool: IO[bytes], path: str) -> None:
    """The second pass: the spooled rows written to ``tmp`` (JSON text where marked)."""
    as_json = [_holds_json_text(field) for field in schema]
    with _arrow_errors(pa, path):
        writer = pq.ParquetWriter(tmp, schema)
    try:
        groups = _RowGroups(pa, writer, schema, path)
        for line in spool:
            row = json.loads(line.decode("utf-8", "surrogatepass"))
            groups.add(
                [fast_compact(v) if j and v is not None else v for v, j in zip(row, as_json)]
            )
        groups.flush()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.close()
        raise
    with _arrow_errors(pa, path):
        writer.close()


def _spool(
    records: Iterable[Mapping[str, Any]], layout: ResultsLayout, spool: IO[bytes], path: str
) -> tuple[int, list[ColumnType]]:
    """The first pass: each record's row as a JSON line in ``spool`` (a lone surrogate kept),
    and the column types."""
    types = _ColumnTypes(layout)
    count = 0
    for count, record in enumerate(records, start=1):
        try:
            row = tabular_row(record, layout)
            line = (fast_compact(row) + "\n").encode("utf-8", "surrogatepass")
        except ResultsFileError as exc:
            raise ResultsFileError(f"{_where(path, count, record)}: {exc.message}") from None
        except (TypeError, ValueError) as exc:
            raise ResultsFileError(
                f"{_where(path, count, record)}: a value cannot be written as JSON ({exc})"
            ) from None
        types.add(row)
        try:
            spool.write(line)
        except OSError as exc:
            raise _io_error(path, "cannot write a temporary file", exc) from exc
    return count, types.types()


def _holds_json_text(field: Any) -> bool:
    """Whether the Arrow field's cells are JSON text (marked so in its metadata)."""
    return bool((field.metadata or {}).get(_ENCODING_KEY) == _JSON_ENCODING[_ENCODING_KEY])


def _arrow_type(pa: Any, column_type: ColumnType) -> Any:
    if isinstance(column_type, str):
        return getattr(pa, _ARROW_SCALARS.get(column_type, "string"))()
    if column_type[0] == "list":
        return pa.list_(_arrow_type(pa, column_type[1]))
    return pa.struct([pa.field(name, _arrow_type(pa, t)) for name, t in column_type[1]])


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
        return pa.array([_without_surrogates(c) for c in cells], arrow_type)


def _without_surrogates(value: Any) -> Any:
    """``value`` with U+FFFD for each lone surrogate in its strings (UTF-8 cannot hold one)."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_surrogates(v) for k, v in value.items()}
    return value


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
        json_text = {field.name for field in schema if _holds_json_text(field)}

        def decode(value: Any, kind: str, column: str) -> Any:
            if isinstance(value, str) and (column in json_text or kind == _JSON_KIND):
                return _json_cell(value, column)
            return value

        batches = handle.iter_batches(batch_size=_READ_BATCH_ROWS)
        row = 0
        while True:
            with _arrow_errors(pa, path, "cannot read it as Parquet"):
                batch = next(batches, None)
            if batch is None:
                return
            for values in zip(*(column.to_pylist() for column in batch.columns)):
                row += 1
                yield _record(values, cols, layout, decode, f"{path}, row {row}")


def _parquet_layout(schema: Any, path: str) -> ResultsLayout:
    """The layout stored by :func:`write_results`, else the one its columns follow."""
    names = list(schema.names)
    stored = _stored_layout((schema.metadata or {}).get(_LAYOUT_KEY))
    if stored is not None and columns(stored) == names:
        return stored
    layout = _layout_from_columns(names)
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
