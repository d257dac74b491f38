"""A valid request body without the fields its schema does not document, before it is stored.

Upstream's models ignore fields they do not declare (pydantic's default), so such fields are
never stored nor echoed back (a run's input, `include_input`). Compiled once per schema:
- an object schema listing `properties`, with neither `additionalProperties` nor
  `unevaluatedProperties`, keeps only those properties (and names matching
  `patternProperties`); `additionalProperties: true` or a schema keeps every field;
- arrays prune their items; `$ref`s are followed (recursion included);
- under `anyOf`/`oneOf` a value is pruned as the alternative it is valid against (when several
  are, the one keeping the most fields, as pydantic's smart unions choose); alternatives of
  another JSON type are never tried;
- `allOf`, and a node mixing alternatives with its own fields, are kept whole.
Values are returned unchanged (the same object) when nothing is dropped; the input is never
modified in place.
"""

from __future__ import annotations

import operator
import re
from typing import Any, Callable, Dict, List, Optional, Pattern, Set

from .query_values import schema_types
from .validators import Validator, Validators

Prune = Callable[[Any], Any]


def keep(value: Any) -> Any:
    """The pruner of a schema that never drops anything."""
    return value


def json_type(value: Any) -> str:
    """The JSON type name of a parsed JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _admits(types: Set[str], kind: str) -> bool:
    return not types or kind in types or (kind == "integer" and "number" in types)


_OBJECT_KEYS = ("properties", "patternProperties", "additionalProperties", "unevaluatedProperties")


class Pruners:
    """Compiles pruners for the subschemas of one self-contained schema."""

    def __init__(self, root: Any, validators: Validators) -> None:
        self.root = root
        self.defs: Dict[str, Any] = root.get("$defs", {}) if isinstance(root, dict) else {}
        self.validators = validators
        self._by_ref: Dict[str, Prune] = {}

    def compile(self, node: Any) -> Prune:
        """The pruner of `node` (a subschema of the root)."""
        if not isinstance(node, dict) or "allOf" in node:
            return keep
        unions = [node[k] for k in ("anyOf", "oneOf") if isinstance(node.get(k), list)]
        own = any(k in node for k in _OBJECT_KEYS) or "items" in node
        ref = node.get("$ref")
        if (unions or isinstance(ref, str)) and own:
            return keep
        if isinstance(ref, str):
            return self._ref(ref)
        if unions:
            return self._union(unions[0]) if len(unions) == 1 else keep
        if "properties" in node or isinstance(node.get("additionalProperties"), dict):
            return self._object(node)
        if isinstance(node.get("items"), dict):
            return _items(self.compile(node["items"]))
        return keep

    def _ref(self, ref: str) -> Prune:
        name = ref[len("#/$defs/") :].replace("~1", "/").replace("~0", "~")
        if not ref.startswith("#/$defs/") or name not in self.defs:
            return keep
        if name in self._by_ref:
            return self._by_ref[name]
        cell: List[Prune] = []
        self._by_ref[name] = lambda value: cell[0](value)  # until compiled (recursion)
        compiled = self.compile(self.defs[name])
        cell.append(compiled)
        self._by_ref[name] = compiled
        return compiled

    def _object(self, node: Dict[str, Any]) -> Prune:
        props: Dict[str, Any] = node.get("properties") or {}
        active = {
            n: p for n, p in ((n, self.compile(s)) for n, s in props.items()) if p is not keep
        }
        closed = "additionalProperties" not in node and "unevaluatedProperties" not in node
        extra = node.get("additionalProperties")
        extra_prune = self.compile(extra) if isinstance(extra, dict) else keep
        patterns = [re.compile(p) for p in (node.get("patternProperties") or {})]
        if not (closed and props) and not active and extra_prune is keep:
            return keep
        return _object(frozenset(props), closed and bool(props), patterns, active, extra_prune)

    def _union(self, branches: List[Any]) -> Prune:
        options = [(self.compile(b), schema_types(b, self.root), b) for b in branches]
        if all(prune is keep for prune, _, _ in options):
            return keep
        # Compiled now, once: used when several alternatives have the value's JSON type.
        checked = [(prune, types, self._validator(b)) for prune, types, b in options]

        def prune(value: Any) -> Any:
            kind = json_type(value)
            fitting = [o for o in checked if _admits(o[1], kind)]
            if len(fitting) > 1:  # the body is valid, so one alternative of its type is
                fitting = [o for o in fitting if o[2].is_valid(value)]
            results = [o[0](value) for o in fitting]
            if not results:
                return value
            return max(results, key=lambda r: len(r) if isinstance(r, dict) else 0)

        return prune

    def _validator(self, branch: Any) -> Validator:
        if isinstance(branch, dict) and self.defs:
            branch = {**branch, "$defs": self.defs}
        return self.validators(branch)


def _items(each: Prune) -> Prune:
    if each is keep:
        return keep

    def prune(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        pruned = [each(item) for item in value]
        return value if all(map(operator.is_, pruned, value)) else pruned

    return prune


def _object(
    known: frozenset[str],
    closed: bool,
    patterns: List[Pattern[str]],
    active: Dict[str, Prune],
    extra: Prune,
) -> Prune:
    plain = known - active.keys()  # fields kept as they are: the common case checks only these

    def listed(name: str) -> bool:
        return name in known or any(p.search(name) for p in patterns)

    def prune(value: Any) -> Any:
        if not isinstance(value, dict) or (extra is keep and value.keys() <= plain):
            return value
        out: Optional[Dict[str, Any]] = None
        if closed and not value.keys() <= known:
            out = {k: v for k, v in value.items() if listed(k)}
        for name, item in (value if out is None else out).items():
            each = active.get(name) or (extra if name not in known else None)
            if each is None or each is keep:
                continue
            new = each(item)
            if new is not item:
                if out is None:
                    out = dict(value)
                out[name] = new
        return value if out is None else out

    return prune
