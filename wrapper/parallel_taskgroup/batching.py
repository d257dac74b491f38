"""Split a stream of encoded run inputs into add-runs request bodies within count and byte limits.

Each input is serialised once (compact JSON, UTF-8); a chunk's request size is then known exactly
as ``overhead + sum(sizes) + (n - 1)`` bytes (one comma between inputs), so no body is built twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Callable, Optional, TypeVar

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
_c_basestring = getattr(json.encoder, "c_encode_basestring", None)


def _encoder(sort_keys: bool) -> Callable[[Any], str]:
    slow = json.JSONEncoder(
        ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=sort_keys
    ).encode
    if _c_make_encoder is None or _c_basestring is None:
        return slow
    # One reusable C encoder (json.dumps builds a new one per call, which dominates for small
    # objects). No circular-reference markers: a cycle ends in RecursionError instead.
    fast = _c_make_encoder(
        None, _not_serialisable, _c_basestring, None, ":", ",", sort_keys, False, False
    )

    def encode(value: Any) -> str:
        if type(value) is dict:
            return "".join(fast(value, 0))
        return slow(value)

    return encode


dumps = _encoder(sort_keys=False)
"""Compact JSON exactly as httpx (>= 0.28) writes a ``json=`` body (no NaN/Infinity)."""

canonical_dumps = _encoder(sort_keys=True)
"""Compact JSON with sorted keys: equal dicts give equal text."""


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

    ``overhead`` is the byte count of everything but the inputs and the commas between them.
    """

    __slots__ = ("_prefix", "_suffix", "overhead")

    def __init__(self, extra: Optional[dict[str, Any]] = None) -> None:
        tail = "".join(f",{dumps(k)}:{dumps(v)}" for k, v in (extra or {}).items())
        self._prefix = b'{"inputs":['
        self._suffix = ("]" + tail + "}").encode("utf-8")
        self.overhead = len(self._prefix) + len(self._suffix)

    def size(self, parts: Sequence[bytes]) -> int:
        """Exact byte length of the body holding ``parts``."""
        return self.overhead + sum(len(p) for p in parts) + max(0, len(parts) - 1)

    def build(self, parts: Sequence[bytes]) -> bytes:
        """The body holding the already-encoded ``parts``."""
        return self._prefix + b",".join(parts) + self._suffix
