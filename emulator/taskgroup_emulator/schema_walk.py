"""Which keywords of a JSON Schema (2020-12, as OpenAPI 3.1 uses it) hold subschemas.

Walks must know this: a property *named* `example` or `$ref` is data, not a keyword, so only
the subschemas below are visited or rebuilt; every other keyword is copied as it is.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Tuple, Union

# name -> subschema
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
# [subschema, ...]
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
# one subschema
SCHEMA_ONES = (
    "items",
    "additionalItems",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "contentSchema",
)

Schema = Union[Dict[str, Any], bool]
Where = Tuple[str, Union[str, int, None]]  # (keyword, property name or index; None for one)


def rebuild(node: Dict[str, Any], each: Callable[[Any], Any]) -> Dict[str, Any]:
    """A copy of `node` whose subschemas are replaced by `each(subschema)`."""
    out: Dict[str, Any] = {}
    for key, value in node.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: each(sub) for name, sub in value.items()}
        elif (key in SCHEMA_LISTS or key == "items") and isinstance(value, list):
            out[key] = [each(sub) for sub in value]  # `items` as a list: the draft 4-7 tuple form
        elif key in SCHEMA_ONES:
            out[key] = each(value)
        else:
            out[key] = value
    return out


def subschemas(node: Dict[str, Any]) -> Iterator[Tuple[Where, Any]]:
    """((keyword, name or index), subschema) for every subschema directly under `node`."""
    for key, value in node.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield (key, name), sub
        elif (key in SCHEMA_LISTS or key == "items") and isinstance(value, list):
            for i, sub in enumerate(value):
                yield (key, i), sub
        elif key in SCHEMA_ONES:
            yield (key, None), value


MISSING = object()  # what `resolve_pointer` answers for a reference that does not resolve


def resolve_pointer(root: Any, ref: str) -> Any:
    """The target of a local reference ("#" or "#/a/b", JSON Pointer escapes), or MISSING."""
    node: Any = root
    for part in ref[2:].split("/") if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node
