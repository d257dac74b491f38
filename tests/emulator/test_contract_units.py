"""Units of the contract-driven checks: pruning, query text, error locations."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from taskgroup_emulator.contract import Contract
from taskgroup_emulator.prune import Pruners
from taskgroup_emulator.query_values import read_value
from taskgroup_emulator.request_schemas import request_checks
from taskgroup_emulator.validators import Validators, _within_64_bits

CONTRACT = Contract.load()
CHECKS = request_checks(CONTRACT, Validators())
ADD_RUNS = CHECKS["add_task_group_runs"]


def test_pruning_returns_the_same_object_when_nothing_is_undocumented() -> None:
    body = {
        "inputs": [{"input": {"free": {"form": 1}}, "processor": "lite", "metadata": {"k": 1}}],
        "default_task_spec": {"output_schema": {"type": "json", "json_schema": {"x": 1}}},
    }
    assert ADD_RUNS.prune(body) is body


def test_pruning_copies_instead_of_changing_the_body_in_place() -> None:
    item = {"input": "x", "processor": "lite", "later_field": 1}
    body = {"inputs": [item], "also_unknown": True}
    assert ADD_RUNS.prune(body) == {"inputs": [{"input": "x", "processor": "lite"}]}
    assert body == {"inputs": [item], "also_unknown": True} and "later_field" in item


def test_pruning_follows_recursive_references() -> None:
    schema = {
        "$ref": "#/$defs/Node",
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"name": {}, "child": {"$ref": "#/$defs/Node"}},
            }
        },
    }
    prune = Pruners(schema, Validators()).compile(schema)
    value = {"name": "a", "x": 1, "child": {"name": "b", "y": 2, "child": {"name": "c"}}}
    assert prune(value) == {"name": "a", "child": {"name": "b", "child": {"name": "c"}}}


@pytest.mark.parametrize(
    "raw, schema, value",
    [
        ("YES", {"type": "boolean"}, True),
        ("off", {"type": "boolean"}, False),
        ("42", {"type": "integer"}, 42),
        ("-1.5", {"anyOf": [{"type": "number"}, {"type": "null"}]}, -1.5),
        ("abc", {"anyOf": [{"type": "string"}, {"type": "null"}]}, "abc"),
        ("7", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, 7),
        ("x7", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, "x7"),
    ],
)
def test_query_text_is_read_as_the_type_its_schema_wants(raw: str, schema: Any, value: Any) -> None:
    assert read_value(raw, schema, ["query", "p"]) == (value, None)


@pytest.mark.parametrize(
    "raw, schema, kind",
    [
        ("maybe", {"type": "boolean"}, "bool_parsing"),
        ("1.5", {"type": "integer"}, "int_parsing"),
        ("nan", {"type": "number"}, "float_parsing"),
        ("inf", {"anyOf": [{"type": "number"}, {"type": "null"}]}, "float_parsing"),
    ],
)
def test_query_text_that_is_not_of_its_type_is_located_at_the_parameter(
    raw: str, schema: Any, kind: str
) -> None:
    _, error = read_value(raw, schema, ["query", "p"])
    assert error is not None and error["loc"] == ["query", "p"] and error["type"] == kind


def test_a_missing_required_field_is_located_at_the_field() -> None:
    errors = ADD_RUNS.body_errors({"inputs": [{"input": "x", "processor": "lite"}, {"input": 1}]})
    assert errors == [
        {
            "loc": ["body", "inputs", 1, "input"],
            "msg": "Input should be a valid string or a valid dictionary or object",
            "type": "union_type",
        },
        {"loc": ["body", "inputs", 1, "processor"], "msg": "Field required", "type": "missing"},
    ]


def test_a_format_the_contract_names_is_checked() -> None:
    item = {"input": "x", "processor": "lite", "source_policy": {"after_date": "2024-02-30"}}
    (error,) = ADD_RUNS.body_errors({"inputs": [item]})
    assert error["loc"] == ["body", "inputs", 0, "source_policy", "after_date"]
    assert error["msg"] == "Input should be a valid date"


def test_integers_beyond_64_bits_are_validated_as_their_nearest_float() -> None:
    item = {"input": {"n": 10**30}, "processor": "lite", "metadata": {"big": -(10**400)}}
    assert ADD_RUNS.body_errors({"inputs": [item]}) == []
    assert _within_64_bits({"a": [2**63, -(2**63)], "b": 10**400, "c": True}) == {
        "a": [float(2**63), -(2**63)],
        "b": sys.float_info.max,
        "c": True,
    }
