"""Plain JSON records: one results-file line per finished run, one line per stream event."""

from __future__ import annotations

from typing import Any

from ..results import RunResult
from ..streaming.events import Event

__all__ = ["event_record", "result_record"]


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


def result_record(result: RunResult, *, include_basis: bool) -> dict[str, Any]:
    """The results-file record of one finished run: key, status, run id, input, output, error
    (and the output's basis with ``include_basis``)."""
    status = result.status.value
    run_input = result.input
    error = _plain(result.error)
    if error is None and status != "completed":
        error = {"message": f"run {status} without an error message"}
    record: dict[str, Any] = {
        "key": result.key if result.key is not None else result.run_id,
        "status": status,
        "run_id": result.run_id,
        "input": _plain(run_input.input_) if run_input is not None else None,
        "output": result.content,
        "error": error,
    }
    if include_basis:
        basis = getattr(result.output, "basis", None)
        record["basis"] = [_plain(b) for b in basis] if isinstance(basis, list) and basis else None
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
