"""Bytes to raw Server-Sent Events.

Line ends are made LF first (the SSE format allows CRLF, LF and CR; the API sends LF), so that
framing is one search for blank lines, the same under any chunk split. sseclient-py's framing,
used here before, was not: a CR ending one chunk and the CRLF of a blank line in the next gave
other events than the same bytes in one chunk.

Each chunk is then decoded once, and the events in the API's own shape are sliced from its text
(the hot path); any other block, an event split between chunks, and bytes that are not UTF-8
go through the general field parser, which gives the same events for the same bytes (the
property tests hold the two equal under any bytes and any chunking).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple, Optional

from ..errors import EventTooLargeError, TruncatedStreamError

__all__ = ["DEFAULT_MAX_EVENT_BYTES", "RawEvent", "iter_sse"]


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


def _has_fields(block: bytes) -> bool:
    """Whether an unfinished ``block`` holds more than blank lines and comments: an event cut
    off, rather than the idle end of a stream."""
    return any(line and line[0] != 58 for line in block.splitlines())  # 58 is b":"


def _parse_block(block: bytes, last_id: Optional[str]) -> tuple[Optional[RawEvent], Optional[str]]:
    """The event one complete block (ending in a blank line) dispatches, if any, and the
    stream's last event id after it: the SSE field rules, line by line."""
    event = b""
    data: list[bytes] = []
    retry: Optional[int] = None
    for line in block.splitlines():
        if line.startswith(b"data:"):  # the common field first: no extra copy of a payload
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
        raw = RawEvent(
            event.decode("utf-8", "replace") if event else "message",
            (data[0] if len(data) == 1 else b"\n".join(data)).decode("utf-8", "replace"),
            last_id,
            retry,
        )
        return raw, last_id
    if retry is not None:
        return RawEvent("", "", last_id, retry), last_id
    return None, last_id


def _decoded(chunk: bytes) -> tuple[str, int]:
    """The longest start of ``chunk`` that is valid UTF-8, as text, and its length in bytes
    (short of the chunk's length where a character is split at its end, or invalid)."""
    try:
        return chunk.decode(), len(chunk)
    except UnicodeDecodeError as exc:
        return chunk[: exc.start].decode(), exc.start


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
    limit = max_event_bytes
    carry: list[bytes] = []  # an unfinished block begun in earlier chunks: no blank line in it
    held = 0  # bytes in carry
    for chunk in _lf_line_ends(chunks):
        if carry:
            if chunk[0] == 10 and carry[-1][-1] == 10:  # LF | LF: the block ends at the seam
                start = 1
            else:
                end = _blank_line(chunk)
                if end < 0:
                    held += len(chunk)
                    if held > limit:
                        raise _too_large(limit)
                    carry.append(chunk)
                    continue
                start = end + 2
            if held + start > limit:
                raise _too_large(limit)
            carry.append(chunk[:start])
            raw, last_id = _parse_block(b"".join(carry), last_id)
            carry = []
            if raw is not None:
                yield raw
            chunk = chunk[start:]
        # The chunk is decoded to text once, and whole blocks in the shape the API sends
        # ("event: NAME", an optional "id: ID", one "data: JSON" line, the blank line) are
        # sliced from it: line-end searches only, the hot path. Any other block is parsed field
        # by field.
        text, size = _decoded(chunk)
        chars = limit if text.isascii() else limit // 4  # no event under it can be over limit
        find = text.find
        starts = text.startswith
        at = 0
        while True:
            if starts("event: ", at):
                line = find("\n", at + 7)
                data = line + 1
                event_id: Optional[str] = None
                if starts("id: ", data):
                    id_end = find("\n", data + 4)
                    event_id = text[data + 4 : id_end]
                    data = id_end + 1
                # (data > at: the line ends were found; a miss would search from the start)
                end = find("\n", data + 6) if data > at and starts("data: ", data) else -1
                if end > 0 and starts("\n", end + 1) and (event_id is None or "\0" not in event_id):
                    if end + 2 - at > chars and len(text[at : end + 2].encode()) > limit:
                        raise _too_large(limit)
                    if event_id is not None:
                        last_id = event_id
                    yield RawEvent(text[at + 7 : line] or "message", text[data + 6 : end], last_id)
                    at = end + 2
                    continue
            end = find("\n\n", at)
            if end < 0:
                break
            block = text[at : end + 2].encode()
            if len(block) > limit:
                raise _too_large(limit)
            raw, last_id = _parse_block(block, last_id)
            if raw is not None:
                yield raw
            at = end + 2
        # What is left is an unfinished block, then any bytes that are not UTF-8 (the same
        # bytes: text decoded strictly encodes back to them).
        if at == len(text) and size == len(chunk):
            continue
        rest = text[at:].encode() + chunk[size:] if at or size < len(chunk) else chunk
        start = 0
        end = _blank_line(rest)
        while end >= 0:
            if end + 2 - start > limit:
                raise _too_large(limit)
            raw, last_id = _parse_block(rest[start : end + 2], last_id)
            if raw is not None:
                yield raw
            start = end + 2
            end = _blank_line(rest, start)
        held = len(rest) - start
        if held > limit:
            raise _too_large(limit)
        if held:
            carry.append(rest[start:] if start else rest)
    if carry and strict_end and _has_fields(b"".join(carry)):
        raise TruncatedStreamError(
            f"the stream ended in the middle of an event after id {last_id or '<none>'}",
            event_id=last_id,
        )
