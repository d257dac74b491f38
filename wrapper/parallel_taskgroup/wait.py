"""wait(): block until a group is no longer active, watching its events stream."""

from __future__ import annotations

from typing import Callable, Optional

from parallel_taskgroup_api.models import ErrorEvent, TaskGroupStatus, TaskGroupStatusEvent

from . import errors
from ._endpoints import events_path, get_group
from ._http import HttpCore
from ._retry import POLL
from ._status import status_counts
from .streaming.stream import EventStream, timeout_at

__all__ = ["ProgressCallback", "wait_for_group"]

ProgressCallback = Callable[[TaskGroupStatus], None]


def _counts(status: TaskGroupStatus) -> str:
    counts = status_counts(status)
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if n) or "no runs"


def _timed_out(group_id: str, status: TaskGroupStatus, timeout: Optional[float]) -> Exception:
    return errors.WaitTimeoutError(
        f"group {group_id} is still active after {timeout}s ({_counts(status)}); "
        "call wait() again to keep waiting"
    )


def _stream_unavailable(exc: errors.ParallelError) -> bool:
    if isinstance(exc, errors.StreamNotSupportedError):
        return True
    return isinstance(exc, errors.APIStatusError) and exc.status_code in (404, 405, 501)


def wait_for_group(
    core: HttpCore,
    group_id: str,
    *,
    on_progress: Optional[ProgressCallback],
    timeout: Optional[float],
) -> TaskGroupStatus:
    """Block until the group has no active run and return its final status.

    Watches the events stream (reconnecting as needed); ``on_progress`` receives each status
    update. Falls back to polling the group summary when the server does not stream events.
    ``timeout`` (seconds) raises WaitTimeoutError; Ctrl-C closes the connection and propagates.
    """
    ends = timeout_at(core, timeout)
    status = get_group(core, group_id).status
    if on_progress is not None:
        on_progress(status)
    if not status.is_active:
        return status
    start_runs = status.num_task_runs
    remaining = None if ends is None else max(ends - core.clock.now(), 0.0)
    stream = EventStream(
        core,
        group_id,
        events_path(group_id),
        stream_name="wait",
        until="inactive",
        timeout=remaining,
    )
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
                        f"the events stream of group {group_id} reported an error: "
                        f"{event.error.message}",
                        event_id=stream.cursor,
                        ref_id=event.error.ref_id if isinstance(event.error.ref_id, str) else None,
                    )
        final = get_group(core, group_id).status
        if on_progress is not None and final != status:
            on_progress(final)
        return final
    except errors.WaitTimeoutError:
        raise _timed_out(group_id, status, timeout) from None
    except errors.ParallelError as exc:
        if not _stream_unavailable(exc):
            raise
    return _poll(core, group_id, status, on_progress, ends, timeout)


def _poll(
    core: HttpCore,
    group_id: str,
    status: TaskGroupStatus,
    on_progress: Optional[ProgressCallback],
    ends: Optional[float],
    timeout: Optional[float],
) -> TaskGroupStatus:
    clock = core.clock
    attempt = 0
    while status.is_active:
        interval = POLL.delay(attempt)
        attempt += 1
        if ends is not None:
            left = ends - clock.now()
            if left <= 0:
                raise _timed_out(group_id, status, timeout)
            clock.sleep(min(interval, left))
        else:
            clock.sleep(interval)
        latest = get_group(core, group_id).status
        if on_progress is not None and latest != status:
            on_progress(latest)
        status = latest
    return status
