"""The group's own record of which rows it holds: row key -> run id, read from its runs."""

from __future__ import annotations

from typing import Optional

import attrs
from parallel_taskgroup_api.models import TaskRunEvent

from .._endpoints import runs_stream_params, runs_stream_path
from .._http import HttpCore
from .._retry import RetryPolicy
from ..streaming.stream import EventStream
from .keys import run_identity, unreadable_run

__all__ = ["GroupKeys", "existing_keys"]


@attrs.frozen
class GroupKeys:
    """What one read of a group found."""

    runs: dict[str, str]
    """Identity (row key, with its attempt for a retry) -> run id of its first run."""
    extra: dict[str, list[str]]
    """Identity -> the ids of further runs of it: each was created, and billed, besides the
    first (another process, or a request that landed late)."""
    retry: RetryPolicy
    """The retry policy after the read (a caller that nests it goes on from there)."""


def existing_keys(
    core: HttpCore,
    group_id: str,
    wanted: Optional[set[str]] = None,
    *,
    retry: Optional[RetryPolicy] = None,
) -> GroupKeys:
    """The runs of the group (only those whose identity is in ``wanted`` when given), read from
    one snapshot of its runs stream (no inputs, no outputs). ``retry``: the policy to go on
    from (the caller's, when the read is part of its operation)."""
    found: dict[str, str] = {}
    extra: dict[str, list[str]] = {}

    def note(key: str, run_id: str) -> None:
        if wanted is not None and key not in wanted:
            return
        first = found.setdefault(key, run_id)
        if first != run_id and run_id not in extra.get(key, ()):
            extra.setdefault(key, []).append(run_id)

    def unreadable(data: str) -> None:
        run = unreadable_run(data)
        if run is not None:
            note(run[0], run[1])

    stream = EventStream(
        core,
        group_id,
        runs_stream_path(group_id),
        stream_name="reconcile",
        until="close",
        params=runs_stream_params(include_input=False, include_output=False, status=None),
        retry=retry,
        on_unreadable=unreadable,
    )
    with stream:
        for event in stream:
            if type(event) is not TaskRunEvent:
                continue
            key = run_identity(event.run)
            if key is not None:
                note(key, event.run.run_id)
    return GroupKeys(found, extra, stream.retry)
