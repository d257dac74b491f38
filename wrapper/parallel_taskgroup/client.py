"""The Client: configuration, one pooled HTTP connection, auth, retries and typed errors."""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

import httpx
from parallel_taskgroup_api.api.task_groups import create_task_group, get_task_group
from parallel_taskgroup_api.api.task_runs import (
    get_task_run,
    get_task_run_input,
    get_task_run_result,
)
from parallel_taskgroup_api.client import Client as _GeneratedClient
from parallel_taskgroup_api.errors import UnexpectedStatus
from parallel_taskgroup_api.models import (
    CreateTaskGroupRequest,
    CreateTaskGroupRequestMetadataType0,
    TaskGroupResponse,
    TaskRun,
    TaskRunInput,
    TaskRunResult,
)
from parallel_taskgroup_api.types import UNSET

from . import errors
from ._retry import RetryMode, RetryPolicy, is_retryable, retry_after_of
from ._versions import check_version, map_path

if TYPE_CHECKING:
    from .group import TaskGroup

__all__ = ["DEFAULT_BASE_URL", "Client"]

DEFAULT_BASE_URL = "https://api.parallel.ai"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
_MAX_REDIRECTS = 5
_USER_AGENT = "parallel-taskgroup/0.1"

log = logging.getLogger("parallel_taskgroup")

T = TypeVar("T")
RetryArg = Union[bool, str]


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
    if url.scheme == "http" and not _is_loopback(url.host) and not allow_insecure_http:
        raise errors.InsecureTransportError(
            f"refusing to send the API key over plain http:// to {url.host}: use https://, "
            "or pass allow_insecure_http=True if this network is trusted"
        )
    return url


def _retry_mode(retry: RetryArg) -> RetryMode:
    if retry is True:
        return RetryMode.ALL
    if retry is False:
        return RetryMode.NONE
    if retry == "unsent":
        return RetryMode.UNSENT
    raise ValueError(f"retry must be True, False or 'unsent', got {retry!r}")


def _origin(url: httpx.URL) -> tuple[str, str, Optional[int]]:
    return (url.scheme, url.host, url.port)


class Client:
    """Synchronous client for Parallel's Task Group API.

    Configure with arguments or the environment (``PARALLEL_API_KEY``, ``PARALLEL_BASE_URL``,
    ``PARALLEL_API_VERSION``). Use as a context manager, or call :meth:`close`. Pass your own
    ``httpx.Client`` for proxies, custom transports or mounts; it is then yours to close.

    ``max_retries`` bounds retries of GETs, connection failures, 408/429/5xx (exponential backoff
    with full jitter, at most ``max_backoff`` seconds, ``Retry-After`` honoured).
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        api_version: Optional[str] = None,
        http_client: Optional[httpx.Client] = None,
        *,
        timeout: Union[float, httpx.Timeout, None] = None,
        max_retries: int = 4,
        max_backoff: float = 8.0,
        allow_insecure_http: bool = False,
    ) -> None:
        self._key = _check_key(
            api_key if api_key is not None else os.environ.get("PARALLEL_API_KEY")
        )
        raw_url = base_url or os.environ.get("PARALLEL_BASE_URL") or DEFAULT_BASE_URL
        self._base = _check_base_url(raw_url, allow_insecure_http)
        self.base_url = str(self._base).rstrip("/")
        self.api_version = check_version(
            api_version or os.environ.get("PARALLEL_API_VERSION") or "v1"
        )
        if max_retries < 0:
            raise errors.ConfigurationError("max_retries must be >= 0")
        self.retry_policy = RetryPolicy(max_retries=max_retries, max_backoff=max_backoff)
        self._owns_http = http_client is None
        if timeout is None:
            self.timeout = http_client.timeout if http_client is not None else DEFAULT_TIMEOUT
        else:
            self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._http = http_client or httpx.Client(timeout=self.timeout, follow_redirects=False)
        # Only used for the generated `_parse_response` helpers; it never sees the key.
        self._generated = _GeneratedClient(base_url=self.base_url, raise_on_unexpected_status=True)
        self._sleep: Callable[[float], None] = time.sleep
        #: consecutive failed reconnections (no event in between) after which a stream gives up
        self.max_stream_failures = 30

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the pooled connections (only if this client created them)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, api_version={self.api_version!r})"

    @property
    def max_retries(self) -> int:
        """How many times a retryable failure is retried."""
        return self.retry_policy.max_retries

    # -- low level ---------------------------------------------------------------------------

    def url_for(self, path: str) -> str:
        """The absolute URL for an API ``path`` after version mapping."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        return self.base_url + map_path(path, self.api_version)

    def _headers(self, extra: Optional[Mapping[str, str]]) -> dict[str, str]:
        headers = {"x-api-key": self._key.reveal(), "user-agent": _USER_AGENT}
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
        json: Any,
        headers: Optional[Mapping[str, str]],
        timeout: Union[float, httpx.Timeout, None],
        stream: bool,
    ) -> httpx.Response:
        """One attempt, following same-origin redirects only. Raises typed errors."""
        url = httpx.URL(self.url_for(path))
        display = str(url.copy_with(query=None))
        req_timeout = self.timeout if timeout is None else timeout
        for _ in range(_MAX_REDIRECTS + 1):
            try:
                request = self._http.build_request(
                    method,
                    url,
                    params=dict(params) if params else None,
                    json=json,
                    headers=self._headers(headers),
                    timeout=req_timeout,
                )
                response = self._http.send(request, stream=stream, follow_redirects=False)
            except httpx.TimeoutException as exc:
                raise errors.APITimeoutError(
                    f"{method} {display} timed out ({type(exc).__name__}); "
                    "raise Client(timeout=...) if the server is slow",
                    maybe_sent=not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)),
                ) from None
            except httpx.TransportError as exc:
                raise errors.APIConnectionError(
                    f"{method} {display} failed: {type(exc).__name__}: {exc}",
                    maybe_sent=not isinstance(exc, httpx.ConnectError),
                ) from None
            if response.is_redirect and "location" in response.headers:
                location = response.headers.get("location", "")
                response.close()
                target = url.join(location)
                if _origin(target) != _origin(self._base) or method.upper() not in ("GET", "HEAD"):
                    raise errors.RedirectError(
                        f"server redirected {method} {display} to {target.host or location!r}; "
                        "not following it with the API key (check base_url)",
                        status_code=response.status_code,
                        method=method,
                        url=display,
                    )
                url, params = target, None
                continue
            if response.status_code >= 400:
                try:
                    body = response.read() if stream else response.content
                except httpx.HTTPError:
                    body = b""
                finally:
                    if stream:
                        response.close()
                raise errors.error_from_response(
                    response.status_code,
                    body,
                    headers=dict(response.headers),
                    method=method,
                    url=display,
                )
            return response
        raise errors.RedirectError(
            f"too many redirects for {method} {display}",
            status_code=310,
            method=method,
            url=display,
        )

    def _with_retries(
        self, method: str, path: str, mode: RetryMode, attempt_fn: Callable[[], T]
    ) -> T:
        attempt = 0
        while True:
            try:
                return attempt_fn()
            except errors.ParallelError as exc:
                sent = not isinstance(exc, errors.APIConnectionError) or exc.maybe_sent
                if attempt >= self.retry_policy.max_retries or not is_retryable(
                    exc, mode, sent=sent
                ):
                    raise
                delay = self.retry_policy.delay(attempt, retry_after_of(exc))
                attempt += 1
                log.warning(
                    "retrying %s %s in %.2fs (attempt %d of %d) after: %s",
                    method,
                    path,
                    delay,
                    attempt,
                    self.retry_policy.max_retries,
                    exc,
                )
                self._sleep(delay)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        retry: RetryArg = True,
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> httpx.Response:
        """Send one API request and return the (read) response, raising typed errors.

        ``path`` is a ``/v1/...`` path; group paths are mapped for ``api_version="v1beta"``.
        ``retry``: ``True`` retries connection failures, timeouts, 408/429/5xx; ``"unsent"`` only
        failures where the server certainly did not act (connection refused, 429); ``False`` never.
        Use ``retry=False`` (or ``"unsent"``) for POSTs that create runs.
        """
        method = method.upper()
        mode = _retry_mode(retry)

        def attempt() -> httpx.Response:
            return self._send_once(
                method,
                path,
                params=params,
                json=json,
                headers=headers,
                timeout=timeout,
                stream=False,
            )

        return self._with_retries(method, path, mode, attempt)

    @contextmanager
    def stream(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
        retry: RetryArg = True,
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> Iterator[httpx.Response]:
        """Open a streaming response (retrying the opening like :meth:`request`); closes on exit."""
        method = method.upper()
        mode = _retry_mode(retry)

        def attempt() -> httpx.Response:
            return self._send_once(
                method,
                path,
                params=params,
                json=None,
                headers=headers,
                timeout=timeout,
                stream=True,
            )

        response = self._with_retries(method, path, mode, attempt)
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
        retry: RetryArg = True,
        timeout: Union[float, httpx.Timeout, None] = None,
    ) -> T:
        """Send a request built by a generated ``_get_kwargs`` and parse it with the generated
        ``_parse_response`` into ``expected`` (a generated model class)."""
        response = self.request(
            kwargs["method"],
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
                f"{kwargs['method'].upper()} {kwargs['url']} returned a body that is not a valid "
                f"{expected.__name__}: {type(exc).__name__}: {exc}",
                status_code=response.status_code,
            ) from None
        if not isinstance(parsed, expected):
            raise errors.ResponseFormatError(
                f"{kwargs['method'].upper()} {kwargs['url']} returned HTTP {response.status_code} "
                f"without a {expected.__name__}",
                status_code=response.status_code,
            )
        return parsed

    # -- groups ------------------------------------------------------------------------------

    def create_group(
        self,
        metadata: Optional[Mapping[str, Union[str, int, float, bool]]] = None,
        task_spec: Any = None,
        processor: Optional[str] = None,
        run_metadata: Optional[Mapping[str, Any]] = None,
        betas: Union[str, Sequence[str], None] = None,
    ) -> TaskGroup:
        """Create an empty task group and return its handle.

        ``task_spec``, ``processor``, ``run_metadata`` and ``betas`` are not sent now: the handle
        applies them to every add-runs call. The POST is retried only when the server certainly
        did not receive it (connection refused, 429), so a retry never creates a second group.
        """
        from .group import TaskGroup

        body = CreateTaskGroupRequest(
            metadata=CreateTaskGroupRequestMetadataType0.from_dict(dict(metadata))
            if metadata is not None
            else UNSET
        )
        info = self.call(
            create_task_group._get_kwargs(body=body),
            create_task_group._parse_response,
            TaskGroupResponse,
            retry="unsent",
        )
        return TaskGroup(
            self,
            info.taskgroup_id,
            task_spec=task_spec,
            processor=processor,
            run_metadata=run_metadata,
            betas=betas,
            info=info,
        )

    def group(
        self,
        taskgroup_id: str,
        task_spec: Any = None,
        processor: Optional[str] = None,
        run_metadata: Optional[Mapping[str, Any]] = None,
        betas: Union[str, Sequence[str], None] = None,
    ) -> TaskGroup:
        """Attach to an existing group by id (no request is sent)."""
        from .group import TaskGroup

        return TaskGroup(
            self,
            taskgroup_id,
            task_spec=task_spec,
            processor=processor,
            run_metadata=run_metadata,
            betas=betas,
        )

    def get_group(self, taskgroup_id: str) -> TaskGroupResponse:
        """Fetch a group's summary (status counts, is_active)."""
        return self.call(
            get_task_group._get_kwargs(taskgroup_id),
            get_task_group._parse_response,
            TaskGroupResponse,
        )

    # -- runs --------------------------------------------------------------------------------

    def get_run(self, run_id: str) -> TaskRun:
        """Fetch a run's status."""
        return self.call(get_task_run._get_kwargs(run_id), get_task_run._parse_response, TaskRun)

    def get_input(self, run_id: str) -> TaskRunInput:
        """Fetch the input a run was created with."""
        return self.call(
            get_task_run_input._get_kwargs(run_id), get_task_run_input._parse_response, TaskRunInput
        )

    def get_result(self, run_id: str, timeout: Optional[int] = None) -> TaskRunResult:
        """Fetch a run's result; the server blocks up to ``timeout`` seconds (408 if not done)."""
        kwargs = get_task_run_result._get_kwargs(
            run_id, timeout=UNSET if timeout is None else timeout
        )
        read_timeout: Optional[httpx.Timeout] = None
        if timeout is not None:
            read_timeout = httpx.Timeout(float(timeout) + 30.0, connect=10.0)
        return self.call(
            kwargs, get_task_run_result._parse_response, TaskRunResult, timeout=read_timeout
        )
