"""wait(): block until a group is no longer active, watching its events stream."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Optional

from parallel_taskgroup_api.models import ErrorEvent, TaskGroupStatus, TaskGroupStatusEvent

from . import errors
from .streams import deadline_at

if TYPE_CHECKING:
    from .group import TaskGroup

__all__ = ["ProgressCallback", "wait_for_group"]

ProgressCallback = Callable[[TaskGroupStatus], None]

_POLL_START = 1.0
_POLL_MAX = 10.0


def _counts(status: TaskGroupStatus) -> str:
    counts = status.task_run_status_counts.additional_properties
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if n) or "no runs"


def _timed_out(group: TaskGroup, status: TaskGroupStatus, deadline: Optional[float]) -> Exception:
    return errors.DeadlineExceeded(
        f"group {group.id} is still active after {deadline}s ({_counts(status)}); "
        "call wait() again to keep waiting"
    )


def _stream_unavailable(exc: errors.ParallelError) -> bool:
    if isinstance(exc, errors.StreamNotSupportedError):
        return True
    return isinstance(exc, errors.APIStatusError) and exc.status_code in (404, 405, 501)


def wait_for_group(
    group: TaskGroup,
    *,
    on_progress: Optional[ProgressCallback] = None,
    deadline: Optional[float] = None,
    poll_interval: float = _POLL_START,
) -> TaskGroupStatus:
    """Block until ``group`` has no active run and return its final status.

    Watches the events stream (reconnecting as needed); ``on_progress`` receives each status
    update. Falls back to polling the group summary when the server does not stream events.
    ``deadline`` (seconds) raises DeadlineExceeded; Ctrl-C closes the connection and propagates.
    """
    ends = deadline_at(deadline)
    status = group.status().status
    if on_progress is not None:
        on_progress(status)
    if not status.is_active:
        return status
    start_runs = status.num_task_runs
    remaining = None if ends is None else max(ends - time.monotonic(), 0.0)
    stream = group.events(deadline=remaining, stream_name="wait")
    try:
        with stream:
            for event in stream:
                if type(event) is TaskGroupStatusEvent:
                    status = event.status
                    if on_progress is not None:
                        on_progress(status)
                    # Replayed history can hold older inactive states (e.g. before runs were
                    # added); only one covering at least the runs seen at the start is final.
                    if not status.is_active and status.num_task_runs >= start_runs:
                        return status
                elif type(event) is ErrorEvent:
                    raise errors.StreamError(
                        f"the events stream of group {group.id} reported an error: "
                        f"{event.error.message}",
                        event_id=stream.cursor,
                        ref_id=event.error.ref_id,
                    )
        final = group.status().status
        if on_progress is not None and final != status:
            on_progress(final)
        return final
    except errors.DeadlineExceeded:
        raise _timed_out(group, status, deadline) from None
    except errors.ParallelError as exc:
        if not _stream_unavailable(exc):
            raise
    return _poll(group, status, on_progress, ends, deadline, poll_interval)


def _poll(
    group: TaskGroup,
    status: TaskGroupStatus,
    on_progress: Optional[ProgressCallback],
    ends: Optional[float],
    deadline: Optional[float],
    interval: float,
) -> TaskGroupStatus:
    sleep = group.client._sleep
    while status.is_active:
        if ends is not None:
            left = ends - time.monotonic()
            if left <= 0:
                raise _timed_out(group, status, deadline)
            sleep(min(interval, left))
        else:
            sleep(interval)
        interval = min(interval * 1.5, _POLL_MAX)
        latest = group.status().status
        if on_progress is not None and latest != status:
            on_progress(latest)
        status = latest
    return status
