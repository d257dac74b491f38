"""Report what changed between two versions of openapi.yaml, from a client's point of view.

Usage: python generator/spec_report.py OLD NEW

Lists operations added or removed; parameters added, removed or changing required-ness or type;
schemas and schema fields added or removed; field type changes; required-list changes; enum values
added or removed. Each line is marked BREAKING or non-breaking for code that uses the client:
removals, type changes and anything newly required in a request break callers; additions and
relaxed request rules do not. A response field that stops being required is breaking too (code
may rely on it). Always exits 0 unless a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
REF_PREFIX = "#/components/schemas/"


@dataclass(frozen=True)
class Change:
    """One line of the report."""

    breaking: bool
    text: str

    def render(self) -> str:
        return f"{'BREAKING' if self.breaking else 'non-breaking':<13} {self.text}"


def load(path: str) -> dict[str, Any]:
    """Read a YAML or JSON OpenAPI document."""
    text = Path(path).read_text(encoding="utf-8")
    doc = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    return doc


def type_of(schema: Any) -> str:
    """A short, comparable description of a schema's type (refs by name, unions sorted)."""
    if not isinstance(schema, dict):
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).removeprefix(REF_PREFIX)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return "|".join(sorted({type_of(member) for member in schema[key]}))
    if "allOf" in schema:
        return "&".join(type_of(member) for member in schema["allOf"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return "|".join(sorted(str(k) for k in kind))
    if kind == "array":
        return f"array[{type_of(schema.get('items'))}]"
    if "const" in schema:
        return f"{kind}(const {schema['const']!r})"
    return str(kind)


def enum_values(schema: Any) -> set[str]:
    """Enum (and const) values of a schema, including inline anyOf/oneOf members."""
    if not isinstance(schema, dict):
        return set()
    found = {repr(v) for v in schema.get("enum", [])}
    for key in ("anyOf", "oneOf"):
        for member in schema.get(key, []):
            found |= enum_values(member)
    return found


def operations(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Operations keyed by 'METHOD path'."""
    found: dict[str, dict[str, Any]] = {}
    for path, item in (doc.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if isinstance(item, dict) and method in item:
                found[f"{method.upper()} {path}"] = item[method]
    return found


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref.removeprefix(REF_PREFIX))
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def request_schemas(doc: dict[str, Any]) -> set[str]:
    """Names of component schemas reachable from any request body or parameter."""
    schemas = (doc.get("components") or {}).get("schemas") or {}
    todo: set[str] = set()
    for op in operations(doc).values():
        _refs(op.get("requestBody"), todo)
        _refs(op.get("parameters"), todo)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen and name in schemas:
            seen.add(name)
            _refs(schemas[name], todo)
    return seen


def _enum_changes(where: str, old: Any, new: Any) -> list[Change]:
    old_values, new_values = enum_values(old), enum_values(new)
    changes = [
        Change(True, f"enum value removed: {where} {value}")
        for value in sorted(old_values - new_values)
    ]
    if old_values:  # values added to an existing enum (a brand-new enum is a type change)
        changes += [
            Change(False, f"enum value added: {where} {value}")
            for value in sorted(new_values - old_values)
        ]
    return changes


def compare_parameters(key: str, old_op: dict[str, Any], new_op: dict[str, Any]) -> list[Change]:
    """Parameter changes of one operation present in both documents."""

    def index(op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(p.get("in", "?"), p.get("name", "?")): p for p in op.get("parameters") or []}

    old, new = index(old_op), index(new_op)
    changes: list[Change] = []
    for loc, name in sorted(new.keys() - old.keys()):
        required = bool(new[(loc, name)].get("required"))
        label = "required" if required else "optional"
        changes.append(Change(required, f"{label} {loc} parameter added: {key} {name}"))
    for loc, name in sorted(old.keys() - new.keys()):
        changes.append(Change(True, f"{loc} parameter removed: {key} {name}"))
    for pkey in sorted(old.keys() & new.keys()):
        before, after = old[pkey], new[pkey]
        where = f"{key} {pkey[0]} parameter {pkey[1]}"
        if bool(before.get("required")) != bool(after.get("required")):
            now = bool(after.get("required"))
            state = "now required" if now else "no longer required"
            changes.append(Change(now, f"parameter {state}: {where}"))
        old_type, new_type = type_of(before.get("schema")), type_of(after.get("schema"))
        if old_type != new_type:
            changes.append(
                Change(True, f"parameter type changed: {where}: {old_type} -> {new_type}")
            )
        changes += _enum_changes(where, before.get("schema"), after.get("schema"))
    old_body = (old_op.get("requestBody") or {}).get("required", False)
    new_body = (new_op.get("requestBody") or {}).get("required", False)
    if "requestBody" in new_op and bool(old_body) != bool(new_body):
        state = "now required" if new_body else "no longer required"
        changes.append(Change(bool(new_body), f"request body {state}: {key}"))
    return changes


def compare_schema(
    name: str, old: dict[str, Any], new: dict[str, Any], in_request: bool
) -> list[Change]:
    """Field, type, required and enum changes of one component schema."""
    changes: list[Change] = []
    old_props = old.get("properties") or {}
    new_props = new.get("properties") or {}
    old_req, new_req = set(old.get("required") or []), set(new.get("required") or [])
    if type_of(old) != type_of(new):
        changes.append(
            Change(True, f"schema type changed: {name}: {type_of(old)} -> {type_of(new)}")
        )
    changes += _enum_changes(f"{name}", old, new)
    for field in sorted(new_props.keys() - old_props.keys()):
        required = field in new_req
        breaking = required and in_request
        label = "required field added" if required else "field added"
        changes.append(Change(breaking, f"{label}: {name}.{field} ({type_of(new_props[field])})"))
    for field in sorted(old_props.keys() - new_props.keys()):
        changes.append(Change(True, f"field removed: {name}.{field}"))
    for field in sorted(old_props.keys() & new_props.keys()):
        before, after = old_props[field], new_props[field]
        if type_of(before) != type_of(after):
            changes.append(
                Change(
                    True,
                    f"field type changed: {name}.{field}: {type_of(before)} -> {type_of(after)}",
                )
            )
        changes += _enum_changes(f"{name}.{field}", before, after)
        if (field in old_req) != (field in new_req):
            now = field in new_req
            # Newly required breaks requests; no longer required breaks readers of responses.
            breaking = in_request if now else not in_request
            state = "now required" if now else "no longer required"
            changes.append(Change(breaking, f"field {state}: {name}.{field}"))
    return changes


def report(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, operations first, then schemas, in a stable order."""
    changes: list[Change] = []
    old_ops, new_ops = operations(old), operations(new)
    for key in sorted(new_ops.keys() - old_ops.keys()):
        op_id = new_ops[key].get("operationId", "?")
        changes.append(Change(False, f"operation added: {key} ({op_id})"))
    for key in sorted(old_ops.keys() - new_ops.keys()):
        op_id = old_ops[key].get("operationId", "?")
        changes.append(Change(True, f"operation removed: {key} ({op_id})"))
    for key in sorted(old_ops.keys() & new_ops.keys()):
        before, after = old_ops[key].get("operationId"), new_ops[key].get("operationId")
        if before != after:
            changes.append(Change(True, f"operation id changed: {key}: {before} -> {after}"))
        changes += compare_parameters(key, old_ops[key], new_ops[key])

    old_schemas = (old.get("components") or {}).get("schemas") or {}
    new_schemas = (new.get("components") or {}).get("schemas") or {}
    requests = request_schemas(new) | request_schemas(old)
    for name in sorted(new_schemas.keys() - old_schemas.keys()):
        changes.append(Change(False, f"schema added: {name}"))
    for name in sorted(old_schemas.keys() - new_schemas.keys()):
        changes.append(Change(True, f"schema removed: {name}"))
    for name in sorted(old_schemas.keys() & new_schemas.keys()):
        changes += compare_schema(name, old_schemas[name], new_schemas[name], name in requests)
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the previous openapi.yaml")
    parser.add_argument("new", help="the new openapi.yaml")
    args = parser.parse_args(argv)
    try:
        old, new = load(args.old), load(args.new)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"spec_report: cannot read the documents: {exc}", file=sys.stderr)
        return 2
    changes = report(old, new)
    print(f"Spec change report: {args.old} -> {args.new}")
    if not changes:
        print("No changes to operations, parameters or schemas.")
        return 0
    for change in changes:
        print(change.render())
    breaking = sum(1 for c in changes if c.breaking)
    plural = "" if len(changes) == 1 else "s"
    print(f"{len(changes)} change{plural}, {breaking} breaking.")
    if breaking:
        print("Breaking changes: regenerate, then fix wrapper/ code and tests that rely on them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
