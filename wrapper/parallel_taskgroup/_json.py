"""JSON text the client writes: compact for request bodies, canonical for keys and identities."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical", "compact", "compact_bytes"]

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=True
)

compact = _COMPACT.encode
"""Compact UTF-8 JSON (no spaces, no NaN/Infinity): what request bodies are made of."""

canonical = _CANONICAL.encode
"""Compact JSON with sorted keys: equal values give equal text, whatever their key order."""


def compact_bytes(value: Any) -> bytes:
    """:func:`compact` as UTF-8 bytes."""
    return _COMPACT.encode(value).encode("utf-8")
