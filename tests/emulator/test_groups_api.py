"""Group endpoints over real HTTP: create, get, add runs, validation, auth, both path prefixes."""

from __future__ import annotations

import httpx
import pytest
from emulator_helpers import add_runs, new_group, wait_done
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def test_create_group_returns_id_metadata_and_empty_status(api: httpx.Client) -> None:
    body = api.post("/v1/tasks/groups", json={"metadata": {"project": "demo", "n": 3}}).json()
    assert body["taskgroup_id"].startswith("tgrp_")
    assert body["metadata"] == {"project": "demo", "n": 3}
    assert body["status"]["num_task_runs"] == 0
    assert body["status"]["is_active"] is False
    assert body["created_at"].endswith("Z")


def test_v1beta_paths_serve_the_same_groups(api: httpx.Client) -> None:
    group_id = api.post("/v1beta/tasks/groups", json={}).json()["taskgroup_id"]
    assert api.get(f"/v1/tasks/groups/{group_id}").status_code == 200
    assert api.get(f"/v1beta/tasks/groups/{group_id}").json()["taskgroup_id"] == group_id


def test_missing_api_key_is_401_error_response(server: EmulatorServer) -> None:
    response = httpx.post(server.base_url + "/v1/tasks/groups", json={})
    assert response.status_code == 401
    assert response.json()["type"] == "error"
    assert "x-api-key" in response.json()["error"]["message"]


def test_only_configured_keys_pass(server: EmulatorServer) -> None:
    response = httpx.get(
        server.base_url + "/v1/tasks/groups/tgrp_x", headers={"x-api-key": "other-key"}
    )
    assert response.status_code == 401


def test_unknown_group_is_404_error_response(api: httpx.Client) -> None:
    response = api.get("/v1/tasks/groups/tgrp_does_not_exist")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "TaskGroup not found"
    assert response.json()["error"]["ref_id"]


def test_add_runs_returns_run_ids_status_and_cursors(api: httpx.Client) -> None:
    group_id = new_group(api)
    first = add_runs(api, group_id, ["a", "b", "c"])
    assert len(first["run_ids"]) == 3
    assert all(run_id.startswith("trun_") for run_id in first["run_ids"])
    assert first["status"]["num_task_runs"] == 3
    assert first["status"]["is_active"] is True
    # Documented: the cursors are "empty for the first runs in the group".
    assert first["run_cursor"] is None and first["event_cursor"] is None
    later = add_runs(api, group_id, ["d"])
    assert later["run_cursor"] and later["event_cursor"]


def test_add_runs_reports_server_time_per_post(api: httpx.Client) -> None:
    group_id = new_group(api)
    response = api.post(
        f"/v1/tasks/groups/{group_id}/runs", json={"inputs": [{"input": "x", "processor": "lite"}]}
    )
    assert response.headers["server-timing"].startswith("app;dur=")


def test_group_status_counts_every_run_when_done(api: httpx.Client) -> None:
    group_id = new_group(api)
    add_runs(api, group_id, ["a", "b", "c __fail__"])
    status = wait_done(api, group_id)
    assert status["task_run_status_counts"] == {"completed": 2, "failed": 1}
    assert status["num_task_runs"] == 3
    assert status["modified_at"]


def test_more_than_1000_inputs_is_422_naming_the_limit(api: httpx.Client) -> None:
    group_id = new_group(api)
    inputs = [{"input": "x", "processor": "lite"}] * 1001
    response = api.post(f"/v1/tasks/groups/{group_id}/runs", json={"inputs": inputs})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "inputs"]
    assert "1001" in error["msg"] and "1000" in error["msg"]


def test_missing_processor_is_422_with_its_location(api: httpx.Client) -> None:
    group_id = new_group(api)
    response = api.post(
        f"/v1/tasks/groups/{group_id}/runs",
        json={"inputs": [{"input": "ok", "processor": "lite"}, {"input": "no processor"}]},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "inputs", 1, "processor"], "msg": "Field required", "type": "missing"}
    ]


def test_unknown_processor_is_422_listing_the_known_ones(api: httpx.Client) -> None:
    group_id = new_group(api)
    response = api.post(
        f"/v1/tasks/groups/{group_id}/runs", json={"inputs": [{"input": "x", "processor": "mega"}]}
    )
    assert response.status_code == 422
    assert "core-fast" in response.json()["detail"][0]["msg"]


def test_metadata_key_longer_than_16_characters_is_422(api: httpx.Client) -> None:
    response = api.post("/v1/tasks/groups", json={"metadata": {"k" * 17: "v"}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "metadata", "k" * 17]


def test_metadata_value_longer_than_512_characters_is_422(api: httpx.Client) -> None:
    group_id = new_group(api)
    item = {"input": "x", "processor": "lite", "metadata": {"row_key": "v" * 513}}
    response = api.post(f"/v1/tasks/groups/{group_id}/runs", json={"inputs": [item]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "inputs", 0, "metadata", "row_key"]


def test_metadata_values_must_be_scalars(api: httpx.Client) -> None:
    response = api.post("/v1/tasks/groups", json={"metadata": {"k": [1, 2]}})
    assert response.status_code == 422


def test_malformed_json_body_is_422_not_500(api: httpx.Client) -> None:
    response = api.post(
        "/v1/tasks/groups", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_bad_task_spec_is_422(api: httpx.Client) -> None:
    group_id = new_group(api)
    response = api.post(
        f"/v1/tasks/groups/{group_id}/runs",
        json={"inputs": [{"input": "x", "processor": "lite"}], "default_task_spec": {}},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "default_task_spec", "output_schema"]


def test_bad_boolean_query_parameter_is_422(api: httpx.Client) -> None:
    group_id = new_group(api)
    response = api.post(
        f"/v1/tasks/groups/{group_id}/runs?refresh_status=maybe",
        json={"inputs": [{"input": "x", "processor": "lite"}]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "refresh_status"]


def test_group_run_lookup_requires_membership(api: httpx.Client) -> None:
    first, second = new_group(api), new_group(api)
    run_id = add_runs(api, first, ["x"])["run_ids"][0]
    assert api.get(f"/v1/tasks/groups/{first}/runs/{run_id}").json()["run_id"] == run_id
    assert api.get(f"/v1/tasks/groups/{second}/runs/{run_id}").status_code == 404


def test_a_deeply_nested_input_is_accepted_and_its_run_completes(api: httpx.Client) -> None:
    group_id = new_group(api)
    nested: object = "leaf __fail__"
    for _ in range(450):
        nested = [nested]
    run_id = add_runs(api, group_id, [{"input": {"deep": nested}, "processor": "lite"}])["run_ids"][
        0
    ]
    wait_done(api, group_id)
    assert api.get(f"/v1/tasks/runs/{run_id}").json()["status"] == "failed"  # marker found
