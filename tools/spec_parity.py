"""List what the upstream document has and openapi.yaml lacks, for the operations we serve.

Usage: python tools/spec_parity.py [UPSTREAM [OURS]]

UPSTREAM defaults to generator/upstream/parallel-openapi.json (the upstream document openapi.yaml
was last sliced from, kept by `make update-spec`), OURS to openapi.yaml.

For every operation in OURS (matched to upstream by method and path), reports each parameter,
request/response schema field and enum value that upstream has and OURS does not. Exit 0 when
nothing is missing, 1 otherwise. Extra things in OURS are not reported: a slice may be smaller
than upstream only in the operations it leaves out, never inside an operation it keeps.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

import yaml

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("get", "put", "post", "delete", "patch")
UPSTREAM_COPY = ROOT / "generator" / "upstream" / "parallel-openapi.json"


def load(path: str | Path) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text)  # type: ignore[no-any-return]
    except json.JSONDecodeError:
        return yaml.safe_load(text)  # type: ignore[no-any-return]


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/"):
            break
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def _schema_facts(doc: dict[str, Any], schema: Any, where: str, seen: set[int]) -> Iterator[str]:
    """Yield one line per field and enum value reachable from `schema`, named by location."""
    schema = _resolve(doc, schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return
    seen = seen | {id(schema)}
    for value in schema.get("enum", []):
        yield f"{where}: enum value {value!r}"
    if "const" in schema:
        yield f"{where}: const {schema['const']!r}"
    for name, sub in schema.get("properties", {}).items():
        yield f"{where}.{name}: field"
        yield from _schema_facts(doc, sub, f"{where}.{name}", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _schema_facts(doc, sub, where, seen)
    for key in ("items", "additionalProperties", "propertyNames"):
        if isinstance(schema.get(key), dict):
            yield from _schema_facts(doc, schema[key], f"{where}[{key}]", seen)


def operation_facts(doc: dict[str, Any], path: str, method: str) -> set[str]:
    """Every parameter, field and enum value that one operation exposes."""
    op = doc["paths"][path][method]
    facts: set[str] = set()
    for param in op.get("parameters", []):
        param = _resolve(doc, param)
        where = f"parameter {param['in']}:{param['name']}"
        facts.add(where)
        facts.update(_schema_facts(doc, param.get("schema", {}), where, set()))
    for ctype, media in op.get("requestBody", {}).get("content", {}).items():
        facts.update(_schema_facts(doc, media.get("schema", {}), f"request[{ctype}]", set()))
    for status, response in op.get("responses", {}).items():
        response = _resolve(doc, response)
        facts.add(f"response {status}")
        for ctype, media in response.get("content", {}).items():
            where = f"response {status}[{ctype}]"
            facts.update(_schema_facts(doc, media.get("schema", {}), where, set()))
    return facts


def missing(upstream: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """Lines `METHOD PATH: fact` for what upstream has and ours lacks."""
    lines: list[str] = []
    for path, ops in ours["paths"].items():
        for method in METHODS:
            if method not in ops:
                continue
            if method not in upstream["paths"].get(path, {}):
                lines.append(f"{method.upper()} {path}: operation not in upstream")
                continue
            gap = operation_facts(upstream, path, method) - operation_facts(ours, path, method)
            lines.extend(f"{method.upper()} {path}: {fact}" for fact in sorted(gap))
    return lines


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    upstream_path = args[0] if args else UPSTREAM_COPY
    ours_path = args[1] if len(args) > 1 else ROOT / "openapi.yaml"
    gaps = missing(load(upstream_path), load(ours_path))
    for line in gaps:
        print(f"missing: {line}")
    print(f"spec parity: {len(gaps)} upstream fields, parameters or enum values missing")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
