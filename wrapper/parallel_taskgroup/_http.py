"""The transport core every request goes through.

It holds the API key (never shown), the base URL and the ``v1beta`` path mapping, follows
same-origin redirects only, retries what a :class:`~._retry.RetryMode` allows with the
:data:`~._retry.REQUEST` backoff, and turns every failure into a typed error from
:mod:`.errors`. It also holds the one :class:`Clock` that every wait in the library uses, so
tests replace time in one place.
"""

from __future__ import annotations

import datetime
import email.utils
import ipaddress
import json
import logging
import math
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Callable, Literal, Optional, TypeVar, Union

import httpx
from parallel_taskgroup_api.client import Client as GeneratedClient
from parallel_taskgroup_api.errors import UnexpectedStatus
from parallel_taskgroup_api.models import ValidationError as ValidationDetail

from . import errors
from ._retry import REQUEST, RetryMode, is_retryable, retry_after_of
from ._version import __version__

__all__ = [
    "API_VERSIONS",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "ApiVersion",
    "Clock",
    "HttpCore",
    "error_from_response",
    "parse_retry_after",
]

DEFAULT_BASE_URL = "https://api.parallel.ai"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
USER_AGENT = f"parallel-taskgroup/{__version__}"
ApiVersion = Literal["v1", "v1beta"]
API_VERSIONS: tuple[ApiVersion, ...] = ("v1", "v1beta")

_GROUPS_PATH = "/v1/tasks/groups"
_MAX_REDIRECTS = 5
_BODY_EXCERPT = 300

log = logging.getLogger("parallel_taskgroup")

T = TypeVar("T")


class Clock:
    """Monotonic time and sleeping: the seam through which every wait in the library passes.

    :meth:`interrupt` wakes every sleeper at once (they return early); a stopping program uses
    it so that no thread stays asleep in a backoff or pacing wait.
    """

    def __init__(self) -> None:
        self._wake = threading.Event()

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (or until :meth:`interrupt`)."""
        if seconds > 0:
            self._wake.wait(seconds)

    def interrupt(self) -> None:
        """Wake every current and future sleeper at once."""
        self._wake.set()

    @property
    def interrupted(self) -> bool:
        """Whether :meth:`interrupt` was called."""
        return self._wake.is_set()


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
    for d in details:
        loc = ".".join(str(p) for p in d.loc) if isinstance(d.loc, list) else ""
        where.setdefault(d.msg, []).append(loc)
    parts = []
    for msg, locs in list(where.items())[:5]:
        first = f"{locs[0]}: {msg}" if locs[0] else msg
        parts.append(first if len(locs) == 1 else f"{first} (and {len(locs) - 1} more inputs)")
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


class HttpCore:
    """One pooled HTTP connection to the API with auth, version mapping, redirects, retries and
    typed errors. Built by :class:`~parallel_taskgroup.Client`; lower layers take this."""

    def __init__(
        self,
        *,
        api_key: Optional[str],
        base_url: str,
        api_version: str,
        http_client: Optional[httpx.Client],
        timeout: Union[float, httpx.Timeout, None],
        max_retries: int,
        max_backoff: float,
        allow_insecure_http: bool,
        give_up_after: Optional[float] = None,
    ) -> None:
        self._key = _check_key(api_key)
        self._base = _check_base_url(base_url, allow_insecure_http)
        self.base_url = str(self._base).rstrip("/")
        self.api_version = check_version(api_version)
        if max_retries < 0:
            raise errors.ConfigurationError(f"max_retries must be >= 0, got {max_retries}")
        self.max_retries = max_retries
        if not max_backoff >= 0:
            raise errors.ConfigurationError(f"max_backoff must be >= 0 seconds, got {max_backoff}")
        self.backoff = REQUEST.with_cap(max_backoff)
        self.owns_http = http_client is None
        if timeout is None:
            self.timeout = http_client.timeout if http_client is not None else DEFAULT_TIMEOUT
        else:
            self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.http = http_client or httpx.Client(timeout=self.timeout, follow_redirects=False)
        # Only the generated parsers use it; it never sees the key.
        self._generated = GeneratedClient(base_url=self.base_url, raise_on_unexpected_status=True)
        self.clock = Clock()
        self.give_up_after = give_up_after
        """Seconds of continuous failure after which retries stop; once the server has
        answered, it replaces the ``max_retries`` count (None: the count bounds retries)."""
        self.failing_since: Optional[float] = None
        self.has_answered = False
        """Whether the server has answered any request of this core."""
        self.on_wait: Optional[Callable[[str, Optional[float]], None]] = None
        """Told (what, until when on the clock) whenever a caller of this core waits."""

    def close(self) -> None:
        """Close the pooled connections (only if this core created them)."""
        if self.owns_http:
            self.http.close()

    # -- health and waits ------------------------------------------------------------------

    def waiting(self, what: str, seconds: float) -> None:
        """Tell the watcher (a job's progress line) that a caller waits ``seconds`` for
        ``what``."""
        if self.on_wait is not None:
            self.on_wait(what, self.clock.now() + seconds if seconds > 0 else None)

    def failed(self, error: errors.ParallelError) -> str:
        """Note a failure to get an answer; raises ``error`` once the server has failed for
        longer than ``give_up_after``. Returns how to describe the trouble."""
        now = self.clock.now()
        if self.failing_since is None:
            self.failing_since = now
        down = now - self.failing_since
        if self.give_up_after is not None and down > self.give_up_after:
            raise error
        if isinstance(error, errors.APIConnectionError):
            return f"server unreachable for {down:.0f} s"
        if isinstance(error, errors.APIStatusError) and error.status_code == 429:
            return "rate limit (429 from the service)"
        if isinstance(error, errors.APIStatusError):
            return f"server error (HTTP {error.status_code})"
        return f"{type(error).__name__}"

    def answered(self) -> None:
        """Note that the server answered."""
        self.failing_since = None
        self.has_answered = True

    def url_for(self, path: str) -> str:
        """The absolute URL of an API ``path`` after version mapping."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        return self.base_url + map_path(path, self.api_version)

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
        """One attempt, following same-origin redirects of GETs only. Raises typed errors."""
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
                response = self.http.send(request, stream=stream, follow_redirects=False)
            except httpx.TimeoutException as exc:
                raise errors.APITimeoutError(
                    f"{method} {display()} timed out ({type(exc).__name__}); "
                    "raise the client's timeout if the server is slow",
                    maybe_sent=not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)),
                ) from None
            except httpx.TransportError as exc:
                raise errors.APIConnectionError(
                    f"{method} {display()} failed: {type(exc).__name__}: {exc}",
                    maybe_sent=not isinstance(exc, httpx.ConnectError),
                ) from None
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
                    body = response.read() if stream else response.content
                except httpx.HTTPError:
                    body = b""
                finally:
                    if stream:
                        response.close()
                raise error_from_response(
                    response.status_code,
                    body,
                    headers=response.headers,
                    method=method,
                    url=display(),
                )
            return response
        raise errors.RedirectError(
            f"too many redirects (more than {_MAX_REDIRECTS}) for {method} {display()}",
            status_code=status,
            method=method,
            url=display(),
        )

    def _with_retries(self, method: str, path: str, mode: RetryMode, attempt: Callable[[], T]) -> T:
        tries = 0
        while True:
            try:
                return attempt()
            except errors.ParallelError as exc:
                if not is_retryable(exc, mode):
                    raise
                # Once the server has answered, ``give_up_after`` bounds the retries by time
                # (``failed`` raises), not by count: an outage mid-job is ridden out whole,
                # while a server that never answered (a wrong URL) fails fast.
                by_time = self.give_up_after is not None and self.has_answered
                if tries >= self.max_retries and not by_time:
                    raise
                trouble = self.failed(exc)
                delay = self.backoff.delay(tries, retry_after_of(exc))
                tries += 1
                self.waiting(f"{trouble}, retrying", delay)
                log.info(
                    "retrying %s %s in %.2fs (attempt %d of %d) after: %s",
                    method,
                    path,
                    delay,
                    tries,
                    self.max_retries,
                    exc,
                )
                self.clock.sleep(delay)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        content: Optional[bytes] = None,
        headers: Optional[Mapping[str, str]] = None,
        retry: RetryMode = RetryMode.ALL,
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> httpx.Response:
        """Send one API request and return the read response, raising typed errors.

        ``path`` is a ``/v1/...`` path; group paths are mapped for ``v1beta``. ``content`` sends
        ready bytes (with ``content-type: application/json`` unless ``headers`` say otherwise).
        """
        method = method.upper()
        if content is not None:
            headers = {"content-type": "application/json", **(headers or {})}

        def attempt() -> httpx.Response:
            return self._send_once(
                method,
                path,
                params=params,
                json_body=json,
                content=content,
                headers=headers,
                timeout=timeout,
                stream=False,
            )

        return self._with_retries(method, path, retry, attempt)

    @contextmanager
    def stream(
        self,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> Iterator[httpx.Response]:
        """Open a streaming GET (one attempt: callers resume streams themselves); closes on
        exit."""
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
        retry: RetryMode = RetryMode.ALL,
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> T:
        """Send a request built by a generated endpoint's ``request_kwargs`` and parse the
        answer with its ``parse_response`` into ``expected`` (a generated model class)."""
        method = str(kwargs["method"]).upper()
        response = self.request(
            method,
            kwargs["url"],
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            headers=kwargs.get("headers"),
            retry=retry,
            timeout=timeout,
        )
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
            raise errors.ResponseFormatError(
                f"{method} {kwargs['url']} returned a body that is not a valid "
                f"{expected.__name__}: {type(exc).__name__}: {exc}",
                status_code=response.status_code,
            ) from None
        if not isinstance(parsed, expected):
            raise errors.ResponseFormatError(
                f"{method} {kwargs['url']} returned HTTP {response.status_code} "
                f"without a {expected.__name__}",
                status_code=response.status_code,
            )
        return parsed

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
