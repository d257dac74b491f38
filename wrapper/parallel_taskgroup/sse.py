"""Bytes to raw Server-Sent Events.

Framing (finding event boundaries across arbitrary chunk splits) comes from sseclient-py; field
parsing is ours because sseclient-py forgets ``id`` between events, ignores ``retry`` and
dispatches an unterminated trailing block when the connection drops mid-event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Optional

import attrs
from sseclient import SSEClient

__all__ = ["RawEvent", "iter_sse"]

_TERMINATORS = (b"\n\n", b"\r\r", b"\r\n\r\n")


@attrs.frozen(slots=True)
class RawEvent:
    """One dispatched SSE event: its type (``event:``, default "message"), the joined ``data:``
    lines, the last ``id:`` seen so far in the stream, and this event's ``retry:`` (ms), if any."""

    event: str
    data: str
    id: Optional[str] = None
    retry: Optional[int] = None


def _blocks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """sseclient-py's event-block framing, without its field parser."""
    client: Any = SSEClient(chunks)  # type: ignore[arg-type, unused-ignore]
    blocks: Iterator[bytes] = client._read()
    return blocks


def iter_sse(chunks: Iterable[bytes], *, last_id: Optional[str] = None) -> Iterator[RawEvent]:
    """Parse a byte stream into events. An unterminated block at the end (the connection broke
    mid-event) is dropped, never dispatched half-read. ``last_id`` seeds the SSE ``id`` state."""
    for block in _blocks(chunks):
        if not block.endswith(_TERMINATORS):
            return
        event = b""
        data: list[bytes] = []
        retry: Optional[int] = None
        for line in block.splitlines():
            if not line or line[:1] == b":":
                continue
            name, _, value = line.partition(b":")
            if value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                data.append(value)
            elif name == b"event":
                event = value
            elif name == b"id":
                if b"\0" not in value:
                    last_id = value.decode("utf-8", "replace")
            elif name == b"retry" and value.isdigit():
                retry = int(value)
        if data:
            yield RawEvent(
                event.decode("utf-8", "replace") or "message",
                b"\n".join(data).decode("utf-8", "replace"),
                last_id,
                retry,
            )
        elif retry is not None:
            yield RawEvent("", "", last_id, retry)
