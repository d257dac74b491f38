"""Client: configuration, one pooled connection, and the entry points to groups and runs."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Optional, Union

import attrs
import httpx
from parallel_taskgroup_api.models import TaskRun, TaskRunInput, TaskRunResult, TaskSpec

from . import _checks, errors
from ._clock import Clock, WaitHook
from ._endpoints import create_group, get_input, get_result, get_run, result_wait_limit
from ._http import DEFAULT_BASE_URL, DEFAULT_MAX_BODY_BYTES, DEFAULT_SUBMIT_TIMEOUT, HttpCore
from ._retry import POLL, REQUEST, RetryPolicy
from .group import TaskGroup
from .streaming.sse import DEFAULT_MAX_EVENT_BYTES
from .streaming.stream import timeout_at
from .submission.journal import MemoryJournal
from .submission.limits import metadata_problem

__all__ = ["Client", "core_of"]

MetadataValue = Union[str, int, float, bool]
TaskSpecArg = Union[TaskSpec, Mapping[str, Any], None]


class Client:
    """Synchronous client for Parallel's Task Group API.

    Configure with arguments or the environment (``PARALLEL_API_KEY``, ``PARALLEL_BASE_URL``,
    ``PARALLEL_API_VERSION``). Use as a context manager, or call :meth:`close`. Pass your own
    ``httpx.Client`` for proxies, custom transports or mounts; it is then yours to close.

    Retries follow one :class:`~parallel_taskgroup.RetryPolicy` (``retry``), or one built from
    ``max_retries`` (default 4), ``max_backoff`` (default 8 s) and ``give_up_after``: reads,
    stream reconnections and the reconciliation of an add-runs POST of unknown outcome retry
    connection failures, cut or malformed bodies, 408, 429 and 5xx with exponential backoff and
    full jitter (``Retry-After`` honoured); add-runs POSTs are never repeated blindly. With
    ``give_up_after`` (seconds), once the server has answered, failures are retried until they
    have lasted that long, whatever their count: a long job rides out an outage, while a wrong
    URL still fails fast. A persistent fault is raised after at most about 7.5 s of backoff with
    the defaults, or ``give_up_after`` plus one request.

    ``max_body_bytes`` and ``max_event_bytes`` (default 16 MiB each) bound what one answer or one
    stream event may hold in memory. ``submit_timeout`` (default 60 s) bounds one add-runs POST
    from start to answer; a process that finds a POST of unknown outcome left by another waits
    until that much (plus a margin) has passed since it was sent, so it cannot land after the
    group was read. ``clock`` replaces time (tests) and ``on_wait`` is told of every wait (a
    progress display). ``api_version="v1beta"`` sends group calls to the older ``/v1beta`` paths.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        api_version: Optional[str] = None,
        http_client: Optional[httpx.Client] = None,
        timeout: Union[float, httpx.Timeout, None] = None,
        retry: Optional[RetryPolicy] = None,
        max_retries: Optional[int] = None,
        max_backoff: Optional[float] = None,
        give_up_after: Optional[float] = None,
        submit_timeout: float = DEFAULT_SUBMIT_TIMEOUT,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
        clock: Optional[Clock] = None,
        on_wait: Optional[WaitHook] = None,
        allow_insecure_http: bool = False,
    ) -> None:
        _check_client_arguments(api_key, base_url, api_version, http_client, timeout, on_wait)
        self._core = HttpCore(
            api_key=api_key if api_key is not None else os.environ.get("PARALLEL_API_KEY"),
            base_url=base_url or os.environ.get("PARALLEL_BASE_URL") or DEFAULT_BASE_URL,
            api_version=api_version or os.environ.get("PARALLEL_API_VERSION") or "v1",
            http_client=http_client,
            timeout=timeout,
            retry=_policy(retry, max_retries, max_backoff, give_up_after),
            clock=clock or Clock(),
            on_wait=on_wait,
            max_body_bytes=max_body_bytes,
            max_event_bytes=max_event_bytes,
            submit_timeout=submit_timeout,
            allow_insecure_http=allow_insecure_http,
        )
        self._unsettled = MemoryJournal()

    @classmethod
    def _over(cls, core: HttpCore, unsettled: MemoryJournal) -> Client:
        client = object.__new__(cls)
        client._core = core
        client._unsettled = unsettled
        return client

    def with_options(
        self, *, clock: Optional[Clock] = None, on_wait: Optional[WaitHook] = None
    ) -> Client:
        """A client over the same connection pool and settings, with its own ``clock`` (by
        default a fork of this one's, interrupted on its own) and wait hook. Closing it leaves
        this client's connections open."""
        core = self._core
        derived = core.derive(clock=clock or core.clock.fork(), on_wait=on_wait)
        return Client._over(derived, self._unsettled)

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy every operation starts from."""
        return self._core.retry

    @property
    def clock(self) -> Clock:
        """The clock every wait of this client uses."""
        return self._core.clock

    @property
    def base_url(self) -> str:
        """The API server, e.g. ``https://api.parallel.ai``."""
        return self._core.base_url

    @property
    def api_version(self) -> str:
        """``v1`` or ``v1beta``: where group calls are sent."""
        return self._core.api_version

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeouts of every request (stream reads use the read timeout as quiet time)."""
        return self._core.timeout

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the pooled connections (only if this client created them)."""
        self._core.close()

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

    # -- groups ------------------------------------------------------------------------------

    def create_group(
        self,
        *,
        metadata: Optional[Mapping[str, MetadataValue]] = None,
        task_spec: TaskSpecArg = None,
        processor: Optional[str] = None,
        run_metadata: Optional[Mapping[str, MetadataValue]] = None,
        betas: Union[str, Sequence[str], None] = None,
    ) -> TaskGroup:
        """Create an empty task group and return its handle.

        ``metadata`` is the group's own. ``task_spec``, ``processor``, ``run_metadata`` and
        ``betas`` are not sent now: the handle applies them to every ``add_runs`` call.
        """
        # Checked before the POST: a default the handle would refuse must not leave a group.
        if metadata is not None:
            _checks.check_mapping(
                "metadata",
                metadata,
                what="of str to str/int/float/bool",
                hint="e.g. metadata={'project': 'q3'}",
            )
            problem = metadata_problem(metadata)
            if problem:
                raise errors.ConfigurationError(f"metadata: {problem}")
        _checks.check_group_defaults(
            task_spec=task_spec, processor=processor, run_metadata=run_metadata, betas=betas
        )
        info = create_group(self._core, metadata)
        return TaskGroup(
            self._core,
            info.taskgroup_id,
            task_spec=task_spec,
            processor=processor,
            run_metadata=run_metadata,
            betas=betas,
            info=info,
            unsettled=self._unsettled,
        )

    def group(
        self,
        taskgroup_id: str,
        *,
        task_spec: TaskSpecArg = None,
        processor: Optional[str] = None,
        run_metadata: Optional[Mapping[str, MetadataValue]] = None,
        betas: Union[str, Sequence[str], None] = None,
    ) -> TaskGroup:
        """A handle on an existing group (no request is sent)."""
        return TaskGroup(
            self._core,
            taskgroup_id,
            task_spec=task_spec,
            processor=processor,
            run_metadata=run_metadata,
            betas=betas,
            unsettled=self._unsettled,
        )

    # -- runs --------------------------------------------------------------------------------

    def get_run(self, run_id: str) -> TaskRun:
        """A run's status."""
        _check_run_id(run_id)
        return get_run(self._core, run_id)

    def get_input(self, run_id: str) -> TaskRunInput:
        """The input a run was created with."""
        _check_run_id(run_id)
        return get_input(self._core, run_id)

    def get_result(self, run_id: str, *, timeout: Optional[float] = None) -> TaskRunResult:
        """A run's result, waiting until it finishes (at most ``timeout`` seconds; ``None``
        waits as long as it takes; ``0`` asks once).

        The wait is done server-side, in steps shorter than the client's read timeout.
        Raises :class:`~parallel_taskgroup.WaitTimeoutError` if the run is still active when
        ``timeout`` passes, and ``NotFoundError`` for a failed run or an unknown id.
        """
        _check_run_id(run_id)
        _checks.check_seconds("timeout", timeout, hint="None waits as long as it takes")
        core = self._core
        clock = core.clock
        ends = timeout_at(core, timeout)
        step = result_wait_limit(core)
        early = 0  # 408s in a row answered well before the wait asked for
        while True:
            asked = clock.now()
            left = step if ends is None else min(step, max(ends - asked, 0.0))
            try:
                return get_result(core, run_id, server_wait=left)
            except errors.RequestTimeoutError:
                now = clock.now()
                if ends is not None and now >= ends:
                    raise errors.WaitTimeoutError(
                        f"run {run_id} is still active after {timeout}s; call get_result again "
                        "to keep waiting"
                    ) from None
                if now - asked >= left / 2:
                    early = 0  # the server waited: ask again at once
                    continue
                # "Not yet", answered without the wait asked for: ask again after a pause.
                pause = POLL.delay(early)
                early += 1
                clock.sleep(pause if ends is None else min(pause, ends - now))


def _check_run_id(run_id: object) -> None:
    _checks.check_text("run_id", run_id, what="a run id", hint="e.g. 'trun_...' from a RunResult")


def _check_client_arguments(
    api_key: object,
    base_url: object,
    api_version: object,
    http_client: object,
    timeout: object,
    on_wait: object,
) -> None:
    """The types of Client's arguments that its configuration does not check itself."""
    if api_key is not None and not isinstance(api_key, str):
        raise errors.ArgumentTypeError(
            f"api_key must be a str, got {_checks.describe(api_key, show=False)}; or pass None "
            "to read the PARALLEL_API_KEY environment variable"
        )
    for name, value, example in (
        ("base_url", base_url, "https://api.parallel.ai"),
        ("api_version", api_version, "v1"),
    ):
        if value is not None and not isinstance(value, str):
            raise errors.ArgumentTypeError(
                f"{name} must be a str such as {example!r} (or None for the default), got "
                f"{_checks.describe(value)}"
            )
    if http_client is not None and not isinstance(http_client, httpx.Client):
        hint = (
            "this client is synchronous: pass an httpx.Client"
            if isinstance(http_client, httpx.AsyncClient)
            else "pass an httpx.Client (e.g. one with your proxy or transport), or None"
        )
        raise errors.ArgumentTypeError(
            f"http_client must be an httpx.Client, got {_checks.describe(http_client)}; {hint}"
        )
    if timeout is not None and not isinstance(timeout, httpx.Timeout):
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise errors.ArgumentTypeError(
                "timeout must be a number of seconds (int or float), an httpx.Timeout, or None "
                f"(the default: 60 s, 10 s to connect), got {_checks.describe(timeout)}; "
                "e.g. timeout=30"
            )
        if not 0 < timeout < math.inf:  # 0 would time out every request at once
            raise errors.ConfigurationError(
                f"timeout must be a positive, finite number of seconds, got {timeout!r}; "
                "for no limit pass httpx.Timeout(None)"
            )
    _checks.check_callable("on_wait", on_wait, what="of (why, until)")


def _policy(
    retry: Optional[RetryPolicy],
    max_retries: Optional[int],
    max_backoff: Optional[float],
    give_up_after: Optional[float],
) -> RetryPolicy:
    """The client's retry policy: ``retry`` as given, or one from the three shorthands."""
    if retry is not None:
        if (max_retries, max_backoff, give_up_after) != (None, None, None):
            raise errors.ConfigurationError(
                "pass either retry=RetryPolicy(...) or max_retries/max_backoff/give_up_after, "
                "not both"
            )
        if not isinstance(retry, RetryPolicy):
            raise errors.ArgumentTypeError(
                f"retry must be a RetryPolicy, got {type(retry).__name__}"
            )
        return retry.fresh()
    _checks.check_whole("max_retries", max_retries, minimum=0, hint="0 turns retries off")
    _checks.check_seconds("give_up_after", give_up_after)
    backoff = REQUEST
    if max_backoff is not None:
        _checks.check_seconds("max_backoff", max_backoff)
        backoff = attrs.evolve(REQUEST, cap=float(max_backoff))
    return RetryPolicy(
        max_retries=4 if max_retries is None else max_retries,
        give_up_after=give_up_after,
        backoff=backoff,
    )


def core_of(client: Client) -> HttpCore:
    """The HTTP core of ``client``, for the package's own layers above the client (a job builds
    on the streams and the submission engine directly)."""
    return client._core
