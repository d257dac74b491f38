"""Slice openapi.yaml out of Parallel's upstream OpenAPI document.

Usage: python generator/slice_spec.py UPSTREAM [--overlay FILE] [--out FILE] [--record FILE]
                                     [--upstream-copy FILE]
(defaults: generator/overlay.yaml, openapi.yaml, generator/upstream_operations.yaml,
generator/upstream/parallel-openapi.json)

UPSTREAM is a path or an http(s) URL of the upstream JSON (or YAML) document. The slice
keeps the operations named in the overlay, every component schema they reach, and the
upstream shapes unchanged; ids, tags and operation prose come from the overlay.

Two optional per-operation overlay keys only ever add to upstream, never change it:
- ``extra_responses``: ``{status: {description, schema}}`` for error responses the service
  returns but upstream does not list for that operation (``schema`` names an upstream component
  schema); a status upstream already documents keeps upstream's response.
- ``links``: ``{status: {name: {operationId, parameters, description?}}}``, OpenAPI links from a
  response to other kept operations (used by stateful API testing).

Beside the slice, the record (``--record``) lists every task-group and task-run operation the
upstream document has (paths matching WATCHED), with the id the overlay keeps it under or null:
spec_report.py compares two records to report upstream operations added or removed outside the
overlay.

And the upstream copy (``--upstream-copy``, UPSTREAM_COPY) keeps the upstream document itself,
byte for byte when it is JSON (a YAML one is kept as the same document in JSON): the tests check
that openapi.yaml and the record equal a fresh slice and record of it, and tools/spec_drill.py
changes it, so neither needs anything from outside the repository.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Vendor extensions that only make sense in upstream's own docs (SDK code samples).
DROPPED_KEYS = {"x-code-samples", "x-codeSamples"}
# Upstream paths whose operations the record lists: task groups and task runs, any API version.
WATCHED = re.compile(r"^/v[^/]*/tasks/(groups|runs)(/|$)")
# The upstream document openapi.yaml was last sliced from, relative to the repository's root.
UPSTREAM_COPY = Path("generator") / "upstream" / "parallel-openapi.json"
RECORD_HEADER = (
    "# Written by generator/slice_spec.py: the task-group and task-run operations of the upstream\n"
    "# document openapi.yaml was last sliced from, and the id each is kept under (null: not in\n"
    "# generator/overlay.yaml). spec_report.py compares it with the next upstream's. Do not edit.\n"
)


class SliceError(Exception):
    """The upstream document or the overlay cannot produce a slice."""


def read_source(source: str) -> str:
    """The text of a path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310
            return str(response.read().decode("utf-8"))
    path = Path(source)
    if not path.is_file():
        raise SliceError(f"upstream document not found: {source}")
    return path.read_bytes().decode("utf-8")  # line endings as they are


def parse_document(text: str, source: str) -> dict[str, Any]:
    """A JSON or YAML OpenAPI document's text, parsed (`source` names it in errors)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = yaml.safe_load(text)
    if not isinstance(doc, dict) or "paths" not in doc:
        raise SliceError(f"{source} is not an OpenAPI document (no 'paths')")
    return doc


def load_document(source: str) -> dict[str, Any]:
    """Read a JSON or YAML document from a path or an http(s) URL."""
    return parse_document(read_source(source), source)


def render_upstream_copy(text: str) -> str:
    """What the upstream copy holds for an upstream document's text: the text itself when it is
    JSON, the same document as indented JSON when it is YAML."""
    try:
        json.loads(text)
    except json.JSONDecodeError:
        doc = yaml.safe_load(text)
        return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"
    return text


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in DROPPED_KEYS}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _schema_refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _schema_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _schema_refs(value, found)


def reachable_schemas(schemas: dict[str, Any], roots: Any) -> list[str]:
    """Names of every component schema reachable from `roots`, in upstream order."""
    seen: set[str] = set()
    todo: set[str] = set()
    _schema_refs(roots, todo)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in schemas:
            raise SliceError(f"upstream references a missing schema: {name}")
        seen.add(name)
        _schema_refs(schemas[name], todo)
    return [name for name in schemas if name in seen]


def _status_key(status: Any) -> str:
    return str(status)


def _add_responses(
    operation: dict[str, Any], extra: dict[Any, Any], upstream: dict[str, Any], key: str
) -> None:
    """Add the overlay's extra error responses that upstream does not already document."""
    if not extra:
        return
    schemas = upstream.get("components", {}).get("schemas", {})
    responses = operation.setdefault("responses", {})
    for status, spec in extra.items():
        status = _status_key(status)
        if not isinstance(spec, dict) or not {"description", "schema"} <= set(spec):
            raise SliceError(f"{key}: extra_responses {status} needs a description and a schema")
        if spec["schema"] not in schemas:
            raise SliceError(
                f"{key}: extra_responses {status} names schema {spec['schema']!r}, "
                "which the upstream document does not have"
            )
        responses.setdefault(
            status,
            {
                "description": spec["description"],
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/" + spec["schema"]}
                    }
                },
            },
        )
    operation["responses"] = dict(
        sorted(responses.items(), key=lambda kv: (kv[0] == "default", kv[0]))
    )


def _add_links(
    operation: dict[str, Any], links: dict[Any, Any], operation_ids: set[str], key: str
) -> None:
    """Attach the overlay's OpenAPI links to the operation's responses."""
    for status, named in links.items():
        status = _status_key(status)
        response = operation.get("responses", {}).get(status)
        if response is None:
            raise SliceError(f"{key}: links for response {status}, which the operation lacks")
        for name, link in named.items():
            target = link.get("operationId") if isinstance(link, dict) else None
            if target not in operation_ids:
                raise SliceError(
                    f"{key}: link {name} points at operation {target!r}, which the overlay "
                    "does not keep"
                )
            response.setdefault("links", {}).setdefault(name, copy.deepcopy(link))


def slice_spec(upstream: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Build our OpenAPI document from the upstream one and the overlay."""
    paths: dict[str, dict[str, Any]] = {}
    for key, ours in overlay["operations"].items():
        method, _, path = key.partition(" ")
        method = method.lower()
        operation = upstream["paths"].get(path, {}).get(method)
        if operation is None:
            raise SliceError(f"overlay names {key}, which the upstream document does not have")
        operation = _strip(copy.deepcopy(operation))
        sliced: dict[str, Any] = {
            "operationId": ours["operationId"],
            "tags": [ours["tag"]],
            "summary": ours["summary"],
            "description": ours["description"].strip(),
        }
        for field, value in operation.items():
            if field not in ("operationId", "tags", "summary", "description"):
                sliced[field] = value
        _add_responses(sliced, ours.get("extra_responses") or {}, upstream, key)
        paths.setdefault(path, {})[method] = sliced

    operation_ids = {ours["operationId"] for ours in overlay["operations"].values()}
    for key, ours in overlay["operations"].items():
        method, _, path = key.partition(" ")
        _add_links(paths[path][method.lower()], ours.get("links") or {}, operation_ids, key)

    schemas = upstream.get("components", {}).get("schemas", {})
    names = reachable_schemas(schemas, paths)
    components: dict[str, Any] = {"schemas": {n: _strip(copy.deepcopy(schemas[n])) for n in names}}
    security_schemes = upstream.get("components", {}).get("securitySchemes")
    if security_schemes:
        components["securitySchemes"] = copy.deepcopy(security_schemes)

    return {
        "openapi": upstream.get("openapi", "3.1.0"),
        "info": overlay["info"],
        "servers": overlay["servers"],
        "security": copy.deepcopy(upstream.get("security", [{"ApiKeyAuth": []}])),
        "tags": overlay["tags"],
        "paths": paths,
        "components": components,
    }


def upstream_operations(upstream: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """The record: each upstream operation under WATCHED paths ('METHOD path', sorted) with its
    upstream operationId and the id the overlay keeps it under (None when not kept)."""
    kept = {
        key.split(" ", 1)[0].upper() + " " + key.split(" ", 1)[1]: ours["operationId"]
        for key, ours in overlay["operations"].items()
    }
    found: dict[str, Any] = {}
    for path, item in (upstream.get("paths") or {}).items():
        if not WATCHED.match(path) or not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                key = f"{method.upper()} {path}"
                found[key] = {"operationId": operation.get("operationId"), "kept_as": kept.get(key)}
    return {
        "upstream_version": (upstream.get("info") or {}).get("version"),
        "operations": dict(sorted(found.items())),
    }


def dump_yaml(doc: dict[str, Any]) -> str:
    """Deterministic YAML: upstream key order, no line wrapping."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", help="path or URL of Parallel's OpenAPI document")
    parser.add_argument("--overlay", default=str(HERE / "overlay.yaml"))
    parser.add_argument("--out", default=str(HERE.parent / "openapi.yaml"))
    parser.add_argument(
        "--record",
        help="where to write the record (default: generator/upstream_operations.yaml when "
        "--out is the default openapi.yaml; none otherwise)",
    )
    parser.add_argument(
        "--upstream-copy",
        help=f"where to keep a copy of UPSTREAM (default: {UPSTREAM_COPY} when --out is the "
        "default openapi.yaml; none otherwise)",
    )
    args = parser.parse_args(argv)
    if Path(args.out).resolve() == (HERE.parent / "openapi.yaml"):
        if args.record is None:
            args.record = str(HERE / "upstream_operations.yaml")
        if args.upstream_copy is None:
            args.upstream_copy = str(HERE.parent / UPSTREAM_COPY)
    try:
        source_text = read_source(args.upstream)
        upstream = parse_document(source_text, args.upstream)
        overlay = yaml.safe_load(Path(args.overlay).read_text(encoding="utf-8"))
        text = render_slice(slice_spec(upstream, overlay))
    except SliceError as exc:
        print(f"slice_spec: {exc}", file=sys.stderr)
        return 2
    write_atomically(Path(args.out), text)
    print(f"wrote {args.out} ({len(text.splitlines())} lines)")
    if args.record:
        write_atomically(Path(args.record), render_record(upstream_operations(upstream, overlay)))
        print(f"wrote {args.record}")
    if args.upstream_copy:
        write_atomically(Path(args.upstream_copy), render_upstream_copy(source_text))
        print(f"wrote {args.upstream_copy}")
    return 0


def render_slice(doc: dict[str, Any]) -> str:
    """openapi.yaml's text: a header, then the document."""
    text = "# Generated by generator/slice_spec.py from Parallel's public OpenAPI document.\n"
    text += "# Do not edit: change generator/overlay.yaml and run `make update-spec`.\n"
    return text + dump_yaml(doc)


def render_record(record: dict[str, Any]) -> str:
    return RECORD_HEADER + dump_yaml(record)


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    # newline="": the text's line endings as they are (an upstream copy is kept byte for byte).
    with open(tmp, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    tmp.replace(path)


if __name__ == "__main__":
    sys.exit(main())
