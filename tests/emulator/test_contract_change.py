"""An additive spec change reaches the emulator with no edit of its code.

A copy of the contract gains what upstream may add any day: an optional `memory_scope_key`
with a `pattern` on TaskRunInput, and a new required field (`project`) on
CreateTaskGroupRequest. The emulator started on that copy (`--contract`) enforces both, and
what it answers still passes its response check (EmulatorServer turns it on; leaving the
`with` block would raise on any answer the changed contract does not allow).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from contract_helpers import Document, contract_copy, schemas
from emulator_helpers import client_for, parse_sse, wait_done
from taskgroup_emulator.testing import EmulatorServer

SCOPE_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$"


def add_fields(document: Document) -> None:
    found = schemas(document)
    found["TaskRunInput"]["properties"]["memory_scope_key"] = {
        "anyOf": [{"type": "string", "pattern": SCOPE_PATTERN}, {"type": "null"}],
        "title": "Memory Scope Key",
        "description": "Scope under which the run's memory is kept.",
    }
    group = found["CreateTaskGroupRequest"]
    group["properties"]["project"] = {"type": "string", "title": "Project"}
    group["required"] = ["project"]


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    path = contract_copy(Path(tmp_path_factory.mktemp("contract")), add_fields)
    with EmulatorServer(time_scale=0.005, contract=path) as emu:
        yield emu


@pytest.fixture
def api(changed: EmulatorServer) -> Iterator[httpx.Client]:
    with client_for(changed) as client:
        yield client


def new_group(api: httpx.Client) -> str:
    response = api.post("/v1/tasks/groups", json={"project": "p1"})
    assert response.status_code == 200, response.text
    group_id: str = response.json()["taskgroup_id"]
    return group_id


def run_input(**fields: Any) -> dict[str, Any]:
    return {"input": "Acme", "processor": "lite", **fields}


def test_a_pattern_added_to_task_run_input_is_enforced_where_the_field_is(
    api: httpx.Client,
) -> None:
    inputs = [run_input(memory_scope_key="ok"), run_input(memory_scope_key="Not OK!")]
    response = api.post(f"/v1/tasks/groups/{new_group(api)}/runs", json={"inputs": inputs})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "inputs", 1, "memory_scope_key"]
    assert error["type"] == "string_pattern_mismatch" and SCOPE_PATTERN in error["msg"]
    single = api.post("/v1/tasks/runs", json=run_input(memory_scope_key="Not OK!"))
    assert single.status_code == 422
    assert single.json()["error"]["detail"]["errors"][0]["loc"] == ["body", "memory_scope_key"]


def test_a_value_matching_the_added_pattern_is_stored_and_echoed_back(api: httpx.Client) -> None:
    group_id = new_group(api)
    body = {"inputs": [run_input(memory_scope_key="team_a")]}
    response = api.post(f"/v1/tasks/groups/{group_id}/runs", json=body)
    assert response.status_code == 200, response.text
    run_id = response.json()["run_ids"][0]
    assert api.get(f"/v1/tasks/runs/{run_id}/input").json()["memory_scope_key"] == "team_a"
    wait_done(api, group_id)
    frames = parse_sse(api.get(f"/v1/tasks/groups/{group_id}/runs?include_input=true").text)
    assert [f["data"]["input"]["memory_scope_key"] for f in frames] == ["team_a"]


def test_a_required_field_added_to_a_request_schema_is_required(api: httpx.Client) -> None:
    response = api.post("/v1/tasks/groups", json={"metadata": {"k": "v"}})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "project"], "msg": "Field required", "type": "missing"}
    ]
    assert api.post("/v1/tasks/groups", json={"project": 7}).status_code == 422
    assert api.post("/v1/tasks/groups", json={"project": "p"}).status_code == 200
