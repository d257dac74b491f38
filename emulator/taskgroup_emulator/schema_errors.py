"""jsonschema_rs validation errors as FastAPI-style items: {loc, msg, type}.

`loc` is where the problem is: the request part ("body", "query", ...) then the path into the
value, ending with the missing field for a missing one (["body", "inputs", 3, "processor"]).
An `anyOf`/`oneOf` that nothing matched is explained the way pydantic explains a union:
- alternatives whose type the value does not have are left out (an optional field that is
  present is judged as its one non-null alternative, so the problem is located inside it);
- when every remaining alternative refuses the same field's `const`/`enum` (a tag such as
  `type`), one error there lists the values allowed;
- else the alternative that fits best (fewest `const`/`enum` refusals, then fewest errors)
  is explained; when no alternative has the value's type, the union itself is the problem.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

Loc = List[Union[str, int]]
ErrorItem = Dict[str, Any]

_TYPE_WORDS = {
    "string": ("a valid string", "string_type"),
    "integer": ("a valid integer", "int_type"),
    "number": ("a valid number", "float_type"),
    "boolean": ("a valid boolean", "bool_type"),
    "object": ("a valid dictionary or object", "dict_type"),
    "array": ("a valid list", "list_type"),
    "null": ("None", "none_required"),
}
_TAGS = ("Constant", "Enum")
_UNIONS = ("AnyOf", "OneOfNotValid")


def _kind(error: Any) -> str:
    # "AnyOf"; jsonschema_rs 0.34 (the last with Python 3.9) says "ValidationErrorKind_AnyOf"
    return type(error.kind).__name__.rsplit("_", 1)[-1]


def _literal(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _one_of_words(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _item(loc: Loc, msg: str, kind: str) -> ErrorItem:
    return {"loc": loc, "msg": msg, "type": kind}


def _type_item(loc: Loc, types: Sequence[str]) -> ErrorItem:
    words = [_TYPE_WORDS.get(t, (t, ""))[0] for t in dict.fromkeys(types)]
    codes = {_TYPE_WORDS.get(t, ("", "type_error"))[1] for t in types if t != "null"}
    code = codes.pop() if len(codes) == 1 else "union_type"
    return _item(loc, f"Input should be {_one_of_words(words)}", code)


def _limit_message(kind: str, limit: Any) -> Optional[Tuple[str, str]]:
    return {
        "MinLength": (f"String should have at least {limit} characters", "string_too_short"),
        "MaxLength": (f"String should have at most {limit} characters", "string_too_long"),
        "MinItems": (f"List should have at least {limit} items", "too_short"),
        "MaxItems": (f"List should have at most {limit} items", "too_long"),
        "MinProperties": (f"Object should have at least {limit} fields", "too_short"),
        "MaxProperties": (f"Object should have at most {limit} fields", "too_long"),
        "Minimum": (f"Input should be greater than or equal to {limit}", "greater_than_equal"),
        "Maximum": (f"Input should be less than or equal to {limit}", "less_than_equal"),
        "ExclusiveMinimum": (f"Input should be greater than {limit}", "greater_than"),
        "ExclusiveMaximum": (f"Input should be less than {limit}", "less_than"),
    }.get(kind)


def items_for(error: Any, prefix: Loc) -> List[ErrorItem]:
    """The items explaining one jsonschema_rs ValidationError, located under `prefix`."""
    kind, detail = _kind(error), error.kind
    loc: Loc = [*prefix, *error.instance_path]
    if kind in _UNIONS:
        return _union(error, prefix)
    if kind == "Required":
        return [_item([*loc, detail.property], "Field required", "missing")]
    if kind in ("AdditionalProperties", "UnevaluatedProperties"):
        return [
            _item([*loc, name], "Extra inputs are not permitted", "extra_forbidden")
            for name in detail.unexpected
        ]
    if kind == "PropertyNames":
        inner = detail.error
        name = inner.instance if isinstance(inner.instance, str) else str(inner.instance)
        return [{**item, "loc": [*loc, name]} for item in items_for(inner, [])]
    if kind == "Type":
        return [_type_item(loc, list(detail.types))]
    if kind == "Constant":
        return [_item(loc, f"Input should be {_literal(detail.expected_value)}", "literal_error")]
    if kind == "Enum":
        words = [_literal(v) for v in detail.options]
        return [_item(loc, f"Input should be {_one_of_words(words)}", "enum")]
    if kind == "Pattern":
        msg = f"String should match pattern '{detail.pattern}'"
        return [_item(loc, msg, "string_pattern_mismatch")]
    if kind == "Format":
        return [_item(loc, f"Input should be a valid {detail.format}", "value_error")]
    if kind == "MultipleOf":
        return [_item(loc, f"Input should be a multiple of {detail.multiple_of}", "multiple_of")]
    if kind == "OneOfMultipleValid":
        return [_item(loc, "Input matches more than one of the allowed forms", "union_type")]
    limit = _limit_message(kind, getattr(detail, "limit", None))
    if limit is not None:
        return [_item(loc, *limit)]
    return [_item(loc, str(error.message), "value_error")]


def _type_miss(branch: Sequence[Any], here: Sequence[Any]) -> Optional[List[str]]:
    """The types a branch wanted when it refused the value for its type alone, else None."""
    for error in branch:
        if _kind(error) == "Type" and list(error.instance_path) == list(here):
            return list(error.kind.types)
    return None


def _union(error: Any, prefix: Loc) -> List[ErrorItem]:
    here = list(error.instance_path)
    branches = [list(b) for b in error.kind.context]
    misses = [_type_miss(b, here) for b in branches]
    relevant = [b for b, miss in zip(branches, misses) if miss is None and b]
    if not relevant:
        wanted = [t for miss in misses if miss for t in miss]
        if not wanted:
            return [_item([*prefix, *here], str(error.message), "union_type")]
        return [_type_item([*prefix, *here], wanted)]
    if len(relevant) > 1:
        tag = _common_tag(relevant)
        if tag is not None:
            path, values = tag
            words = [_literal(v) for v in values]
            return [_item([*prefix, *path], f"Input should be {_one_of_words(words)}", "enum")]
    best = min(relevant, key=lambda b: (sum(_kind(e) in _TAGS for e in b), len(b)))
    return [item for e in best for item in items_for(e, prefix)]


def _common_tag(branches: Sequence[Sequence[Any]]) -> Optional[Tuple[List[Any], List[Any]]]:
    """(path, allowed values) of a field every branch refuses by const/enum, if there is one."""
    per_branch = []
    for branch in branches:
        tags: Dict[Tuple[Any, ...], List[Any]] = {}
        for e in branch:
            if _kind(e) == "Constant":
                tags.setdefault(tuple(e.instance_path), []).append(e.kind.expected_value)
            elif _kind(e) == "Enum":
                tags.setdefault(tuple(e.instance_path), []).extend(e.kind.options)
        per_branch.append(tags)
    for path in per_branch[0]:
        if all(path in tags for tags in per_branch):
            values: List[Any] = []
            for tags in per_branch:
                values += [v for v in tags[path] if v not in values]
            return list(path), values
    return None


def _place(item: ErrorItem) -> List[Tuple[int, Any]]:
    return [(0, p) if isinstance(p, int) else (1, str(p)) for p in item["loc"]]


def explain(errors: Iterable[Any], prefix: Loc, limit: int = 50) -> List[ErrorItem]:
    """Items for jsonschema_rs errors (at most `limit`), located under `prefix`, in the order
    of their locations (items by index, fields by name)."""
    items: List[ErrorItem] = []
    for error in errors:
        items += items_for(error, prefix)
    return sorted(items, key=_place)[:limit]
