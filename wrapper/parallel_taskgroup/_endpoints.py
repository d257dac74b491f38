"""Typed calls of the API's operations, built and parsed by the generated endpoint modules
(through their public ``request_kwargs``/``parse_response``) and sent by the :class:`HttpCore`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional, Union

from parallel_taskgroup_api.api.task_groups import (
    create_task_group,
    get_task_group,
    get_task_group_run,
    stream_task_group_events,
    stream_task_group_runs,
)
from parallel_taskgroup_api.api.task_runs import (
    get_task_run,
    get_task_run_input,
    get_task_run_result,
)
from parallel_taskgroup_api.models import (
    CreateTaskGroupRequest,
    CreateTaskGroupRequestMetadataType0,
    StreamTaskGroupRunsStatusType0,
    TaskGroupResponse,
    TaskRun,
    TaskRunInput,
    TaskRunResult,
)
from parallel_taskgroup_api.types import UNSET, Unset

from ._http import HttpCore

__all__ = [
    "add_runs_path",
    "create_group",
    "events_path",
    "get_group",
    "get_group_run",
    "get_input",
    "get_result",
    "get_run",
    "runs_stream_params",
    "runs_stream_path",
]

MetadataValue = Union[str, int, float, bool]

RESULT_WAIT_MARGIN = 5.0
"""Seconds by which a server-side wait stays under the client's read timeout."""


def create_group(
    core: HttpCore, metadata: Optional[Mapping[str, MetadataValue]]
) -> TaskGroupResponse:
    """Create an empty group. Retried like a GET (connection errors, timeouts, 5xx): an extra
    empty group costs nothing, and no run is created here."""
    body = CreateTaskGroupRequest(
        metadata=CreateTaskGroupRequestMetadataType0.from_dict(dict(metadata))
        if metadata is not None
        else UNSET
    )
    return core.call(
        create_task_group.request_kwargs(body=body),
        create_task_group.parse_response,
        TaskGroupResponse,
    )


def get_group(core: HttpCore, group_id: str) -> TaskGroupResponse:
    """A group's summary: its status counts and whether any run is active."""
    return core.call(
        get_task_group.request_kwargs(group_id), get_task_group.parse_response, TaskGroupResponse
    )


def get_group_run(core: HttpCore, group_id: str, run_id: str) -> TaskRun:
    """One run of a group."""
    return core.call(
        get_task_group_run.request_kwargs(group_id, run_id),
        get_task_group_run.parse_response,
        TaskRun,
    )


def get_run(core: HttpCore, run_id: str) -> TaskRun:
    """A run's status."""
    return core.call(get_task_run.request_kwargs(run_id), get_task_run.parse_response, TaskRun)


def get_input(core: HttpCore, run_id: str) -> TaskRunInput:
    """The input a run was created with."""
    return core.call(
        get_task_run_input.request_kwargs(run_id), get_task_run_input.parse_response, TaskRunInput
    )


def result_wait_limit(core: HttpCore) -> float:
    """The longest server-side wait a result request may ask for: under the read timeout."""
    read = core.timeout.read
    if read is None:
        return 600.0
    return max(1.0, read - RESULT_WAIT_MARGIN)


def get_result(
    core: HttpCore, run_id: str, *, server_wait: Optional[float] = None
) -> TaskRunResult:
    """A finished run's result. With ``server_wait`` the server blocks until the run finishes,
    up to that many seconds (kept under the client's read timeout), and a 408 (still active) is
    raised at once as the answer; without it a 408 is retried like any transient failure."""
    wait: Union[int, Unset] = UNSET
    if server_wait is not None:
        wait = max(0, int(min(server_wait, result_wait_limit(core))))
    return core.call(
        get_task_run_result.request_kwargs(run_id, timeout=wait),
        get_task_run_result.parse_response,
        TaskRunResult,
        answers=(408,) if server_wait is not None else (),
    )


def events_path(group_id: str) -> str:
    """The path of a group's events stream."""
    return str(stream_task_group_events.request_kwargs(group_id)["url"])


def runs_stream_path(group_id: str) -> str:
    """The path of a group's runs snapshot stream."""
    return str(stream_task_group_runs.request_kwargs(group_id)["url"])


def add_runs_path(group_id: str) -> str:
    """The path add-runs POSTs go to (the same as the runs stream's)."""
    return runs_stream_path(group_id)


def runs_stream_params(
    *,
    include_input: bool,
    include_output: bool,
    status: Optional[StreamTaskGroupRunsStatusType0],
) -> dict[str, Any]:
    """Query parameters of the runs snapshot stream, as the API spells them."""
    kwargs = stream_task_group_runs.request_kwargs(
        "_",
        status=UNSET if status is None else status,
        include_input=include_input,
        include_output=include_output,
    )
    params: dict[str, Any] = {}
    for name, value in (kwargs.get("params") or {}).items():
        if isinstance(value, Unset):
            continue
        params[name] = str(value).lower() if isinstance(value, bool) else value
    return params
