"""Query, path and header values (text on the wire) read as the JSON type their schema wants.

As FastAPI reads them: a boolean from true/false, 1/0, yes/no, on/off, t/f, y/n (any case);
an integer or a finite number from its decimal text; otherwise the text itself. The value is
then validated against the parameter's schema like any other.
"""

from __future__ import annotations

import math
from typing import Any, List, Optional, Set, Tuple

from .schema_errors import ErrorItem, Loc

_TRUE = frozenset(("1", "on", "t", "true", "y", "yes"))
_FALSE = frozenset(("0", "off", "f", "false", "n", "no"))


def parse_bool(raw: str) -> Optional[bool]:
    """The boolean a FastAPI query parameter reads from `raw`, or None."""
    text = raw.strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _parse_int(raw: str) -> Optional[int]:
    try:
        return int(raw)
    except ValueError:
        return None


def _parse_number(raw: str) -> Optional[float]:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # JSON has no NaN or Infinity


def schema_types(schema: Any, root: Any = None) -> Set[str]:
    """The JSON types a schema admits, looking through anyOf/oneOf and $refs (empty: any)."""
    root = schema if root is None else root
    if not isinstance(schema, dict):
        return set()
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {str(k) for k in kind}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and isinstance(root, dict):
        return schema_types(root.get("$defs", {}).get(ref[len("#/$defs/") :]), root)
    found: Set[str] = set()
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            types = schema_types(sub, root)
            if not types:
                return set()
            found |= types
    return found


_READERS: List[Tuple[str, Any, str, str]] = [
    ("boolean", parse_bool, "a valid boolean (true or false)", "bool_parsing"),
    ("integer", _parse_int, "an integer", "int_parsing"),
    ("number", _parse_number, "a finite number", "float_parsing"),
]


def read_value(raw: str, schema: Any, loc: Loc) -> Tuple[Any, Optional[ErrorItem]]:
    """(value, None) read as the schema's type, or (raw, the error) when it cannot be."""
    types = schema_types(schema)
    first_error: Optional[ErrorItem] = None
    for kind, read, words, code in _READERS:
        if kind in types:
            value = read(raw)
            if value is not None:
                return value, None
            if first_error is None:
                msg = f"Input should be {words}, got {raw[:100]!r}"
                first_error = {"loc": loc, "msg": msg, "type": code}
    if first_error is not None and "string" not in types:
        return raw, first_error
    return raw, None
