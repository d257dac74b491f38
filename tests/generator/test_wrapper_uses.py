"""generator/wrapper_uses.yaml (what the wrapper relies on, for spec_report.py's verdicts) agrees
with openapi.yaml and with wrapper/: every entry exists in the spec and is referenced by the
wrapper, and every generated model and operation module the wrapper imports is in the table."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from spec_report import WrapperUses, enum_values, event_types, operations

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "wrapper" / "parallel_taskgroup"
SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
USES = WrapperUses.load()
OPS = {op["operationId"]: op for op in operations(SPEC).values()}
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in WRAPPER.rglob("*.py"))

# Operations the wrapper sends by path rather than through their generated module.
BY_PATH = {"add_task_group_runs": "add_runs_path"}
# Generated names the wrapper imports that are not schemas with fields: enums and inline
# free-form objects of fields the table lists.
NOT_SCHEMAS = {
    "CreateTaskGroupRequestMetadataType0": "CreateTaskGroupRequest.metadata",
    "StreamTaskGroupRunsStatusType0": "stream_task_group_runs.status",
    "TaskGroupStatusTaskRunStatusCounts": "TaskGroupStatus.task_run_status_counts",
    "TaskRunStatus": "TaskRun.status",
}


def referenced(name: str) -> bool:
    """The wrapper names `name`: as a string literal, or as an attribute or identifier (its
    generated Python name: `input` is `input_`)."""
    if re.search(r"[\"']" + re.escape(name) + r"[\"']", SOURCE):
        return True
    return re.search(r"\b" + re.escape(name) + r"_?\b", SOURCE) is not None


def wrapper_imports(module_prefix: str) -> set[str]:
    found: set[str] = set()
    for path in WRAPPER.rglob("*.py"):
        if path.name == "types.py":  # re-exports for users; the wrapper itself does not use them
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(module_prefix):
                found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize("op_id", sorted(USES.operations))
def test_each_operation_exists_and_is_called_with_known_parameters(op_id: str) -> None:
    assert op_id in OPS, f"{op_id} is not an operation of openapi.yaml"
    names = {p["name"] for p in OPS[op_id].get("parameters") or []}
    assert set(USES.operations[op_id]) <= names
    assert referenced(BY_PATH.get(op_id, op_id))
    assert all(referenced(name) for name in USES.operations[op_id])


@pytest.mark.parametrize("op_id", sorted(USES.event_types))
def test_each_dispatched_event_type_exists_on_its_stream(op_id: str) -> None:
    schema = OPS[op_id]["responses"]["200"]["content"]["text/event-stream"]["schema"]
    assert set(USES.event_types[op_id]) <= event_types(SPEC, schema)
    assert all(referenced(tag) for tag in USES.event_types[op_id])


@pytest.mark.parametrize(
    ("table", "schema", "prop"),
    [
        (table, schema, prop)
        for table in ("reads", "sends")
        for schema, props in getattr(USES, table).items()
        for prop in props
    ],
)
def test_each_field_exists_and_the_wrapper_references_it(
    table: str, schema: str, prop: str
) -> None:
    assert prop in SCHEMAS[schema]["properties"], f"{table}: {schema}.{prop} not in openapi.yaml"
    assert referenced(prop), f"{table}: the wrapper never names {schema}.{prop}"


def test_each_closed_enum_is_an_enum_field() -> None:
    for entry in USES.closed_enums:
        schema, prop = entry.split(".")
        assert enum_values(SCHEMAS[schema]["properties"][prop]), entry


def test_every_operation_module_the_wrapper_imports_is_listed() -> None:
    assert wrapper_imports("parallel_taskgroup_api.api") <= set(USES.operations)


def test_every_model_the_wrapper_imports_is_listed() -> None:
    listed = set(USES.reads) | set(USES.sends)
    imported = wrapper_imports("parallel_taskgroup_api.models") - set(NOT_SCHEMAS)
    assert {"ValidationError" if n == "ValidationDetail" else n for n in imported} <= listed
