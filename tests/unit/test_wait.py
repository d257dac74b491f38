"""wait(): follows the events stream from a known cursor (never the group's history), else polls;
reports progress, falls back to polling, honours timeouts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from parallel_taskgroup import errors
from parallel_taskgroup_api.models import TaskGroupStatus
from stream_fakes import (
    GROUP_ID,
    FakeGroupServer,
    fake_client,
    run_event,
    status_event,
    status_json,
)


def test_inactive_group_returns_at_once_without_streaming() -> None:
    server = FakeGroupServer([])
    server.finished = True
    status = fake_client(server).group(GROUP_ID).wait()
    assert status.is_active is False and server.connections == []


def test_wait_returns_on_inactive_status_event_with_progress() -> None:
    events = [status_event("e0", True), run_event(1, "e1"), status_event("e2", False)]
    server = FakeGroupServer(events, cuts=[("drop", 150)])
    seen: list[TaskGroupStatus] = []
    final = fake_client(server).group(GROUP_ID).wait(on_progress=seen.append, last_event_id="")
    assert final.is_active is False
    assert [s.is_active for s in seen] == [True, True, False]
    assert len(server.connections) == 2


def test_wait_falls_back_to_polling_when_events_are_not_streamed() -> None:
    server = FakeGroupServer([], streams=False)
    polls = {"n": 0}
    original = server.__call__

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(GROUP_ID):
            polls["n"] += 1
            server.finished = polls["n"] >= 4
        return original(request)

    final = fake_client(handler).group(GROUP_ID).wait(last_event_id="")
    assert final.is_active is False and polls["n"] == 4


def test_wait_deadline_raises_a_clear_timeout() -> None:
    server = FakeGroupServer([status_event("e0", True)], stay_active=True)
    with pytest.raises(errors.WaitTimeoutError, match="still active") as info:
        fake_client(server).group(GROUP_ID).wait(timeout=0.05, last_event_id="")
    assert isinstance(info.value, TimeoutError)


def test_wait_polling_deadline_raises_a_clear_timeout() -> None:
    server = FakeGroupServer([], streams=False)
    with pytest.raises(errors.WaitTimeoutError, match=GROUP_ID):
        fake_client(server).group(GROUP_ID).wait(timeout=0.01)


def test_missing_group_is_not_found() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, json={"type": "error", "error": {"ref_id": "r", "message": "nope"}}
        )

    with pytest.raises(errors.NotFoundError):
        fake_client(handler).group("tgrp_missing").wait()


def test_keyboard_interrupt_in_progress_callback_propagates() -> None:
    server = FakeGroupServer([status_event("e0", True), status_event("e1", False)])

    def interrupt(status: Any) -> None:
        if status.is_active and server.connections:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fake_client(server).group(GROUP_ID).wait(on_progress=interrupt, last_event_id="")


def test_wait_without_a_known_cursor_polls_and_never_replays_history() -> None:
    history = [run_event(i, f"e{i}") for i in range(1000)]
    server = FakeGroupServer(history)
    polls = {"n": 0}
    original = server.__call__

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(GROUP_ID):
            polls["n"] += 1
            server.finished = polls["n"] >= 3
        return original(request)

    final = fake_client(handler).group(GROUP_ID).wait()
    assert final.is_active is False
    assert server.connections == [] and polls["n"] == 3


def test_wait_follows_events_from_the_cursor_it_is_given() -> None:
    events = [status_event("e0", True), run_event(1, "e1"), status_event("e2", False)]
    server = FakeGroupServer(events)
    fake_client(server).group(GROUP_ID).wait(last_event_id="e0")
    assert server.connections[0].url.params["last_event_id"] == "e0"


def test_wait_on_an_idle_group_of_100000_runs_is_one_small_request() -> None:
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = {"taskgroup_id": GROUP_ID, "status": status_json(False, 100_000, 100_000)}
        response = httpx.Response(200, json=body)
        sizes.append(len(response.content))
        return response

    assert fake_client(handler).group(GROUP_ID).wait().num_task_runs == 100_000
    assert len(sizes) == 1 and sizes[0] < 400


def test_error_events_are_counted_and_waiting_goes_on() -> None:
    error = {"type": "error", "error": {"ref_id": "r", "message": "hiccup"}}
    events = [status_event("e0", True), error, status_event("e1", False)]
    final = fake_client(FakeGroupServer(events)).group(GROUP_ID).wait(last_event_id="")
    assert final.is_active is False
