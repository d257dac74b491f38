"""Parquet results files (see the package doc): pyarrow, imported only when a Parquet file is
written or read; the typed cells of the output columns; writing in row groups of at most
10,000 rows with the layout kept in the schema's metadata; and reading the records back."""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Optional

import attrs

from ..._json import compact
from ...errors import ResultsFileError
from .decode import _record
from .files import _where
from .layout import (
    _ARROW_TYPES,
    _JSON,
    ResultsLayout,
    _columns,
    _json_text,
    _layout_from_columns,
    _not_a_layout,
    _short,
    columns,
    tabular_row,
)
from .lines import _utf8

_ROW_GROUP_ROWS = 10_000
_ARROW_BATCH_ROWS = 1_000
_READ_BATCH_ROWS = 1_000
_PARQUET_HINT = "pip install 'parallel-taskgroup[parquet]'"
_LAYOUT_KEY = b"parallel_taskgroup.layout"
_INT64 = range(-(2**63), 2**63)


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
