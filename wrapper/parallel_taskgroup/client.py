"""Client: configuration, one pooled connection, and the entry points to groups and runs."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Optional, Union

import httpx
from parallel_taskgroup_api.models import TaskRun, TaskRunInput, TaskRunResult, TaskSpec

from . import errors
from ._endpoints import create_group, get_input, get_result, get_run, result_wait_limit
from ._http import DEFAULT_BASE_URL, HttpCore
from .group import TaskGroup
from .streaming.stream import timeout_at

__all__ = ["Client"]

MetadataValue = Union[str, int, float, bool]
TaskSpecArg = Union[TaskSpec, Mapping[str, Any], None]


class Client:
    """Synchronous client for Parallel's Task Group API.

    Configure with arguments or the environment (``PARALLEL_API_KEY``, ``PARALLEL_BASE_URL``,
    ``PARALLEL_API_VERSION``). Use as a context manager, or call :meth:`close`. Pass your own
    ``httpx.Client`` for proxies, custom transports or mounts; it is then yours to close.

    ``max_retries`` bounds retries of GETs, connection failures, 408/429/5xx (exponential backoff
    with full jitter up to ``max_backoff`` seconds, ``Retry-After`` honoured). POSTs that create
    runs are never retried blindly. With ``give_up_after`` (seconds), once the server has
    answered, retries go on until it has failed that long without a break, whatever their count:
    a long-running job rides out a restart or an outage, while a wrong URL still fails fast.
    ``api_version="v1beta"`` sends group calls to the older
    ``/v1beta`` paths.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        api_version: Optional[str] = None,
        http_client: Optional[httpx.Client] = None,
        timeout: Union[float, httpx.Timeout, None] = None,
        max_retries: int = 4,
        max_backoff: float = 8.0,
        allow_insecure_http: bool = False,
        give_up_after: Optional[float] = None,
    ) -> None:
        self._core = HttpCore(
            api_key=api_key if api_key is not None else os.environ.get("PARALLEL_API_KEY"),
            base_url=base_url or os.environ.get("PARALLEL_BASE_URL") or DEFAULT_BASE_URL,
            api_version=api_version or os.environ.get("PARALLEL_API_VERSION") or "v1",
            http_client=http_client,
            timeout=timeout,
            max_retries=max_retries,
            max_backoff=max_backoff,
            allow_insecure_http=allow_insecure_http,
            give_up_after=give_up_after,
        )

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
        info = create_group(self._core, metadata)
        return TaskGroup(
            self._core,
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
        )

    # -- runs --------------------------------------------------------------------------------

    def get_run(self, run_id: str) -> TaskRun:
        """A run's status."""
        return get_run(self._core, run_id)

    def get_input(self, run_id: str) -> TaskRunInput:
        """The input a run was created with."""
        return get_input(self._core, run_id)

    def get_result(self, run_id: str, *, timeout: Optional[float] = None) -> TaskRunResult:
        """A run's result, waiting until it finishes (at most ``timeout`` seconds; ``None``
        waits as long as it takes; ``0`` asks once).

        The wait is done server-side, in steps shorter than the client's read timeout.
        Raises :class:`~parallel_taskgroup.WaitTimeoutError` if the run is still active when
        ``timeout`` passes, and ``NotFoundError`` for a failed run or an unknown id.
        """
        core = self._core
        ends = timeout_at(core, timeout)
        step = result_wait_limit(core)
        while True:
            left = step if ends is None else min(step, max(ends - core.clock.now(), 0.0))
            try:
                return get_result(core, run_id, server_wait=left)
            except errors.RequestTimeoutError:
                if ends is not None and core.clock.now() >= ends:
                    raise errors.WaitTimeoutError(
                        f"run {run_id} is still active after {timeout}s; call get_result again "
                        "to keep waiting"
                    ) from None
