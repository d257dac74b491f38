"""Split a stream of encoded run inputs into add-runs request bodies within count and byte limits.

Each input is serialised once, exactly as httpx will serialise it in the request body (compact
UTF-8 JSON for httpx >= 0.28; older httpx writes ASCII-escaped JSON with spaces, detected once at
import); a chunk's request size is then known exactly as ``overhead + sum(sizes) + separator *
(n - 1)`` bytes, so no body is built twice to measure it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Callable, Optional, TypeVar

import httpx

__all__ = [
    "DEFAULT_MAX_BATCH_BYTES",
    "MAX_INPUTS_PER_REQUEST",
    "BodyLayout",
    "ItemTooLargeError",
    "canonical_dumps",
    "chunk_by_limits",
    "dumps",
]

MAX_INPUTS_PER_REQUEST = 1000
"""The API accepts at most this many inputs per add-runs POST."""

DEFAULT_MAX_BATCH_BYTES = 5_000_000
"""Default ceiling on one add-runs request body, in bytes."""

T = TypeVar("T")


def _not_serialisable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)


def _encoder(
    sort_keys: bool, ensure_ascii: bool = False, item_sep: str = ",", key_sep: str = ":"
) -> Callable[[Any], str]:
    slow = json.JSONEncoder(
        ensure_ascii=ensure_ascii,
        separators=(item_sep, key_sep),
        allow_nan=False,
        sort_keys=sort_keys,
    ).encode
    name = "c_encode_basestring_ascii" if ensure_ascii else "c_encode_basestring"
    basestring = getattr(json.encoder, name, None)
    if _c_make_encoder is None or basestring is None:
        return slow
    # One reusable C encoder (json.dumps builds a new one per call, which dominates for small
    # objects). No circular-reference markers: a cycle ends in RecursionError instead.
    fast = _c_make_encoder(
        None, _not_serialisable, basestring, None, key_sep, item_sep, sort_keys, False, False
    )

    def encode(value: Any) -> str:
        if type(value) is dict:
            return "".join(fast(value, 0))
        return slow(value)

    return encode


def _httpx_json_style() -> tuple[bool, str, str]:
    """(ensure_ascii, item separator, key separator) of the installed httpx's ``json=`` bodies."""
    body = httpx.Request("POST", "http://localhost/", json={"a": ["\u00e9", 1]}).content
    if body == b'{"a": ["\\u00e9", 1]}':
        return True, ", ", ": "
    return False, ",", ":"


_ASCII, ITEM_SEPARATOR, _KEY_SEPARATOR = _httpx_json_style()

dumps = _encoder(False, _ASCII, ITEM_SEPARATOR, _KEY_SEPARATOR)
"""JSON exactly as the installed httpx writes a ``json=`` body (no NaN/Infinity)."""

canonical_dumps = _encoder(sort_keys=True)
"""Compact UTF-8 JSON with sorted keys, independent of httpx: equal dicts give equal text."""


class ItemTooLargeError(ValueError):
    """One item alone does not fit in a request of ``max_bytes``."""

    def __init__(self, index: int, size: int, max_bytes: int) -> None:
        super().__init__(
            f"item {index} needs a {size}-byte request on its own, over the limit of "
            f"{max_bytes} bytes; shorten it or raise max_batch_bytes"
        )
        self.index = index
        self.size = size
        self.max_bytes = max_bytes


def chunk_by_limits(
    items: Iterable[T],
    *,
    max_items: int,
    max_bytes: int,
    size: Callable[[T], int],
    overhead: int = 0,
    separator: int = 1,
) -> Iterator[list[T]]:
    """Group ``items`` lazily, in order, into non-empty lists of at most ``max_items`` whose
    request size ``overhead + sum(size) + separator * (n - 1)`` is at most ``max_bytes``.

    Reads ``items`` one at a time (a generator over a huge file is fine) and yields a chunk as
    soon as it is full. Raises :class:`ItemTooLargeError` for an item that cannot fit even alone.
    """
    if max_items < 1:
        raise ValueError(f"max_items must be >= 1, got {max_items}")
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be >= 1, got {max_bytes}")
    chunk: list[T] = []
    used = overhead
    for index, item in enumerate(items):
        n = size(item)
        if overhead + n > max_bytes:
            raise ItemTooLargeError(index, overhead + n, max_bytes)
        if chunk and used + separator + n > max_bytes:
            yield chunk
            chunk = []
            used = overhead
        if chunk:
            used += separator
        chunk.append(item)
        used += n
        if len(chunk) == max_items:
            yield chunk  # full by count: hand it over before reading further
            chunk = []
            used = overhead
    if chunk:
        yield chunk


class BodyLayout:
    """The fixed parts of an add-runs body around its inputs: ``{"inputs":[...], ...extra}``.

    ``overhead`` is the byte count of everything but the inputs and the ``separator`` bytes
    between them.
    """

    __slots__ = ("_join", "_prefix", "_suffix", "overhead", "separator")

    def __init__(self, extra: Optional[dict[str, Any]] = None) -> None:
        body = dumps({"inputs": [], **(extra or {})}).encode("utf-8")
        cut = body.index(b"[") + 1  # "inputs" is the first key: its list opens first
        self._prefix = body[:cut]
        self._suffix = body[cut:]
        self._join = ITEM_SEPARATOR.encode("ascii")
        self.separator = len(self._join)
        self.overhead = len(body)

    def size(self, parts: Sequence[bytes]) -> int:
        """Exact byte length of the body holding ``parts``."""
        return self.overhead + sum(len(p) for p in parts) + self.separator * max(0, len(parts) - 1)

    def build(self, parts: Sequence[bytes]) -> bytes:
        """The body holding the already-encoded ``parts``."""
        return self._prefix + self._join.join(parts) + self._suffix
