"""Raw SSE events become generated models; unknown types pass through; bad data is a StreamError."""

from __future__ import annotations

import json
from typing import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import UnknownEvent, errors
from parallel_taskgroup.streaming.events import event_id_of, parse_event
from parallel_taskgroup.streaming.sse import RawEvent
from parallel_taskgroup_api.models import (
    ErrorEvent,
    TaskGroupStatusEvent,
    TaskRunEvent,
    TaskRunJsonOutput,
)
from stream_fakes import run_event, status_event


def raw(payload: object, event: str = "message", sse_id: str | None = None) -> RawEvent:
    return RawEvent(event, json.dumps(payload), sse_id)


def test_task_run_state_becomes_task_run_event() -> None:
    ev = parse_event(raw(run_event(3, "e3", with_output=True), "task_run.state"))
    assert isinstance(ev, TaskRunEvent)
    assert ev.run.run_id == "trun_3" and isinstance(ev.output, TaskRunJsonOutput)
    assert event_id_of(ev) == "e3"


def test_status_event_becomes_task_group_status_event() -> None:
    ev = parse_event(raw(status_event("e1", active=False)))
    assert isinstance(ev, TaskGroupStatusEvent) and ev.status.is_active is False


def test_error_event_becomes_error_event() -> None:
    ev = parse_event(raw({"type": "error", "error": {"ref_id": "r", "message": "m"}}))
    assert isinstance(ev, ErrorEvent) and ev.error.ref_id == "r"
    assert event_id_of(ev) is None


def test_json_type_wins_over_sse_event_name() -> None:
    assert isinstance(parse_event(raw(status_event("e1", True), "whatever")), TaskGroupStatusEvent)


def test_unknown_type_passes_through() -> None:
    ev = parse_event(raw({"type": "task_run.progress", "event_id": "e9", "pct": 5}))
    assert ev == UnknownEvent(
        "task_run.progress", {"type": "task_run.progress", "event_id": "e9", "pct": 5}, "e9"
    )


def test_unknown_non_json_event_passes_through_as_text() -> None:
    assert parse_event(RawEvent("ping", "keepalive", "7")) == UnknownEvent("ping", "keepalive", "7")


def test_known_type_with_non_json_data_names_the_event_id() -> None:
    with pytest.raises(errors.StreamError, match="ev-42") as info:
        parse_event(RawEvent("task_run.state", "{not json", "ev-42"))
    assert info.value.event_id == "ev-42"


def test_known_type_missing_fields_names_the_event_id() -> None:
    with pytest.raises(errors.StreamError, match="e5") as info:
        parse_event(raw({"type": "task_run.state", "event_id": "e5"}))
    assert info.value.event_id == "e5"


def test_known_type_that_is_not_an_object_is_a_stream_error() -> None:
    with pytest.raises(errors.StreamError):
        parse_event(RawEvent("task_group_status", "[1, 2]", "e1"))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)
_SPACE = st.text(alphabet=" \t\r\n", max_size=3)


@given(_JSON, _SPACE, _SPACE)
def test_event_json_decoding_matches_json_loads(value: object, before: str, after: str) -> None:
    from parallel_taskgroup._json import loads as _loads

    text = before + json.dumps(value) + after
    assert _loads(text) == json.loads(text)


def _outcome(decode: Callable[[str], object], text: str) -> object:
    try:
        return ("value", decode(text))
    except ValueError:
        return ("error", None)


@given(_JSON, st.text(alphabet=' x}1"[\x00\t', max_size=3))
def test_event_json_decoding_accepts_and_rejects_like_json_loads(value: object, extra: str) -> None:
    from parallel_taskgroup._json import loads as _loads

    text = json.dumps(value) + extra
    assert _outcome(_loads, text) == _outcome(json.loads, text)
