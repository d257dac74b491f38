"""One input row of a job (:class:`Row`: its position among rows, its source line, its value)
and the values a row may hold (``RowValue``: a JSON object or a string, checked by
``_row_value``)."""

from __future__ import annotations

from typing import Any, Union

from ..errors import InputError

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
