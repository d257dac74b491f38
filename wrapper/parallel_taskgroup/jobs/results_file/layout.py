"""The columns of a CSV or Parquet results file (see the package doc): the
:class:`ResultsLayout`, the columns a layout gives (each with the kind of value it holds), the
layout a list of column names reads back as, and a record's cell values in those columns before
a format encodes them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Optional

import attrs

from ..._json import compact
from ...errors import ResultsFileError

_TAIL = ("status", "error", "key", "run_id", "group_id", "attempts")
_CLASHING = frozenset(("input", "output", "basis", *_TAIL))
_PREFIXES = ("input.", "output.", "basis.")

# What a column holds, which decides how it is written and read back.
_TEXT = "text"  # a string: key, status, run and group ids, error message, string input, confidence
_JSON = "json"  # a JSON array or object: basis, citations, attempts
_ANY = "any"  # any JSON value: an input field, an output field, the whole output


@attrs.frozen
class ResultsLayout:
    """How records map to the columns of a CSV or Parquet results file (see the package doc)."""

    input_columns: Optional[tuple[str, ...]]
    """The input's fields; None when the input is a string (one ``input`` column)."""
    output_fields: Optional[tuple[tuple[str, str], ...]]
    """(name, JSON type) of the output schema's top-level properties, in schema order; None
    for one ``output`` column. The type only serves a Parquet column that holds no value."""
    include_basis: bool


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
            _text(record.get("group_id")),
            record.get("attempts") or None,
        ]
    )
    return values


# -- the layout's columns -------------------------------------------------------------------


def _columns(layout: ResultsLayout) -> list[tuple[str, str]]:
    """(name, kind) of each column; kind is _TEXT, _JSON or _ANY."""
    cols: list[tuple[str, str]] = []
    if layout.input_columns is None:
        cols.append(("input", _TEXT))
    else:
        cols.extend((_input_column(name), _ANY) for name in layout.input_columns)
    if layout.output_fields is None:
        cols.append(("output", _ANY))
    else:
        cols.extend((f"output.{name}", _ANY) for name, _ in layout.output_fields)
    if layout.include_basis:
        if layout.output_fields:
            for name, _ in layout.output_fields:
                cols.extend(
                    [(f"basis.{name}.confidence", _TEXT), (f"basis.{name}.citations", _JSON)]
                )
        else:
            cols.append(("basis", _JSON))
    cols.extend((name, _TEXT) for name in _TAIL[:-1])
    cols.append(("attempts", _JSON))
    repeated = sorted(name for name, n in Counter(name for name, _ in cols).items() if n > 1)
    if repeated:
        raise ResultsFileError(f"the results layout repeats the column(s) {', '.join(repeated)}")
    return cols


def _input_column(field: str) -> str:
    clashes = field in _CLASHING or field.startswith(_PREFIXES)
    return f"input.{field}" if clashes else field


def _layout_from_columns(names: list[str]) -> Optional[ResultsLayout]:
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
        output_fields=None if whole_output else tuple((name, "") for name in outputs),
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


def _not_a_layout(names: list[str]) -> str:
    if tuple(names[-len(_TAIL) :]) != _TAIL:
        return f"the last columns must be {', '.join(_TAIL)}; found {_names(names[-len(_TAIL) :])}"
    return f"the columns {_names(names)} do not follow the results layout"


def _names(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")
