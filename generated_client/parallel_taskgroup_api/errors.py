"""Contains shared errors types that can be raised from API functions"""

from __future__ import annotations

from typing import Any, Optional


class UnexpectedStatus(Exception):
    """Raised by api functions when the response status an undocumented status and Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Unexpected status code: {status_code}\n\nResponse content:\n{content.decode(errors='ignore')}"
        )


class StreamError(Exception):
    """A streaming operation's response could not be read as its typed events."""


class StreamStatusError(UnexpectedStatus, StreamError):
    """A streaming operation (`stream()`) answered with a status other than 200, documented or
    not, whatever Client.raise_on_unexpected_status says. `parsed` is the typed body when the
    operation documents that status (e.g. an ErrorResponse), else None."""

    def __init__(self, status_code: int, content: bytes, parsed: Any = None):
        super().__init__(status_code, content)
        self.parsed = parsed


class TruncatedStream(StreamError):
    """The body ended in the middle of an event; that event was not yielded. `last_event_id`
    is the SSE id of the last complete event (None if none had one): resume after it."""

    def __init__(self, message: str, last_event_id: Optional[str] = None):
        super().__init__(message)
        self.last_event_id = last_event_id


class InvalidEvent(StreamError):
    """An event's data is not a JSON object, or is of a known type but does not match that
    type's model. `event` is the raw event (an `sse.ServerSentEvent`); `event_id` its id (its
    JSON `event_id`, else its SSE `id:`), to resume after it. A stream goes on after it."""

    def __init__(self, message: str, event: Any = None, event_id: Optional[str] = None):
        super().__init__(message)
        self.event = event
        self.event_id = event_id


__all__ = [
    "InvalidEvent",
    "StreamError",
    "StreamStatusError",
    "TruncatedStream",
    "UnexpectedStatus",
]
