"""The transport core every request goes through.

It holds the API key (never shown), the base URL and the ``v1beta`` path mapping, follows
same-origin redirects only, bounds the size of every body it reads, retries what the client's
:class:`~._retry.RetryPolicy` allows, and turns every failure into a typed error from
:mod:`.errors`. It carries the client's :class:`~._clock.Clock` and wait hook to the layers
above, which never build their own.
"""

from __future__ import annotations

import copy
import datetime
import email.utils
import ipaddress
import json
import logging
import math
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Callable, Literal, Optional, TypeVar, Union

import httpx
from parallel_taskgroup_api.client import Client as GeneratedClient
from parallel_taskgroup_api.errors import UnexpectedStatus
from parallel_taskgroup_api.models import ValidationError as ValidationDetail

from . import errors
from ._clock import Clock, WaitHook
from ._retry import RetryPolicy
from ._version import __version__

__all__ = [
    "API_VERSIONS",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_SUBMIT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "LONG_WAIT_SECONDS",
    "ApiVersion",
    "HttpCore",
    "error_from_response",
    "parse_retry_after",
]

DEFAULT_BASE_URL = "https://api.parallel.ai"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""The largest answer body read (a run's result with its basis is far smaller)."""
DEFAULT_SUBMIT_TIMEOUT = 60.0
LONG_WAIT_SECONDS = 10.0
"""A retry wait at least this long is logged as a warning, not as info."""
"""The longest one add-runs POST may take, start to answer."""
USER_AGENT = f"parallel-taskgroup/{__version__}"
ApiVersion = Literal["v1", "v1beta"]
API_VERSIONS: tuple[ApiVersion, ...] = ("v1", "v1beta")

_GROUPS_PATH = "/v1/tasks/groups"
_MAX_REDIRECTS = 5
_BODY_EXCERPT = 300

log = logging.getLogger("parallel_taskgroup")

T = TypeVar("T")


class _Secret:
    """Holds the API key so that no repr, vars() dump or log of the client shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


def _check_key(raw: Optional[str]) -> _Secret:
    key = (raw or "").strip()
    if not key:
        raise errors.ConfigurationError(
            "no API key: pass Client(api_key=...) or set the PARALLEL_API_KEY environment variable"
        )
    if not all(33 <= ord(c) < 127 for c in key):
        raise errors.ConfigurationError(
            "the API key contains spaces, control or non-ASCII characters; "
            "check PARALLEL_API_KEY for stray quotes or line breaks"
        )
    return _Secret(key)


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(raw: str, allow_insecure_http: bool) -> httpx.URL:
    try:
        url = httpx.URL(raw.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise errors.ConfigurationError(f"base_url {raw!r} is not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise errors.ConfigurationError(
            f"base_url {raw!r} must be an absolute http:// or https:// URL, "
            "e.g. https://api.parallel.ai"
        )
    if url.username or url.password:
        raise errors.ConfigurationError("base_url must not contain credentials")
    last = url.path.rstrip("/").rsplit("/", 1)[-1]
    if last in API_VERSIONS:
        bare = str(url.copy_with(path=url.path.rstrip("/")[: -len(last) - 1] or "/")).rstrip("/")
        raise errors.ConfigurationError(
            f"base_url {raw!r} ends with the API version /{last}; the client adds the version "
            f"to every path itself: use {bare}"
        )
    if url.scheme == "http" and not _is_loopback(url.host) and not allow_insecure_http:
        raise errors.InsecureTransportError(
            f"refusing to send the API key over plain http:// to {url.host}: use https://, "
            "or pass allow_insecure_http=True if this network is trusted"
        )
    return url


def check_version(version: str) -> ApiVersion:
    """``version`` normalised, or ConfigurationError naming the choices."""
    v = version.strip().lower()
    for known in API_VERSIONS:
        if v == known:
            return known
    raise errors.ConfigurationError(
        f"unknown API version {version!r}: use one of {', '.join(API_VERSIONS)} "
        "(argument api_version or env PARALLEL_API_VERSION)"
    )


def map_path(path: str, version: ApiVersion) -> str:
    """The path to send for a ``/v1/...`` path: only task-group paths move under ``v1beta``;
    run paths (``/v1/tasks/runs``) stay ``/v1``."""
    if version == "v1beta" and (path == _GROUPS_PATH or path.startswith(_GROUPS_PATH + "/")):
        return "/v1beta" + path[3:]
    return path


def _origin(url: httpx.URL) -> tuple[str, str, Optional[int]]:
    return (url.scheme, url.host, url.port)


# -- error responses ---------------------------------------------------------------------------


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds from a ``Retry-After`` header (seconds or HTTP date); ``None`` if absent or not
    a finite time (``inf``/``nan`` mean nothing a server would send)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds())


def _describe_details(details: list[ValidationDetail]) -> str:
    """The problems of a 422, each named once: a problem that every input of a batch shares
    (an unknown processor, a task spec over its limits) says how many inputs it concerns."""
    where: dict[str, list[str]] = {}
    inputs: dict[str, set[str]] = {}  # the inputs (their index) each problem concerns
    for d in details:
        path = [str(p) for p in d.loc] if isinstance(d.loc, list) else []
        where.setdefault(d.msg, []).append(".".join(path))
        if path[:2] == ["body", "inputs"] and len(path) > 2:
            inputs.setdefault(d.msg, set()).add(path[2])
    parts = []
    for msg, locs in list(where.items())[:5]:
        first = f"{locs[0]}: {msg}" if locs[0] else msg
        others = len(inputs.get(msg, ())) - 1
        if others > 0:
            parts.append(f"{first} (and {others} more input{'s' if others != 1 else ''})")
        else:
            parts.append(first)
    if len(where) > 5:
        parts.append(f"... and {len(where) - 5} more problems")
    return "; ".join(parts)


_STATUS_CLASSES: dict[int, type[errors.APIStatusError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    402: errors.PaymentRequiredError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    408: errors.RequestTimeoutError,
    409: errors.ConflictError,
    422: errors.ValidationError,
    429: errors.RateLimitError,
}


def error_from_response(
    status_code: int,
    body: bytes,
    *,
    headers: Optional[Mapping[str, str]] = None,
    method: Optional[str] = None,
    url: Optional[str] = None,
) -> errors.APIStatusError:
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
    cls: type[errors.APIStatusError]
    if status_code in _STATUS_CLASSES:
        cls = _STATUS_CLASSES[status_code]
    elif status_code >= 500:
        cls = errors.ServerError
    else:
        cls = errors.APIStatusError
    if cls is errors.ValidationError:
        return errors.ValidationError(
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


# -- the core ----------------------------------------------------------------------------------


class _Capped(httpx.SyncByteStream):
    """A response body that raises ResponseTooLargeError past ``limit`` bytes (before holding
    more than that). ``where`` names the request, only when it is needed (parsing its URL again
    costs more than reading a small answer)."""

    def __init__(self, stream: httpx.SyncByteStream, limit: int, where: Callable[[], str]) -> None:
        self._stream = stream
        self._limit = limit
        self._where = where

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self._stream:
            seen += len(chunk)
            if seen > self._limit:
                raise _too_large(self._where(), self._limit)
            yield chunk

    def close(self) -> None:
        self._stream.close()


def _too_large(where: str, limit: int) -> errors.ResponseTooLargeError:
    return errors.ResponseTooLargeError(
        f"{where} answered with a body over {limit:,} bytes; nothing the API documents is that "
        "large (raise Client(max_body_bytes=...) if this server is right)"
    )


class HttpCore:
    """One pooled HTTP connection to the API with auth, version mapping, redirects, bounded
    bodies, retries and typed errors. Built by :class:`~parallel_taskgroup.Client` from its
    arguments; every layer above takes this."""

    def __init__(
        self,
        *,
        api_key: Optional[str],
        base_url: str,
        api_version: str,
        http_client: Optional[httpx.Client],
        timeout: Union[float, httpx.Timeout, None],
        retry: RetryPolicy,
        clock: Clock,
        on_wait: Optional[WaitHook],
        max_body_bytes: int,
        max_event_bytes: int,
        submit_timeout: float,
        allow_insecure_http: bool,
    ) -> None:
        self._key = _check_key(api_key)
        self._base = _check_base_url(base_url, allow_insecure_http)
        self.base_url = str(self._base).rstrip("/")
        self.api_version = check_version(api_version)
        for name, value in (
            ("max_body_bytes", max_body_bytes),
            ("max_event_bytes", max_event_bytes),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                raise errors.ArgumentTypeError(
                    f"{name} must be a whole number of bytes (int), at least 1024, got "
                    f"{type(value).__name__} {value!r}"
                )
            if value < 1024:
                raise errors.ConfigurationError(
                    f"{name} must be at least 1024 bytes, got {value!r}"
                )
        if isinstance(submit_timeout, bool) or not isinstance(submit_timeout, (int, float)):
            raise errors.ArgumentTypeError(
                "submit_timeout must be a number of seconds (int or float), got "
                f"{type(submit_timeout).__name__} {submit_timeout!r}"
            )
        if not 0 < submit_timeout < math.inf:
            raise errors.ConfigurationError(
                f"submit_timeout must be a positive number of seconds, got {submit_timeout!r}"
            )
        self.retry = retry
        """The policy every operation starts from."""
        self.clock = clock
        self.on_wait = on_wait
        self.max_body_bytes = max_body_bytes
        self.max_event_bytes = max_event_bytes
        self.submit_timeout = float(submit_timeout)
        """The longest one add-runs POST may take, from the pool to the last byte of its answer:
        after that it can no longer be applied (see :meth:`submit_timeouts`)."""
        self.owns_http = http_client is None
        self.closed = False
        """Whether :meth:`close` was called (every request then raises ConfigurationError)."""
        if timeout is None:
            self.timeout = http_client.timeout if http_client is not None else DEFAULT_TIMEOUT
        else:
            self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.http = http_client or httpx.Client(timeout=self.timeout, follow_redirects=False)
        # Only the generated parsers use it; it never sees the key.
        self._generated = GeneratedClient(base_url=self.base_url, raise_on_unexpected_status=True)
        self.has_answered = False
        """Whether the server has answered any request of this core (the retry policy's
        ``give_up_after`` applies only then)."""

    def derive(self, *, clock: Clock, on_wait: Optional[WaitHook]) -> HttpCore:
        """A core over the same connection pool and settings, with its own clock and wait hook
        (closing it leaves the pool open)."""
        twin = copy.copy(self)
        twin.clock = clock
        twin.on_wait = on_wait
        twin.owns_http = False
        return twin

    def close(self) -> None:
        """Close the pooled connections (only if this core created them); no request may be
        sent after it."""
        self.closed = True
        if self.owns_http:
            self.http.close()

    # -- health and waits ------------------------------------------------------------------

    def waiting(self, what: str, seconds: float) -> None:
        """Tell the wait hook (a job's progress line) that a caller waits ``seconds`` for
        ``what``."""
        if self.on_wait is not None:
            self.on_wait(what, self.clock.now() + seconds if seconds > 0 else None)

    def answered(self) -> None:
        """Note that the server answered."""
        self.has_answered = True

    def failed(
        self, policy: RetryPolicy, error: errors.ParallelError, *, idempotent: bool = True
    ) -> RetryPolicy:
        """``policy`` after ``error`` (raises ``error`` when the budget is spent)."""
        return policy.increment(
            error, now=self.clock.now(), answered=self.has_answered, idempotent=idempotent
        )

    def back_off(self, policy: RetryPolicy, what: str) -> None:
        """Wait as ``policy`` says after its latest failure, telling the wait hook why."""
        delay = policy.delay
        self.waiting(f"{policy.describe()}: {what}", delay)
        # A long wait (a Retry-After, a backoff grown large) is a warning: a call that blocks
        # this long says why, logging set up or not.
        log.log(
            logging.WARNING if delay >= LONG_WAIT_SECONDS else logging.INFO,
            "%s in %.2fs after %s",
            what,
            delay,
            policy.history[-1].error if policy.history else "",
        )
        self.clock.sleep(delay)

    def url_for(self, path: str) -> str:
        """The absolute URL of an API ``path`` after version mapping."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        return self.base_url + map_path(path, self.api_version)

    def submit_timeouts(self) -> httpx.Timeout:
        """The timeouts of one add-runs POST: pool, connect, write and read add up to
        :attr:`submit_timeout`, so the exchange is over (answered or abandoned) by then."""
        t = self.submit_timeout
        return httpx.Timeout(connect=t / 8, pool=t / 8, write=t / 4, read=t / 2)

    def _headers(self, extra: Optional[Mapping[str, str]]) -> dict[str, str]:
        headers = {"x-api-key": self._key.reveal(), "user-agent": USER_AGENT}
        if extra:
            for k, v in extra.items():
                if k.lower() != "x-api-key":
                    headers[k] = v
        return headers

    def _send_once(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]],
        json_body: Any,
        content: Optional[bytes],
        headers: Optional[Mapping[str, str]],
        timeout: Union[float, httpx.Timeout, None],
        stream: bool,
    ) -> httpx.Response:
        """One attempt, following same-origin redirects of GETs only. Raises typed errors. The
        body of a non-stream answer is read (at most ``max_body_bytes``) before it returns."""
        if self.closed or self.http.is_closed:
            raise errors.ConfigurationError(
                f"cannot send {method} {path}: the client is closed; create a new Client (or "
                "use the client inside its 'with' block)"
            )
        # httpx parses the URL once, in build_request; the display form and a redirect's base
        # parse it again only when they are needed.
        url: Union[str, httpx.URL] = self.url_for(path)
        first = url

        def display() -> str:
            return str(httpx.URL(first).copy_with(query=None))

        req_timeout = self.timeout if timeout is None else timeout
        status = 0
        for _ in range(_MAX_REDIRECTS + 1):
            try:
                request = self.http.build_request(
                    method,
                    url,
                    params=dict(params) if params else None,
                    json=json_body,
                    content=content,
                    headers=self._headers(headers),
                    timeout=req_timeout,
                )
                response = self.http.send(request, stream=True, follow_redirects=False)
            except httpx.TimeoutException as exc:
                broke: Optional[errors.APIConnectionError] = errors.APITimeoutError(
                    f"{method} {display()} timed out ({type(exc).__name__}); "
                    "raise the client's timeout if the server is slow",
                    maybe_sent=not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)),
                )
            except httpx.TransportError as exc:
                broke = errors.APIConnectionError(
                    f"{method} {display()} failed: {type(exc).__name__}: {exc}",
                    maybe_sent=not isinstance(exc, httpx.ConnectError),
                )
            else:
                broke = None
            if broke is not None:
                # Raised past the except clauses: raised inside one, even `from None`, it would
                # keep the httpx error as its __context__ (`from None` only hides it), and with
                # it the request, the API key in its headers. Errors never hold a request.
                raise broke
            if response.is_redirect and "location" in response.headers:
                status = response.status_code
                location = response.headers.get("location", "")
                response.close()
                target = httpx.URL(url).join(location)
                if _origin(target) != _origin(self._base) or method not in ("GET", "HEAD"):
                    raise errors.RedirectError(
                        f"server redirected {method} {display()} to {target.host or location!r}; "
                        "not following it with the API key (check base_url)",
                        status_code=status,
                        method=method,
                        url=display(),
                    )
                url, params = target, None
                continue
            if response.status_code < 500:
                self.answered()
            if response.status_code >= 400:
                try:
                    body = self._read(response, method, display)
                except errors.ParallelError:
                    body = b""
                raise error_from_response(
                    response.status_code,
                    body,
                    headers=response.headers,
                    method=method,
                    url=display(),
                )
            if not stream:
                self._read(response, method, display)
            return response
        raise errors.RedirectError(
            f"too many redirects (more than {_MAX_REDIRECTS}) for {method} {display()}",
            status_code=status,
            method=method,
            url=display(),
        )

    def _read(self, response: httpx.Response, method: str, display: Callable[[], str]) -> bytes:
        """The whole body of ``response`` (closed afterwards), at most ``max_body_bytes``."""
        limit = self.max_body_bytes
        try:
            declared = int(response.headers.get("content-length", "0"))
        except ValueError:
            declared = 0
        try:
            if declared > limit:
                raise _too_large(f"{method} {display()}", limit)
            if isinstance(response.stream, httpx.SyncByteStream):
                response.stream = _Capped(response.stream, limit, lambda: f"{method} {display()}")
            return response.read()
        except httpx.TimeoutException as exc:
            broke: errors.APIConnectionError = errors.APITimeoutError(
                f"{method} {display()}: the answer's body timed out ({type(exc).__name__})"
            )
        except (httpx.TransportError, httpx.StreamError) as exc:
            broke = errors.APIConnectionError(
                f"{method} {display()}: the answer's body broke off: {type(exc).__name__}: {exc}"
            )
        finally:
            response.close()
        raise broke  # past the except clauses, as in _send_once

    def exchange(
        self,
        method: str,
        path: str,
        parse: Callable[[httpx.Response], T],
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        content: Optional[bytes] = None,
        headers: Optional[Mapping[str, str]] = None,
        idempotent: bool = True,
        answers: Collection[int] = (),
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> T:
        """Send one API request and return its answer as ``parse`` reads it, retrying as the
        client's policy allows (a body ``parse`` refuses with ResponseFormatError included).

        ``path`` is a ``/v1/...`` path; group paths are mapped for ``v1beta``. ``content`` sends
        ready bytes (with ``content-type: application/json`` unless ``headers`` say otherwise).
        ``idempotent=False`` (a POST that creates runs) retries only a connection never made.
        ``answers``: error statuses that are this operation's answer, raised at once (a 408
        from a read that waits server-side means "not yet").
        """
        method = method.upper()
        if content is not None:
            headers = {"content-type": "application/json", **(headers or {})}
        policy = self.retry
        while True:
            try:
                response = self._send_once(
                    method,
                    path,
                    params=params,
                    json_body=json,
                    content=content,
                    headers=headers,
                    timeout=timeout,
                    stream=False,
                )
                return parse(response)
            except errors.ParallelError as exc:
                if exc.status_code in answers:
                    raise
                policy = self.failed(policy, exc, idempotent=idempotent)
                self.back_off(policy, f"retrying {method} {path}")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        content: Optional[bytes] = None,
        headers: Optional[Mapping[str, str]] = None,
        idempotent: bool = True,
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> httpx.Response:
        """:meth:`exchange` returning the read response itself."""
        return self.exchange(
            method,
            path,
            _as_is,
            params=params,
            json=json,
            content=content,
            headers=headers,
            idempotent=idempotent,
            timeout=timeout,
        )

    @contextmanager
    def stream(
        self,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> Iterator[httpx.Response]:
        """Open a streaming GET (one attempt: streams resume themselves, on the same policy);
        closes on exit."""
        response = self._send_once(
            "GET",
            path,
            params=params,
            json_body=None,
            content=None,
            headers=None,
            timeout=timeout,
            stream=True,
        )
        try:
            yield response
        finally:
            response.close()

    def call(
        self,
        kwargs: dict[str, Any],
        parse: Callable[..., object],
        expected: type[T],
        *,
        answers: Collection[int] = (),
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> T:
        """Send a request built by a generated endpoint's ``request_kwargs`` (an idempotent
        one) and parse the answer with its ``parse_response`` into ``expected`` (a generated
        model class); a body that does not parse is retried like a broken connection."""
        method = str(kwargs["method"]).upper()

        def read(response: httpx.Response) -> T:
            try:
                parsed = parse(client=self._generated, response=response)
            except (
                ValueError,
                TypeError,
                KeyError,
                AttributeError,
                RecursionError,
                UnexpectedStatus,
            ) as exc:
                unreadable: Optional[errors.ResponseFormatError] = errors.ResponseFormatError(
                    f"{method} {kwargs['url']} returned a body that is not a valid "
                    f"{expected.__name__}: {type(exc).__name__}: {exc}",
                    status_code=response.status_code,
                )
            else:
                unreadable = None
            if unreadable is not None:
                raise unreadable  # past the except clauses, as in _send_once
            if not isinstance(parsed, expected):
                raise errors.ResponseFormatError(
                    f"{method} {kwargs['url']} returned HTTP {response.status_code} "
                    f"without a {expected.__name__}",
                    status_code=response.status_code,
                )
            return parsed

        return self.exchange(
            method,
            kwargs["url"],
            read,
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            headers=kwargs.get("headers"),
            answers=answers,
            timeout=timeout,
        )

    def read_timeout(self, at_most: float) -> httpx.Timeout:
        """The client's timeout with the read timeout lowered to ``at_most`` seconds."""
        base = self.timeout
        read = base.read if base.read is not None else math.inf
        read = min(read, at_most)
        return httpx.Timeout(
            connect=base.connect,
            read=None if math.isinf(read) else read,
            write=base.write,
            pool=base.pool,
        )


def _as_is(response: httpx.Response) -> httpx.Response:
    return response
