"""Report what changed between two versions of openapi.yaml, and whom each change breaks.

Usage: python generator/spec_report.py OLD NEW [--upstream-old A] [--upstream-new B]
           [--wrapper-uses FILE] [--json] [--fail-on VERDICT]

OLD and NEW are openapi.yaml files. --upstream-old/--upstream-new are the upstream documents they
were sliced from, or the records slice_spec.py writes (generator/upstream_operations.yaml): with
them the report also lists upstream task-group and task-run operations added or removed outside
the overlay.

Each change gets one verdict (generator/README.md has the full table):
- "breaks the wrapper": wrapper/parallel_taskgroup relies on what changed (generator/
  wrapper_uses.yaml says what it reads, sends, calls and dispatches): the wrapper must change;
- "breaks callers": code using the generated client (or the models the wrapper re-exports)
  would break, but the wrapper does not depend on it;
- "docs only": nothing breaks (additions, relaxed rules, prose and examples); regenerate.

Reported: operations, parameters, responses and stream event types; schemas and fields added,
removed, retyped (widened or narrowed), required or not; enum values; description changes (per
operation and per field, shortened) and example changes (counted per operation and schema).
--json prints the report as one JSON object for CI; --fail-on exits 1 when any change is at
least that severe. Otherwise exits 0, or 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

import jinja2
import yaml
from slice_spec import upstream_operations

HERE = Path(__file__).resolve().parent
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
REF_PREFIX = "#/components/schemas/"
WRAPPER_USES = HERE / "wrapper_uses.yaml"
ESSENTIAL_TEMPLATE = HERE / "templates" / "essential_fields.jinja"
OVERLAY = HERE / "overlay.yaml"

BREAKS_WRAPPER = "breaks the wrapper"
BREAKS_CALLERS = "breaks callers"
DOCS_ONLY = "docs only"
VERDICTS = (BREAKS_WRAPPER, BREAKS_CALLERS, DOCS_ONLY)  # most severe first
SHORT = 60  # characters of a description shown in the report


@dataclass(frozen=True)
class Change:
    """One line of the report: `kind: where[: detail]`, its verdict, and why."""

    verdict: str
    kind: str
    where: str
    detail: str = ""
    why: str = ""

    @property
    def text(self) -> str:
        return f"{self.kind}: {self.where}" + (f": {self.detail}" if self.detail else "")

    @property
    def breaking(self) -> bool:
        return self.verdict != DOCS_ONLY

    def render(self) -> str:
        why = f"  ({self.why})" if self.why else ""
        return f"{self.verdict:<19}{self.text}{why}"

    def as_json(self) -> dict[str, str]:
        return {**asdict(self), "text": self.text}


def worst(changes: Iterable[Change]) -> Optional[str]:
    """The most severe verdict among `changes` (None when there are none)."""
    found = {c.verdict for c in changes}
    return next((v for v in VERDICTS if v in found), None)


# -- what decides a verdict --------------------------------------------------------------------


@dataclass
class WrapperUses:
    """generator/wrapper_uses.yaml: what the wrapper calls, reads, sends and dispatches."""

    operations: dict[str, list[str]] = field(default_factory=dict)
    event_types: dict[str, list[str]] = field(default_factory=dict)
    reads: dict[str, list[str]] = field(default_factory=dict)
    sends: dict[str, list[str]] = field(default_factory=dict)
    closed_enums: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path = WRAPPER_USES) -> WrapperUses:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
        return cls(**{key: value for key, value in data.items() if value})

    def calls(self, op_id: Any) -> bool:
        return op_id in self.operations

    def passes(self, op_id: Any, parameter: str) -> bool:
        return parameter in (self.operations.get(op_id) or [])

    def uses_field(self, schema: str, name: str) -> bool:
        return name in (self.reads.get(schema) or []) or name in (self.sends.get(schema) or [])

    def uses_schema(self, schema: str) -> bool:
        return schema in self.reads or schema in self.sends


def load_essential(path: Path = ESSENTIAL_TEMPLATE) -> dict[str, set[str]]:
    """Class name -> essential JSON properties: the list the generator's templates use."""
    module: Any = jinja2.Environment().from_string(path.read_text(encoding="utf-8")).module
    return {name: set(keys) for name, keys in module.ESSENTIAL.items()}


@dataclass
class Context:
    """The documents' request/response schemas, the wrapper's uses and the essential fields."""

    uses: WrapperUses
    essential: dict[str, set[str]]
    requests: set[str]
    responses: set[str]

    @classmethod
    def of(
        cls,
        old: dict[str, Any],
        new: dict[str, Any],
        uses: Optional[WrapperUses] = None,
        essential: Optional[dict[str, set[str]]] = None,
    ) -> Context:
        return cls(
            uses or WrapperUses(),
            essential or {},
            request_schemas(old) | request_schemas(new),
            response_schemas(old) | response_schemas(new),
        )

    def field_verdict(self, schema: str, name: str) -> tuple[str, str]:
        """Breaks the wrapper if it reads or sends the field, else callers."""
        if self.uses.uses_field(schema, name):
            return BREAKS_WRAPPER, f"the wrapper uses {schema}.{name}"
        return BREAKS_CALLERS, ""

    def is_essential(self, schema: str, name: str, prop: Any, required: bool) -> bool:
        const = isinstance(prop, dict) and "const" in prop and required
        return const or name in self.essential.get(schema, set())


# -- reading documents -------------------------------------------------------------------------


def load(path: str) -> dict[str, Any]:
    """Read a YAML or JSON document."""
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


def widening(before: str, after: str) -> Optional[bool]:
    """True if type `after` accepts every value `before` does and more (a union gained a
    member), False if the reverse, None if neither."""
    old, new = set(before.split("|")), set(after.split("|"))
    if old < new:
        return True
    if new < old:
        return False
    return None


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


def _reachable(doc: dict[str, Any], roots: Iterable[Any]) -> set[str]:
    schemas = (doc.get("components") or {}).get("schemas") or {}
    todo: set[str] = set()
    for root in roots:
        _refs(root, todo)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen and name in schemas:
            seen.add(name)
            _refs(schemas[name], todo)
    return seen


def request_schemas(doc: dict[str, Any]) -> set[str]:
    """Names of component schemas reachable from any request body or parameter."""
    ops = operations(doc).values()
    return _reachable(doc, [op.get(k) for op in ops for k in ("requestBody", "parameters")])


def response_schemas(doc: dict[str, Any]) -> set[str]:
    """Names of component schemas reachable from any response."""
    return _reachable(doc, [op.get("responses") for op in operations(doc).values()])


def _op_where(key: str, op: dict[str, Any]) -> str:
    return f"{key} ({op.get('operationId', '?')})"


def _short(text: Any) -> str:
    text = " ".join(str(text or "").split())
    return repr(text if len(text) <= SHORT else text[: SHORT - 3] + "...")


# -- descriptions and examples -----------------------------------------------------------------


def _descriptions(node: Any) -> list[str]:
    """Every `description` in a schema or object, depth first (property names are skipped)."""
    found: list[str] = []
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            found.append(node["description"])
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop in value.values():
                    found += _descriptions(prop)
            elif key != "description":
                found += _descriptions(value)
    elif isinstance(node, list):
        for value in node:
            found += _descriptions(value)
    return found


def operation_texts(where: str, op: dict[str, Any]) -> dict[str, str]:
    """The prose of an operation, keyed by where it is (the operation, a parameter, ...)."""
    texts = {
        f"{where} summary": op.get("summary") or "",
        f"{where} description": op.get("description") or "",
    }
    for param in op.get("parameters") or []:
        label = f"{where} {param.get('in', '?')} parameter {param.get('name', '?')}"
        texts[label] = " / ".join(_descriptions(param))
    if "requestBody" in op:
        texts[f"{where} request body"] = (op["requestBody"] or {}).get("description") or ""
    for status, response in (op.get("responses") or {}).items():
        texts[f"{where} response {status}"] = (response or {}).get("description") or ""
    return texts


def schema_texts(name: str, schema: dict[str, Any]) -> dict[str, str]:
    """The prose of a schema, keyed by where it is: the schema itself, and each field."""
    texts = {name: schema.get("description") or ""}
    for prop, value in (schema.get("properties") or {}).items():
        texts[f"{name}.{prop}"] = " / ".join(_descriptions(value))
    return texts


def text_changes(old: dict[str, str], new: dict[str, str]) -> list[Change]:
    """One "description changed" per place whose prose differs (whitespace aside)."""
    return [
        Change(
            DOCS_ONLY, "description changed", where, f"{_short(old[where])} -> {_short(new[where])}"
        )
        for where in sorted(old.keys() & new.keys())
        if " ".join(old[where].split()) != " ".join(new[where].split())
    ]


def examples(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path, value as JSON) of every `example`/`examples` under `node`; the names of a
    schema's `properties` are property names, never example keywords."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("example", "examples") and not (path and path[-1] == "properties"):
                yield (*path, key), json.dumps(value, sort_keys=True, default=str)
            else:
                yield from examples(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from examples(value, (*path, str(index)))


def example_changes(where: str, old: Any, new: Any) -> list[Change]:
    before, after = dict(examples(old)), dict(examples(new))
    count = len(before.keys() ^ after.keys())
    count += sum(1 for k in before.keys() & after.keys() if before[k] != after[k])
    if not count:
        return []
    return [Change(DOCS_ONLY, "examples changed", where, str(count))]


# -- operations --------------------------------------------------------------------------------


def _enum_changes(
    where: str,
    old: Any,
    new: Any,
    removed: tuple[str, str],
    added: tuple[str, str] = (DOCS_ONLY, ""),
) -> list[Change]:
    """Enum values removed (with the `removed` verdict and why) and added to an existing enum
    (with `added`); a brand-new enum is a type change."""
    old_values, new_values = enum_values(old), enum_values(new)
    changes = [
        Change(removed[0], "enum value removed", where, value, removed[1])
        for value in sorted(old_values - new_values)
    ]
    if old_values:
        changes += [
            Change(added[0], "enum value added", where, value, added[1])
            for value in sorted(new_values - old_values)
        ]
    return changes


def compare_parameters(
    key: str, old_op: dict[str, Any], new_op: dict[str, Any], ctx: Context
) -> list[Change]:
    """Parameter changes of one operation present in both documents."""

    def index(op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(p.get("in", "?"), p.get("name", "?")): p for p in op.get("parameters") or []}

    old, new = index(old_op), index(new_op)
    op_id = new_op.get("operationId")
    calls = ctx.uses.calls(op_id)
    where = _op_where(key, new_op)

    def needed(name: str) -> tuple[str, str]:  # a parameter callers must now pass
        if calls and not ctx.uses.passes(op_id, name):
            return BREAKS_WRAPPER, f"the wrapper calls {op_id} without {name}"
        return BREAKS_CALLERS, ""

    def passed(name: str) -> tuple[str, str]:  # a parameter's meaning or type changed
        if ctx.uses.passes(op_id, name):
            return BREAKS_WRAPPER, f"the wrapper passes {name} to {op_id}"
        return BREAKS_CALLERS, ""

    changes: list[Change] = []
    for loc, name in sorted(new.keys() - old.keys()):
        required = bool(new[(loc, name)].get("required"))
        verdict, why = needed(name) if required else (DOCS_ONLY, "")
        label = "required" if required else "optional"
        changes.append(Change(verdict, f"{label} {loc} parameter added", where, name, why))
    for loc, name in sorted(old.keys() - new.keys()):
        changes.append(Change(*_with(passed(name), f"{loc} parameter removed", where, name)))
    for loc, name in sorted(old.keys() & new.keys()):
        before, after = old[(loc, name)], new[(loc, name)]
        at = f"{where} {loc} parameter {name}"
        if bool(before.get("required")) != bool(after.get("required")):
            now = bool(after.get("required"))
            verdict, why = needed(name) if now else (DOCS_ONLY, "")
            state = "now required" if now else "no longer required"
            changes.append(Change(verdict, f"parameter {state}", at, "", why))
        old_type, new_type = type_of(before.get("schema")), type_of(after.get("schema"))
        if old_type != new_type:
            wider = widening(old_type, new_type)
            verdict, why = (DOCS_ONLY, "a request accepts more") if wider else passed(name)
            detail = f"{old_type} -> {new_type}"
            changes.append(Change(verdict, "parameter type changed", at, detail, why))
        closed = f"{op_id}.{name}" in ctx.uses.closed_enums
        added = (BREAKS_WRAPPER, "the wrapper handles every value") if closed else (DOCS_ONLY, "")
        changes += _enum_changes(at, before.get("schema"), after.get("schema"), passed(name), added)
    old_body = (old_op.get("requestBody") or {}).get("required", False)
    new_body = (new_op.get("requestBody") or {}).get("required", False)
    if "requestBody" in new_op and bool(old_body) != bool(new_body):
        state = "now required" if new_body else "no longer required"
        verdict = BREAKS_CALLERS if new_body else DOCS_ONLY
        changes.append(Change(verdict, f"request body {state}", where))
    return changes


def _with(verdict: tuple[str, str], kind: str, where: str, detail: str = "") -> tuple[str, ...]:
    """Change fields in order from a (verdict, why) pair."""
    return (verdict[0], kind, where, detail, verdict[1])


def _resolve(doc: dict[str, Any], schema: Any) -> Any:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
        return ((doc.get("components") or {}).get("schemas") or {}).get(ref[len(REF_PREFIX) :])
    return schema


def event_types(doc: dict[str, Any], schema: Any) -> set[str]:
    """The event types of a stream response: its discriminator mapping's keys and the
    const/enum values of each member's `type` property."""
    if not isinstance(schema, dict):
        return set()
    found = set(((schema.get("discriminator") or {}).get("mapping") or {}).keys())
    for member in (schema.get("oneOf") or []) + (schema.get("anyOf") or []) + [schema]:
        target = _resolve(doc, member)
        tag = ((target or {}).get("properties") or {}).get("type") if target else None
        if isinstance(tag, dict):
            found |= {str(tag["const"])} if "const" in tag else set()
            found |= {str(v) for v in tag.get("enum") or []}
    return found


def _media(response: Any) -> dict[str, Any]:
    return (response or {}).get("content") or {}


def compare_responses(
    key: str,
    old_op: dict[str, Any],
    new_op: dict[str, Any],
    docs: tuple[dict[str, Any], dict[str, Any]],
    ctx: Context,
) -> list[Change]:
    """Responses added or removed, success types changed, stream event types added/removed."""
    op_id = new_op.get("operationId")
    where = _op_where(key, new_op)
    calls = (BREAKS_WRAPPER, f"the wrapper calls {op_id}") if ctx.uses.calls(op_id) else None
    callers = calls or (BREAKS_CALLERS, "")
    old_r, new_r = old_op.get("responses") or {}, new_op.get("responses") or {}
    changes = [
        Change(DOCS_ONLY, "response added", where, str(s))
        for s in sorted(new_r.keys() - old_r.keys())
    ]
    for status in sorted(old_r.keys() - new_r.keys()):
        verdict = callers if str(status).startswith("2") else (DOCS_ONLY, "")
        changes.append(Change(*_with(verdict, "response removed", where, str(status))))
    for status in sorted(old_r.keys() & new_r.keys()):
        if not str(status).startswith("2"):
            continue
        before, after = _media(old_r[status]), _media(new_r[status])
        for media in sorted(before.keys() & after.keys()):
            old_s, new_s = before[media].get("schema"), after[media].get("schema")
            if media == "text/event-stream":
                changes += _event_type_changes(where, op_id, docs, (old_s, new_s), ctx)
            elif type_of(old_s) != type_of(new_s):
                detail = f"{status} {type_of(old_s)} -> {type_of(new_s)}"
                changes.append(Change(*_with(callers, "response type changed", where, detail)))
    return changes


def _event_type_changes(
    where: str,
    op_id: Any,
    docs: tuple[dict[str, Any], dict[str, Any]],
    schemas: tuple[Any, Any],
    ctx: Context,
) -> list[Change]:
    before, after = event_types(docs[0], schemas[0]), event_types(docs[1], schemas[1])
    handled = ctx.uses.event_types.get(op_id)
    changes = []
    for tag in sorted(after - before):
        verdict, why = DOCS_ONLY, "the generated stream types it"
        if handled is not None:
            verdict, why = BREAKS_WRAPPER, f"the wrapper dispatches {op_id} events by type"
        changes.append(Change(verdict, "event type added", where, repr(tag), why))
    for tag in sorted(before - after):
        verdict, why = BREAKS_CALLERS, ""
        if handled is not None and tag in handled:
            verdict, why = BREAKS_WRAPPER, f"the wrapper handles {tag!r}"
        changes.append(Change(verdict, "event type removed", where, repr(tag), why))
    return changes


def compare_operations(old: dict[str, Any], new: dict[str, Any], ctx: Context) -> list[Change]:
    changes: list[Change] = []
    old_ops, new_ops = operations(old), operations(new)

    def lost(op_id: Any) -> tuple[str, str]:
        if ctx.uses.calls(op_id):
            return BREAKS_WRAPPER, f"the wrapper calls {op_id}"
        return BREAKS_CALLERS, ""

    for key in sorted(new_ops.keys() - old_ops.keys()):
        changes.append(Change(DOCS_ONLY, "operation added", _op_where(key, new_ops[key])))
    for key in sorted(old_ops.keys() - new_ops.keys()):
        op_id = old_ops[key].get("operationId")
        changes.append(
            Change(*_with(lost(op_id), "operation removed", _op_where(key, old_ops[key])))
        )
    for key in sorted(old_ops.keys() & new_ops.keys()):
        before, after = old_ops[key], new_ops[key]
        if before.get("operationId") != after.get("operationId"):
            detail = f"{before.get('operationId')} -> {after.get('operationId')}"
            changes.append(
                Change(*_with(lost(before.get("operationId")), "operation id changed", key, detail))
            )
        changes += compare_parameters(key, before, after, ctx)
        changes += compare_responses(key, before, after, (old, new), ctx)
        where = _op_where(key, after)
        changes += text_changes(operation_texts(where, before), operation_texts(where, after))
        changes += example_changes(where, before, after)
    return changes


# -- schemas -----------------------------------------------------------------------------------


def compare_schema(
    name: str, old: dict[str, Any], new: dict[str, Any], ctx: Context
) -> list[Change]:
    """Field, type, required and enum changes of one component schema."""
    changes: list[Change] = []
    old_props = old.get("properties") or {}
    new_props = new.get("properties") or {}
    old_req, new_req = set(old.get("required") or []), set(new.get("required") or [])
    in_request, in_response = name in ctx.requests, name in ctx.responses
    used = (
        (BREAKS_WRAPPER, f"the wrapper uses {name}")
        if ctx.uses.uses_schema(name)
        else (BREAKS_CALLERS, "")
    )
    if type_of(old) != type_of(new):
        changes.append(
            Change(*_with(used, "schema type changed", name, f"{type_of(old)} -> {type_of(new)}"))
        )
    changes += _enum_changes(name, old, new, used)
    for prop in sorted(new_props.keys() - old_props.keys()):
        changes.append(_field_added(name, prop, new_props[prop], prop in new_req, in_request, ctx))
    for prop in sorted(old_props.keys() - new_props.keys()):
        changes.append(
            Change(*_with(ctx.field_verdict(name, prop), "field removed", f"{name}.{prop}"))
        )
    for prop in sorted(old_props.keys() & new_props.keys()):
        before, after = old_props[prop], new_props[prop]
        where = f"{name}.{prop}"
        if type_of(before) != type_of(after):
            changes.append(
                _field_retyped(name, prop, (before, after), (in_request, in_response), ctx)
            )
        closed = where in ctx.uses.closed_enums
        added = (BREAKS_WRAPPER, "the wrapper handles every value") if closed else (DOCS_ONLY, "")
        changes += _enum_changes(where, before, after, ctx.field_verdict(name, prop), added)
        if (prop in old_req) != (prop in new_req):
            changes.append(_required_changed(name, prop, after, prop in new_req, in_request, ctx))
    changes += text_changes(schema_texts(name, old), schema_texts(name, new))
    changes += example_changes(name, old, new)
    return changes


def _field_added(
    name: str, prop: str, schema: Any, required: bool, in_request: bool, ctx: Context
) -> Change:
    where, detail = f"{name}.{prop}", type_of(schema)
    if not (required and in_request):
        return Change(
            DOCS_ONLY, "required field added" if required else "field added", where, detail
        )
    if name in ctx.uses.sends:
        why = f"the wrapper sends {name} without {prop}"
        return Change(BREAKS_WRAPPER, "required field added", where, detail, why)
    return Change(BREAKS_CALLERS, "required field added", where, detail, "requests must send it")


def _field_retyped(
    name: str, prop: str, schemas: tuple[Any, Any], sides: tuple[bool, bool], ctx: Context
) -> Change:
    """A type change: widening a request-only field or narrowing a response-only one is safe."""
    before, after = type_of(schemas[0]), type_of(schemas[1])
    in_request, in_response = sides
    wider = widening(before, after)
    detail = f"{before} -> {after}"
    where = f"{name}.{prop}"
    if wider is True and in_request and not in_response:
        return Change(DOCS_ONLY, "field type widened", where, detail, "a request accepts more")
    if wider is False and in_response and not in_request:
        return Change(DOCS_ONLY, "field type narrowed", where, detail, "a response sends less")
    kind = "field type changed"
    if wider is not None:
        kind = "field type widened" if wider else "field type narrowed"
    return Change(*_with(ctx.field_verdict(name, prop), kind, where, detail))


def _required_changed(
    name: str, prop: str, schema: Any, now: bool, in_request: bool, ctx: Context
) -> Change:
    where = f"{name}.{prop}"
    if now:  # newly required: requests must send it; readers of responses gain a guarantee
        if not in_request:
            return Change(DOCS_ONLY, "field now required", where)
        if name in ctx.uses.sends and prop not in ctx.uses.sends[name]:
            return Change(
                BREAKS_WRAPPER,
                "field now required",
                where,
                "",
                f"the wrapper sends {name} without {prop}",
            )
        return Change(BREAKS_CALLERS, "field now required", where, "", "requests must send it")
    if name in ctx.responses and ctx.is_essential(name, prop, schema, True):
        verdict, why = ctx.field_verdict(name, prop)
        return Change(
            verdict,
            "field no longer required",
            where,
            "",
            why or "an essential field may now be absent",
        )
    return Change(
        DOCS_ONLY,
        "field no longer required",
        where,
        "",
        "read tolerantly already" if name in ctx.responses else "",
    )


def compare_schemas(old: dict[str, Any], new: dict[str, Any], ctx: Context) -> list[Change]:
    old_schemas = (old.get("components") or {}).get("schemas") or {}
    new_schemas = (new.get("components") or {}).get("schemas") or {}
    changes = [
        Change(DOCS_ONLY, "schema added", n)
        for n in sorted(new_schemas.keys() - old_schemas.keys())
    ]
    for name in sorted(old_schemas.keys() - new_schemas.keys()):
        used = ctx.uses.uses_schema(name)
        verdict, why = (
            (BREAKS_WRAPPER, f"the wrapper uses {name}") if used else (BREAKS_CALLERS, "")
        )
        changes.append(Change(verdict, "schema removed", name, "", why))
    for name in sorted(old_schemas.keys() & new_schemas.keys()):
        changes += compare_schema(name, old_schemas[name], new_schemas[name], ctx)
    return changes


# -- upstream operations outside the overlay ---------------------------------------------------


def seen_operations(doc: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The watched upstream operations of a record, or of an upstream document."""
    if doc is None:
        return None
    if "paths" in doc:
        overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))
        doc = upstream_operations(doc, overlay)
    return dict(doc.get("operations") or {})


def compare_upstream(
    old: Optional[dict[str, Any]], new: Optional[dict[str, Any]], kept_now: set[str], ctx: Context
) -> list[Change]:
    """Upstream task operations added or removed. Outside the overlay they only document what a
    newer client could keep; a kept operation gone upstream stops slice_spec.py."""
    if old is None or new is None:
        return []
    changes = []
    for key in sorted(new.keys() - old.keys()):
        upstream_id = (new[key] or {}).get("operationId")
        why = "not in the overlay: add it to generator/overlay.yaml to keep it"
        changes.append(
            Change(DOCS_ONLY, "upstream operation added", f"{key} ({upstream_id})", "", why)
        )
    for key in sorted(old.keys() - new.keys()):
        kept = (old[key] or {}).get("kept_as")
        if not kept:
            where = f"{key} ({(old[key] or {}).get('operationId')})"
            changes.append(
                Change(DOCS_ONLY, "upstream operation removed", where, "", "not in the overlay")
            )
        elif kept in kept_now:  # still in the slice: the slice stopped (openapi.yaml not updated)
            verdict = BREAKS_WRAPPER if ctx.uses.calls(kept) else BREAKS_CALLERS
            why = f"the wrapper calls {kept}" if ctx.uses.calls(kept) else ""
            why += ("; " if why else "") + "slice_spec.py stops until the overlay drops it"
            changes.append(
                Change(verdict, "operation removed upstream", f"{key} ({kept})", "", why)
            )
    return changes


# -- the report --------------------------------------------------------------------------------


def report(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    upstream_old: Optional[dict[str, Any]] = None,
    upstream_new: Optional[dict[str, Any]] = None,
    uses: Optional[WrapperUses] = None,
    essential: Optional[dict[str, set[str]]] = None,
) -> list[Change]:
    """Every change from `old` to `new`: upstream operations, operations, then schemas."""
    ctx = Context.of(old, new, uses, essential)
    kept_now = {op.get("operationId") for op in operations(new).values()}
    changes = compare_upstream(
        seen_operations(upstream_old), seen_operations(upstream_new), kept_now, ctx
    )
    changes += compare_operations(old, new, ctx)
    changes += compare_schemas(old, new, ctx)
    return changes


def as_json(changes: list[Change], old: str, new: str) -> dict[str, Any]:
    return {
        "old": old,
        "new": new,
        "verdict": worst(changes),
        "counts": {v: sum(1 for c in changes if c.verdict == v) for v in VERDICTS},
        "changes": [c.as_json() for c in changes],
    }


def render(changes: list[Change], old: str, new: str) -> str:
    lines = [f"Spec change report: {old} -> {new}"]
    if not changes:
        return "\n".join([*lines, "No changes to operations, parameters or schemas."])
    lines += [c.render() for c in changes]
    counts = [f"{sum(1 for c in changes if c.verdict == v)} {v}" for v in VERDICTS]
    plural = "" if len(changes) == 1 else "s"
    lines.append(f"{len(changes)} change{plural}: {', '.join(counts)}.")
    if worst(changes) == BREAKS_WRAPPER:
        lines.append("The wrapper must change: regenerate, then fix wrapper/ and its tests.")
    elif worst(changes) == BREAKS_CALLERS:
        lines.append(
            "Callers of the generated client break: regenerate and note it in the changelog."
        )
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the previous openapi.yaml")
    parser.add_argument("new", help="the new openapi.yaml")
    parser.add_argument("--upstream-old", help="the previous upstream document, or its record")
    parser.add_argument("--upstream-new", help="the new upstream document, or its record")
    parser.add_argument("--wrapper-uses", default=str(WRAPPER_USES), help="the wrapper's table")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--fail-on", choices=VERDICTS[:2], help="exit 1 at this verdict or worse")
    args = parser.parse_args(argv)
    try:
        old, new = load(args.old), load(args.new)
        ups = [load(p) if p else None for p in (args.upstream_old, args.upstream_new)]
        uses = WrapperUses.load(Path(args.wrapper_uses))
    except (OSError, ValueError, TypeError, yaml.YAMLError) as exc:
        print(f"spec_report: cannot read the documents: {exc}", file=sys.stderr)
        return 2
    changes = report(
        old, new, upstream_old=ups[0], upstream_new=ups[1], uses=uses, essential=load_essential()
    )
    print(
        json.dumps(as_json(changes, args.old, args.new), indent=2)
        if args.json
        else render(changes, args.old, args.new)
    )
    if args.fail_on and any(
        VERDICTS.index(c.verdict) <= VERDICTS.index(args.fail_on) for c in changes
    ):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
