"""The group's own record of which rows it holds: row key -> run id, read from its runs."""

from __future__ import annotations

from typing import Optional

from parallel_taskgroup_api.models import TaskRunEvent

from .._endpoints import runs_stream_params, runs_stream_path
from .._http import HttpCore
from ..streaming.stream import EventStream
from .keys import run_identity

__all__ = ["existing_keys"]


def existing_keys(
    core: HttpCore, group_id: str, wanted: Optional[set[str]] = None
) -> dict[str, str]:
    """Identity (row key, with its attempt for a retry) -> run id of the runs in the group
    (only those in ``wanted`` when given), read from one snapshot of its runs stream (no
    inputs, no outputs)."""
    found: dict[str, str] = {}
    stream = EventStream(
        core,
        group_id,
        runs_stream_path(group_id),
        stream_name="reconcile",
        until="close",
        params=runs_stream_params(include_input=False, include_output=False, status=None),
    )
    with stream:
        for event in stream:
            if type(event) is not TaskRunEvent:
                continue
            key = run_identity(event.run)
            if key is None or key in found or (wanted is not None and key not in wanted):
                continue
            found[key] = event.run.run_id
    return found
