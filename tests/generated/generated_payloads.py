"""Seed payloads for tests of the generated models, derived from the schemas in openapi.yaml (so a
new field, model or union variant is covered with no new fixture), plus the document's own
examples.

- Roots: every component schema a response of any operation refers to (the models of stream
  events included), and every model reachable from them.
- `derived_payloads()`: per root, payloads that set every property of every model inside it.
  Union (anyOf/oneOf) members and enum values are picked by a variant number, so that the
  payloads for variants 0..N-1 (N the widest union or enum) take every member of every union
  and every enum value at least once.
- `spec_examples()`: the JSON examples of the responses, by the model of their `type`.
- `essential_fields()`: what a payload is useless without, read from the ONE list the templates use
  (generator/templates/essential_fields.jinja) plus every required `const` property.

Every function returns fresh copies, so tests may mutate what they get.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jinja2
import yaml
from parallel_taskgroup_api import models

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi.yaml"
ESSENTIAL_TEMPLATE = ROOT / "generator" / "templates" / "essential_fields.jinja"
REF = "#/components/schemas/"

Payload = dict[str, Any]


@functools.cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def schemas() -> dict[str, Any]:
    return spec().get("components", {}).get("schemas", {})


def model_class(name: str) -> Any:
    """The generated class of a component schema (`Warning` is generated as `Warning_`)."""
    cls = getattr(models, name, None) or getattr(models, name + "_", None)
    if cls is None:
        raise LookupError(f"no generated model for schema {name!r}")
    return cls


def _refs(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF):
            found.append(ref[len(REF) :])
        for value in node.values():
            found += _refs(value)
    elif isinstance(node, list):
        for value in node:
            found += _refs(value)
    return found


def is_model(schema: Any) -> bool:
    return isinstance(schema, dict) and "properties" in schema


def response_roots() -> list[str]:
    """Model schemas a response of any operation names (stream event models included)."""
    roots: list[str] = []
    for item in spec().get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for response in (operation.get("responses") or {}).values():
                for name in _refs(response.get("content")):
                    if name not in roots and is_model(schemas().get(name)):
                        roots.append(name)
    return roots


ROOT_MODELS = response_roots()


@functools.cache
def essential_fields() -> dict[str, frozenset[str]]:
    """Schema name -> JSON names of its essential properties: the list in essential_fields.jinja
    (keyed by generated class name) and every required `const` property."""
    listed = jinja2.Environment().from_string(ESSENTIAL_TEMPLATE.read_text()).module.ESSENTIAL  # type: ignore[attr-defined]
    found: dict[str, frozenset[str]] = {}
    for name, schema in schemas().items():
        if not is_model(schema):
            continue
        keys = set(listed.get(model_class(name).__name__, ()))
        required = set(schema.get("required") or ())
        keys |= {k for k, p in schema["properties"].items() if "const" in p and k in required}
        found[model_class(name).__name__] = frozenset(keys)
    return found


@functools.cache
def optional_consts() -> dict[str, frozenset[str]]:
    """Class name -> optional `const` properties: may be absent, never null."""
    found: dict[str, frozenset[str]] = {}
    for name, schema in schemas().items():
        if is_model(schema):
            required = set(schema.get("required") or ())
            keys = {k for k, p in schema["properties"].items() if "const" in p}
            found[model_class(name).__name__] = frozenset(keys - required)
    return found


# --------------------------------------------------------------------------------------------


def _members(schema: dict[str, Any]) -> list[Any]:
    members = list(schema.get("anyOf") or []) + list(schema.get("oneOf") or [])
    kinds = schema.get("type")
    if isinstance(kinds, list):
        members += [{**schema, "type": kind} for kind in kinds]
    return [m for m in members if not (isinstance(m, dict) and m.get("type") == "null")]


def _string(schema: dict[str, Any], name: str, variant: int) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return f"2024-01-{variant % 28 + 1:02d}"
    if fmt == "date-time":
        return f"2025-04-02T20:05:{variant % 60:02d}.371289+00:00"
    if fmt in ("uri", "url"):
        return f"https://example.com/{name}/{variant}"
    if fmt == "uuid":
        return f"00000000-0000-4000-8000-{variant:012d}"
    return f"{name or 'text'}-{variant}"


def build(schema: Any, variant: int, name: str = "", stack: tuple[str, ...] = ()) -> Any:
    """A value that `schema` allows, with every property of every object set."""
    if not isinstance(schema, dict):
        return "any"
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = ref[len(REF) :]
        if target in stack:
            raise ValueError(f"recursive schema {' -> '.join((*stack, target))}")
        return build(schemas()[target], variant, name, (*stack, target))
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        values = schema["enum"]
        return values[variant % len(values)]
    members = _members(schema)
    if len(members) > 1 or ("anyOf" in schema or "oneOf" in schema):
        if not members:
            return None
        return build(members[variant % len(members)], variant, name, stack)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = build(part, variant, name, stack)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties")
        if props:
            return {key: build(prop, variant, key, stack) for key, prop in props.items()}
        extra = schema.get("additionalProperties")
        value = build(extra, variant, "value", stack) if isinstance(extra, dict) else "value"
        return {f"{name or 'key'}_{variant}": value}
    if kind == "array":
        return [build(schema.get("items", {}), variant, name, stack)]
    if kind == "string":
        return _string(schema, name, variant)
    if kind == "integer":
        return 7 + variant
    if kind == "number":
        return 0.5 + variant
    if kind == "boolean":
        return variant % 2 == 0
    if kind == "null":
        return None
    return f"{name or 'any'}-{variant}"


def width(schema: Any, stack: tuple[str, ...] = ()) -> int:
    """The number of variants that takes every union member and enum value at least once."""
    if isinstance(schema, list):
        return max([width(item, stack) for item in schema] or [1])
    if not isinstance(schema, dict):
        return 1
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = ref[len(REF) :]
        return 1 if target in stack else width(schemas()[target], (*stack, target))
    own = max(len(schema.get("enum") or ()), len(_members(schema)), 1)
    return max([own] + [width(value, stack) for value in schema.values()])


def derived_payloads() -> list[tuple[str, Payload]]:
    """(root class name, payload) for every root and variant."""
    found: list[tuple[str, Payload]] = []
    seen: set[str] = set()
    for name in ROOT_MODELS:
        schema = schemas()[name]
        for variant in range(width(schema, (name,))):
            payload = build(schema, variant, "", (name,))
            key = name + json.dumps(payload, sort_keys=True)
            if key not in seen:
                seen.add(key)
                found.append((model_class(name).__name__, payload))
    return found


def spec_examples() -> list[tuple[str, Payload]]:
    """(model class name, example) for each JSON example in openapi.yaml whose response schema
    is a model (a stream example by the model its `type` names in the discriminator mapping;
    error responses parse as their own schema)."""
    found: list[tuple[str, Payload]] = []
    seen: set[str] = set()
    for item in spec()["paths"].values():
        for operation in item.values():
            for response in operation.get("responses", {}).values():
                for media in (response.get("content") or {}).values():
                    example = media.get("example")
                    schema = media.get("schema") or {}
                    if not isinstance(example, dict):
                        continue
                    mapping = (schema.get("discriminator") or {}).get("mapping") or {}
                    ref = mapping.get(example.get("type", "")) or schema.get("$ref", "")
                    name = ref.rsplit("/", 1)[-1]
                    if not is_model(schemas().get(name)):
                        continue
                    key = name + json.dumps(example, sort_keys=True)
                    if key not in seen:
                        seen.add(key)
                        found.append((model_class(name).__name__, example))
    return found


@functools.cache
def _all_seeds() -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, json.dumps(payload)) for name, payload in derived_payloads() + spec_examples()
    )


def seeds() -> list[tuple[str, Payload]]:
    """Every seed as (model class name, fresh payload)."""
    return [(name, json.loads(text)) for name, text in _all_seeds()]


def fresh(payload: Payload) -> Payload:
    return copy.deepcopy(payload)
