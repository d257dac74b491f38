"""The documented wire: opaque hex event ids, no id lines, keep-alives, null first cursors,
cached status, older run shapes and injected error events; the legacy wire behind a flag."""

from __future__ import annotations

import re
import time
from typing import Any, Dict, Iterator, List, Set

import httpx
import pytest
from emulator_helpers import add_runs, client_for, event_ids, new_group, parse_sse, wait_done
from hypothesis import given
from hypothesis import strategies as st
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

KEEPALIVE = 0.1


@pytest.fixture(scope="module")
def wire_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(time_scale=0.005, keepalive_seconds=KEEPALIVE) as emu:
        yield emu


@pytest.fixture(scope="module")
def http(wire_server: EmulatorServer) -> Iterator[httpx.Client]:
    with client_for(wire_server) as client:
        yield client


def _get(http: httpx.Client, path: str, **params: Any) -> httpx.Response:
    response = http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response


def _frames(http: httpx.Client, path: str, **params: Any) -> List[Dict[str, Any]]:
    return parse_sse(_get(http, path, **params).text)


def _done_group(http: httpx.Client, inputs: List[Any]) -> str:
    group_id = new_group(http)
    add_runs(http, group_id, inputs)
    wait_done(http, group_id)
    return group_id


# -- event ids ----------------------------------------------------------------------------------


def test_event_ids_are_lowercase_hex_microsecond_stamps(http: httpx.Client) -> None:
    started_us = int(time.time() * 1_000_000)
    group_id = _done_group(http, ["a", "b"])
    for path in ("events", "runs"):
        for event_id in event_ids(_frames(http, f"/v1/tasks/groups/{group_id}/{path}")):
            assert re.fullmatch("[0-9a-f]{13}", event_id), event_id
            assert started_us <= int(event_id, 16) <= int(time.time() * 1_000_000) + 60_000_000


def test_event_ids_increase_across_groups(http: httpx.Client) -> None:
    first = _done_group(http, ["a"])
    second = _done_group(http, ["b"])
    older = event_ids(_frames(http, f"/v1/tasks/groups/{first}/events"))
    newer = event_ids(_frames(http, f"/v1/tasks/groups/{second}/events"))
    assert max(int(e, 16) for e in older) < min(int(e, 16) for e in newer)


def test_runs_snapshot_event_ids_increase_in_creation_order(http: httpx.Client) -> None:
    group_id = new_group(http)
    run_ids = add_runs(http, group_id, ["a", "b"])["run_ids"]
    run_ids += add_runs(http, group_id, ["c"])["run_ids"]
    frames = _frames(http, f"/v1/tasks/groups/{group_id}/runs")
    assert [f["data"]["run"]["run_id"] for f in frames] == run_ids
    ids = [int(e, 16) for e in event_ids(frames)]
    assert ids == sorted(set(ids))


@pytest.mark.parametrize(
    "cursor",
    ["x!", "0x1f", "ABC", "-1", "1 2", "1" * 17, "g"],
    ids=["punctuation", "0x-prefix", "uppercase", "negative", "inner-space", "17-digits", "g"],
)
def test_malformed_last_event_id_is_422_naming_the_parameter(
    http: httpx.Client, cursor: str
) -> None:
    group_id = new_group(http)
    for path in ("runs", "events"):
        response = http.get(f"/v1/tasks/groups/{group_id}/{path}", params={"last_event_id": cursor})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "last_event_id"]


def test_empty_last_event_id_reads_from_the_start(http: httpx.Client) -> None:
    group_id = _done_group(http, ["a", "b"])
    for path in ("events", "runs"):
        everything = _frames(http, f"/v1/tasks/groups/{group_id}/{path}")
        assert _frames(http, f"/v1/tasks/groups/{group_id}/{path}", last_event_id="") == everything


# -- resume: property ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def interleaved_group(http: httpx.Client) -> str:
    """A finished group whose runs were added between another group's, so ids have gaps."""
    group_id, other = new_group(http), new_group(http)
    for batch in range(3):
        add_runs(http, group_id, [f"row {batch}-{i}" for i in range(3)] + ["bad __fail__"])
        add_runs(http, other, [f"other {batch}"])
    wait_done(http, group_id)
    return group_id


@given(data=st.data())
def test_a_cursor_from_any_point_resumes_exactly_after_that_event(
    http: httpx.Client, interleaved_group: str, data: Any
) -> None:
    path = data.draw(st.sampled_from(["events", "runs"]))
    url = f"/v1/tasks/groups/{interleaved_group}/{path}"
    ids = event_ids(_frames(http, url))
    cut = data.draw(st.integers(0, len(ids) - 1))
    resumed = event_ids(_frames(http, url, last_event_id=ids[cut]))
    assert resumed == ids[cut + 1 :]  # no loss, no duplicate


# -- restart ------------------------------------------------------------------------------------


def test_cursors_issued_before_a_restart_resume_exactly_after_it(
    emulator_server_factory: Any,
) -> None:
    with emulator_server_factory() as emu:
        with client_for(emu) as api:
            group_id = new_group(api)
            add_runs(api, group_id, ["a", "b", "c"])
            second = add_runs(api, group_id, ["d", "e"])
            wait_done(api, group_id)
            events = event_ids(parse_sse(api.get(f"/v1/tasks/groups/{group_id}/events").text))
            runs = event_ids(parse_sse(api.get(f"/v1/tasks/groups/{group_id}/runs").text))
        emu.restart()
        with client_for(emu) as api:
            url = f"/v1/tasks/groups/{group_id}"
            for cut in (0, len(events) // 2, len(events) - 1):
                resumed = parse_sse(
                    api.get(url + "/events", params={"last_event_id": events[cut]}).text
                )
                assert event_ids(resumed) == events[cut + 1 :]
            from_cursor = parse_sse(
                api.get(url + "/runs", params={"last_event_id": second["run_cursor"]}).text
            )
            assert [f["data"]["run"]["run_id"] for f in from_cursor] == second["run_ids"]
            third = add_runs(api, group_id, ["f"])
            wait_done(api, group_id)
            newest = event_ids(parse_sse(api.get(url + "/events").text))
            assert newest[: len(events)] == events
            assert min(int(e, 16) for e in newest[len(events) :]) > int(events[-1], 16)
            after_third = parse_sse(
                api.get(url + "/runs", params={"last_event_id": third["run_cursor"]}).text
            )
            assert [f["data"]["run"]["run_id"] for f in after_third] == third["run_ids"]
            assert int(third["run_cursor"], 16) >= int(runs[-1], 16)


# -- group events and add-runs answers ----------------------------------------------------------


def test_no_event_announces_the_group_creation(http: httpx.Client) -> None:
    group_id = new_group(http)
    assert _frames(http, f"/v1/tasks/groups/{group_id}/events") == []
    add_runs(http, group_id, ["a", "b"])
    first = _frames(http, f"/v1/tasks/groups/{group_id}/events")[0]["data"]
    assert first["type"] == "task_group_status" and first["status"]["num_task_runs"] == 2


def test_first_add_runs_has_null_cursors_and_later_ones_point_before_their_runs(
    http: httpx.Client,
) -> None:
    group_id = new_group(http)
    first = add_runs(http, group_id, ["a"])
    assert first["run_cursor"] is None and first["event_cursor"] is None
    later = add_runs(http, group_id, ["b", "c"])
    runs = _frames(http, f"/v1/tasks/groups/{group_id}/runs", last_event_id=later["run_cursor"])
    assert [f["data"]["run"]["run_id"] for f in runs] == later["run_ids"]
    events = _frames(
        http, f"/v1/tasks/groups/{group_id}/events", last_event_id=later["event_cursor"]
    )
    assert events[0]["data"]["status"]["num_task_runs"] == 3


def test_refresh_status_false_answers_with_the_status_from_before_the_call(
    http: httpx.Client,
) -> None:
    group_id = new_group(http)
    add_runs(http, group_id, ["a", "b"])
    url = f"/v1/tasks/groups/{group_id}/runs"
    body = {"inputs": [{"input": "c", "processor": "lite"}]}
    cached = http.post(url, params={"refresh_status": "false"}, json=body).json()
    assert cached["status"]["num_task_runs"] == 2
    fresh = http.post(url, params={"refresh_status": "true"}, json=body).json()
    assert fresh["status"]["num_task_runs"] == 4


# -- keep-alives --------------------------------------------------------------------------------


def _blocks(text: str) -> List[str]:
    assert text.endswith("\n\n") or not text
    return [block for block in text.split("\n\n") if block]


def test_an_idle_events_stream_sends_keepalive_comments_between_events(
    http: httpx.Client,
) -> None:
    group_id = new_group(http)
    add_runs(http, group_id, [{"input": "quick", "processor": "lite"}])
    add_runs(http, group_id, [{"input": "slow", "processor": "ultra8x"}])
    text = _get(http, f"/v1/tasks/groups/{group_id}/events", timeout=8 * KEEPALIVE).text
    blocks = _blocks(text)
    assert ": keep-alive" in blocks
    for block in blocks:  # each block is a whole comment or a whole event, never a mix
        lines = block.split("\n")
        assert lines == [": keep-alive"] or [line.split(": ")[0] for line in lines] == [
            "event",
            "data",
        ]


def test_an_idle_run_events_stream_sends_keepalive_comments(
    emulator_server_factory: Any,
) -> None:
    settings = {"keepalive_seconds": KEEPALIVE, "stream_lifetime": 0.8}
    with emulator_server_factory(**settings) as emu, client_for(emu) as api:
        run_id = api.post("/v1/tasks/runs", json={"input": "x", "processor": "ultra8x"})
        text = api.get(f"/v1/tasks/runs/{run_id.json()['run_id']}/events").text
    assert ": keep-alive" in _blocks(text)


def test_streams_with_nothing_to_wait_for_send_no_keepalive(http: httpx.Client) -> None:
    group_id = _done_group(http, ["a"])
    for path in ("events", "runs"):
        assert ": keep-alive" not in _get(http, f"/v1/tasks/groups/{group_id}/{path}").text


# -- older run shape ----------------------------------------------------------------------------


def _shape(run: Dict[str, Any]) -> str:
    if "interaction_id" in run:
        assert "warnings" not in run
        return "current"
    assert run["warnings"] is None
    assert "error" in run
    assert (run["error"] is None) is (run["status"] != "failed")
    return "older"


def test_old_shape_rate_renders_a_stable_share_of_runs_in_the_older_shape_everywhere(
    emulator_server_factory: Any,
) -> None:
    with emulator_server_factory(old_shape_rate=0.5) as emu, client_for(emu) as api:
        group_id = new_group(api)
        inputs = [f"row {i}" for i in range(16)] + [f"bad {i} __fail__" for i in range(8)]
        run_ids = add_runs(api, group_id, inputs)["run_ids"]
        wait_done(api, group_id)
        url = f"/v1/tasks/groups/{group_id}"
        shapes: Dict[str, Set[str]] = {run_id: set() for run_id in run_ids}
        for path in ("/events", "/runs"):
            for frame in parse_sse(api.get(url + path).text):
                run = frame["data"].get("run")
                if run is not None:
                    shapes[run["run_id"]].add(_shape(run))
        for run_id in run_ids:
            shapes[run_id].add(_shape(api.get(f"/v1/tasks/runs/{run_id}").json()))
            shapes[run_id].add(_shape(api.get(f"{url}/runs/{run_id}").json()))
            result = api.get(f"/v1/tasks/runs/{run_id}/result")
            if result.status_code == 200:
                shapes[run_id].add(_shape(result.json()["run"]))
        assert all(len(seen) == 1 for seen in shapes.values()), shapes
        kinds = [seen.pop() for seen in shapes.values()]
        assert 0 < kinds.count("older") < len(kinds)


def test_by_default_every_run_has_the_current_shape(http: httpx.Client) -> None:
    group_id = _done_group(http, ["a", "b", "c __fail__"])
    for frame in _frames(http, f"/v1/tasks/groups/{group_id}/runs"):
        assert _shape(frame["data"]["run"]) == "current"


# -- injected error events ----------------------------------------------------------------------


def test_error_events_are_injected_without_moving_cursors(emulator_server_factory: Any) -> None:
    with emulator_server_factory() as emu, client_for(emu) as api:
        group_id = _done_group(api, [f"row {i}" for i in range(20)])
        url = f"/v1/tasks/groups/{group_id}"
        clean = {path: parse_sse(api.get(url + path).text) for path in ("/events", "/runs")}
        emu.set_faults(error_event_rate=0.4, seed=11)
        for path, expected in clean.items():
            frames = parse_sse(api.get(url + path).text)
            errors = [f for f in frames if f["event"] == "error"]
            assert errors, path
            for error in errors:
                assert set(error["data"]) == {"type", "error"}
                assert error["data"]["type"] == "error"
                assert set(error["data"]["error"]) == {"ref_id", "message"}
            assert [f for f in frames if f["event"] != "error"] == expected
            cursor = event_ids(expected)[3]
            resumed = parse_sse(api.get(url + path, params={"last_event_id": cursor}).text)
            assert [f for f in resumed if f["event"] != "error"] == expected[4:]


def test_error_events_are_deterministic_with_a_fault_seed(emulator_server_factory: Any) -> None:
    bodies = []
    for _ in range(2):
        with (
            emulator_server_factory(error_event_rate=0.3, extra_args=["--fault-seed", "5"]) as emu,
            client_for(emu) as api,
        ):
            group_id = _done_group(api, [f"row {i}" for i in range(10)])
            frames = parse_sse(api.get(f"/v1/tasks/groups/{group_id}/runs").text)
            bodies.append([f["data"] if f["event"] == "error" else f["event"] for f in frames])
    assert bodies[0] == bodies[1]
    assert any(isinstance(item, dict) for item in bodies[0])


# -- legacy wire --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def legacy() -> Iterator[httpx.Client]:
    with EmulatorServer(time_scale=0.005, legacy_wire=True) as emu, client_for(emu) as api:
        yield api


def test_legacy_wire_sends_id_lines_with_16_digit_decimal_cursors(legacy: httpx.Client) -> None:
    group_id = _done_group(legacy, ["a"])
    for path in ("events", "runs"):
        for frame in _frames(legacy, f"/v1/tasks/groups/{group_id}/{path}"):
            assert frame["id"] == frame["data"]["event_id"]
            assert re.fullmatch("[0-9]{16}", frame["id"])


def test_legacy_wire_announces_the_group_creation(legacy: httpx.Client) -> None:
    group_id = new_group(legacy)
    (created,) = _frames(legacy, f"/v1/tasks/groups/{group_id}/events")
    assert created["data"]["status"]["num_task_runs"] == 0


def test_legacy_wire_first_add_runs_cursors_are_not_empty(legacy: httpx.Client) -> None:
    first = add_runs(legacy, new_group(legacy), ["a"])
    assert first["run_cursor"] and first["event_cursor"]


def test_legacy_wire_events_honour_include_input_and_include_output(
    legacy: httpx.Client,
) -> None:
    group_id = _done_group(legacy, ["a"])
    events = _frames(
        legacy, f"/v1/tasks/groups/{group_id}/events", include_input="true", include_output="1"
    )
    (state,) = [e["data"] for e in events if e["event"] == "task_run.state"]
    assert state["input"]["input"] == "a" and state["output"]["type"] == "json"
