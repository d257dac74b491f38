"""Contains some shared types for properties"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from enum import Enum
from http import HTTPStatus
from typing import (
    IO,
    Any,
    BinaryIO,
    Callable,
    Generic,
    Literal,
    Optional,
    TypeVar,
    Union,
)

from attrs import define


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()


class Deferred:
    """A property's JSON value kept as it came, parsed when the property is first read (see
    generator/templates/deferred_fields.jinja). A value that does not parse reads as its data,
    as an eager parse would have kept it. Equal to whatever it reads as."""

    __slots__ = ("data", "parse")

    def __init__(self, parse: Callable[[Any], Any], data: Any) -> None:
        self.parse = parse
        self.data = data

    def value(self) -> Any:
        try:
            return self.parse(self.data)
        except (TypeError, ValueError, AttributeError, KeyError):
            return self.data

    def __eq__(self, other: object) -> bool:
        mine = self.value()
        return bool(mine == (other.value() if isinstance(other, Deferred) else other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self.value())


def json_value(model: Any, name: str) -> Any:
    """Property `name` of `model` as JSON data. A deferred property not read yet is its JSON as
    it came, not parsed (nor checked); any other is its value's `to_dict()`, or the value itself
    (UNSET reads as None). For readers that want the data, not the models."""
    held = getattr(model, "_" + name, None)
    if isinstance(held, Deferred):
        return held.data
    value = getattr(model, name)
    if isinstance(value, Unset):
        return None
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def _repr_value(value: Any) -> str:
    if isinstance(value, Enum):
        return repr(value.value)
    if isinstance(value, list):
        return "[" + ", ".join([_repr_value(item) for item in value]) + "]"
    return repr(value)


def model_repr(model: Any, names: tuple[str, ...]) -> str:
    """`Class(name=value, ...)` for the attributes in `names` that are set (not UNSET), then
    `additional_properties` if non-empty; enum members show their value. A model without declared
    fields (a free-form mapping) shows as `Class({...})`. Used by every model's `__repr__`."""
    extra = getattr(model, "additional_properties", None)
    if not names:
        return f"{type(model).__name__}({extra or {}!r})"
    parts = [
        f"{name}={_repr_value(value)}"
        for name in names
        if not isinstance(value := getattr(model, name), Unset)
    ]
    if extra:
        parts.append(f"additional_properties={extra!r}")
    return f"{type(model).__name__}({', '.join(parts)})"


def free_form(value: Any) -> Mapping[str, Any]:
    """The mapping of a free-form object: as sent, or decoded from a string holding it as JSON
    (some published payloads encode an object, e.g. a JSON output's content, that way)."""
    if isinstance(value, str):
        value = json.loads(value)
        if not isinstance(value, dict):
            raise ValueError("expected a JSON object or a string holding one")
    mapping: Mapping[str, Any] = value
    return mapping


# The types that `httpx.Client(files=)` can accept, copied from that library.
# Module-level aliases are evaluated at import time: spelled with Union/Optional for Python 3.9.
FileContent = Union[IO[bytes], bytes, str]
FileTypes = Union[
    # (filename, file (or bytes), content_type)
    tuple[Optional[str], FileContent, Optional[str]],
    # (filename, file (or bytes), content_type, headers)
    tuple[Optional[str], FileContent, Optional[str], Mapping[str, str]],
]
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


__all__ = ["UNSET", "File", "FileTypes", "RequestFiles", "Response", "Unset", "json_value"]
