"""Durability across restarts and injected faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from emulator_helpers import add_runs, client_for, event_ids, new_group, parse_sse, wait_done
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def test_restart_keeps_every_result_and_resumes_events_without_loss_or_duplicates(
    emulator_server_factory: Any,
) -> None:
    with emulator_server_factory() as emu:
        with client_for(emu) as api:
            group_id = new_group(api)
            run_ids = add_runs(api, group_id, [f"row {i}" for i in range(30)])["run_ids"]
            wait_done(api, group_id)
            before = parse_sse(api.get(f"/v1/tasks/groups/{group_id}/events").text)
            cursor = event_ids(before)[len(before) // 2]
            outputs = {r: api.get(f"/v1/tasks/runs/{r}/result").json() for r in run_ids}
        emu.stop()
        emu.restart()
        with client_for(emu) as api:
            after = {r: api.get(f"/v1/tasks/runs/{r}/result").json() for r in run_ids}
            assert after == outputs
            resumed = parse_sse(
                api.get(
                    f"/v1/tasks/groups/{group_id}/events", params={"last_event_id": cursor}
                ).text
            )
            assert event_ids(resumed) == event_ids(before)[len(before) // 2 + 1 :]
            more = add_runs(api, group_id, ["new row"])
            wait_done(api, group_id)
            newest = parse_sse(api.get(f"/v1/tasks/groups/{group_id}/events").text)
            assert int(event_ids(newest)[-1], 16) > int(event_ids(before)[-1], 16)
            assert newest[: len(before)] == before
            assert more["run_ids"][0] in {
                e["data"]["run"]["run_id"] for e in newest if e["event"] == "task_run.state"
            }


def test_runs_in_flight_at_shutdown_finish_after_restart(emulator_server_factory: Any) -> None:
    with emulator_server_factory() as emu:
        with client_for(emu) as api:
            group_id = new_group(api)
            run_ids = add_runs(api, group_id, [{"input": "x", "processor": "core"}] * 3)["run_ids"]
        emu.restart()
        with client_for(emu) as api:
            wait_done(api, group_id)
            events = parse_sse(api.get(f"/v1/tasks/groups/{group_id}/events").text)
            finished = [
                e["data"]["run"]["run_id"] for e in events if e["event"] == "task_run.state"
            ]
            assert sorted(finished) == sorted(run_ids)


@pytest.fixture
def faulty(emulator_server_factory: Any) -> Any:
    with emulator_server_factory() as emu:
        yield emu


def test_stream_drop_after_n_events_cuts_the_connection_mid_event(faulty: EmulatorServer) -> None:
    with client_for(faulty) as api:
        group_id = new_group(api)
        add_runs(api, group_id, ["a", "b", "c"])
        wait_done(api, group_id)
        faulty.set_faults(stream_drop_after=2)
        received = []
        with (
            pytest.raises(httpx.RemoteProtocolError),
            api.stream("GET", f"/v1/tasks/groups/{group_id}/runs") as response,
        ):
            received.extend(response.iter_text())
        body = "".join(received)
        assert body.count("event: task_run.state") == 3  # two whole events and half of one
        assert not body.endswith("\n\n")
        faulty.clear_faults()
        assert len(parse_sse(api.get(f"/v1/tasks/groups/{group_id}/runs").text)) == 3


def test_post_error_before_commit_creates_nothing(faulty: EmulatorServer) -> None:
    with client_for(faulty) as api:
        group_id = new_group(api)
        faulty.set_faults(post_error_rate=1.0, post_error_status=500, post_error_phase="before")
        response = api.post(
            f"/v1/tasks/groups/{group_id}/runs",
            json={"inputs": [{"input": "x", "processor": "lite"}]},
        )
        assert response.status_code == 500
        faulty.clear_faults()
        assert api.get(f"/v1/tasks/groups/{group_id}").json()["status"]["num_task_runs"] == 0


def test_post_error_after_commit_creates_the_runs_but_answers_503(faulty: EmulatorServer) -> None:
    with client_for(faulty) as api:
        group_id = new_group(api)
        faulty.set_faults(post_error_rate=1.0, post_error_phase="after")
        response = api.post(
            f"/v1/tasks/groups/{group_id}/runs",
            json={"inputs": [{"input": "x", "processor": "lite"}]},
        )
        assert response.status_code == 503
        faulty.clear_faults()
        assert api.get(f"/v1/tasks/groups/{group_id}").json()["status"]["num_task_runs"] == 1


def test_burst_429_answers_the_next_posts_with_retry_after(faulty: EmulatorServer) -> None:
    with client_for(faulty) as api:
        group_id = new_group(api)
        faulty.set_faults(burst_429=2, burst_429_retry_after=3)
        body = {"inputs": [{"input": "x", "processor": "lite"}]}
        codes = [api.post(f"/v1/tasks/groups/{group_id}/runs", json=body) for _ in range(3)]
        assert [r.status_code for r in codes] == [429, 429, 200]
        assert codes[0].headers["retry-after"] == "3"


def test_injected_latency_and_fault_settings_round_trip(faulty: EmulatorServer) -> None:
    assert faulty.set_faults(latency_ms=5)["latency_ms"] == 5
    assert faulty.faults()["latency_ms"] == 5
    assert faulty.clear_faults()["latency_ms"] == 0


def test_api_requests_are_counted_by_operation_and_control_routes_are_not(
    faulty: EmulatorServer,
) -> None:
    faulty.reset_requests()
    with client_for(faulty) as api:
        group_id = new_group(api)
        faulty.set_faults(burst_429=1)
        body = {"inputs": [{"input": "x", "processor": "lite"}]}
        for _ in range(2):
            api.post(f"/v1/tasks/groups/{group_id}/runs", json=body)
        api.get(f"/v1/tasks/groups/{group_id}")
    counted = faulty.requests()
    assert counted["by_operation"] == {"add_runs": 2, "create_group": 1, "get_group": 1}
    assert counted["total"] == 4
    assert faulty.reset_requests() == {"total": 0, "by_operation": {}}


def test_bad_fault_settings_are_rejected_with_a_message(faulty: EmulatorServer) -> None:
    response = httpx.post(faulty.base_url + "/_emulator/faults", json={"post_error_rate": 2})
    assert response.status_code == 400
    assert "post_error_rate" in response.json()["error"]["message"]
    response = httpx.post(faulty.base_url + "/_emulator/faults", json={"nope": 1})
    assert "unknown fault setting" in response.json()["error"]["message"]


def test_faults_can_be_set_at_start(emulator_server_factory: Any) -> None:
    with emulator_server_factory(extra_args=["--drop-after", "1", "--latency-ms", "1"]) as emu:
        assert emu.faults()["stream_drop_after"] == 1
