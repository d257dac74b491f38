"""Encoded run inputs into add-runs request bodies, within the count and byte limits.

Each input arrives already encoded (compact UTF-8 JSON bytes, see :mod:`.prepare`), so a body's
size is known exactly as ``overhead + sum(sizes) + (n - 1)`` bytes before it is built, and the
body sent is exactly the bytes that were measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Callable, Optional, TypeVar

from .._json import compact_bytes
from ..errors import ConfigurationError, RowError

__all__ = ["DEFAULT_MAX_BATCH_BYTES", "BodyLayout", "chunk_by_limits"]

DEFAULT_MAX_BATCH_BYTES = 5_000_000
"""Default ceiling on one add-runs request body, in bytes."""

_SEPARATOR = b","

T = TypeVar("T")


def chunk_by_limits(
    items: Iterable[T],
    *,
    max_items: int,
    max_bytes: int,
    size: Callable[[T], int],
    overhead: int = 0,
) -> Iterator[list[T]]:
    """Group ``items`` lazily, in order, into non-empty lists of at most ``max_items`` whose
    request size ``overhead + sum(size) + (n - 1)`` is at most ``max_bytes``.

    Reads ``items`` one at a time (a generator over a huge file is fine) and yields a chunk as
    soon as it is full. An item that cannot fit even alone is a :class:`RowError` naming its
    index (chunks before it are yielded first).
    """
    if max_items < 1:
        raise ConfigurationError(f"max_items must be >= 1, got {max_items}")
    if max_bytes < 1:
        raise ConfigurationError(f"max_bytes must be >= 1, got {max_bytes}")
    separator = len(_SEPARATOR)
    chunk: list[T] = []
    used = overhead
    for index, item in enumerate(items):
        n = size(item)
        if overhead + n > max_bytes:
            raise RowError(
                index,
                f"needs a {overhead + n}-byte request on its own, over the limit of "
                f"{max_bytes} bytes; shorten it or raise max_batch_bytes",
            )
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

    ``overhead`` is the byte count of everything but the inputs and the one-byte separators
    between them.
    """

    __slots__ = ("_prefix", "_suffix", "overhead")

    def __init__(self, extra: Optional[dict[str, Any]] = None) -> None:
        if extra and "inputs" in extra:
            raise ValueError("a body layout's extra fields must not set 'inputs': its own field")
        body = compact_bytes({"inputs": [], **(extra or {})})
        cut = body.index(b"[") + 1  # "inputs" is the first key: its list opens first
        self._prefix = body[:cut]
        self._suffix = body[cut:]
        self.overhead = len(body)

    def size(self, parts: Sequence[bytes]) -> int:
        """Exact byte length of the body holding ``parts``."""
        return self.overhead + sum(len(p) for p in parts) + max(0, len(parts) - 1)

    def build(self, parts: Sequence[bytes]) -> bytes:
        """The body holding the already-encoded ``parts``."""
        return self._prefix + _SEPARATOR.join(parts) + self._suffix
