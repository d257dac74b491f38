"""The runs and events SSE streams: framing, filters, cursors, resume, lifetime."""

from __future__ import annotations

from typing import Any, Dict, List

import httpx
import pytest
from emulator_helpers import add_runs, client_for, event_ids, new_group, parse_sse, wait_done

pytestmark = pytest.mark.integration


def _stream(api: httpx.Client, path: str, **params: Any) -> List[Dict[str, Any]]:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.text)


def _done_group(api: httpx.Client, inputs: List[Any]) -> str:
    group_id = new_group(api)
    add_runs(api, group_id, inputs)
    wait_done(api, group_id)
    return group_id


def test_frames_carry_event_type_and_json_data_without_id_lines(api: httpx.Client) -> None:
    group_id = _done_group(api, ["a"])
    for path in ("events", "runs"):
        frames = _stream(api, f"/v1/tasks/groups/{group_id}/{path}")
        assert frames
        for frame in frames:
            assert set(frame) == {"event", "data"}
            assert frame["event"] == frame["data"]["type"]
            assert isinstance(frame["data"]["event_id"], str)


def test_runs_stream_sends_one_state_event_per_run_then_closes(api: httpx.Client) -> None:
    group_id = new_group(api)
    run_ids = add_runs(api, group_id, ["a", "b", "c"])["run_ids"]
    events = _stream(api, f"/v1/tasks/groups/{group_id}/runs")
    assert [e["data"]["run"]["run_id"] for e in events] == run_ids
    assert all(e["event"] == "task_run.state" for e in events)


def test_runs_stream_includes_input_and_output_only_on_request(api: httpx.Client) -> None:
    group_id = _done_group(api, ["a", "b __fail__"])
    plain = _stream(api, f"/v1/tasks/groups/{group_id}/runs")
    assert all("input" not in e["data"] and "output" not in e["data"] for e in plain)
    full = _stream(
        api, f"/v1/tasks/groups/{group_id}/runs", include_input="true", include_output="true"
    )
    assert [e["data"]["input"]["input"] for e in full] == ["a", "b __fail__"]
    assert "output" in full[0]["data"] and "output" not in full[1]["data"]


def test_runs_stream_filters_by_status(api: httpx.Client) -> None:
    group_id = _done_group(api, ["a", "b __fail__", "c"])
    failed = _stream(api, f"/v1/tasks/groups/{group_id}/runs", status="failed")
    assert [e["data"]["run"]["status"] for e in failed] == ["failed"]


def test_runs_stream_resumes_after_last_event_id(api: httpx.Client) -> None:
    group_id = new_group(api)
    run_ids = add_runs(api, group_id, ["a", "b", "c", "d"])["run_ids"]
    events = _stream(api, f"/v1/tasks/groups/{group_id}/runs")
    cursor = events[1]["data"]["event_id"]
    rest = _stream(api, f"/v1/tasks/groups/{group_id}/runs", last_event_id=cursor)
    assert [e["data"]["run"]["run_id"] for e in rest] == run_ids[2:]


def test_run_cursor_points_just_before_the_runs_just_added(api: httpx.Client) -> None:
    group_id = new_group(api)
    add_runs(api, group_id, ["a", "b"])
    second = add_runs(api, group_id, ["c", "d"])
    events = _stream(api, f"/v1/tasks/groups/{group_id}/runs", last_event_id=second["run_cursor"])
    assert [e["data"]["run"]["run_id"] for e in events] == second["run_ids"]


def test_events_stream_has_strictly_increasing_ids_and_closes_when_done(api: httpx.Client) -> None:
    group_id = new_group(api)
    run_ids = add_runs(api, group_id, ["a", "b", "c __fail__"])["run_ids"]
    events = _stream(api, f"/v1/tasks/groups/{group_id}/events")  # returns once the group is done
    ids = [int(event_id, 16) for event_id in event_ids(events)]
    assert ids == sorted(set(ids))
    finished = [e["data"]["run"]["run_id"] for e in events if e["event"] == "task_run.state"]
    assert sorted(finished) == sorted(run_ids)
    last = events[-1]["data"]
    assert last["type"] == "task_group_status" and last["status"]["is_active"] is False


def test_events_stream_resumes_exactly_after_last_event_id(api: httpx.Client) -> None:
    group_id = _done_group(api, ["a", "b", "c"])
    events = _stream(api, f"/v1/tasks/groups/{group_id}/events")
    ids = event_ids(events)
    for cut in range(len(events)):
        rest = _stream(api, f"/v1/tasks/groups/{group_id}/events", last_event_id=ids[cut])
        assert event_ids(rest) == ids[cut + 1 :]


def test_event_cursor_points_just_before_the_events_of_the_runs_just_added(
    api: httpx.Client,
) -> None:
    group_id = _done_group(api, ["a"])
    second = add_runs(api, group_id, ["b", "c"])
    events = _stream(
        api, f"/v1/tasks/groups/{group_id}/events", last_event_id=second["event_cursor"]
    )
    assert events[0]["event"] == "task_group_status"
    assert events[0]["data"]["status"]["num_task_runs"] == 3
    finished = [e["data"]["run"]["run_id"] for e in events if e["event"] == "task_run.state"]
    assert sorted(finished) == sorted(second["run_ids"])


def test_events_stream_accepts_but_ignores_include_input_and_include_output(
    api: httpx.Client,
) -> None:
    group_id = _done_group(api, ["a"])
    events = _stream(
        api, f"/v1/tasks/groups/{group_id}/events", include_input="true", include_output="true"
    )
    (state,) = [e["data"] for e in events if e["event"] == "task_run.state"]
    assert state["run"]["status"] == "completed"
    assert "input" not in state and "output" not in state


def test_events_stream_stays_open_while_active_and_delivers_later_events(
    api: httpx.Client,
) -> None:
    group_id = new_group(api)
    add_runs(api, group_id, [{"input": "x", "processor": "core"}])
    seen = []
    with api.stream("GET", f"/v1/tasks/groups/{group_id}/events") as response:
        for block in response.iter_text():
            seen.append(block)
    events = parse_sse("".join(seen))
    assert any(e["event"] == "task_run.state" for e in events)


def test_events_stream_closes_after_its_lifetime_while_runs_are_active(
    emulator_server_factory: Any,
) -> None:
    with emulator_server_factory(stream_lifetime=0.3) as emu, client_for(emu) as api:
        group_id = new_group(api)
        add_runs(api, group_id, [{"input": "x", "processor": "ultra8x"}])
        events = _stream(api, f"/v1/tasks/groups/{group_id}/events")
        assert events[-1]["data"]["status"]["is_active"] is True


def test_unparseable_cursor_is_422_naming_the_parameter(api: httpx.Client) -> None:
    group_id = new_group(api)
    for path in ("runs", "events"):
        response = api.get(f"/v1/tasks/groups/{group_id}/{path}", params={"last_event_id": "x!"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "last_event_id"]


def test_bad_status_filter_is_422(api: httpx.Client) -> None:
    group_id = new_group(api)
    response = api.get(f"/v1/tasks/groups/{group_id}/runs", params={"status": "done"})
    assert response.status_code == 422


def test_streams_of_unknown_groups_are_404(api: httpx.Client) -> None:
    for path in ("runs", "events"):
        assert api.get(f"/v1/tasks/groups/tgrp_nope/{path}").status_code == 404


def test_run_events_stream_ends_with_the_final_state(api: httpx.Client) -> None:
    run_id = api.post("/v1/tasks/runs", json={"input": "x", "processor": "lite"}).json()["run_id"]
    events = _stream(api, f"/v1/tasks/runs/{run_id}/events")
    assert events[-1]["data"]["type"] == "task_run.state"
    assert events[-1]["data"]["run"]["status"] == "completed"
