"""Row keys: what a row's key is, and which row a run belongs to.

A row's key lives in the run's metadata under :data:`ROW_KEY_FIELD`; it joins results back to
input rows and lets a submission find which rows already exist in a group. :func:`run_key` is
the one place that reads it back from a run.

A key is one field's value (``key="id"``: the value as text, as it always was) or, for a
composite key (``key=("company", "year")``), :func:`composite_key` of several fields' values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Callable, Optional, Union

from parallel_taskgroup_api.models import TaskRun

from .._json import canonical, loads
from .._words import type_name
from ..errors import ArgumentTypeError, ConfigurationError
from .limits import MAX_METADATA_VALUE_CHARS

__all__ = [
    "ATTEMPT_FIELD",
    "DERIVED_KEY_CHARS",
    "ROW_KEY_FIELD",
    "KeySpec",
    "composite_key",
    "derive_key",
    "identity",
    "key_fields",
    "key_function",
    "parse_key",
    "run_identity",
    "run_key",
    "split_identity",
]

ROW_KEY_FIELD = "row_key"
"""The run-metadata key under which each run's row key is stored."""

ATTEMPT_FIELD = "attempt"
"""The run-metadata key holding the attempt number of a row's retry (absent on the first)."""

_ATTEMPT_SEPARATOR = "\x00"
"""Joins a row key and its attempt in an :func:`identity`; :func:`key_function` refuses a key
holding it, so that an identity always splits back into the key and attempt it was made of."""

DERIVED_KEY_CHARS = 16

_MISSING = object()

KeySpec = Union[None, str, Sequence[str], Callable[[Any], Any]]
"""How to find a row's key: ``None`` (derive from the input), a field name, a sequence of
field names (a composite key: :func:`composite_key` of their values), or a function. A str is
always one field name, commas and all (:func:`parse_key` reads the command line's form)."""


def derive_key(value: Union[str, Mapping[str, Any]]) -> str:
    """A stable 16-character key for a run input: a hash of its canonical JSON.

    Equal inputs (dicts compared regardless of key order) get equal keys.
    """
    text = "s" + value if isinstance(value, str) else "o" + canonical(value)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DERIVED_KEY_CHARS]


def _check_key(raw: Any, source: str) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ValueError(f"{source} must be a str or int, got {type_name(raw)}")
    key = str(raw)
    if not key:
        raise ValueError(f"{source} is empty")
    if _ATTEMPT_SEPARATOR in key:
        raise ValueError(
            f"{source} holds a NUL character (\\x00), which row keys cannot contain; remove it"
        )
    if len(key) > MAX_METADATA_VALUE_CHARS:
        raise ValueError(
            f"{source} has {len(key)} characters; row keys are stored as run metadata values, "
            f"which allow at most {MAX_METADATA_VALUE_CHARS}"
        )
    return key


def composite_key(values: Sequence[Union[str, int]]) -> str:
    """The key of a composite key's values: the canonical JSON of the list of the values as
    text, e.g. ``["Acme","2020"]``.

    JSON, not a join with a separator: any separator can occur in a value, while a JSON list of
    strings is read back to the same values (so ``("a|b", "c")`` and ``("a", "b|c")`` differ),
    and JSON escapes control characters (a key never holds NUL, see :func:`identity`). An int
    counts as its decimal text, as a single-field key does: ``2020`` and ``"2020"`` match.
    """
    return canonical([str(value) for value in values])


def key_fields(spec: KeySpec) -> Optional[tuple[str, ...]]:
    """The field names a key spec reads: ``("id",)`` for ``"id"``, every field of a composite
    key, ``None`` for a derived key or a key function. Raises ``ArgumentTypeError`` /
    ``ConfigurationError`` for a spec :func:`key_function` refuses."""
    if spec is None or isinstance(spec, str):
        return None if spec is None else (spec,)
    if callable(spec):
        return None
    if not isinstance(spec, Sequence) or isinstance(spec, (bytes, bytearray)):
        raise ArgumentTypeError(
            "key must be None, a field name or a function, or a sequence of field names, "
            f"got {type_name(spec)}"
        )
    fields = tuple(spec)
    for field in fields:
        if not isinstance(field, str):
            raise ArgumentTypeError(f"a composite key's field names must be str: {field!r}")
    if not fields:
        raise ConfigurationError("a composite key needs at least one field name")
    if len(set(fields)) != len(fields):
        raise ConfigurationError(f"a composite key names a field twice: {list(fields)}")
    return fields


def parse_key(text: str, fields: Optional[Collection[str]] = None) -> Union[str, tuple[str, ...]]:
    """The key spec of the command line's ``--key TEXT``: one field, or with commas
    (``company,year``) a composite key of several fields (spaces around the names ignored).

    ``fields``: the input's field names (its CSV header or first row), when known. A field
    literally named ``TEXT`` (commas and all) is then used as is: ``--key "a,b"`` names the
    field ``"a,b"`` if the rows have one, else the fields ``a`` and ``b``.
    """
    if "," not in text or (fields is not None and text in fields):
        return text
    names = tuple(part.strip() for part in text.split(","))
    if not all(names):
        raise ConfigurationError(
            f"--key {text!r} has an empty field name; separate field names with single commas"
        )
    key_fields(names)  # refuses a field named twice
    return names


def _field_value(row: Any, field: str) -> Any:
    if isinstance(row, Mapping):
        if field not in row:
            raise ValueError(f"the key field {field!r} is missing")
        return row[field]
    if hasattr(row, field):
        return getattr(row, field)
    raise ValueError(f"the key field {field!r} is missing ({type_name(row)} row)")


def key_function(spec: KeySpec) -> Optional[Callable[[Any], str]]:
    """A function ``row -> key`` for a caller's key spec (``None`` when keys are derived).

    A field name is looked up in dict rows (``row[name]``) or as an attribute of other rows;
    a sequence of one name is that name; a longer sequence gives :func:`composite_key` of
    the fields' values. The function raises ``ValueError`` (with a plain description, naming
    the field) for a missing or bad key.
    """
    if spec is None:
        return None
    if callable(spec):
        func = spec

        def by_function(row: Any) -> str:
            return _check_key(func(row), "the key function's result")

        return by_function
    fields = key_fields(spec)
    assert fields is not None
    if len(fields) == 1:
        field = fields[0]

        def by_field(row: Any) -> str:
            if type(row) is dict:  # the common case, checked without a call
                raw = row.get(field, _MISSING)
                if (
                    type(raw) is str
                    and 0 < len(raw) <= MAX_METADATA_VALUE_CHARS
                    and "\x00" not in raw  # _ATTEMPT_SEPARATOR, as a constant
                ):
                    return raw
            return _check_key(_field_value(row, field), f"the key field {field!r}")

        return by_field
    names = ", ".join(repr(field) for field in fields)

    def by_fields(row: Any) -> str:
        values = [_check_key(_field_value(row, f), f"the key field {f!r}") for f in fields]
        return _check_key(composite_key(values), f"the key of the fields {names}")

    return by_fields


def _run_metadata(run: TaskRun) -> Optional[Mapping[str, Any]]:
    props = getattr(run.metadata, "additional_properties", None)
    # type() first: a generated model's properties are a dict, and the ABC check costs more
    # than the lookups it guards (this runs several times per result a job records).
    return props if type(props) is dict or isinstance(props, Mapping) else None


def run_key(run: TaskRun) -> Optional[str]:
    """The row key stored in a run's metadata, or ``None`` for a run created without one."""
    props = _run_metadata(run)
    value = props.get(ROW_KEY_FIELD) if props is not None else None
    return None if value is None else str(value)


def identity(key: str, attempt: int = 1) -> str:
    """What submission counts as one run to create exactly once: a row key, or for a retry the
    row key and its attempt number (a key never holds NUL, which :func:`key_function` refuses,
    so the two cannot collide)."""
    return key if attempt <= 1 else f"{key}{_ATTEMPT_SEPARATOR}{attempt}"


def split_identity(value: str) -> tuple[str, int]:
    """The (row key, attempt) of an :func:`identity`."""
    key, sep, attempt = value.rpartition(_ATTEMPT_SEPARATOR)
    return (key, int(attempt)) if sep else (value, 1)


def run_identity(run: TaskRun) -> Optional[str]:
    """The :func:`identity` a run was created under (``None`` without a row key, or with one
    holding NUL: no key function gives such a key, so the run is none of a job's rows, and its
    identity would not split back into its key and attempt)."""
    return _metadata_identity(_run_metadata(run))


def unreadable_run(data: str) -> Optional[tuple[str, str, Optional[str]]]:
    """(identity, run id, processor) of the run in a ``task_run.state`` event that does not
    parse as the API's model (a run status this client does not know, say), read from its
    JSON as far as it goes; None when not even these can be read. A read of the group that
    skipped such a run would take its row for one never sent."""
    try:
        payload = loads(data)
    except (ValueError, RecursionError):
        return None
    run = payload.get("run") if isinstance(payload, dict) else None
    if not isinstance(run, dict) or not isinstance(run.get("run_id"), str):
        return None
    metadata = run.get("metadata")
    ident = _metadata_identity(metadata if isinstance(metadata, dict) else None)
    processor = run.get("processor")
    if ident is None:
        return None
    return ident, run["run_id"], processor if isinstance(processor, str) else None


def _metadata_identity(props: Optional[Mapping[str, Any]]) -> Optional[str]:
    value = props.get(ROW_KEY_FIELD) if props is not None else None
    if props is None or value is None:
        return None
    key = str(value)
    if _ATTEMPT_SEPARATOR in key:
        return None
    attempt = props.get(ATTEMPT_FIELD)
    return identity(
        key, attempt if isinstance(attempt, int) and not isinstance(attempt, bool) else 1
    )
