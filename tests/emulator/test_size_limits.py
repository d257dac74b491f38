"""The documented size and complexity limits, per input, with the offending index in `loc`."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

import httpx
import pytest
from emulator_helpers import client_for, new_group
from hypothesis import given
from hypothesis import strategies as st
from taskgroup_emulator.limits import (
    LARGE_ENUM_VALUES,
    MAX_LARGE_ENUM_CHARS,
    MAX_SCHEMA_DEPTH,
    MAX_SCHEMA_ENUM_VALUES,
    MAX_SCHEMA_PROPERTIES,
    MAX_TASK_SPEC_AND_INPUT_CHARS,
    MAX_TASK_SPEC_CHARS,
    check_input,
    complexity,
    json_chars,
    schema_errors,
    spec_problems,
)
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

OUTPUT_LOC = ["task_spec", "output_schema", "json_schema"]


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with EmulatorServer(time_scale=0.005) as emu, client_for(emu) as client:
        yield client


def _json_spec(schema: Dict[str, Any]) -> Dict[str, Any]:
    return {"output_schema": {"type": "json", "json_schema": schema}}


def _text_spec(chars: int) -> Dict[str, Any]:
    """A text task spec whose compact JSON has exactly `chars` characters."""
    spec = {"output_schema": ""}
    spec["output_schema"] = "d" * (chars - json_chars(spec))
    assert json_chars(spec) == chars
    return spec


def _nested(levels: int) -> Dict[str, Any]:
    """An object schema with `levels` levels of objects and arrays (the root is level 1)."""
    schema: Dict[str, Any] = {"type": "string"}
    for level in range(levels, 0, -1):  # innermost first; odd levels are objects
        if level % 2:
            schema = {"type": "object", "properties": {"f": schema}}
        else:
            schema = {"type": "array", "items": schema}
    return schema


def _post(http: httpx.Client, inputs: List[Any], **body: Any) -> httpx.Response:
    items = [i if isinstance(i, dict) else {"input": i, "processor": "lite"} for i in inputs]
    group_id = new_group(http)
    response = http.post(f"/v1/tasks/groups/{group_id}/runs", json={"inputs": items, **body})
    if response.status_code != 200:
        runs = http.get(f"/v1/tasks/groups/{group_id}").json()["status"]["num_task_runs"]
        assert runs == 0, "a refused POST must create nothing"
    return response


def _locs(response: httpx.Response) -> List[List[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]


# -- characters ---------------------------------------------------------------------------------


def test_characters_are_code_points_of_compact_json_text() -> None:
    assert json_chars({"a": [1, 2]}) == len('{"a":[1,2]}')
    assert json_chars("é") == 3  # quotes count, non-ASCII is one character, not an escape
    assert json_chars("a\nb") == 6  # "a\nb" with the newline escaped
    assert json_chars("😀") == 3
    assert json_chars(None) == 4


def test_task_spec_plus_input_over_25000_characters_is_422_at_each_offending_index(
    http: httpx.Client,
) -> None:
    spec = _text_spec(1_000)
    fits = "x" * (MAX_TASK_SPEC_AND_INPUT_CHARS - 1_000 - 2)  # + 2 quotes: exactly at the limit
    over = fits + "x"
    response = _post(http, [fits, over, "short", over], default_task_spec=spec)
    assert _locs(response) == [["body", "inputs", 1], ["body", "inputs", 3]]
    message = response.json()["detail"][0]["msg"]
    assert message.startswith("Task Spec + Input Too Long: ") and "25,001" in message
    assert _post(http, [fits], default_task_spec=spec).status_code == 200


def test_task_spec_over_15000_characters_is_422_for_every_input_using_it(
    http: httpx.Client,
) -> None:
    response = _post(http, ["a", "b"], default_task_spec=_text_spec(MAX_TASK_SPEC_CHARS + 1))
    assert _locs(response) == [
        ["body", "inputs", 0, "task_spec"],
        ["body", "inputs", 1, "task_spec"],
    ]
    assert "(from default_task_spec)" in response.json()["detail"][0]["msg"]
    assert _post(http, ["a"], default_task_spec=_text_spec(MAX_TASK_SPEC_CHARS)).status_code == 200


def test_an_inputs_own_task_spec_is_counted_instead_of_the_default(http: httpx.Client) -> None:
    own = {"input": "a", "processor": "lite", "task_spec": _text_spec(100)}
    response = _post(http, [own, "b"], default_task_spec=_text_spec(MAX_TASK_SPEC_CHARS + 1))
    assert _locs(response) == [["body", "inputs", 1, "task_spec"]]


def test_output_schema_nested_deeper_than_the_limit_is_422(http: httpx.Client) -> None:
    deep = {"input": "a", "processor": "lite", "task_spec": _json_spec(_nested(6))}
    response = _post(http, ["ok", deep])
    assert _locs(response) == [["body", "inputs", 1, *OUTPUT_LOC]]
    assert response.json()["detail"][0]["msg"].startswith("Too-Complex Output Schema: ")
    assert _post(http, ["ok"], default_task_spec=_json_spec(_nested(5))).status_code == 200


def test_more_than_100_properties_is_422(http: httpx.Client) -> None:
    def spec(count: int) -> Dict[str, Any]:
        inner = {f"p{i}": {"type": "string"} for i in range(count - 1)}
        return _json_spec(
            {"type": "object", "properties": {"o": {"type": "object", "properties": inner}}}
        )

    response = _post(http, ["a", "b"], default_task_spec=spec(MAX_SCHEMA_PROPERTIES + 1))
    assert _locs(response) == [["body", "inputs", i, *OUTPUT_LOC] for i in (0, 1)]
    assert _post(http, ["a"], default_task_spec=spec(MAX_SCHEMA_PROPERTIES)).status_code == 200


def test_more_than_500_enum_values_is_422(http: httpx.Client) -> None:
    def spec(count: int) -> Dict[str, Any]:
        props = {
            "a": {"type": "string", "enum": [f"a{i}" for i in range(count // 2)]},
            "b": {"type": "string", "enum": [f"b{i}" for i in range(count - count // 2)]},
        }
        return _json_spec({"type": "object", "properties": props})

    assert _locs(_post(http, ["a"], default_task_spec=spec(MAX_SCHEMA_ENUM_VALUES + 1))) == [
        ["body", "inputs", 0, *OUTPUT_LOC]
    ]
    assert _post(http, ["a"], default_task_spec=spec(MAX_SCHEMA_ENUM_VALUES)).status_code == 200


def test_a_large_enum_with_too_many_characters_is_422() -> None:
    width = MAX_LARGE_ENUM_CHARS // LARGE_ENUM_VALUES + 1
    values = [f"{i:0{width}d}" for i in range(LARGE_ENUM_VALUES + 1)]
    schema = {"type": "object", "properties": {"e": {"type": "string", "enum": values}}}
    (message,) = complexity(schema)
    assert "enum of 251 values" in message
    assert complexity({"type": "object", "properties": {"e": {"enum": values[:-1]}}}) == []


def test_invalid_json_schema_is_422_at_its_location(http: httpx.Client) -> None:
    bad_output = _json_spec({"type": "object", "properties": {"a": {"type": "strin"}}})
    bad_input = {
        "output_schema": "text",
        "input_schema": {"type": "json", "json_schema": {"required": "a"}},
    }
    items = [
        {"input": "a", "processor": "lite", "task_spec": bad_output},
        {"input": "b", "processor": "lite", "task_spec": bad_input},
    ]
    response = _post(http, items)
    assert _locs(response) == [
        ["body", "inputs", 0, *OUTPUT_LOC, "properties", "a", "type"],
        ["body", "inputs", 1, "task_spec", "input_schema", "json_schema", "required"],
    ]
    assert all(e["msg"].startswith("Invalid JSON Schema: ") for e in response.json()["detail"])


def test_a_single_run_over_a_limit_is_a_422_error_response(http: httpx.Client) -> None:
    body = {"input": "x" * MAX_TASK_SPEC_AND_INPUT_CHARS, "processor": "lite"}
    response = http.post("/v1/tasks/runs", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["detail"]["errors"][0]["loc"] == ["body"]


def test_limit_errors_and_unknown_processors_are_reported_together(http: httpx.Client) -> None:
    items = [{"input": "x", "processor": "mega"}, "x" * MAX_TASK_SPEC_AND_INPUT_CHARS]
    assert _locs(_post(http, items)) == [["body", "inputs", 0, "processor"], ["body", "inputs", 1]]


# -- schema rules, without a server -------------------------------------------------------------


@given(st.integers(1, 9))
def test_depth_counts_levels_of_objects_and_arrays(levels: int) -> None:
    too_deep = any("nest" in message for message in complexity(_nested(levels)))
    assert too_deep is (levels > MAX_SCHEMA_DEPTH)


def test_anyof_wrappers_do_not_add_levels_and_refs_count_where_used() -> None:
    wrapped = _nested(MAX_SCHEMA_DEPTH)
    wrapped["properties"]["f"] = {"anyOf": [wrapped["properties"]["f"], {"type": "null"}]}
    assert complexity(wrapped) == []
    via_ref = {
        "type": "object",
        "properties": {"f": {"$ref": "#/$defs/deep"}},
        "$defs": {"deep": _nested(MAX_SCHEMA_DEPTH)},
    }
    assert complexity(via_ref) != []
    recursive = {
        "type": "object",
        "properties": {"child": {"$ref": "#"}},
    }
    assert complexity(recursive) != []


@pytest.mark.parametrize(
    "schema, where",
    [
        ({"type": 5}, ["type"]),
        ({"type": ["string", "string"]}, ["type"]),
        ({"properties": []}, ["properties"]),
        ({"properties": {"a": 3}}, ["properties", "a"]),
        ({"items": {"type": "nope"}}, ["items", "type"]),
        ({"anyOf": []}, ["anyOf"]),
        ({"enum": "a"}, ["enum"]),
        ({"description": 1}, ["description"]),
        ({"$ref": "#/$defs/missing"}, ["$ref"]),
        ({"additionalProperties": "no"}, ["additionalProperties"]),
    ],
)
def test_invalid_schemas_are_found_where_they_break(schema: Dict[str, Any], where: Any) -> None:
    assert [path for path, _ in schema_errors(schema)] == [where]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=15,
)
schema_like = st.recursive(
    st.sampled_from(
        [{"type": "string"}, {"type": "object"}, True, {"enum": [1, 2]}, {"$ref": "#"}]
    ),
    lambda inner: st.one_of(
        st.dictionaries(
            st.sampled_from(["properties", "$defs"]),
            st.dictionaries(st.text(max_size=3), inner),
            max_size=2,
        ),
        st.builds(lambda items: {"type": "array", "items": items}, inner),
        st.lists(inner, min_size=1, max_size=3).map(lambda opts: {"anyOf": opts}),
    ),
    max_leaves=12,
)


@given(st.one_of(json_values, schema_like.map(_json_spec)), json_values)
def test_checking_any_task_spec_and_input_never_raises(spec: Any, task_input: Any) -> None:
    errors = check_input({"input": task_input, "task_spec": spec}, None, ["body", "inputs", 0])
    for error in errors:
        assert error["loc"][:3] == ["body", "inputs", 0] and error["type"] == "value_error"
    json.dumps(errors)
    spec_problems(spec)
