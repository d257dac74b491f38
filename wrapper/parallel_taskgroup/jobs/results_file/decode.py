"""Reading a CSV or Parquet row back (see the package doc): a CSV cell decoded to the value it
was written from, and the record rebuilt from the row's cells."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional

from ..._json import compact
from ...errors import ResultsFileError
from .layout import _ANY, _JSON, ResultsLayout, _input_column, _short


def _csv_value(cell: str, kind: str, column: str) -> Any:
    """A CSV cell read back (see the package doc): empty as None, JSON text decoded where it
    was written, and in a column of any JSON value a cell that is exactly the compact JSON of a
    number, boolean, array or object as that value."""
    if not cell:
        return None
    if kind == _JSON:
        return _json_cell(cell, column)
    if kind == _ANY:
        decoded = _json_value(cell)
        if decoded is not None:
            return decoded
    return cell


def _json_cell(text: str, column: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise ResultsFileError(f"column {column!r}: {_short(text)} is not JSON") from None


def _json_value(text: str) -> Any:
    """The number, boolean, object or array whose compact JSON is exactly ``text``, else None."""
    if text[0] not in "-0123456789tf[{":
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
    }
    if cells["group_id"] is not None:  # as a JSONL record: a group id only when known
        record["group_id"] = cells["group_id"]
    record["input"] = run_input
    record["output"] = output
    record["error"] = None if error is None else {"message": error}
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


def _record(
    values: Iterable[Any],
    cols: list[tuple[str, str]],
    layout: ResultsLayout,
    decode: Callable[[Any, str, str], Any],
    where: str,
) -> dict[str, Any]:
    """The record of a row: each of ``values`` decoded by ``decode(value, kind, column)``."""
    try:
        cells = {name: decode(v, kind, name) for v, (name, kind) in zip(values, cols)}
        return _rebuild(cells, layout)
    except ResultsFileError as exc:
        raise ResultsFileError(f"{where}: {exc.message}") from None
