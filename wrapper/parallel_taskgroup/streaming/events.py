"""Raw SSE events to the generated event models; unknown types pass through as UnknownEvent."""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

import attrs
from parallel_taskgroup_api.models import ErrorEvent, TaskGroupStatusEvent, TaskRunEvent

from .._json import loads
from ..errors import StreamError
from .sse import RawEvent

__all__ = ["Event", "UnknownEvent", "event_id_of", "parse_event"]


@attrs.frozen(slots=True)
class UnknownEvent:
    """An event type this client version does not know. ``data`` is the decoded JSON when the
    payload is JSON, else the raw text."""

    type: str
    data: Any
    event_id: Optional[str] = None


Event = Union[TaskGroupStatusEvent, TaskRunEvent, ErrorEvent, UnknownEvent]

_PARSERS: dict[str, Callable[[dict[str, Any]], Event]] = {
    "task_group_status": TaskGroupStatusEvent.from_dict,
    "task_run.state": TaskRunEvent.from_dict,
    "error": ErrorEvent.from_dict,
}


def event_id_of(event: Event) -> Optional[str]:
    """The resume cursor carried by ``event`` (``None`` for error events and events without one)."""
    value = getattr(event, "event_id", None)
    return value if type(value) is str and value else None


def _event_id(raw: RawEvent, payload: Any = None) -> Optional[str]:
    eid = payload.get("event_id") if isinstance(payload, dict) else None
    if isinstance(eid, str) and eid:
        return eid
    return raw.id or None


def parse_event(raw: RawEvent) -> Event:
    """Type one raw event. The JSON ``type`` field decides the model (the SSE ``event:`` name is
    the fallback); unknown types pass through as :class:`UnknownEvent`. A known type whose
    payload does not parse raises StreamError naming the event (its ``event_id`` when it has
    one, so that a stream can step over it)."""
    data = raw.data
    try:
        payload = loads(data)
    except (ValueError, RecursionError):
        if raw.event in _PARSERS:
            raise StreamError(
                f"{raw.event!r} event {raw.id or '<no id>'} has data that is not JSON: "
                f"{data[:120]!r}",
                event_id=raw.id or None,
            ) from None
        return UnknownEvent(raw.event, data, raw.id)
    kind = payload.get("type", raw.event) if isinstance(payload, dict) else raw.event
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        return UnknownEvent(str(kind), payload, _event_id(raw, payload))
    if not isinstance(payload, dict):
        eid = _event_id(raw, payload)
        raise StreamError(
            f"{kind!r} event {eid or '<no id>'} is not a JSON object: {data[:120]!r}",
            event_id=eid,
        )
    try:
        return parser(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        eid = _event_id(raw, payload)
        raise StreamError(
            f"{kind!r} event {eid or '<no id>'} does not match the API schema "
            f"({type(exc).__name__}: {exc}); data: {data[:200]!r}",
            event_id=eid,
        ) from None
