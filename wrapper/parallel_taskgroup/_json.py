"""JSON text the client writes: compact for request bodies, canonical for keys and identities."""

from __future__ import annotations

import json
import json.encoder
from typing import Any, Callable

__all__ = ["canonical", "compact", "compact_bytes", "encode_str", "fast_compact"]

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


encode_str: Callable[[str], str] = json.encoder.encode_basestring
"""A str as a JSON string literal, exactly as :func:`compact` writes it."""


def _make_fast_compact() -> Callable[[Any], str]:
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator (e.g. PyPy): the plain encoder
        return compact
    # The C encoder that JSONEncoder.iterencode builds on every call, built once. Without a
    # markers dict (which a shared encoder must not keep: threads), a circular value would
    # end in RecursionError: any failure is handed to ``compact`` for its own message.
    c_encode = make(None, _COMPACT.default, encode_str, None, ":", ",", False, False, False)
    join = "".join

    def fast_compact(value: Any) -> str:
        try:
            return join(c_encode(value, 0))
        except (TypeError, ValueError, RecursionError):
            return compact(value)

    return fast_compact


fast_compact = _make_fast_compact()
""":func:`compact`, the same text, minus the encoder set-up :func:`compact` pays per call
(about half the time of a small value). Safe to share between threads."""
