"""Bytes to raw Server-Sent Events.

Line ends are made LF first (the SSE format allows CRLF, LF and CR; the API sends LF), so that
framing is one search for blank lines, the same under any chunk split. sseclient-py's framing,
used here before, was not: a CR ending one chunk and the CRLF of a blank line in the next gave
other events than the same bytes in one chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple, Optional

from ..errors import EventTooLargeError, TruncatedStreamError

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "RawEvent", "iter_sse"]

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


def _blank_line(chunk: bytes, start: int = 0) -> int:
    """Where the first blank line (LF LF) at or after ``start`` begins, or -1: what
    ``chunk.find`` of those two bytes says. It steps from line end to line end because a
    search for one byte is a memchr, many times faster than a search for two, and an event
    has only a few line ends."""
    find = chunk.find
    at = find(b"\n", start)
    while at >= 0:
        if chunk[at + 1 : at + 2] == b"\n":
            return at
        at = find(b"\n", at + 1)
    return -1


def _lf_line_ends(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` with every CRLF and lone CR made LF, also a CRLF split between two chunks;
    chunks without CR pass untouched."""
    after_cr = False
    for chunk in chunks:
        if not chunk:
            continue
        if after_cr and chunk[0] == 10:  # the LF of a CRLF whose CR ended the last chunk
            chunk = chunk[1:]
        after_cr = False
        if b"\r" in chunk:
            after_cr = chunk[-1] == 13
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if chunk:
            yield chunk


def _blocks(chunks: Iterable[bytes], limit: int = DEFAULT_MAX_EVENT_BYTES) -> Iterator[bytes]:
    """The stream's event blocks, each ending at the first blank line after the one before (the
    last may be unfinished), holding at most ``limit`` bytes of an unfinished block
    (EventTooLargeError past it). Each block is one slice of its chunk, unless it spans
    chunks."""
    pending: list[bytes] = []  # the unfinished block: no blank line in it
    held = 0  # bytes in pending
    for chunk in _lf_line_ends(chunks):
        start = 0
        if pending:
            if chunk[0] == 10 and pending[-1][-1] == 10:  # LF | LF: the block ends at the seam
                start = 1
            else:
                end = _blank_line(chunk)
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
        end = _blank_line(chunk, start)
        while end >= 0:
            if end + 2 - start > limit:
                raise _too_large(limit)
            yield chunk[start : end + 2]
            start = end + 2
            end = _blank_line(chunk, start)
        if start < len(chunk):
            pending.append(chunk[start:] if start else chunk)
            held = len(chunk) - start
            if held > limit:
                raise _too_large(limit)
    if pending:
        yield b"".join(pending)


def _has_fields(block: bytes) -> bool:
    return any(line and line[0] != 58 for line in block.splitlines())  # 58 is b":"


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
        # The shape the API sends, inline (the hot path, byte searches only): "event: NAME",
        # an optional "id: ID", one "data: JSON" line, the blank line. Any other block goes
        # through the general field parser below.
        if block.startswith(b"event: ") and block.endswith(b"\n\n"):
            name_end = block.find(b"\n", 7)
            start = name_end + 1
            event_id: Optional[bytes] = None
            if block.startswith(b"id: ", start):
                id_end = block.find(b"\n", start + 4)
                event_id = block[start + 4 : id_end]
                start = id_end + 1
            if (
                block.startswith(b"data: ", start)
                and block.find(b"\n", start) == len(block) - 2
                and (event_id is None or b"\0" not in event_id)
            ):
                if event_id is not None:
                    last_id = event_id.decode("utf-8", "replace")
                name = block[7:name_end]
                yield RawEvent(
                    names.get(name) or name.decode("utf-8", "replace") or "message",
                    block[start + 6 : -2].decode("utf-8", "replace"),
                    last_id,
                )
                continue
        if not block.endswith(b"\n\n"):
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
