"""Every generated endpoint module offers `request_kwargs` and `parse_response` as public names,
and takes every parameter openapi.yaml gives its operation."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import ModuleType
from typing import Any

import httpx
import parallel_taskgroup_api.api as api_package
import pytest
from generated_payloads import spec
from parallel_taskgroup_api.api.task_groups import add_task_group_runs, get_task_group
from parallel_taskgroup_api.client import Client
from parallel_taskgroup_api.models import TaskGroupResponse, TaskGroupRunRequest, TaskRunInput


def endpoint_modules() -> list[ModuleType]:
    found = []
    for info in pkgutil.walk_packages(api_package.__path__, api_package.__name__ + "."):
        module = importlib.import_module(info.name)
        if hasattr(module, "sync_detailed"):
            found.append(module)
    return found


MODULES = endpoint_modules()


def test_every_operation_module_is_found() -> None:
    assert len(MODULES) >= 11


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_public_names_exist_with_docstrings_and_private_names_still_work(
    module: ModuleType,
) -> None:
    assert module.request_kwargs is module._get_kwargs
    assert module.parse_response is module._parse_response
    assert (module.request_kwargs.__doc__ or "").strip()
    assert (module.parse_response.__doc__ or "").strip()
    assert list(inspect.signature(module.parse_response).parameters) == ["client", "response"]


def test_request_kwargs_builds_the_http_request() -> None:
    body = TaskGroupRunRequest(inputs=[TaskRunInput(input_="x", processor="base")])
    kwargs = add_task_group_runs.request_kwargs("tgrp_1", body=body, refresh_status=False)
    assert kwargs["method"] == "post"
    assert kwargs["url"] == "/v1/tasks/groups/tgrp_1/runs"
    assert kwargs["params"] == {"refresh_status": False}
    assert kwargs["json"]["inputs"][0] == {"input": "x", "processor": "base"}
    assert kwargs["headers"]["Content-Type"] == "application/json"


def test_parse_response_returns_the_typed_body() -> None:
    client = Client(base_url="https://api.example")
    response = httpx.Response(
        200,
        json={
            "taskgroup_id": "tgrp_1",
            "status": {
                "num_task_runs": 0,
                "task_run_status_counts": {},
                "is_active": False,
                "status_message": None,
                "modified_at": None,
            },
            "created_at": None,
        },
    )
    parsed = get_task_group.parse_response(client=client, response=response)
    assert isinstance(parsed, TaskGroupResponse)
    assert parsed.taskgroup_id == "tgrp_1"


def spec_parameters() -> list[tuple[str, str, dict[str, Any]]]:
    """(tag, operation id, parameter) for every parameter of every operation in openapi.yaml."""
    return [
        (operation["tags"][0].replace("-", "_"), operation["operationId"], parameter)
        for item in spec()["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters") or []
    ]


PARAMETERS = spec_parameters()


@pytest.mark.parametrize(
    ("tag", "op_id", "parameter"),
    PARAMETERS,
    ids=[f"{op_id}:{p['name']}" for _, op_id, p in PARAMETERS],
)
def test_every_spec_parameter_is_an_argument_of_its_operation(
    tag: str, op_id: str, parameter: dict[str, Any]
) -> None:
    module = importlib.import_module(f"parallel_taskgroup_api.api.{tag}.{op_id}")
    name = re.sub(r"\W+", "_", parameter["name"]).lower()
    for function in ("request_kwargs", "sync_detailed", "stream"):
        if hasattr(module, function):
            assert name in inspect.signature(getattr(module, function)).parameters, function
