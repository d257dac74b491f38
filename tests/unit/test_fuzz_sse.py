"""Fuzz: the SSE decoder and event typing over arbitrary bytes and chunkings, and the error
decoding over arbitrary bodies, never raise anything but the documented typed errors."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import errors
from parallel_taskgroup._http import error_from_response, parse_retry_after
from parallel_taskgroup.streaming.events import UnknownEvent, parse_event
from parallel_taskgroup.streaming.sse import RawEvent, iter_sse
from parallel_taskgroup_api.models import ErrorEvent, TaskGroupStatusEvent, TaskRunEvent

TYPED = (TaskGroupStatusEvent, TaskRunEvent, ErrorEvent, UnknownEvent)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=15,
)
event_types = st.sampled_from(
    ["task_run.state", "task_group_status", "error", "other", "", "message"]
)
payloads = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"type": event_types},
        optional={
            "event_id": st.one_of(st.none(), st.text(max_size=8), st.integers()),
            "run": json_values,
            "status": json_values,
            "error": json_values,
            "output": json_values,
            "input": json_values,
        },
    ),
)
lines = st.one_of(
    st.binary(max_size=30),
    event_types.map(lambda t: b"event: " + t.encode()),
    payloads.map(lambda p: b"data: " + json.dumps(p).encode()),
    st.text(max_size=10).map(lambda t: b"id: " + t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"retry: 10", b"retry: x", b":comment", b"data", b"", b"\xef\xbb\xbf"]),
)
endings = st.sampled_from([b"\n", b"\r\n", b"\r"])


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, start = [], 0
    for p in points:
        out.append(data[start:p])
        start = p
    out.append(data[start:])
    return out


def decode_all(chunks: list[bytes]) -> list[Any]:
    """Every outcome: a typed event, or a StreamError for that event."""
    outcomes: list[Any] = []
    for raw in iter_sse(chunks):
        assert isinstance(raw, RawEvent)
        try:
            outcomes.append(parse_event(raw))
        except errors.StreamError as exc:
            outcomes.append(exc)
    return outcomes


@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=8))
def test_arbitrary_bytes_give_typed_events_or_stream_errors(data: bytes, cuts: list[int]) -> None:
    for outcome in decode_all(chunked(data, cuts)):
        assert isinstance(outcome, (*TYPED, errors.StreamError))


@given(st.lists(st.tuples(lines, endings), max_size=20), st.lists(st.integers(0, 2000), max_size=8))
def test_sse_shaped_bytes_give_typed_events_or_stream_errors(
    parts: list[tuple[bytes, bytes]], cuts: list[int]
) -> None:
    data = b"".join(line + end for line, end in parts)
    whole = decode_all([data])
    for outcome in whole:
        assert isinstance(outcome, (*TYPED, errors.StreamError))
    # The chunking never changes what is decoded.
    assert [type(o) for o in decode_all(chunked(data, cuts))] == [type(o) for o in whole]


@given(event_types, st.text(max_size=200), st.one_of(st.none(), st.text(max_size=10)))
def test_parse_event_on_any_text_is_typed_or_stream_error(
    event: str, data: str, event_id: str | None
) -> None:
    try:
        outcome: Any = parse_event(RawEvent(event or "message", data, event_id))
    except errors.StreamError as exc:
        outcome = exc
    assert isinstance(outcome, (*TYPED, errors.StreamError))


@given(st.text(max_size=60))
def test_any_retry_after_header_is_none_or_a_non_negative_number(value: str) -> None:
    seconds = parse_retry_after(value)
    assert seconds is None or (isinstance(seconds, float) and seconds >= 0.0)


@given(
    st.integers(300, 599),
    st.one_of(st.binary(max_size=300), payloads.map(lambda p: json.dumps(p).encode())),
    st.dictionaries(st.sampled_from(["retry-after", "content-type"]), st.text(max_size=30)),
)
def test_any_error_body_gives_a_typed_status_error(
    status: int, body: bytes, headers: dict[str, str]
) -> None:
    exc = error_from_response(status, body, headers=headers, method="GET", url="/v1/x")
    assert isinstance(exc, errors.APIStatusError) and exc.status_code == status
    assert str(exc)


sse_bytes = st.lists(
    st.sampled_from(
        [b"\n", b"\r", b"\r\n", b"\n\n", b"data: x", b"event: e", b":", b"id: 1", b"z"]
    ),
    max_size=40,
).map(b"".join)


@given(sse_bytes, st.integers(0, 80))
def test_blank_line_search_finds_what_bytes_find_finds(data: bytes, start: int) -> None:
    from parallel_taskgroup.streaming.sse import _blank_line

    assert _blank_line(data, start) == data.find(b"\n\n", start)
