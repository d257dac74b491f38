"""Reading a group's status summary: its run counts by status, as plain data."""

from __future__ import annotations

from parallel_taskgroup_api.models import TaskGroupStatus, TaskGroupStatusTaskRunStatusCounts

__all__ = ["ACTIVE_STATUSES", "active_runs", "group_active", "status_counts"]

ACTIVE_STATUSES = frozenset({"queued", "action_required", "running", "cancelling"})


def status_counts(status: TaskGroupStatus) -> dict[str, int]:
    """The group's run counts by status (``{}`` when the summary gives none)."""
    counts = status.task_run_status_counts
    if not isinstance(counts, TaskGroupStatusTaskRunStatusCounts):
        return {}
    return {
        str(k): int(v)
        for k, v in counts.additional_properties.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def active_runs(status: TaskGroupStatus) -> int:
    """How many of the group's runs are still active."""
    return sum(n for s, n in status_counts(status).items() if s in ACTIVE_STATUSES)


def group_active(status: TaskGroupStatus) -> bool:
    """Whether the group has an active run: its ``is_active``, or a count of active runs.

    The add-runs answer's status may be a cached one (``refresh_status=false``), so a summary
    read just after a POST may say inactive while counting queued runs; either sign of
    activity is taken, lest a reader stop before the runs it just added have run."""
    return bool(status.is_active) or active_runs(status) > 0
