"""What the API accepts in a run input, checked before anything is sent.

The documented limits (Parallel's docs, ``task-api/guides/specify-a-task.md``, "Size and
Complexity Limits", and ``resources/warnings-and-errors.md``): at most 1,000 inputs per add-runs
POST; metadata keys of at most 16 characters and values of at most 512; a task spec of at most
15,000 characters, and task spec + input of at most 25,000; an output schema nesting objects and
arrays at most 5 levels deep, with at most 100 properties and 500 enum values in all (and an
enum of more than 250 values holding at most 7,500 characters of strings).

Characters are counted as the service's stand-in counts them: code points of the compact JSON
text (``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``). An input's task spec
is its own ``task_spec``, else the request's ``default_task_spec``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, Optional

from .._json import compact
from .._words import type_name
from .schema_check import schema_problem

__all__ = [
    "MAX_INPUTS_PER_REQUEST",
    "MAX_METADATA_KEY_CHARS",
    "MAX_METADATA_VALUE_CHARS",
    "MAX_SCHEMA_DEPTH",
    "MAX_SCHEMA_ENUM_VALUES",
    "MAX_SCHEMA_PROPERTIES",
    "MAX_TASK_SPEC_AND_INPUT_CHARS",
    "MAX_TASK_SPEC_CHARS",
    "json_chars",
    "metadata_problem",
    "task_spec_problems",
]

MAX_INPUTS_PER_REQUEST = 1000
MAX_METADATA_KEY_CHARS = 16
MAX_METADATA_VALUE_CHARS = 512
MAX_TASK_SPEC_CHARS = 15_000
MAX_TASK_SPEC_AND_INPUT_CHARS = 25_000
MAX_SCHEMA_DEPTH = 5
MAX_SCHEMA_PROPERTIES = 100
MAX_SCHEMA_ENUM_VALUES = 500
LARGE_ENUM_VALUES = 250
MAX_LARGE_ENUM_CHARS = 7_500


def json_chars(value: Any) -> int:
    """Characters of ``value``'s compact JSON text, as the limits count them."""
    return len(compact(value))


def metadata_problem(metadata: Any) -> Optional[str]:
    """Why ``metadata`` would be rejected by the API, or ``None`` if it is acceptable.

    Keys: non-empty strings of at most 16 characters. Values: str (at most 512 characters), int,
    finite float or bool.
    """
    if not isinstance(metadata, Mapping):
        return f"metadata must be a mapping of str to str/int/float/bool, got {type_name(metadata)}"
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
                f"metadata value for {k!r} is {'None' if v is None else 'a ' + type_name(v)}; "
                "only str, int, float and bool are allowed"
            )
    return None


def input_too_long(spec_chars: int, input_value: Any) -> Optional[str]:
    """Why task spec + input is over the limit, or ``None``."""
    total = spec_chars + json_chars(input_value)
    if total <= MAX_TASK_SPEC_AND_INPUT_CHARS:
        return None
    return (
        f"task spec + input have {total:,} characters ({spec_chars:,} + {total - spec_chars:,}); "
        f"the API allows at most {MAX_TASK_SPEC_AND_INPUT_CHARS:,}: shorten the input"
    )


# -- the task spec -----------------------------------------------------------------------------


def _children(node: Mapping[str, Any], *, with_defs: bool) -> Iterator[Any]:
    """The subschemas held by one schema object's keywords."""
    maps = ("properties", "$defs", "definitions") if with_defs else ("properties",)
    for key in maps:
        value = node.get(key)
        if isinstance(value, Mapping):
            yield from value.values()
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        value = node.get(key)
        if isinstance(value, list):
            yield from value
    if "items" in node:
        items = node["items"]
        if isinstance(items, list):
            yield from items
        else:
            yield items
    for key in ("additionalProperties", "not"):
        if key in node:
            yield node[key]


def _target(root: Mapping[str, Any], ref: str) -> Any:
    node: Any = root
    for part in ref[2:].split("/") if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _nests(node: Mapping[str, Any]) -> bool:
    kind = node.get("type")
    if kind is None:
        return "properties" in node or "items" in node
    kinds = kind if isinstance(kind, list) else [kind]
    return "object" in kinds or "array" in kinds


def _depth(node: Any, root: Mapping[str, Any], level: int, seen: frozenset[str]) -> int:
    """The deepest nesting level under ``node``; stops counting once past the limit."""
    if not isinstance(node, Mapping) or level > MAX_SCHEMA_DEPTH:
        return level
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        if ref in seen:  # a recursive schema nests without bound
            return MAX_SCHEMA_DEPTH + 1
        return _depth(_target(root, ref), root, level, seen | {ref})
    here = level + 1 if _nests(node) else level
    deepest = here
    for child in _children(node, with_defs=False):
        deepest = max(deepest, _depth(child, root, here, seen))
        if deepest > MAX_SCHEMA_DEPTH:
            break
    return deepest


def output_schema_problems(schema: Mapping[str, Any]) -> list[str]:
    """Each documented complexity limit a JSON output schema exceeds."""
    problems = []
    try:
        too_deep = _depth(schema, schema, 0, frozenset()) > MAX_SCHEMA_DEPTH
    except RecursionError:
        too_deep = True
    if too_deep:
        problems.append(
            f"the output schema nests objects and arrays more than {MAX_SCHEMA_DEPTH} levels "
            "deep (the root object is level 1)"
        )
    properties = enums = 0
    pending: list[Any] = [schema]
    while pending:
        node = pending.pop()
        if not isinstance(node, Mapping):
            continue
        if isinstance(node.get("properties"), Mapping):
            properties += len(node["properties"])
        enum = node.get("enum")
        if isinstance(enum, list):
            enums += len(enum)
            chars = sum(len(v) for v in enum if isinstance(v, str))
            if len(enum) > LARGE_ENUM_VALUES and chars > MAX_LARGE_ENUM_CHARS:
                problems.append(
                    f"an enum of {len(enum)} values holds {chars:,} characters; above "
                    f"{LARGE_ENUM_VALUES} values the API allows at most {MAX_LARGE_ENUM_CHARS:,}"
                )
        pending.extend(_children(node, with_defs=True))
    if properties > MAX_SCHEMA_PROPERTIES:
        problems.append(
            f"the output schema has {properties} properties in all; the API allows at most "
            f"{MAX_SCHEMA_PROPERTIES}"
        )
    if enums > MAX_SCHEMA_ENUM_VALUES:
        problems.append(
            f"the output schema has {enums} enum values in all; the API allows at most "
            f"{MAX_SCHEMA_ENUM_VALUES}"
        )
    return problems


def task_spec_problems(spec: Optional[Mapping[str, Any]]) -> list[str]:
    """Why the API would refuse a task spec on its own: its size, a schema that is not valid
    JSON Schema, or a too-complex output schema. (Whether each input fits beside it is checked
    per row.)"""
    if spec is None:
        return []
    problems = []
    chars = json_chars(spec)
    if chars > MAX_TASK_SPEC_CHARS:
        problems.append(
            f"the task spec has {chars:,} characters; the API allows at most "
            f"{MAX_TASK_SPEC_CHARS:,}"
        )
    for field in ("output_schema", "input_schema"):
        holder = spec.get(field)
        if not isinstance(holder, Mapping):
            continue
        kind = holder.get("type", "json" if "json_schema" in holder else "text")
        schema = holder.get("json_schema")
        if kind == "json" and isinstance(schema, Mapping):
            invalid = schema_problem(schema, f"{field}.json_schema")
            if invalid:
                problems.append(invalid)
            elif field == "output_schema":
                problems += output_schema_problems(schema)
    return problems
