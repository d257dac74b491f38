"""Typed errors raised by the wrapper.

Every error carries ``message``, ``status_code`` (``None`` when no HTTP response was involved) and
the server's ``ref_id`` when it sent one. Errors never hold the request, its headers or the API key.
"""

from __future__ import annotations

import json
import math
from typing import Any, Optional

from parallel_taskgroup_api.models import ValidationError as ValidationDetail

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "CursorStoreError",
    "DeadlineExceeded",
    "InsecureTransportError",
    "NotFoundError",
    "ParallelError",
    "RateLimitError",
    "RedirectError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "ServerError",
    "StreamError",
    "TruncatedStreamError",
    "StreamNotSupportedError",
    "ValidationDetail",
    "ValidationError",
    "error_from_response",
]

_BODY_EXCERPT = 300


class ParallelError(Exception):
    """Base class of every error raised by ``parallel_taskgroup``."""

    def __init__(
        self, message: str, *, status_code: Optional[int] = None, ref_id: Optional[str] = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.ref_id = ref_id

    def __str__(self) -> str:
        parts = []
        if self.status_code is not None:
            parts.append(f"HTTP {self.status_code}: ")
        parts.append(self.message)
        if self.ref_id:
            parts.append(f" (ref_id {self.ref_id})")
        return "".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status_code={self.status_code!r}, "
            f"ref_id={self.ref_id!r})"
        )


class ConfigurationError(ParallelError, ValueError):
    """The client was configured wrongly (missing key, unknown API version, bad base URL)."""


class InsecureTransportError(ConfigurationError):
    """Refused to send the API key over plain http:// to a host that is not loopback."""


class APIStatusError(ParallelError):
    """The server answered with an error status."""

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        ref_id: Optional[str] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message, status_code=status_code, ref_id=ref_id)
        self.method = method
        self.url = url
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    """400: the request was malformed."""


class AuthenticationError(APIStatusError):
    """401/403: the API key is missing, wrong or not allowed to do this."""


class NotFoundError(APIStatusError):
    """404: no such group, run or path."""


class RequestTimeoutError(APIStatusError):
    """408: the server gave up waiting (e.g. a run result that is not ready yet)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""


class ValidationError(APIStatusError):
    """422: the server rejected the request body or parameters; see ``details``."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 422,
        ref_id: Optional[str] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
        details: Optional[list[ValidationDetail]] = None,
    ) -> None:
        super().__init__(message, status_code=status_code, ref_id=ref_id, method=method, url=url)
        self.details: list[ValidationDetail] = details or []


class RateLimitError(APIStatusError):
    """429: over the account's rate limit; ``retry_after`` is the server's hint in seconds."""


class ServerError(APIStatusError):
    """5xx: the server failed."""


class RedirectError(APIStatusError):
    """The server redirected to another host; the key is never sent there."""


class APIConnectionError(ParallelError):
    """The server could not be reached or the connection broke.

    ``maybe_sent`` is False only when the connection was never established, so the server
    certainly did not see the request.
    """

    def __init__(self, message: str, *, maybe_sent: bool = True) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class APITimeoutError(APIConnectionError):
    """The request timed out on the client side."""


class ResponseFormatError(ParallelError):
    """A successful response did not have the shape the API specifies."""


class StreamError(ParallelError):
    """An event stream delivered something that cannot be understood, or an error event."""

    def __init__(
        self,
        message: str,
        *,
        event_id: Optional[str] = None,
        status_code: Optional[int] = None,
        ref_id: Optional[str] = None,
    ) -> None:
        super().__init__(message, status_code=status_code, ref_id=ref_id)
        self.event_id = event_id


class TruncatedStreamError(StreamError):
    """A stream's body ended in the middle of an event (a faulty server or proxy). Resumable
    streams reconnect from their cursor; the half-received event is never delivered."""


class CursorStoreError(ParallelError):
    """A cursor store cannot be read or written."""


class StreamNotSupportedError(ParallelError):
    """The server does not offer an event stream here (404/405 or not text/event-stream)."""


class DeadlineExceeded(ParallelError, TimeoutError):
    """A caller-given deadline passed before the operation finished."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    408: RequestTimeoutError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds from a ``Retry-After`` header (seconds or HTTP date); ``None`` if absent/bad
    (including ``inf``/``nan``, which no server means)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    import datetime as _dt

    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())


def _describe_details(details: list[ValidationDetail]) -> str:
    parts = []
    for d in details[:5]:
        loc = ".".join(str(p) for p in d.loc)
        parts.append(f"{loc}: {d.msg}" if loc else d.msg)
    more = len(details) - 5
    if more > 0:
        parts.append(f"... and {more} more")
    return "; ".join(parts)


def error_from_response(
    status_code: int,
    body: bytes,
    *,
    headers: Optional[dict[str, str]] = None,
    method: Optional[str] = None,
    url: Optional[str] = None,
) -> APIStatusError:
    """The typed error for an HTTP error response (JSON ``ErrorResponse``, 422, or any body)."""
    headers = headers or {}
    where = f" ({method} {url})" if method and url else ""
    message: Optional[str] = None
    ref_id: Optional[str] = None
    details: list[ValidationDetail] = []
    payload: Any = None
    try:
        payload = json.loads(body) if body else None
    except (ValueError, RecursionError):
        payload = None
    if isinstance(payload, dict):
        err = payload.get("error")
        if isinstance(err, dict):
            if isinstance(err.get("message"), str):
                message = err["message"]
            if isinstance(err.get("ref_id"), str):
                ref_id = err["ref_id"]
        raw_detail = payload.get("detail")
        if isinstance(raw_detail, list):
            for item in raw_detail:
                try:
                    details.append(ValidationDetail.from_dict(item))
                except (TypeError, ValueError, KeyError, AttributeError):
                    continue
            if message is None and details:
                message = "request rejected: " + _describe_details(details)
        elif isinstance(raw_detail, str) and message is None:
            message = raw_detail
    if message is None:
        text = body[:_BODY_EXCERPT].decode("utf-8", "replace").strip()
        content_type = headers.get("content-type", "unknown content type")
        message = f"unexpected {content_type} error body: {text!r}" if text else "empty error body"
    message += where
    cls: type[APIStatusError]
    if status_code in _STATUS_CLASSES:
        cls = _STATUS_CLASSES[status_code]
    elif status_code >= 500:
        cls = ServerError
    else:
        cls = APIStatusError
    if cls is ValidationError:
        return ValidationError(
            message, status_code=status_code, ref_id=ref_id, method=method, url=url, details=details
        )
    return cls(
        message,
        status_code=status_code,
        ref_id=ref_id,
        method=method,
        url=url,
        retry_after=parse_retry_after(headers.get("retry-after")),
    )
