"""Fuzz: the emulator's request checks and output builder over arbitrary JSON values.

The checks of each operation's body (compiled from the packaged contract, plus the limits the
documents state in prose) either pass, giving the body pruned of undocumented fields, or raise
RequestInvalid (the server's 422) with FastAPI-style {loc, msg, type} items located under
"body"; nothing else. Outputs built from any schema are finite, strict JSON."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from taskgroup_emulator.contract import Contract
from taskgroup_emulator.outputs import build_output
from taskgroup_emulator.request_schemas import request_checks
from taskgroup_emulator.validation import RequestInvalid, parse_json_body
from taskgroup_emulator.validators import Validators

CHECKS = request_checks(Contract.load(), Validators())


def body_check(operation_id: str) -> Callable[[Any], Any]:
    """What the server does with a parsed body of `operation_id` before its handler runs."""
    checks = CHECKS[operation_id]

    def check(body: Any) -> Any:
        errors = checks.body_problems(body)
        if errors:
            raise RequestInvalid(errors)
        return checks.prune(body)

    return check


validate_add_runs = body_check("add_task_group_runs")
validate_single_run = body_check("create_task_run")
validate_create_group = body_check("create_task_group")

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=18), inner, max_size=4)
    ),
    max_leaves=20,
)
schema_objects = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["json", "text", "auto", "xml"]) | json_values,
            "json_schema": json_values,
            "description": json_values,
        },
    ),
)
run_inputs = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "processor": st.sampled_from(["lite", "core-fast", "nope"]) | json_values,
            "input": json_values,
            "metadata": json_values,
            "task_spec": st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {}, optional={"output_schema": schema_objects, "input_schema": schema_objects}
                ),
            ),
            "source_policy": st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "include_domains": json_values,
                        "after_date": st.dates().map(str) | json_values,
                    },
                ),
            ),
            "mcp_servers": json_values,
            "webhook": json_values,
            "enable_events": json_values,
            "advanced_settings": json_values,
        },
    ),
)
add_runs_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "inputs": st.one_of(json_values, st.lists(run_inputs, max_size=5)),
            "default_task_spec": json_values,
        },
    ),
)


def outcome(validate: Callable[[Any], Any], body: Any) -> Any:
    try:
        return validate(body)
    except RequestInvalid as exc:
        assert exc.errors and str(exc)
        for item in exc.errors:
            assert set(item) == {"loc", "msg", "type"}
            assert item["loc"][0] == "body" and isinstance(item["msg"], str)
        json.dumps(exc.errors)  # the 422 body can be written
        return exc


@given(add_runs_bodies)
def test_validate_add_runs_returns_the_body_or_raises_request_invalid(body: Any) -> None:
    result = outcome(validate_add_runs, body)
    if not isinstance(result, RequestInvalid):
        assert isinstance(result["inputs"], list) and len(result["inputs"]) == len(body["inputs"])
        assert len(result["inputs"]) <= 1000 and set(result) <= set(body)


@given(run_inputs)
def test_validate_single_run_returns_the_body_or_raises_request_invalid(body: Any) -> None:
    result = outcome(validate_single_run, body)
    if not isinstance(result, RequestInvalid):
        assert isinstance(body["processor"], str) and isinstance(body["input"], (str, dict))


@given(st.one_of(json_values, st.fixed_dictionaries({}, optional={"metadata": json_values})))
def test_validate_create_group_returns_metadata_or_raises_request_invalid(body: Any) -> None:
    result = outcome(validate_create_group, body)
    assert (
        isinstance(result, RequestInvalid)
        or result.get("metadata") is None
        or isinstance(result["metadata"], dict)
    )


@given(st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())))
def test_parse_json_body_returns_strict_json_or_raises_request_invalid(raw: bytes) -> None:
    result = outcome(parse_json_body, raw)
    if not isinstance(result, RequestInvalid):
        json.dumps(result, allow_nan=False, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "raw",
    [b"[" * 50_000, b'{"a": NaN}', b"1e400", b'"\\udc00"', b"\xff", b""],
    ids=["deep", "nan", "overflow", "lone-surrogate", "not-utf8", "empty"],
)
def test_parse_json_body_refuses_what_cannot_be_stored(raw: bytes) -> None:
    with pytest.raises(RequestInvalid):
        parse_json_body(raw)


@given(json_values, json_values)
def test_outputs_for_any_schema_are_strict_json(task_input: Any, json_schema: Any) -> None:
    spec = {"output_schema": {"type": "json", "json_schema": json_schema}}
    text = json.dumps(build_output(task_input, spec), allow_nan=False)
    assert len(text) < 5_000_000


def test_hostile_schema_sizes_are_bounded() -> None:
    schema = {
        "type": "object",
        "properties": {
            "many": {
                "type": "array",
                "minItems": 10**9,
                "items": {"type": "array", "minItems": 10**9},
            },
            "long": {"type": "string", "minLength": 10**12},
            "big": {"type": "number", "minimum": -(10**400), "maximum": 10**400},
            "int": {"type": "integer", "minimum": 10**400},
        },
    }
    output = build_output("x", {"output_schema": {"type": "json", "json_schema": schema}})
    assert len(json.dumps(output, allow_nan=False)) < 1_000_000
