"""wait(): block until a group is no longer active.

It never replays a group's history: it follows the events stream only from a cursor it is
given (the last add-runs' ``event_cursor``, or the caller's), and otherwise polls the group's
summary with backoff. On a group that is already idle it returns after one request.
"""

from __future__ import annotations

import logging
from typing import Callable, Optional

from parallel_taskgroup_api.models import ErrorEvent, TaskGroupStatus, TaskGroupStatusEvent

from . import errors
from ._endpoints import events_path, get_group
from ._http import HttpCore
from ._retry import POLL
from ._status import group_active, status_counts
from .streaming.stream import EventStream, timeout_at

__all__ = ["ProgressCallback", "wait_for_group"]

ProgressCallback = Callable[[TaskGroupStatus], None]

log = logging.getLogger("parallel_taskgroup")


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
    events_after: Optional[str],
    follow_events: bool,
) -> TaskGroupStatus:
    """Block until the group has no active run and return its final status.

    With ``follow_events``, watches the events stream from ``events_after`` (``None``: from the
    start, for a group this process just filled); otherwise polls the summary. Falls back to
    polling when the server does not stream events. ``on_progress`` receives each status
    update; ``timeout`` (seconds) raises WaitTimeoutError; Ctrl-C propagates.
    """
    ends = timeout_at(core, timeout)
    status = get_group(core, group_id).status
    if on_progress is not None:
        on_progress(status)
    if not group_active(status):
        return status
    if not follow_events:
        return _poll(core, group_id, status, on_progress, ends, timeout)
    start_runs = status.num_task_runs
    remaining = None if ends is None else max(ends - core.clock.now(), 0.0)
    stream = EventStream(
        core,
        group_id,
        events_path(group_id),
        stream_name="wait",
        until="inactive",
        last_event_id=events_after,
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
                    if not group_active(status) and status.num_task_runs >= start_runs:
                        return status
                elif type(event) is ErrorEvent:
                    log.info(
                        "the events stream of group %s reported an error (%s); going on",
                        group_id,
                        event.error.message,
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
    while group_active(status):
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
