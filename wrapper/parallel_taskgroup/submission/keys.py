"""Row keys: what a row's key is, and which row a run belongs to.

A row's key lives in the run's metadata under :data:`ROW_KEY_FIELD`; it joins results back to
input rows and lets a submission find which rows already exist in a group. :func:`run_key` is
the one place that reads it back from a run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

from parallel_taskgroup_api.models import TaskRun

from .._json import canonical
from ..errors import ArgumentTypeError
from .limits import MAX_METADATA_VALUE_CHARS

__all__ = [
    "ATTEMPT_FIELD",
    "DERIVED_KEY_CHARS",
    "ROW_KEY_FIELD",
    "KeySpec",
    "derive_key",
    "identity",
    "key_function",
    "run_identity",
    "run_key",
    "split_identity",
]

ROW_KEY_FIELD = "row_key"
"""The run-metadata key under which each run's row key is stored."""

ATTEMPT_FIELD = "attempt"
"""The run-metadata key holding the attempt number of a row's retry (absent on the first)."""

_ATTEMPT_SEPARATOR = "\x00"

DERIVED_KEY_CHARS = 16

_MISSING = object()

KeySpec = Union[None, str, Callable[[Any], Any]]
"""How to find a row's key: ``None`` (derive from the input), a field name, or a function."""


def _describe(value: Any) -> str:
    return type(value).__name__


def derive_key(value: Union[str, Mapping[str, Any]]) -> str:
    """A stable 16-character key for a run input: a hash of its canonical JSON.

    Equal inputs (dicts compared regardless of key order) get equal keys.
    """
    text = "s" + value if isinstance(value, str) else "o" + canonical(value)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DERIVED_KEY_CHARS]


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
            if type(row) is dict:  # the common case, checked without a call
                raw = row.get(field, _MISSING)
                if type(raw) is str and 0 < len(raw) <= MAX_METADATA_VALUE_CHARS:
                    return raw
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
    raise ArgumentTypeError(f"key must be None, a field name or a function, got {_describe(spec)}")


def run_key(run: TaskRun) -> Optional[str]:
    """The row key stored in a run's metadata, or ``None`` for a run created without one."""
    metadata = run.metadata
    props = getattr(metadata, "additional_properties", None)
    if not isinstance(props, Mapping):
        return None
    value = props.get(ROW_KEY_FIELD)
    return None if value is None else str(value)


def identity(key: str, attempt: int = 1) -> str:
    """What submission counts as one run to create exactly once: a row key, or for a retry the
    row key and its attempt number (a key never holds NUL, so the two cannot collide)."""
    return key if attempt <= 1 else f"{key}{_ATTEMPT_SEPARATOR}{attempt}"


def split_identity(value: str) -> tuple[str, int]:
    """The (row key, attempt) of an :func:`identity`."""
    key, sep, attempt = value.rpartition(_ATTEMPT_SEPARATOR)
    return (key, int(attempt)) if sep else (value, 1)


def run_identity(run: TaskRun) -> Optional[str]:
    """The :func:`identity` a run was created under (``None`` without a row key)."""
    key = run_key(run)
    if key is None:
        return None
    props = getattr(run.metadata, "additional_properties", None)
    attempt = props.get(ATTEMPT_FIELD) if isinstance(props, Mapping) else None
    return identity(
        key, attempt if isinstance(attempt, int) and not isinstance(attempt, bool) else 1
    )
