"""Resumable streams: every event exactly once, in order, whatever the connection does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import MemoryCursorStore, errors
from parallel_taskgroup.streaming.events import event_id_of
from stream_fakes import (
    GROUP_ID,
    FakeGroupServer,
    TickingClock,
    fake_client,
    frame,
    run_event,
    status_event,
)


def make_events(n: int, final_status: bool = True) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for i in range(n):
        if i % 4 == 0:
            events.append(status_event(f"e{i}", active=True))
        else:
            events.append(run_event(i, f"e{i}", with_output=i % 2 == 0))
    if final_status:
        events.append(status_event(f"e{n}", active=False))
    return events


def ids(stream: Any) -> list[str | None]:
    return [event_id_of(e) for e in stream]


cuts = st.lists(st.tuples(st.sampled_from(["drop", "close"]), st.integers(0, 4000)), max_size=8)


@given(
    st.integers(0, 25),
    cuts,
    st.integers(1, 300),
    st.booleans(),
    st.booleans(),
    st.sets(st.integers(0, 25)),
)
def test_events_resume_gives_the_exact_sequence(
    n: int,
    cut_list: list[tuple[str, int]],
    chunk: int,
    final_status: bool,
    id_lines: bool,
    keepalives: set[int],
) -> None:
    events = make_events(n, final_status)
    server = FakeGroupServer(
        events, cuts=cut_list, chunk=chunk, id_lines=id_lines, keepalives=sorted(keepalives)
    )
    group = fake_client(server, max_retries=len(cut_list) + 1).group(GROUP_ID)
    assert ids(group.events()) == [e["event_id"] for e in events]


@given(st.integers(0, 25), st.lists(st.integers(0, 4000), max_size=8), st.integers(1, 300))
def test_runs_resume_after_drops_gives_the_exact_sequence(
    n: int, drops: list[int], chunk: int
) -> None:
    events = [run_event(i, f"r{i}", with_input=True, with_output=True) for i in range(n)]
    server = FakeGroupServer(events, cuts=[("drop", d) for d in drops], chunk=chunk)
    group = fake_client(server, max_retries=len(drops) + 1).group(GROUP_ID)
    assert ids(group.runs(include_input=True, include_output=True)) == [f"r{i}" for i in range(n)]


def boundaries(events: list[dict[str, Any]]) -> list[int]:
    out, pos = [], 0
    for e in events:
        pos += len(frame(e))
        out.append(pos)
    return out


def test_drop_right_after_an_event_repeats_nothing() -> None:
    events = make_events(6)
    after_second = boundaries(events)[1]
    server = FakeGroupServer(events, cuts=[("drop", after_second)])
    assert ids(fake_client(server).group(GROUP_ID).events()) == [e["event_id"] for e in events]
    assert server.connections[1].url.params["last_event_id"] == "e1"


def test_drop_mid_event_resumes_from_the_previous_event() -> None:
    events = make_events(6)
    mid_third = boundaries(events)[1] + 10
    server = FakeGroupServer(events, cuts=[("drop", mid_third)])
    stream = fake_client(server).group(GROUP_ID).events()
    assert ids(stream) == [e["event_id"] for e in events]
    assert server.connections[1].url.params["last_event_id"] == "e1"
    assert stream.reconnects >= 1


def test_server_closing_an_active_stream_is_reconnected() -> None:
    events = make_events(5)
    server = FakeGroupServer(events, cuts=[("close", boundaries(events)[2])])
    assert ids(fake_client(server).group(GROUP_ID).events()) == [e["event_id"] for e in events]
    assert len(server.connections) == 2


def test_an_idle_groups_stream_closed_early_on_every_read_is_read_to_its_end() -> None:
    events = make_events(8, final_status=False)
    edges = boundaries(events)
    # A lifetime or a proxy closing each connection a few events in, the group idle by then.
    server = FakeGroupServer(
        events, cuts=[("close", edges[2]), ("close", edges[5] - edges[2])], id_lines=True
    )
    server.finished = True
    assert ids(fake_client(server).group(GROUP_ID).events()) == [e["event_id"] for e in events]


def test_events_without_final_status_check_the_group_then_drain_once() -> None:
    events = make_events(3, final_status=False)
    server = FakeGroupServer(events)
    assert ids(fake_client(server).group(GROUP_ID).events()) == [e["event_id"] for e in events]
    assert server.status_polls == 1
    assert len(server.connections) == 2


def test_final_inactive_status_ends_after_one_confirming_check() -> None:
    server = FakeGroupServer(make_events(3))
    list(fake_client(server).group(GROUP_ID).events())
    assert server.status_polls == 1 and len(server.connections) == 1


def test_stale_inactive_status_before_an_early_close_does_not_end_the_stream() -> None:
    events = [status_event("e0", False), *make_events(4)[1:]]
    server = FakeGroupServer(events, cuts=[("close", len(frame(events[0])))])
    assert ids(fake_client(server).group(GROUP_ID).events()) == [e["event_id"] for e in events]


def test_last_event_id_is_sent_on_first_connection() -> None:
    events = make_events(5)
    server = FakeGroupServer(events)
    got = ids(fake_client(server).group(GROUP_ID).events(last_event_id="e2"))
    assert got == [e["event_id"] for e in events[3:]]


def test_cursor_store_resumes_a_new_stream_where_the_last_stopped() -> None:
    events = make_events(8)
    store = MemoryCursorStore()
    group = fake_client(FakeGroupServer(events)).group(GROUP_ID)
    first = group.events(cursor_store=store)
    seen = [event_id_of(next(first)) for _ in range(4)]
    first.close()  # e3 was handed out but never acknowledged by asking for the next one
    assert store.load(GROUP_ID, "events") == "e2"
    rest = ids(fake_client(FakeGroupServer(events)).group(GROUP_ID).events(cursor_store=store))
    assert seen[:3] + rest == [e["event_id"] for e in events]


def test_unacknowledged_event_is_redelivered_to_a_new_process() -> None:
    events = make_events(4)
    store = MemoryCursorStore()
    stream = fake_client(FakeGroupServer(events)).group(GROUP_ID).events(cursor_store=store)
    next(stream)
    next(stream)
    stream.close()  # e1 was handed out but its loop body never finished
    assert store.load(GROUP_ID, "events") == "e0"


def test_quiet_read_timeouts_reopen_without_counting_as_failures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = make_events(5)
    server = FakeGroupServer(events, cuts=[("quiet", boundaries(events)[1])] + [("quiet", 0)] * 10)
    client = fake_client(server, max_retries=2)
    assert ids(client.group(GROUP_ID).events()) == [e["event_id"] for e in events]


def test_persistent_failure_gives_up_with_connection_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client = fake_client(handler, max_retries=3)
    with pytest.raises(errors.APIConnectionError):
        list(client.group(GROUP_ID).events())


def test_not_found_is_raised_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            404, json={"type": "error", "error": {"ref_id": "r", "message": "gone"}}
        )

    with pytest.raises(errors.NotFoundError):
        list(fake_client(handler).group(GROUP_ID).events())
    assert len(calls) == 1


def test_non_sse_response_is_stream_not_supported() -> None:
    client = fake_client(lambda r: httpx.Response(200, json={"hello": 1}))
    with pytest.raises(errors.StreamNotSupportedError, match="application/json"):
        list(client.group(GROUP_ID).runs())


def test_malformed_event_is_reported_by_its_id_and_the_stream_goes_on() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = b"event: task_run.state\nid: bad-7\ndata: {oops\n\n" + frame(run_event(1, "e1"))
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    stream = fake_client(handler).group(GROUP_ID).runs()
    assert ids(stream) == ["e1"]
    assert stream.bad_events == 1 and "bad-7" in (stream.last_bad_event or "")


def test_error_events_are_yielded_and_counted() -> None:
    error = {"type": "error", "error": {"ref_id": "r", "message": "hiccup"}}
    events = [error, *make_events(2)]
    stream = fake_client(FakeGroupServer(events)).group(GROUP_ID).events()
    got = list(stream)
    assert type(got[0]).__name__ == "ErrorEvent" and len(got) == len(events)
    assert stream.error_events == 1


def test_a_stream_of_nothing_but_error_events_gives_up_after_its_patience(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    error = {"type": "error", "error": {"ref_id": "r", "message": "down"}}
    server = FakeGroupServer([error] * 3, stay_active=True, cuts=[("close", 10**9)] * 1000)
    client = fake_client(server, clock=TickingClock(step=200.0))
    with pytest.raises(errors.ErrorEventsOnlyError, match="only error events"):
        list(client.group(GROUP_ID).events(follow=True))


def test_unknown_events_pass_through_in_order() -> None:
    events = [{"type": "shiny.new", "event_id": "u0", "x": 1}, *make_events(2)]
    got = list(fake_client(FakeGroupServer(events)).group(GROUP_ID).events())
    assert type(got[0]).__name__ == "UnknownEvent" and got[0].type == "shiny.new"
    assert len(got) == len(events)


def test_deadline_passing_raises_deadline_exceeded() -> None:
    server = FakeGroupServer(make_events(3), cuts=[("close", 0)] * 1000)
    with pytest.raises(errors.WaitTimeoutError, match="last_event_id"):
        list(fake_client(server).group(GROUP_ID).events(timeout=0.05))


def test_v1beta_streams_use_v1beta_paths() -> None:
    server = FakeGroupServer(make_events(1))
    list(fake_client(server, api_version="v1beta").group(GROUP_ID).events())
    assert server.connections[0].url.path == f"/v1beta/tasks/groups/{GROUP_ID}/events"


def test_runs_sends_filters_as_query_parameters() -> None:
    server = FakeGroupServer([])
    list(fake_client(server).group(GROUP_ID).runs(status="completed", include_input=True))
    params = server.connections[0].url.params
    assert params["status"] == "completed" and params["include_input"] == "true"


def test_runs_rejects_unknown_status_filter() -> None:
    with pytest.raises(ValueError, match="completed"):
        fake_client(FakeGroupServer([])).group(GROUP_ID).runs(status="finished")


def test_keyboard_interrupt_closes_the_response() -> None:
    closed = []

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            yield frame(run_event(1, "e1"))
            raise KeyboardInterrupt

        def close(self) -> None:
            closed.append(True)

    client = fake_client(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Body())
    )
    with pytest.raises(KeyboardInterrupt):
        list(client.group(GROUP_ID).runs())
    assert closed
