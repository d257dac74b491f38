"""JSON text the client writes (compact for request bodies, canonical for keys and identities)
and reads (stream events: with the ``fast`` extra's C parser when it is installed)."""

from __future__ import annotations

import importlib
import json
import json.encoder
from typing import Any, Callable, Optional

__all__ = [
    "canonical",
    "compact",
    "compact_bytes",
    "encode_str",
    "fast_compact",
    "loads",
    "readable",
]

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


def _prebuilt(
    slow: Callable[[Any], str], item: str, key: str, allow_nan: bool
) -> Callable[[Any], str]:
    """``slow``'s text (a JSONEncoder's encode, without sort_keys or ensure_ascii), minus the
    encoder set-up it pays per call (about half the time of a small value)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator (e.g. PyPy): the plain encoder
        return slow
    # The C encoder that JSONEncoder.iterencode builds on every call, built once. Without a
    # markers dict (which a shared encoder must not keep: threads), a circular value would
    # end in RecursionError: any failure is handed to ``slow`` for its own message.
    c_encode = make(None, _COMPACT.default, encode_str, None, key, item, False, False, allow_nan)
    join = "".join

    def fast(value: Any) -> str:
        try:
            return join(c_encode(value, 0))
        except (TypeError, ValueError, RecursionError):
            return slow(value)

    return fast


fast_compact = _prebuilt(compact, ",", ":", allow_nan=False)
""":func:`compact`, the same text, faster for small values. Safe to share between threads."""

readable = _prebuilt(json.JSONEncoder(ensure_ascii=False).encode, ", ", ": ", allow_nan=True)
"""``json.dumps(value, ensure_ascii=False)``, the same text, faster: a JSONL results line."""


_raw_decode = json.JSONDecoder().raw_decode


def _stdlib_loads(text: str) -> Any:
    """json.loads, minus its two whitespace regex passes (about 1 µs of a 1.7 KB event)."""
    if text[:1].isspace():
        text = text.strip()
    value, end = _raw_decode(text)
    if end != len(text) and not text[end:].isspace():
        raise ValueError(f"extra data after the JSON value at character {end}")
    return value


def _make_loads() -> Callable[[str], Any]:
    try:  # an extra: imported by name, as the other extras are
        msgspec: Any = importlib.import_module("msgspec")
        importlib.import_module("msgspec.json")
    except ImportError:
        return _stdlib_loads
    fast = msgspec.json.Decoder().decode
    refused = msgspec.DecodeError

    def fast_loads(text: str) -> Any:
        try:
            return fast(text)
        except refused:
            # What msgspec refuses and the standard library reads (NaN, Infinity, lone
            # surrogates) reads as json.loads reads it: the extra changes the speed, never
            # the values (integers of any size stay exact).
            return _stdlib_loads(text)

    return fast_loads


_decode: Optional[Callable[[str], Any]] = None


def loads(text: str) -> Any:
    """The value of one JSON text, as :func:`json.loads` gives it (ValueError or RecursionError
    for text that is not JSON); with ``msgspec`` installed (the ``fast`` extra), about twice as
    fast. The parser is chosen at the first call, so that importing the package does not
    import it."""
    global _decode
    if _decode is None:
        _decode = _make_loads()
    return _decode(text)
