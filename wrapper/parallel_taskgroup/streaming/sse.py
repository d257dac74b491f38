"""Bytes to raw Server-Sent Events.

Framing (finding event boundaries across arbitrary chunk splits) is sseclient-py's, with a fast
path for LF-only streams that gives the same blocks; field parsing is ours because sseclient-py
forgets ``id`` between events, ignores ``retry`` and dispatches an unterminated trailing block
when the connection drops mid-event.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, Optional

from sseclient import SSEClient

from ..errors import EventTooLargeError, TruncatedStreamError

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "RawEvent", "iter_sse"]

_TERMINATORS = (b"\n\n", b"\r\r", b"\r\n\r\n")
_EVENT_NAMES = {
    name.encode(): name for name in ("task_run.state", "task_group_status", "error", "message")
}


class RawEvent(NamedTuple):
    """One dispatched SSE event: its type (``event:``, default "message"), the joined ``data:``
    lines, the last ``id:`` seen so far in the stream, and this event's ``retry:`` (ms), if any.
    A block holding only ``retry:`` is dispatched with empty ``event`` and ``data``."""

    event: str
    data: str
    id: Optional[str] = None
    retry: Optional[int] = None


DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024
"""The largest single stream event read (a run with its input and output is far smaller)."""


def _too_large(limit: int) -> EventTooLargeError:
    return EventTooLargeError(
        f"a stream event is larger than {limit:,} bytes; reading stopped there (raise "
        "Client(max_event_bytes=...) if this server's events are really that large)"
    )


def _blocks(chunks: Iterable[bytes], limit: int = DEFAULT_MAX_EVENT_BYTES) -> Iterator[bytes]:
    """sseclient-py's event-block framing (without its field parser), block for block, holding
    at most ``limit`` bytes of an unfinished block (EventTooLargeError past it).

    While the stream holds no CR (the API's LF-only wire), a block ends at the first blank line
    (LF LF) after the previous block: found with one byte search per block, each block one
    slice of its chunk, instead of sseclient-py's copy of every line. From the first chunk that
    holds a CR on, sseclient-py itself frames the rest (its state is the unfinished block,
    handed over in front of that chunk).
    """
    it = iter(chunks)
    pending: list[bytes] = []  # the unfinished block: no blank line and no CR in it
    held = 0  # bytes in pending
    for chunk in it:
        if not chunk:
            continue
        if b"\r" in chunk:
            yield from _framed_by_sseclient(
                itertools.chain((b"".join(pending) + chunk,), it), limit
            )
            return
        start = 0
        if pending:
            if chunk[0] == 10 and pending[-1][-1] == 10:  # LF | LF: the block ends at the seam
                start = 1
            else:
                end = chunk.find(b"\n\n")
                if end < 0:
                    held += len(chunk)
                    if held > limit:
                        raise _too_large(limit)
                    pending.append(chunk)
                    continue
                start = end + 2
            if held + start > limit:
                raise _too_large(limit)
            pending.append(chunk[:start])
            yield b"".join(pending)
            pending = []
            held = 0
        find = chunk.find
        end = find(b"\n\n", start)
        while end >= 0:
            if end + 2 - start > limit:
                raise _too_large(limit)
            yield chunk[start : end + 2]
            start = end + 2
            end = find(b"\n\n", start)
        if start < len(chunk):
            pending.append(chunk[start:] if start else chunk)
            held = len(chunk) - start
            if held > limit:
                raise _too_large(limit)
    if pending:
        yield b"".join(pending)


def _framed_by_sseclient(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """sseclient-py's framing of ``chunks``, stopped once it holds more than ``limit`` bytes
    of one unfinished block."""
    fed = 0
    out = 0

    def counted() -> Iterator[bytes]:
        nonlocal fed
        for chunk in chunks:
            fed += len(chunk)
            if fed - out > limit:
                raise _too_large(limit)
            yield chunk

    client: Any = SSEClient(counted())  # type: ignore[arg-type, unused-ignore]
    framed: Iterator[bytes] = client._read()
    for block in framed:
        out += len(block)
        yield block


def _has_fields(block: bytes) -> bool:
    return any(line and line[0] != 58 for line in block.splitlines())  # 58 is b":"


def _canonical_fields(block: bytes) -> Optional[tuple[bytes, Optional[bytes], bytes]]:
    """(event, id, data) of a block in the shape the API always sends: optional ``event: ``
    and ``id: `` lines, then one ``data: `` line, LF endings. None for any other block, which
    then goes through the general field parser. Byte searches only: this is the hot path."""
    if not block.startswith(b"event: ") or not block.endswith(b"\n\n") or b"\r" in block:
        return None
    end = block.find(b"\n", 7)
    event = block[7:end]
    start = end + 1
    event_id: Optional[bytes] = None
    if block.startswith(b"id: ", start):
        end = block.find(b"\n", start + 4)
        event_id = block[start + 4 : end]
        if b"\0" in event_id:
            return None
        start = end + 1
    if not block.startswith(b"data: ", start) or block.find(b"\n", start) != len(block) - 2:
        return None
    return event, event_id, block[start + 6 : -2]


def iter_sse(
    chunks: Iterable[bytes],
    *,
    last_id: Optional[str] = None,
    strict_end: bool = False,
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
) -> Iterator[RawEvent]:
    """Parse a byte stream into events. ``last_id`` seeds the SSE ``id`` state.

    An unterminated block at the end (the body stopped mid-event) is never dispatched half-read:
    it is dropped, or with ``strict_end`` raises TruncatedStreamError so that the caller can
    resume (a trailing blank line or comment is not an event and passes either way). An event
    over ``max_event_bytes`` raises EventTooLargeError before more of it is held."""
    names = _EVENT_NAMES
    for block in _blocks(chunks, max_event_bytes):
        # The documented wire, inline: "event: NAME\ndata: JSON\n\n" (LF only, no id line).
        if block.startswith(b"event: ") and block.endswith(b"\n\n") and b"\r" not in block:
            end = block.find(b"\n", 7)
            if (
                block.startswith(b"data: ", end + 1)
                and block.find(b"\n", end + 1) == len(block) - 2
            ):
                name = block[7:end]
                yield RawEvent(
                    names.get(name) or name.decode("utf-8", "replace") or "message",
                    block[end + 7 : -2].decode("utf-8", "replace"),
                    last_id,
                )
                continue
        fields = _canonical_fields(block)
        if fields is not None:
            event_name, event_id, payload = fields
            if event_id is not None:
                last_id = event_id.decode("utf-8", "replace")
            yield RawEvent(
                event_name.decode("utf-8", "replace") or "message",
                payload.decode("utf-8", "replace"),
                last_id,
            )
            continue
        if not block.endswith(_TERMINATORS):
            if strict_end and _has_fields(block):
                raise TruncatedStreamError(
                    f"the stream ended in the middle of an event after id {last_id or '<none>'}",
                    event_id=last_id,
                )
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
