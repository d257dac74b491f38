"""The response check: answers that drift from the contract fail loudly (`--check-responses`).

Drift is made by serving a contract copy that no longer lists a field the emulator sends.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from contract_helpers import Document, contract_copy, schemas
from emulator_helpers import client_for, parse_sse, wait_done
from taskgroup_emulator.response_check import MARKER, closed
from taskgroup_emulator.testing import EmulatorServer, ResponseCheckFailed
from taskgroup_emulator.validators import Validators


def drop_property(document: Document, schema: str, name: str) -> None:
    found = schemas(document)[schema]
    del found["properties"][name]
    found["required"] = [r for r in found.get("required", []) if r != name]


def test_closed_schemas_refuse_fields_the_contract_does_not_list() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "object", "properties": {"b": {}}}},
        "additionalProperties": False,
    }
    free = {"type": "object", "properties": {"a": {}}, "additionalProperties": True}
    check = Validators()
    assert check(closed(schema)).is_valid({"a": {"b": 1}})
    assert not check(closed(schema)).is_valid({"a": {"b": 1, "c": 2}})
    assert check(closed(free)).is_valid({"a": 1, "z": 2})


def test_a_json_answer_the_contract_does_not_allow_is_a_logged_500(tmp_path: Path) -> None:
    path = contract_copy(tmp_path, lambda d: drop_property(d, "TaskGroupResponse", "created_at"))
    emu = EmulatorServer(time_scale=0.005, contract=path)
    with pytest.raises(ResponseCheckFailed, match="created_at"), emu, client_for(emu) as api:
        response = api.post("/v1/tasks/groups", json={})
        assert response.status_code == 500
        message = response.json()["error"]["message"]
        assert message.startswith(MARKER) and "created_at" in message
        assert any("create_task_group" in line for line in emu.response_problems())


def test_an_event_the_contract_does_not_allow_ends_its_stream_after_an_error_event(
    tmp_path: Path,
) -> None:
    path = contract_copy(tmp_path, lambda d: drop_property(d, "TaskGroupStatusEvent", "status"))
    emu = EmulatorServer(time_scale=0.005, contract=path)
    with pytest.raises(ResponseCheckFailed), emu, client_for(emu) as api:
        group_id = api.post("/v1/tasks/groups", json={}).json()["taskgroup_id"]
        inputs = [{"input": "x", "processor": "lite"}]
        assert api.post(f"/v1/tasks/groups/{group_id}/runs", json={"inputs": inputs}).is_success
        wait_done(api, group_id)
        received = b""
        events = api.stream("GET", f"/v1/tasks/groups/{group_id}/events")
        # Cut: the chunked body never ends.
        with pytest.raises(httpx.RemoteProtocolError), events as response:
            for chunk in response.iter_raw():
                received += chunk
        (frame,) = parse_sse(received.decode())
        assert frame["event"] == "error" and MARKER in frame["data"]["error"]["message"]


def test_without_the_check_the_same_answer_goes_out(tmp_path: Path) -> None:
    path = contract_copy(tmp_path, lambda d: drop_property(d, "TaskGroupResponse", "created_at"))
    with EmulatorServer(time_scale=0.005, contract=path, check_responses=False) as emu:
        with client_for(emu) as api:
            assert api.post("/v1/tasks/groups", json={}).status_code == 200
        assert not emu.response_problems()


def test_the_startup_log_names_the_contract_and_the_compile_time(server: EmulatorServer) -> None:
    line = next(line for line in server.stderr().splitlines() if "contract " in line)
    assert "taskgroup_emulator/contract/openapi.yaml: 11 operations" in line
    assert "validators compiled in" in line and "responses checked" in line
