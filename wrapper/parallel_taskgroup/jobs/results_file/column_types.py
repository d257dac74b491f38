"""The type of each column of a Parquet results file, found from the values written (see the
package doc), without pyarrow: a type is one of the names below, ``("list", element type)``
or ``("struct", ((name, type), ...))``. :func:`_joined` gives the type that holds the values
of two, ``_JSON`` when none does: such a column holds JSON text."""

from __future__ import annotations

import re
from typing import Any, Union

from .layout import _JSON as _JSON_KIND
from .layout import _TEXT, ResultsLayout, _columns

_NULL = "null"  # no value but None yet
_BOOL = "bool"
_INT = "int"  # integers that a float64 holds exactly too (at most 2**53 in size)
_INT64 = "int64"  # integers that only an int64 holds exactly
_FLOAT = "float"
_STRING = "string"
_JSON = "json"  # values of mixed types, or of a type Parquet cannot hold: JSON text

ColumnType = Union[str, tuple[Any, ...]]

_EXACT_IN_FLOAT = 2**53
_INT64_RANGE = range(-(2**63), 2**63)
_SURROGATE = re.compile("[\ud800-\udfff]")
_NUMBERS = {
    frozenset((_INT, _INT64)): _INT64,
    frozenset((_INT, _FLOAT)): _FLOAT,
}
# The type of a column that holds no value, by the output field's type in the output schema.
_SCHEMA_TYPES = {"string": _STRING, "integer": _INT64, "number": _FLOAT, "boolean": _BOOL}


_PLAIN = {str: _STRING, type(None): _NULL, bool: _BOOL, float: _FLOAT}


def _type_of(value: Any) -> ColumnType:
    """The type of one JSON value."""
    plain = _PLAIN.get(type(value))
    if plain is not None:
        return plain
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        if -_EXACT_IN_FLOAT <= value <= _EXACT_IN_FLOAT:
            return _INT
        return _INT64 if value in _INT64_RANGE else _JSON
    if isinstance(value, float):
        return _FLOAT
    if isinstance(value, str):
        return _STRING
    if isinstance(value, (list, tuple)):
        element: ColumnType = _NULL
        for item in value:
            element = _joined(element, _type_of(item))
            if element == _JSON:
                return _JSON
        return ("list", element)
    if isinstance(value, dict):
        return _struct_type(value)
    return _JSON


def _struct_type(value: dict[Any, Any]) -> ColumnType:
    # Parquet holds no struct without fields; a struct field's name must be valid UTF-8.
    if not value:
        return _JSON
    fields = []
    for name, item in value.items():
        if not isinstance(name, str) or (not name.isascii() and _SURROGATE.search(name)):
            return _JSON
        field_type = _type_of(item)
        if field_type == _JSON:
            return _JSON
        fields.append((name, field_type))
    return ("struct", tuple(fields))


def _joined(first: ColumnType, second: ColumnType) -> ColumnType:
    """The type that holds values of both types (``_JSON`` when there is none)."""
    if first == second or second == _NULL:
        return first
    if first == _NULL:
        return second
    if isinstance(first, str) or isinstance(second, str):
        if isinstance(first, str) and isinstance(second, str):
            return _NUMBERS.get(frozenset((first, second)), _JSON)
        return _JSON
    if first[0] != second[0]:
        return _JSON
    if first[0] == "list":
        element = _joined(first[1], second[1])
        return _JSON if element == _JSON else ("list", element)
    others = dict(second[1])
    if len(others) != len(first[1]) or any(name not in others for name, _ in first[1]):
        return _JSON  # objects of another shape
    fields = []
    for name, field_type in first[1]:
        joined = _joined(field_type, others[name])
        if joined == _JSON:
            return _JSON
        fields.append((name, joined))
    return ("struct", tuple(fields))


class _ColumnTypes:
    """The types of a layout's columns, from the rows added so far: a text column is a string
    column; a JSON array or object column (``_JSON`` kind) that holds no array or object is
    JSON text; a column that holds no value takes its type from the output schema, else is a
    string column."""

    def __init__(self, layout: ResultsLayout) -> None:
        cols = _columns(layout)
        schema_types = {f"output.{n}": t for n, t in layout.output_fields or ()}
        self._kinds = [kind for _, kind in cols]
        self._empty = [_SCHEMA_TYPES.get(schema_types.get(name, ""), _STRING) for name, _ in cols]
        self._types: list[ColumnType] = [_STRING if k == _TEXT else _NULL for k in self._kinds]
        self._open = [i for i, kind in enumerate(self._kinds) if kind != _TEXT]

    def add(self, row: list[Any]) -> None:
        """Widen the types to hold ``row``'s values."""
        types = self._types
        settled = False
        for i in self._open:
            found = _type_of(row[i])
            if found != types[i]:
                types[i] = _joined(types[i], found)
                settled = settled or types[i] == _JSON
        if settled:
            self._open = [i for i in self._open if types[i] != _JSON]

    def types(self) -> list[ColumnType]:
        """The type of each column, in the layout's order."""
        final = []
        for column_type, kind, empty in zip(self._types, self._kinds, self._empty):
            if kind == _JSON_KIND and column_type in (_NULL, _STRING):
                column_type = _JSON
            final.append(empty if column_type == _NULL else column_type)
        return final
