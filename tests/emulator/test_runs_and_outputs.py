"""Runs: schedule, outputs per task spec, failures, single-run endpoints."""

from __future__ import annotations

from typing import Any, Dict

import httpx
import jsonschema
import pytest
from emulator_helpers import add_runs, new_group, wait_done

pytestmark = pytest.mark.integration

SCHEMA: Dict[str, Any] = {
    "type": "object",
    "properties": {
        "ceo": {"type": "string", "description": "Name of the CEO"},
        "employees": {"type": "integer", "minimum": 1},
        "founded": {"type": "string", "format": "date"},
        "segments": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "public": {"type": "boolean"},
        "tier": {"type": "string", "enum": ["small", "large"]},
    },
    "required": ["ceo", "employees"],
    "additionalProperties": False,
}
JSON_SPEC = {"output_schema": {"type": "json", "json_schema": SCHEMA}}


def _result(api: httpx.Client, run_id: str) -> Dict[str, Any]:
    response = api.get(f"/v1/tasks/runs/{run_id}/result", params={"timeout": 30})
    assert response.status_code == 200, response.text
    body: Dict[str, Any] = response.json()
    return body


def test_json_output_is_valid_against_the_output_schema_with_basis(api: httpx.Client) -> None:
    group_id = new_group(api)
    run_ids = add_runs(
        api, group_id, [{"company": "Acme"}, {"company": "Globex"}], default_task_spec=JSON_SPEC
    )["run_ids"]
    for run_id in run_ids:
        output = _result(api, run_id)["output"]
        assert output["type"] == "json"
        jsonschema.validate(output["content"], SCHEMA)
        fields = [b["field"] for b in output["basis"]]
        assert [f for f in fields if "." not in f] == list(output["content"])
        segments = [f"segments.{i}" for i in range(len(output["content"]["segments"]))]
        assert [f for f in fields if f.startswith("segments.")] == segments
        urls = [c["url"] for b in output["basis"] for c in b["citations"]]
        assert urls and all(url.startswith("https://") for url in urls)


def test_a_run_task_spec_overrides_the_default(api: httpx.Client) -> None:
    group_id = new_group(api)
    item = {"input": "x", "processor": "lite", "task_spec": {"output_schema": "One sentence."}}
    run_id = add_runs(api, group_id, [item], default_task_spec=JSON_SPEC)["run_ids"][0]
    assert _result(api, run_id)["output"]["type"] == "text"


def test_text_spec_gives_text_output_with_one_basis_entry(api: httpx.Client) -> None:
    group_id = new_group(api)
    spec = {"output_schema": {"type": "text", "description": "A short summary"}}
    run_id = add_runs(api, group_id, ["Acme Corp"], default_task_spec=spec)["run_ids"][0]
    output = _result(api, run_id)["output"]
    assert output["type"] == "text" and "Acme Corp" in output["content"]
    assert [b["field"] for b in output["basis"]] == ["output"]


def test_auto_spec_gives_json_output_and_reports_the_inferred_schema(api: httpx.Client) -> None:
    group_id = new_group(api)
    run_id = add_runs(api, group_id, [{"company": "Acme"}])["run_ids"][0]
    output = _result(api, run_id)["output"]
    assert output["type"] == "json"
    jsonschema.validate(output["content"], output["output_schema"])


def test_outputs_are_deterministic_for_the_same_input_and_spec(api: httpx.Client) -> None:
    group_id = new_group(api)
    first, second = add_runs(api, group_id, [{"company": "Acme"}] * 2, default_task_spec=JSON_SPEC)[
        "run_ids"
    ]
    assert _result(api, first)["output"] == _result(api, second)["output"]


def test_failure_marker_in_input_fails_the_run_with_an_error(api: httpx.Client) -> None:
    group_id = new_group(api)
    run_id = add_runs(api, group_id, [{"company": "Acme __fail__"}])["run_ids"][0]
    wait_done(api, group_id)
    run = api.get(f"/v1/tasks/runs/{run_id}").json()
    assert run["status"] == "failed" and run["is_active"] is False
    assert "__fail__" in run["error"]["message"]
    result = api.get(f"/v1/tasks/runs/{run_id}/result")
    message = result.json()["error"]["message"]
    assert result.status_code == 404 and message.startswith("Run failed: the input contains")


def test_seeded_failure_rate_fails_the_same_inputs_every_time(emulator_server_factory: Any) -> None:
    outcomes = []
    for _ in range(2):
        with (
            emulator_server_factory(failure_rate=0.5, failure_seed=3) as emu,
            httpx.Client(base_url=emu.base_url, headers={"x-api-key": emu.api_key}) as api,
        ):
            group_id = new_group(api)
            run_ids = add_runs(api, group_id, [f"row {i}" for i in range(20)])["run_ids"]
            wait_done(api, group_id)
            outcomes.append([api.get(f"/v1/tasks/runs/{r}").json()["status"] for r in run_ids])
    assert outcomes[0] == outcomes[1]
    assert 0 < outcomes[0].count("failed") < 20


def test_runs_go_queued_then_running_then_completed(api: httpx.Client) -> None:
    group_id = new_group(api)
    run_id = add_runs(api, group_id, [{"input": "x", "processor": "core"}])["run_ids"][0]
    seen = []
    while not seen or seen[-1] != "completed":
        status = api.get(f"/v1/tasks/runs/{run_id}").json()["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
    assert seen[-1] == "completed"
    assert [s for s in ("queued", "running", "completed") if s in seen] == seen


def test_result_with_zero_timeout_is_408_while_the_run_is_active(api: httpx.Client) -> None:
    group_id = new_group(api)
    run_id = add_runs(api, group_id, [{"input": "x", "processor": "ultra8x"}])["run_ids"][0]
    response = api.get(f"/v1/tasks/runs/{run_id}/result", params={"timeout": 0})
    assert response.status_code == 408
    assert response.json()["error"]["message"] == "Request timed out; run still active"


def test_single_run_create_status_input_and_result(api: httpx.Client) -> None:
    body = {"input": {"q": "GDP of France"}, "processor": "lite", "metadata": {"k": 1}}
    response = api.post("/v1/tasks/runs", json=body)
    assert response.status_code == 202
    run = response.json()
    assert run["status"] == "queued" and run["taskgroup_id"] is None
    assert api.get(f"/v1/tasks/runs/{run['run_id']}/input").json()["input"] == body["input"]
    assert _result(api, run["run_id"])["run"]["status"] == "completed"


def test_single_run_with_unknown_processor_is_403(api: httpx.Client) -> None:
    response = api.post("/v1/tasks/runs", json={"input": "x", "processor": "mega"})
    assert response.status_code == 403


def test_single_run_validation_errors_are_422_error_responses(api: httpx.Client) -> None:
    response = api.post("/v1/tasks/runs", json={"input": 5, "processor": "lite"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["detail"]["errors"][0]["loc"] == ["body", "input"]


def test_unknown_run_is_404(api: httpx.Client) -> None:
    for path in ("", "/input", "/result"):
        assert api.get(f"/v1/tasks/runs/trun_missing{path}").status_code == 404


def test_run_input_keeps_the_default_task_spec_it_ran_with(api: httpx.Client) -> None:
    group_id = new_group(api)
    run_id = add_runs(api, group_id, ["x"], default_task_spec=JSON_SPEC)["run_ids"][0]
    assert api.get(f"/v1/tasks/runs/{run_id}/input").json()["task_spec"] == JSON_SPEC
