"""Plain JSON records: one results-file line per row, one line per stream event.

A row's record::

    {"key", "status", "run_id", "group_id", "input", "output", "error", "basis", "attempts"}

``status`` is the run's (``completed``, ``failed``, ``cancelled``) or, for a row without a
finished run when the job ended, ``not_submitted`` or ``unfinished`` with the reason in
``error.message``. ``basis`` (the output's citations and confidences) is kept in the job's
journal and written to the file with ``include_basis``; ``attempts`` lists the earlier runs
of a retried row.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from typing import Any, Optional

from parallel_taskgroup_api.models import Error, TaskRun

from ..results import RunResult
from ..streaming.events import Event
from ..submission.keys import run_key
from .record_text import output_parts

__all__ = [
    "epoch_seconds",
    "event_record",
    "output_json",
    "placeholder",
    "result_record",
    "run_record",
    "run_timing",
]


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


def result_record(
    result: RunResult,
    *,
    value: Any = None,
    attempts: Optional[list[dict[str, Any]]] = None,
    group_id: Optional[str] = None,
) -> dict[str, Any]:
    """The record of a finished run's result. ``value`` is the row's input (the caller's own:
    the events stream carries none); without it, the run's input when the result came with one."""
    if value is None and result.input is not None:
        value = _plain(result.input.input_)
    return run_record(
        result.run, output_json(result), value=value, attempts=attempts, group_id=group_id
    )


def output_json(result: RunResult) -> Optional[dict[str, Any]]:
    """A result's output as JSON data, as the API sends it (``{"type", "content", "basis"}``),
    or None: what :func:`run_record` takes."""
    output = _plain(result.output)
    return output if isinstance(output, dict) else None


def run_record(
    run: TaskRun,
    output: Optional[dict[str, Any]],
    *,
    value: Any,
    attempts: Optional[list[dict[str, Any]]] = None,
    group_id: Optional[str] = None,
) -> dict[str, Any]:
    """The record of a finished run whose output is ``output``: JSON data, as the API sends it
    (``{"type", "content", "basis"}``), or None."""
    status = run.status.value
    error = _plain(run.error) if isinstance(run.error, Error) else None
    if error is None and status != "completed":
        error = {"message": f"run {status} without an error message"}
    content, basis = output_parts(output)
    key = run_key(run)
    record: dict[str, Any] = {
        "key": key if key is not None else run.run_id,
        "status": status,
        "run_id": run.run_id,
        "input": value,
        "output": content,
        "error": error,
        "basis": basis,
    }
    if group_id is not None:
        record["group_id"] = group_id
    if attempts:
        record["attempts"] = attempts
    return record


def placeholder(
    key: str,
    value: Any,
    status: str,
    why: str,
    *,
    run_id: Optional[str] = None,
    group_id: Optional[str] = None,
    attempts: Optional[list[dict[str, Any]]] = None,
) -> dict[str, Any]:
    """The record of a row without a finished run: ``not_submitted`` or ``unfinished``
    (``attempts``: the row's earlier runs, when its newest is unfinished)."""
    record: dict[str, Any] = {
        "key": key,
        "status": status,
        "run_id": run_id,
        "input": value,
        "output": None,
        "error": {"message": why},
        "basis": None,
    }
    if group_id is not None:
        record["group_id"] = group_id
    if attempts:
        record["attempts"] = attempts
    return record


def event_record(event: Event) -> dict[str, Any]:
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


_FRACTION = re.compile(r"\.(\d+)")
# From Python 3.11 on, fromisoformat reads what the API sends (``Z``, any number of fraction
# digits) by itself; what it refuses takes the general path, which ends in fromisoformat too.
_READS_RFC3339 = sys.version_info >= (3, 11)


def epoch_seconds(stamp: Any) -> Optional[float]:
    """An RFC 3339 timestamp as epoch seconds (None for anything else)."""
    if not isinstance(stamp, str):
        return None
    if _READS_RFC3339:
        try:
            moment = datetime.fromisoformat(stamp)
        except ValueError:
            pass
        else:
            return moment.timestamp() if moment.tzinfo is not None else None
    return _epoch_seconds(stamp)


def _epoch_seconds(stamp: str) -> Optional[float]:
    text = stamp.strip().replace("Z", "+00:00").replace("z", "+00:00")
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def run_timing(run: TaskRun) -> tuple[Optional[float], Optional[float]]:
    """(seconds the run took, when it finished as epoch seconds), None where unknown."""
    created = epoch_seconds(run.created_at)
    finished = epoch_seconds(run.modified_at)
    if created is None or finished is None:
        return None, finished
    return max(0.0, finished - created), finished
