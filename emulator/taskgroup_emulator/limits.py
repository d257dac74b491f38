"""The documented size and complexity limits of a task, checked per input.

Sources (Parallel's docs, repository parallel-web/parallel-llms-txt):
- public/docs/task-api/guides/specify-a-task.md, "Size and Complexity Limits": nesting depth
  5 levels, 100 properties, 500 enum values, 7,500 characters of strings for an enum of more
  than 250 values, task spec 15,000 characters, task spec + input 25,000 characters.
- public/docs/resources/warnings-and-errors.md: the errors "Invalid JSON Schema", "Task Spec +
  Input Too Long" and "Too-Complex Output Schema" (whose resolution suggests 3 levels; the
  limits table, the cookbook's "Hard Limits" and Parallel's own task library say 5).

How characters are counted: `json_chars(value)` is the number of Unicode code points in
`json.dumps(value, separators=(",", ":"), ensure_ascii=False)`, the compact JSON text. An
input's task spec is its own `task_spec`, else the request's `default_task_spec`; without
either it counts 0. "Task spec + input" is json_chars(task spec) + json_chars(input value).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Sequence, Tuple

from .schema_walk import MISSING, resolve_pointer
from .validation import ErrorItem, Loc

MAX_TASK_SPEC_CHARS = 15_000
MAX_TASK_SPEC_AND_INPUT_CHARS = 25_000
MAX_SCHEMA_DEPTH = 5  # levels of objects and arrays; the root object is level 1
MAX_SCHEMA_PROPERTIES = 100  # `properties` entries, summed over every object in the schema
MAX_SCHEMA_ENUM_VALUES = 500  # `enum` entries, summed over the schema
LARGE_ENUM_VALUES = 250  # an enum with more values than this ...
MAX_LARGE_ENUM_CHARS = 7_500  # ... may hold at most this many characters of strings

# Not a documented limit: how many problems of one schema a 422 lists (per input).
MAX_PROBLEMS_PER_SCHEMA = 10

JSON_TYPES = frozenset(("object", "array", "string", "number", "integer", "boolean", "null"))
_SCHEMA_MAPS = ("properties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_ONES = ("additionalProperties", "not")

Problem = Tuple[Loc, str]  # (location inside the task spec, message)


# One encoder for every call: json.dumps builds a new one per call when given options.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def json_chars(value: Any) -> int:
    """Characters of the compact JSON text of `value` (see the module docstring)."""
    return len(_COMPACT(value))


Report = Tuple[int, List[Problem]]  # (characters, schema problems) of one task spec


def check_inputs(inputs: Sequence[Dict[str, Any]], default_spec: Any, loc: Loc) -> List[ErrorItem]:
    """422 items for every input over a limit, located at `loc + [index, ...]`."""
    reports: Dict[str, Report] = {}
    default = _spec_report(default_spec, reports)
    errors: List[ErrorItem] = []
    for i, item in enumerate(inputs):
        errors += _check(item, default, reports, [*loc, i])
    return errors


def check_input(item: Dict[str, Any], default_spec: Any, loc: Loc) -> List[ErrorItem]:
    """422 items for one TaskRunInput (already validated in shape), located under `loc`."""
    reports: Dict[str, Report] = {}
    return _check(item, _spec_report(default_spec, reports), reports, loc)


def _check(
    item: Dict[str, Any], default: Report, reports: Dict[str, Report], loc: Loc
) -> List[ErrorItem]:
    own = item.get("task_spec")
    spec_chars, problems = default if own is None else _spec_report(own, reports)
    note = " (from default_task_spec)" if own is None and spec_chars else ""
    errors: List[ErrorItem] = []
    if spec_chars > MAX_TASK_SPEC_CHARS:
        errors.append(
            _error(
                [*loc, "task_spec"],
                f"Task spec size: the task specification has {spec_chars:,} characters; "
                f"at most {MAX_TASK_SPEC_CHARS:,} are allowed{note}",
            )
        )
    input_chars = json_chars(item.get("input"))
    if spec_chars + input_chars > MAX_TASK_SPEC_AND_INPUT_CHARS:
        errors.append(
            _error(
                loc,
                "Task Spec + Input Too Long: the combined task specification and input exceeds "
                f"{MAX_TASK_SPEC_AND_INPUT_CHARS:,} characters ({spec_chars:,} + "
                f"{input_chars:,} = {spec_chars + input_chars:,}){note}",
            )
        )
    if problems:
        errors += [_error([*loc, "task_spec", *where], msg + note) for where, msg in problems]
    return errors


def _error(loc: Loc, msg: str) -> ErrorItem:
    return {"loc": list(loc), "msg": msg, "type": "value_error"}


def _spec_report(spec: Any, reports: Dict[str, Report]) -> Report:
    """(characters, schema problems) of a task spec, computed once per distinct spec text."""
    if spec is None:
        return 0, []
    text = _COMPACT(spec)
    report = reports.get(text)
    if report is None:
        report = reports[text] = (len(text), spec_problems(spec))
    return report


def spec_problems(spec: Any) -> List[Problem]:
    """Invalid JSON schemas (output and input) and a too-complex output schema."""
    problems: List[Problem] = []
    if not isinstance(spec, dict):
        return problems
    for key in ("output_schema", "input_schema"):
        holder = spec.get(key)
        if not isinstance(holder, dict):
            continue
        kind = holder.get("type", "json" if "json_schema" in holder else "text")
        schema = holder.get("json_schema")
        if kind != "json" or not isinstance(schema, dict):
            continue
        where: Loc = [key, "json_schema"]
        invalid = schema_errors(schema)
        problems += [([*where, *path], f"Invalid JSON Schema: {msg}") for path, msg in invalid]
        if key == "output_schema" and not invalid:
            problems += [(where, f"Too-Complex Output Schema: {msg}") for msg in complexity(schema)]
    return problems[:MAX_PROBLEMS_PER_SCHEMA]


# -- validity -----------------------------------------------------------------------------------


def _subschemas(
    node: Dict[str, Any], path: Loc, with_defs: bool = True
) -> Iterator[Tuple[Any, Loc]]:
    """(subschema, its path) for every keyword of `node` that holds schemas."""
    for key in _SCHEMA_MAPS if with_defs else _SCHEMA_MAPS[:1]:
        value = node.get(key)
        if isinstance(value, dict):
            for name, sub in value.items():
                yield sub, [*path, key, name]
    for key in _SCHEMA_LISTS:
        value = node.get(key)
        if isinstance(value, list):
            for j, sub in enumerate(value):
                yield sub, [*path, key, j]
    items = node.get("items")
    if isinstance(items, list):
        for j, sub in enumerate(items):
            yield sub, [*path, "items", j]
    elif "items" in node:
        yield items, [*path, "items"]
    for key in _SCHEMA_ONES:
        if key in node:
            yield node[key], [*path, key]


def _keyword_errors(node: Dict[str, Any], root: Dict[str, Any]) -> Iterator[Tuple[str, str]]:
    """(keyword, what is wrong) for the keywords of one schema object."""
    if "type" in node:
        kind = node["type"]
        names = kind if isinstance(kind, list) else [kind]
        if (
            not names
            or not all(isinstance(n, str) and n in JSON_TYPES for n in names)
            or len(set(names)) != len(names)
        ):
            yield "type", "must be one of " + ", ".join(sorted(JSON_TYPES)) + " or a list of them"
    for key in _SCHEMA_MAPS:
        if key in node and not isinstance(node[key], dict):
            yield key, "must be an object of schemas"
    for key in _SCHEMA_LISTS:
        if key in node and (not isinstance(node[key], list) or not node[key]):
            yield key, "must be a non-empty array of schemas"
    required = node.get("required")
    if "required" in node and (
        not isinstance(required, list) or not all(isinstance(r, str) for r in required)
    ):
        yield "required", "must be an array of strings"
    if "enum" in node and not isinstance(node["enum"], list):
        yield "enum", "must be an array"
    for key in ("description", "title"):
        if key in node and not isinstance(node[key], str):
            yield key, "must be a string"
    if "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str):
            yield "$ref", "must be a string"
        elif ref.startswith("#") and resolve_pointer(root, ref) is MISSING:
            yield "$ref", f"{ref[:80]!r} does not resolve within the schema"


def schema_errors(schema: Dict[str, Any]) -> List[Problem]:
    """Where `schema` breaks JSON Schema's rules for the keywords above (no recursion)."""
    found: List[Problem] = []
    stack: List[Tuple[Any, Loc]] = [(schema, [])]
    while stack and len(found) < MAX_PROBLEMS_PER_SCHEMA:
        node, path = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            found.append((path, "a schema must be an object or a boolean"))
            continue
        found += [([*path, key], f"{key} {msg}") for key, msg in _keyword_errors(node, schema)]
        stack.extend(reversed(list(_subschemas(node, path))))
    return found[:MAX_PROBLEMS_PER_SCHEMA]


# -- complexity ---------------------------------------------------------------------------------


def _is_container(node: Dict[str, Any]) -> bool:
    kind = node.get("type")
    names = kind if isinstance(kind, list) else [kind]
    if kind is None:
        return "properties" in node or "items" in node
    return "object" in names or "array" in names


def _levels(node: Any, root: Dict[str, Any], level: int, refs: Tuple[str, ...]) -> int:
    """The deepest level of objects/arrays under `node` (stops once past the limit)."""
    if not isinstance(node, dict) or level > MAX_SCHEMA_DEPTH:
        return level
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        if ref in refs:  # a recursive schema nests without bound
            return MAX_SCHEMA_DEPTH + 1
        return _levels(resolve_pointer(root, ref), root, level, (*refs, ref))
    here = level + 1 if _is_container(node) else level
    deepest = here
    for sub, _ in _subschemas(node, [], with_defs=False):  # $defs count where referenced
        deepest = max(deepest, _levels(sub, root, here, refs))
        if deepest > MAX_SCHEMA_DEPTH:
            break
    return deepest


def complexity(schema: Dict[str, Any]) -> List[str]:
    """Messages for each documented complexity limit the output schema exceeds."""
    messages: List[str] = []
    try:
        too_deep = _levels(schema, schema, 0, ()) > MAX_SCHEMA_DEPTH
    except RecursionError:  # wrappers (anyOf, $ref, ...) nested past Python's stack
        too_deep = True
    if too_deep:
        messages.append(
            f"objects and arrays nest more than {MAX_SCHEMA_DEPTH} levels deep (the root "
            f"object is level 1); at most {MAX_SCHEMA_DEPTH} are allowed"
        )
    properties = enum_values = 0
    stack: List[Any] = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("properties"), dict):
            properties += len(node["properties"])
        enum = node.get("enum")
        if isinstance(enum, list):
            enum_values += len(enum)
            chars = sum(len(v) for v in enum if isinstance(v, str))
            if len(enum) > LARGE_ENUM_VALUES and chars > MAX_LARGE_ENUM_CHARS:
                messages.append(
                    f"an enum of {len(enum)} values (more than {LARGE_ENUM_VALUES}) has "
                    f"{chars:,} characters of strings; at most {MAX_LARGE_ENUM_CHARS:,} "
                    "are allowed"
                )
        stack.extend(sub for sub, _ in _subschemas(node, []))
    if properties > MAX_SCHEMA_PROPERTIES:
        messages.append(
            f"{properties} properties across all levels; at most {MAX_SCHEMA_PROPERTIES} "
            "are allowed"
        )
    if enum_values > MAX_SCHEMA_ENUM_VALUES:
        messages.append(
            f"{enum_values} enum values across all properties; at most "
            f"{MAX_SCHEMA_ENUM_VALUES} are allowed"
        )
    return messages
