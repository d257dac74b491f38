"""Requests are checked against the packaged contract: one behaviour per test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from contract_helpers import contract_copy
from emulator_helpers import new_group
from taskgroup_emulator.contract import Contract
from taskgroup_emulator.endpoints import validation_style
from taskgroup_emulator.validators import Validators

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = ROOT / "emulator" / "taskgroup_emulator" / "contract" / "openapi.yaml"


def test_the_packaged_contract_is_a_copy_of_the_repository_openapi_yaml() -> None:
    # `make generate` copies it, `make check-generated` compares; this says it in pytest too.
    assert PACKAGED.read_bytes() == (ROOT / "openapi.yaml").read_bytes(), "run `make generate`"


def test_undocumented_fields_are_accepted_but_never_echoed_back(api: httpx.Client) -> None:
    item = {
        "input": {"company": "Acme", "anything": {"nested": 1}},  # free-form: kept whole
        "processor": "lite",
        "x_field_no_contract_has": "dropped",  # a name upstream is unlikely ever to add
        "source_policy": {"include_domains": ["acme.test"], "unknown_knob": True},
    }
    response = api.post("/v1/tasks/runs", json=item)
    assert response.status_code == 202, response.text
    echoed = api.get(f"/v1/tasks/runs/{response.json()['run_id']}/input").json()
    assert echoed == {
        "input": {"company": "Acme", "anything": {"nested": 1}},
        "processor": "lite",
        "source_policy": {"include_domains": ["acme.test"]},
    }


def test_a_json_output_schema_without_its_type_keeps_its_json_schema(api: httpx.Client) -> None:
    spec = {"output_schema": {"json_schema": {"type": "object"}, "extra": 1}}
    response = api.post(
        "/v1/tasks/runs", json={"input": "x", "processor": "lite", "task_spec": spec}
    )
    assert response.status_code == 202, response.text
    echoed = api.get(f"/v1/tasks/runs/{response.json()['run_id']}/input").json()
    assert echoed["task_spec"] == {"output_schema": {"json_schema": {"type": "object"}}}


def test_a_tag_no_alternative_accepts_is_one_error_listing_the_allowed_values(
    api: httpx.Client,
) -> None:
    item = {"input": "x", "processor": "lite", "task_spec": {"output_schema": {"type": "xml"}}}
    response = api.post(f"/v1/tasks/groups/{new_group(api)}/runs", json={"inputs": [item]})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "inputs", 0, "task_spec", "output_schema", "type"],
            "msg": "Input should be 'json', 'text' or 'auto'",
            "type": "enum",
        }
    ]


def test_problems_of_several_inputs_are_all_reported(api: httpx.Client) -> None:
    inputs = [
        {"processor": "lite"},
        {"input": "fine", "processor": "lite"},
        {"input": "x", "processor": "lite", "enable_events": "yes"},
    ]
    response = api.post(f"/v1/tasks/groups/{new_group(api)}/runs", json={"inputs": inputs})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["body", "inputs", 0, "input"],
        ["body", "inputs", 2, "enable_events"],
    ]


def test_an_optional_field_is_judged_as_its_non_null_alternative(api: httpx.Client) -> None:
    response = api.post("/v1/tasks/groups", json={"metadata": {"k": [1]}})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "metadata", "k"],
            "msg": "Input should be a valid string, a valid integer, a valid number or a "
            "valid boolean",
            "type": "union_type",
        }
    ]


def test_an_enum_query_parameter_names_the_allowed_values(api: httpx.Client) -> None:
    response = api.get(f"/v1/tasks/groups/{new_group(api)}/runs", params={"status": "done"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "status"] and error["type"] == "enum"
    assert "'queued'" in error["msg"] and "'cancelled'" in error["msg"]


def test_the_422_shape_is_the_one_the_contract_documents_for_the_operation(
    tmp_path: Path,
) -> None:
    validators = Validators()
    packaged = Contract.load()
    styles = {op_id: validation_style(op, validators) for op_id, op in packaged.operations.items()}
    assert styles["add_task_group_runs"] == "http" and styles["create_task_run"] == "error"

    def document_http_422(document: dict) -> None:
        responses = document["paths"]["/v1/tasks/runs"]["post"]["responses"]
        schema = {"$ref": "#/components/schemas/HTTPValidationError"}
        responses["422"]["content"]["application/json"]["schema"] = schema

    changed = Contract.load(contract_copy(tmp_path, document_http_422))
    assert validation_style(changed.operations["create_task_run"], validators) == "http"


def test_a_contract_schema_resolves_into_a_self_contained_one() -> None:
    schema = Contract.load().operations["add_task_group_runs"].body
    text = str(schema)
    assert schema["$ref"] == "#/$defs/TaskGroupRunRequest"
    assert {"TaskRunInput", "TaskSpec", "JsonSchema", "McpServer"} <= set(schema["$defs"])
    assert "#/components/" not in text and "discriminator" not in text


def test_the_emulator_does_not_import_the_client_package() -> None:
    code = (
        "import sys, taskgroup_emulator.app, taskgroup_emulator.testing, "
        "taskgroup_emulator.__main__; "
        "print([m for m in sys.modules if m.split('.')[0] == 'parallel_taskgroup'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
