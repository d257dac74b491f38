"""Row keys and run-metadata rules: what a row's key is and what metadata the API accepts.

A row's key lives in the run's metadata under :data:`ROW_KEY_FIELD`; it joins results back to
input rows and lets a submission find which rows already exist in a group.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

from .batching import canonical_dumps

__all__ = [
    "DERIVED_KEY_CHARS",
    "MAX_METADATA_KEY_CHARS",
    "MAX_METADATA_VALUE_CHARS",
    "ROW_KEY_FIELD",
    "KeySpec",
    "RowError",
    "derive_key",
    "key_function",
    "metadata_problem",
]

ROW_KEY_FIELD = "row_key"
"""The run-metadata key under which each run's row key is stored."""

MAX_METADATA_KEY_CHARS = 16
MAX_METADATA_VALUE_CHARS = 512
DERIVED_KEY_CHARS = 16

KeySpec = Union[None, str, Callable[[Any], Any]]
"""How to find a row's key: ``None`` (derive from the input), a field name, or a function."""

MetadataValue = Union[str, int, float, bool]


class RowError(ValueError):
    """One input row cannot be submitted; ``position`` is its 0-based index among the rows.

    Nothing of the batch that would have held the row was sent.

    ``report`` is set when the error stops a submission part-way: what was already submitted.
    """

    def __init__(self, position: int, problem: str, *, key: Optional[str] = None) -> None:
        where = f"row at index {position}" + (f" (key {key!r})" if key is not None else "")
        super().__init__(f"{where}: {problem}")
        self.position = position
        self.key = key
        self.problem = problem
        self.report: Any = None


def _describe(value: Any) -> str:
    return type(value).__name__


def metadata_problem(metadata: Any) -> Optional[str]:
    """Why ``metadata`` would be rejected by the API, or ``None`` if it is acceptable.

    Keys: non-empty strings of at most 16 characters. Values: str (at most 512 characters), int,
    finite float or bool.
    """
    if not isinstance(metadata, Mapping):
        return f"metadata must be a mapping of str to str/int/float/bool, got {_describe(metadata)}"
    for k, v in metadata.items():
        if not isinstance(k, str) or not k:
            return f"metadata key {k!r} must be a non-empty string"
        if len(k) > MAX_METADATA_KEY_CHARS:
            return (
                f"metadata key {k!r} has {len(k)} characters; "
                f"the API allows at most {MAX_METADATA_KEY_CHARS}"
            )
        if isinstance(v, str):
            if len(v) > MAX_METADATA_VALUE_CHARS:
                return (
                    f"metadata value for {k!r} has {len(v)} characters; "
                    f"the API allows at most {MAX_METADATA_VALUE_CHARS}"
                )
        elif isinstance(v, float):
            if not math.isfinite(v):
                return f"metadata value for {k!r} is {v!r}; only finite numbers are allowed"
        elif not isinstance(v, int):  # bool is an int
            return (
                f"metadata value for {k!r} is a {_describe(v)}; "
                "only str, int, float and bool are allowed"
            )
    return None


def derive_key(value: Union[str, Mapping[str, Any]]) -> str:
    """A stable 16-character key for a run input: a hash of its canonical JSON.

    Equal inputs (dicts compared regardless of key order) get equal keys.
    """
    canonical = "s" + value if isinstance(value, str) else "o" + canonical_dumps(value)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:DERIVED_KEY_CHARS]


def _check_key(raw: Any, source: str) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ValueError(f"{source} must be a str or int, got {_describe(raw)}")
    key = str(raw)
    if not key:
        raise ValueError(f"{source} is empty")
    if len(key) > MAX_METADATA_VALUE_CHARS:
        raise ValueError(
            f"{source} has {len(key)} characters; row keys are stored as run metadata values, "
            f"which allow at most {MAX_METADATA_VALUE_CHARS}"
        )
    return key


def key_function(spec: KeySpec) -> Optional[Callable[[Any], str]]:
    """A function ``row -> key`` for a caller's key spec (``None`` when keys are derived).

    A field name is looked up in dict rows (``row[name]``) or as an attribute of other rows.
    The function raises ``ValueError`` (with a plain description) for a missing or bad key.
    """
    if spec is None:
        return None
    if isinstance(spec, str):
        field = spec

        def by_field(row: Any) -> str:
            if isinstance(row, Mapping):
                if field not in row:
                    raise ValueError(f"the key field {field!r} is missing")
                raw = row[field]
            elif hasattr(row, field):
                raw = getattr(row, field)
            else:
                raise ValueError(f"the key field {field!r} is missing ({_describe(row)} row)")
            return _check_key(raw, f"the key field {field!r}")

        return by_field
    if callable(spec):
        func = spec

        def by_function(row: Any) -> str:
            return _check_key(func(row), "the key function's result")

        return by_function
    raise TypeError(f"key must be None, a field name or a function, got {_describe(spec)}")
