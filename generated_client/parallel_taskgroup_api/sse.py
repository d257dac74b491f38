"""Server-sent events (`text/event-stream`) of the streaming operations.

- `iter_events` frames a body, read in chunks of any size, into events as the WHATWG HTML
  standard says: lines end with CRLF, LF or CR; `data:` lines are joined with LF; the `id:` is
  kept from event to event; comments (`:` lines), `retry:` and unknown fields are skipped. One
  difference: a body that ends inside an event raises `errors.TruncatedStream` instead of
  silently dropping the half event (a trailing comment or blank line is not an event).
- `parse_json_event` types one event by its JSON `type` (its SSE `event:` name when the JSON
  has none) with the operation's table of models; a type not in the table is returned as the
  decoded JSON object (a dict), so a new upstream event type never stops a stream.
- `EventStream` is what every streaming operation's `stream()` returns: the response's typed
  events, read as they arrive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from types import TracebackType
from typing import Any, Callable, Generic, NamedTuple, Optional, TypeVar, Union

from . import errors
from .client import AuthenticatedClient, Client

T = TypeVar("T")

_BOM = b"\xef\xbb\xbf"
_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


class ServerSentEvent(NamedTuple):
    """One dispatched event: its `event:` name ("message" when none), its joined `data:` lines,
    and the last `id:` seen in the stream up to it (None before any)."""

    event: str
    data: str
    id: Optional[str] = None


class _Framer:
    """The field state between two blank lines."""

    def __init__(self, last_event_id: Optional[str]) -> None:
        self.last_event_id = last_event_id
        self.event = ""
        self.data: list[str] = []
        self.open = False  # a field line seen since the last dispatch

    def line(self, line: bytes) -> Optional[ServerSentEvent]:
        """Take one line (without its terminator); the event when the line dispatches one."""
        if not line:
            event = None
            if self.data:
                kind = self.event or "message"
                event = ServerSentEvent(kind, "\n".join(self.data), self.last_event_id)
            self.event, self.data, self.open = "", [], False
            return event
        if line[:1] == b":":
            return None
        name, _, value = line.partition(b":")
        if value[:1] == b" ":
            value = value[1:]
        self.open = True
        if name == b"data":
            self.data.append(value.decode("utf-8", "replace"))
        elif name == b"event":
            self.event = value.decode("utf-8", "replace")
        elif name == b"id" and b"\0" not in value:
            self.last_event_id = value.decode("utf-8", "replace")
        return None

    def truncated(self) -> errors.TruncatedStream:
        return errors.TruncatedStream(
            "the stream ended in the middle of an event (last event id: "
            f"{self.last_event_id or '<none>'})",
            last_event_id=self.last_event_id,
        )


def iter_events(
    chunks: Iterable[bytes], last_event_id: Optional[str] = None
) -> Iterator[ServerSentEvent]:
    """The events of a body given in chunks of any size. `last_event_id` seeds the `id` state.

    Raises:
        errors.TruncatedStream: the body ended inside an event (after a field line, or in the
            middle of one); every complete event before it has been yielded.
    """
    framer = _Framer(last_event_id)
    pending: list[bytes] = []  # the unfinished last line, in pieces
    started = False
    for chunk in chunks:
        if not chunk:
            continue
        if b"\n" not in chunk and b"\r" not in chunk:
            pending.append(chunk)
            continue
        buffer = b"".join(pending) + chunk if pending else chunk
        if not started:
            started = True
            buffer = buffer[len(_BOM) :] if buffer.startswith(_BOM) else buffer
        lines = buffer.splitlines(keepends=True)
        # Hold back an unterminated line, and a lone CR that may be half of a CRLF.
        pending = [] if lines[-1].endswith(b"\n") else [lines.pop()]
        for line in lines:
            event = framer.line(line.rstrip(b"\r\n"))
            if event is not None:
                yield event
    rest = b"".join(pending)
    if not started and rest.startswith(_BOM):
        rest = rest[len(_BOM) :]
    lines = rest.splitlines(keepends=True)
    tail = lines.pop() if lines and not lines[-1].endswith((b"\n", b"\r")) else b""
    for line in lines:
        event = framer.line(line.rstrip(b"\r\n"))
        if event is not None:
            yield event
    if framer.open or (tail and tail[:1] != b":"):
        raise framer.truncated()


def decode_json(event: ServerSentEvent) -> Any:
    """The event's data as JSON (any JSON value).

    Raises:
        errors.InvalidEvent: the data is not JSON.
    """
    try:
        return json.loads(event.data)
    except (ValueError, RecursionError):
        raise _invalid(event, None, f"data is not JSON: {event.data[:120]!r}") from None


def decode_json_object(event: ServerSentEvent) -> dict[str, Any]:
    """The event's data as a JSON object.

    Raises:
        errors.InvalidEvent: the data is not JSON, or not an object.
    """
    payload = decode_json(event)
    if not isinstance(payload, dict):
        raise _invalid(event, None, f"data is not a JSON object: {event.data[:120]!r}")
    return payload


def invalid_event(event: ServerSentEvent, exc: Exception) -> errors.InvalidEvent:
    """The error for an event whose payload does not match the model of its type."""
    try:
        payload = json.loads(event.data)
    except (ValueError, RecursionError):
        payload = None
    return _invalid(
        event,
        payload,
        f"does not match the API schema ({type(exc).__name__}: {exc}); data: {event.data[:200]!r}",
    )


def _invalid(event: ServerSentEvent, payload: Any, why: str) -> errors.InvalidEvent:
    event_id = event_id_of(payload) or event.id
    return errors.InvalidEvent(
        f"{event.event!r} event {event_id or '<no id>'}: {why}", event=event, event_id=event_id
    )


def parse_json_event(
    event: ServerSentEvent,
    key: str,
    models: Mapping[str, Callable[[Mapping[str, Any]], T]],
) -> Union[T, dict[str, Any]]:
    """The event's JSON data parsed by the model its `key` field names (the SSE event name
    when the data has no such field); a value `models` does not know gives the plain dict.

    Raises:
        errors.InvalidEvent: the data is not a JSON object, or does not match its model.
    """
    payload = decode_json_object(event)
    tag = payload.get(key, event.event)
    parse = models.get(tag) if isinstance(tag, str) else None
    if parse is None:
        return payload
    try:
        return parse(payload)
    except _PARSE_ERRORS as exc:
        raise invalid_event(event, exc) from exc


class EventStream(Generic[T]):
    """The typed events of one streaming response, read as they arrive.

    Each streaming operation's `stream()` returns one. The request is sent at once: a status
    other than 200 raises `errors.StreamStatusError` (its `parsed` is the typed error body when
    the operation documents that status) before any event is read. Iterating yields each
    event as its operation's `parse_event` types it. An event that does not parse raises
    `errors.InvalidEvent` for that event only: `next()` goes on with the next one. The response
    is closed at the end of the body, when it breaks or is cut (`errors.TruncatedStream`), and
    by `close()` or leaving a `with` block: close a stream you leave early, or its connection
    stays open until the stream is garbage-collected.

    Attributes:
        response: the `httpx.Response` being read.
        last_event_id: the id of the last event read that had one (its JSON `event_id`, else
            its SSE `id:`; None before any): pass it as the operation's `last_event_id`, when
            it has one, to resume after that event.
    """

    def __init__(
        self,
        client: Union[AuthenticatedClient, Client],
        request: Mapping[str, Any],
        parse_event: Callable[[ServerSentEvent], T],
        parse_response: Callable[..., object],
    ) -> None:
        kwargs = dict(request)
        kwargs["headers"] = {"Accept": "text/event-stream", **(request.get("headers") or {})}
        self._exit = ExitStack()
        self.response = self._exit.enter_context(client.get_httpx_client().stream(**kwargs))
        self.last_event_id: Optional[str] = None
        self._parse_event = parse_event
        try:
            if self.response.status_code != 200:
                self.response.read()
                raise errors.StreamStatusError(
                    self.response.status_code,
                    self.response.content,
                    _typed_body(client, self.response, parse_response),
                )
        except BaseException:
            self._exit.close()
            raise
        self._events = iter_events(self.response.iter_bytes())

    def __iter__(self) -> EventStream[T]:
        return self

    def __next__(self) -> T:
        try:
            event = next(self._events)
        except BaseException:  # the end of the body, a cut body, a broken connection
            self.close()
            raise
        parsed = self._parse_event(event)
        self.last_event_id = event_id_of(parsed) or event.id or self.last_event_id
        return parsed

    def close(self) -> None:
        """Stop reading and close the response."""
        self._exit.close()

    def __enter__(self) -> EventStream[T]:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()


def event_id_of(event: object) -> Optional[str]:
    """The `event_id` a typed event (or an unknown event's dict) carries, if it is a non-empty
    string."""
    value = event.get("event_id") if isinstance(event, dict) else getattr(event, "event_id", None)
    return value if isinstance(value, str) and value else None


def _typed_body(
    client: Union[AuthenticatedClient, Client],
    response: Any,
    parse_response: Callable[..., object],
) -> object:
    try:
        return parse_response(client=client, response=response)
    except (*_PARSE_ERRORS, errors.UnexpectedStatus):
        return None
