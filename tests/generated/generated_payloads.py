"""Seed payloads for tests of the generated models: full hand-written payloads that set every
property of every model reachable from the response models, plus the examples in openapi.yaml.

Every function returns a fresh copy, so tests may mutate what they get.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from parallel_taskgroup_api import models

ROOT = Path(__file__).resolve().parents[2]

Payload = dict[str, Any]


def run_full() -> Payload:
    return {
        "run_id": "trun_1",
        "interaction_id": "trun_1",
        "status": "failed",
        "is_active": False,
        "processor": "core",
        "created_at": "2025-04-02T20:05:14.371289Z",
        "modified_at": "2025-04-02T20:09:23.093714Z",
        "warnings": [
            {
                "type": "spec_validation_warning",
                "message": "Output schema has an unused field.",
                "detail": {"field": "extra"},
            }
        ],
        "error": {"ref_id": "ref_1", "message": "Run failed.", "detail": {"code": 17}},
        "metadata": {"row_key": "acme-1", "batch": 7, "ok": True, "score": 0.5},
        "taskgroup_id": "tgrp_1",
    }


def input_full() -> Payload:
    return {
        "processor": "core",
        "input": {"company_name": "Acme Robotics", "website": "https://acme.example"},
        "metadata": {"row_key": "acme-1", "batch": 7},
        "source_policy": {
            "include_domains": ["wikipedia.org", ".edu"],
            "exclude_domains": ["reddit.com"],
            "after_date": "2024-01-01",
        },
        "advanced_settings": {"location": "us"},
        "task_spec": {
            "output_schema": {
                "type": "json",
                "json_schema": {
                    "type": "object",
                    "properties": {"ceo": {"type": "string"}},
                    "required": ["ceo"],
                    "additionalProperties": False,
                },
            },
            "input_schema": {"type": "text", "description": "A company name."},
        },
        "previous_interaction_id": "trun_0",
        "mcp_servers": [
            {
                "url": "https://mcp.example/sse",
                "name": "crm",
                "type": "url",
                "headers": {"Authorization": "Bearer x"},
                "allowed_tools": ["lookup"],
            }
        ],
        "enable_events": True,
        "webhook": {"url": "https://hooks.example/run", "event_types": ["task_run.status"]},
    }


def _basis() -> list[Payload]:
    return [
        {
            "field": "ceo",
            "reasoning": "Two sources agree.",
            "citations": [
                {"url": "https://a.example/ceo", "title": "A", "excerpts": ["Dana"]},
                {"url": "https://b.example/ceo", "title": None, "excerpts": None},
            ],
            "confidence": "high",
        },
        {"field": "hq", "reasoning": "One source.", "citations": [], "confidence": None},
    ]


def _tool_calls() -> list[Payload]:
    return [
        {
            "tool_call_id": "call_1",
            "server_name": "crm",
            "tool_name": "lookup",
            "arguments": '{"q": "acme"}',
            "content": "found",
            "error": None,
        }
    ]


def json_output_full() -> Payload:
    return {
        "basis": _basis(),
        "type": "json",
        "content": {"ceo": "Dana Whitfield", "hq": "Boston"},
        "mcp_tool_calls": _tool_calls(),
        "beta_fields": {"mcp-server-2025-07-17": {"calls": 1}},
        "output_schema": {"type": "object", "properties": {"ceo": {"type": "string"}}},
    }


def text_output_full() -> Payload:
    return {
        "basis": _basis(),
        "type": "text",
        "content": "Acme Robotics is led by Dana Whitfield.",
        "mcp_tool_calls": _tool_calls(),
        "beta_fields": {"note": "x"},
    }


def group_status_full() -> Payload:
    return {
        "num_task_runs": 3,
        "task_run_status_counts": {"completed": 2, "running": 1},
        "is_active": True,
        "status_message": "Running",
        "modified_at": "2025-04-02T20:09:23Z",
    }


def task_run_event_json() -> Payload:
    return {
        "type": "task_run.state",
        "event_id": "1743624563093-0",
        "run": run_full(),
        "input": input_full(),
        "output": json_output_full(),
    }


def task_run_event_text() -> Payload:
    data = task_run_event_json()
    data["output"] = text_output_full()
    data["input"]["input"] = "What does Acme Robotics do?"
    data["input"]["task_spec"] = {"output_schema": {"type": "auto"}, "input_schema": "A question."}
    data["run"]["status"] = "completed"
    return data


def task_run_event_text_schema() -> Payload:
    data = task_run_event_text()
    data["input"]["task_spec"] = {
        "output_schema": {"type": "text", "description": "A short report."},
        "input_schema": {"type": "json", "json_schema": {"type": "object"}},
    }
    return data


def task_group_status_event() -> Payload:
    return {"type": "task_group_status", "event_id": "e1", "status": group_status_full()}


def error_event() -> Payload:
    return {
        "type": "error",
        "error": {"ref_id": "r1", "message": "boom", "detail": {"retry": True}},
    }


def task_run_result_json() -> Payload:
    return {"run": run_full(), "output": json_output_full()}


def task_run_result_text() -> Payload:
    return {"run": run_full(), "output": text_output_full()}


def task_group_response() -> Payload:
    return {
        "taskgroup_id": "tgrp_1",
        "status": group_status_full(),
        "created_at": "2025-04-02T20:05:14Z",
        "metadata": {"owner": "ops", "priority": 2, "urgent": False, "weight": 1.5},
    }


def task_group_run_response() -> Payload:
    return {
        "status": group_status_full(),
        "run_ids": ["trun_1", "trun_2"],
        "run_cursor": "c1",
        "event_cursor": "c2",
    }


HAND_WRITTEN: list[tuple[str, Any]] = [
    ("TaskRunEvent", task_run_event_json),
    ("TaskRunEvent", task_run_event_text),
    ("TaskRunEvent", task_run_event_text_schema),
    ("TaskGroupStatusEvent", task_group_status_event),
    ("ErrorEvent", error_event),
    ("TaskRunResult", task_run_result_json),
    ("TaskRunResult", task_run_result_text),
    ("TaskGroupResponse", task_group_response),
    ("TaskGroupRunResponse", task_group_run_response),
]

ROOT_MODELS = sorted({name for name, _ in HAND_WRITTEN})


def spec_examples() -> list[tuple[str, Payload]]:
    """(model class name, example) for each JSON example in openapi.yaml whose response schema
    is a model reachable from the root models (error responses parse as ErrorEvent: same shape)."""
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    by_type = {
        "task_run.state": "TaskRunEvent",
        "task_group_status": "TaskGroupStatusEvent",
        "error": "ErrorEvent",
    }
    found: list[tuple[str, Payload]] = []
    seen: set[str] = set()
    for operations in spec["paths"].values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    example = media.get("example")
                    if not isinstance(example, dict):
                        continue
                    ref = media.get("schema", {}).get("$ref", "")
                    name = by_type.get(example.get("type", ""), ref.rsplit("/", 1)[-1])
                    key = name + json.dumps(example, sort_keys=True)
                    if hasattr(models, name) and key not in seen:
                        seen.add(key)
                        found.append((name, example))
    return found


def seeds() -> list[tuple[str, Payload]]:
    """Every seed as (model class name, fresh payload)."""
    return [(name, make()) for name, make in HAND_WRITTEN] + [
        (name, copy.deepcopy(example)) for name, example in spec_examples()
    ]


def model_class(name: str) -> Any:
    return getattr(models, name)
