"""Bytes to raw Server-Sent Events.

Framing (finding event boundaries across arbitrary chunk splits) comes from sseclient-py; field
parsing is ours because sseclient-py forgets ``id`` between events, ignores ``retry`` and
dispatches an unterminated trailing block when the connection drops mid-event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, Optional

from sseclient import SSEClient

__all__ = ["RawEvent", "iter_sse"]

_TERMINATORS = (b"\n\n", b"\r\r", b"\r\n\r\n")


class RawEvent(NamedTuple):
    """One dispatched SSE event: its type (``event:``, default "message"), the joined ``data:``
    lines, the last ``id:`` seen so far in the stream, and this event's ``retry:`` (ms), if any.
    A block holding only ``retry:`` is dispatched with empty ``event`` and ``data``."""

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
            if line.startswith(b"data:"):  # the hot path: no extra copy of a large payload
                data.append(line[6:] if line[5:6] == b" " else line[5:])
                continue
            if not line or line[0] == 58:  # b":" starts a comment
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
                event.decode("utf-8", "replace") if event else "message",
                (data[0] if len(data) == 1 else b"\n".join(data)).decode("utf-8", "replace"),
                last_id,
                retry,
            )
        elif retry is not None:
            yield RawEvent("", "", last_id, retry)
