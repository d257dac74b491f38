"""Plain JSON records for the command line: one results-file line per run, one line per event."""

from __future__ import annotations

from typing import Any, Optional

from parallel_taskgroup_api.models import TaskGroupStatus, TaskRun
from parallel_taskgroup_api.types import Unset

TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})


def _plain(value: Any) -> Any:
    """JSON-ready form of a generated model, an enum or a plain value."""
    if value is None:
        return None
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        return value.value
    return value


def _unset_to_none(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


def status_counts(status: TaskGroupStatus) -> dict[str, int]:
    """The group's run counts by status, as a plain dict."""
    raw = _plain(status.task_run_status_counts)
    if not isinstance(raw, dict):
        return {}
    return {str(k): int(v) for k, v in raw.items() if isinstance(v, (int, float))}


def status_of(run: TaskRun) -> str:
    """The run's status as a plain string."""
    status = run.status
    return str(getattr(status, "value", status))


def run_record(
    run: TaskRun,
    *,
    key: Optional[str],
    input_value: Any,
    output: Any,
    error: Any,
    include_basis: bool,
) -> dict[str, Any]:
    """The results-file record of one finished run."""
    status = status_of(run)
    input_model = _unset_to_none(input_value)
    input_plain = (
        _plain(getattr(input_model, "input_", input_model)) if input_model is not None else None
    )
    output = _unset_to_none(output)
    content = _plain(getattr(output, "content", None)) if output is not None else None
    error = _unset_to_none(error) or _unset_to_none(getattr(run, "error", None))
    error_plain = _plain(error)
    if error_plain is None and status != "completed":
        error_plain = {"message": f"run {status} without an error message"}
    record: dict[str, Any] = {
        "key": key if key is not None else run.run_id,
        "status": status,
        "run_id": run.run_id,
        "input": input_plain,
        "output": content,
        "error": error_plain,
    }
    if include_basis:
        basis = getattr(output, "basis", None) if output is not None else None
        record["basis"] = [_plain(b) for b in basis] if basis else None
    return record


def result_record(result: Any, include_basis: bool) -> dict[str, Any]:
    """The record of a `RunResult` from `TaskGroup.results()`."""
    return run_record(
        result.run,
        key=result.key,
        input_value=result.input,
        output=result.output,
        error=result.error,
        include_basis=include_basis,
    )


def row_key_of(run: TaskRun, field: str) -> Optional[str]:
    """The row key stored in the run's metadata, if any."""
    metadata = _unset_to_none(run.metadata)
    if metadata is None:
        return None
    data = _plain(metadata)
    value = data.get(field) if isinstance(data, dict) else None
    return None if value is None else str(value)


def event_json(event: Any) -> dict[str, Any]:
    """Any stream event as a JSON object (unknown event types keep their type and data)."""
    to_dict = getattr(event, "to_dict", None)
    if callable(to_dict):
        data = to_dict()
        if isinstance(data, dict):
            return data
    return {
        "type": getattr(event, "type", "unknown"),
        "event_id": getattr(event, "event_id", None),
        "data": getattr(event, "data", None),
    }
