"""The generated models: lossless round trips and discriminator dispatch (Python 3.9-3.13)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup_api.models import (
    ErrorEvent,
    JsonSchema,
    TaskGroupStatusEvent,
    TaskRunEvent,
    TaskRunInput,
    TaskRunJsonOutput,
    TaskRunProgressMessageEvent,
    TaskRunProgressStatsEvent,
    TaskRunResult,
    TaskRunStatus,
    TaskRunTextOutput,
    TaskSpec,
    TextSchema,
)
from parallel_taskgroup_api.types import UNSET, json_value

STATUSES = [s.value for s in TaskRunStatus]
text = st.text(max_size=12)
scalars = st.one_of(text, st.integers(), st.booleans(), st.floats(allow_nan=False))
citation = st.fixed_dictionaries(
    {"url": text},
    optional={"title": st.none() | text, "excerpts": st.none() | st.lists(text, max_size=3)},
)
basis = st.fixed_dictionaries(
    {"field": text, "reasoning": text},
    optional={"citations": st.lists(citation, max_size=3), "confidence": st.none() | text},
)
json_output = st.fixed_dictionaries(
    {
        "type": st.just("json"),
        "content": st.dictionaries(text, scalars, max_size=4),
        "basis": st.lists(basis, max_size=3),
    }
)
text_output = st.fixed_dictionaries(
    {"type": st.just("text"), "content": text, "basis": st.lists(basis, max_size=2)}
)
run = st.fixed_dictionaries(
    {
        "run_id": text,
        "interaction_id": text,
        "status": st.sampled_from(STATUSES),
        "is_active": st.booleans(),
        "processor": text,
        "created_at": st.none() | text,
        "modified_at": st.none() | text,
    },
    optional={
        "metadata": st.none() | st.dictionaries(text, scalars, max_size=3),
        "taskgroup_id": st.none() | text,
        "error": st.none() | st.fixed_dictionaries({"ref_id": text, "message": text}),
    },
)
output_schema = st.one_of(
    text,
    st.fixed_dictionaries({"type": st.just("json"), "json_schema": st.just({"type": "object"})}),
    st.fixed_dictionaries({"type": st.just("text")}, optional={"description": st.none() | text}),
    st.just({"type": "auto"}),
)
run_input = st.fixed_dictionaries(
    {"processor": text, "input": text | st.dictionaries(text, text, max_size=3)},
    optional={
        "metadata": st.none() | st.dictionaries(text, scalars, max_size=3),
        "task_spec": st.none() | st.fixed_dictionaries({"output_schema": output_schema}),
    },
)
task_run_event = st.fixed_dictionaries(
    {"type": st.just("task_run.state"), "event_id": st.none() | text, "run": run},
    optional={"input": st.none() | run_input, "output": st.none() | json_output | text_output},
)


def recorded_event() -> dict[str, Any]:
    """A task_run.state event as the runs stream sends it with include_input and include_output."""
    return {
        "type": "task_run.state",
        "event_id": "1743624563093-0",
        "run": {
            "run_id": "trun_1",
            "interaction_id": "trun_1",
            "status": "completed",
            "is_active": False,
            "warnings": None,
            "error": None,
            "processor": "core",
            "metadata": {"row_key": "acme-1", "batch": 7},
            "taskgroup_id": "tgrp_1",
            "created_at": "2025-04-02T20:05:14.371289Z",
            "modified_at": "2025-04-02T20:09:23.093714Z",
        },
        "input": {
            "processor": "core",
            "input": {"company_name": "Acme Robotics"},
            "task_spec": {"output_schema": {"type": "json", "json_schema": {"type": "object"}}},
        },
        "output": {
            "type": "json",
            "content": {"ceo": "Dana Whitfield"},
            "basis": [
                {
                    "field": "ceo",
                    "reasoning": "Two sources agree.",
                    "confidence": "high",
                    "citations": [
                        {"url": "https://a.example/ceo", "title": "A", "excerpts": ["Dana"]},
                        {"url": "https://b.example/ceo", "title": None, "excerpts": None},
                    ],
                }
            ],
        },
    }


@given(task_run_event)
def test_task_run_event_round_trips_losslessly(data: dict[str, Any]) -> None:
    assert TaskRunEvent.from_dict(data).to_dict() == data


@given(task_run_event)
def test_from_dict_leaves_its_input_untouched(data: dict[str, Any]) -> None:
    before = copy.deepcopy(data)
    TaskRunEvent.from_dict(data)
    assert data == before


def test_recorded_event_parses_into_typed_models() -> None:
    event = TaskRunEvent.from_dict(recorded_event())
    assert event.run.status == TaskRunStatus.COMPLETED
    assert isinstance(event.input_, TaskRunInput)
    assert isinstance(event.input_.task_spec, TaskSpec)
    assert isinstance(event.input_.task_spec.output_schema, JsonSchema)
    assert isinstance(event.output, TaskRunJsonOutput)
    assert event.output.basis[0].citations[0].url == "https://a.example/ceo"
    assert event.output.content["ceo"] == "Dana Whitfield"


def test_output_is_dispatched_on_its_type() -> None:
    data = recorded_event()
    assert isinstance(TaskRunEvent.from_dict(data).output, TaskRunJsonOutput)
    data["output"] = {"type": "text", "content": "A report.", "basis": []}
    assert isinstance(TaskRunEvent.from_dict(data).output, TaskRunTextOutput)


def test_result_output_is_dispatched_on_its_type() -> None:
    data = {"run": recorded_event()["run"], "output": {"type": "text", "content": "x", "basis": []}}
    assert isinstance(TaskRunResult.from_dict(data).output, TaskRunTextOutput)


def test_unknown_output_type_is_kept_as_its_raw_mapping() -> None:
    data = recorded_event()
    data["output"] = {"type": "audio", "content": "...", "basis": []}
    assert TaskRunEvent.from_dict(data).output == data["output"]


def test_malformed_output_of_a_known_type_is_kept_as_its_raw_mapping() -> None:
    data = recorded_event()
    del data["output"]["content"]
    assert TaskRunEvent.from_dict(data).output == data["output"]


def test_an_event_s_input_and_output_are_parsed_when_first_read_and_kept() -> None:
    event = TaskRunEvent.from_dict(recorded_event())
    output = event.output
    assert isinstance(output, TaskRunJsonOutput)
    assert event.output is output
    assert isinstance(event.input_, TaskRunInput)


def test_an_event_read_equals_one_not_yet_read() -> None:
    read, unread = (
        TaskRunEvent.from_dict(recorded_event()),
        TaskRunEvent.from_dict(recorded_event()),
    )
    assert read.output is not None and read.input_ is not None
    assert read == unread and unread == read


def test_an_event_s_deferred_attributes_can_be_set_and_built_by_keyword() -> None:
    event = TaskRunEvent.from_dict(recorded_event())
    event.output = None
    assert event.output is None and "output" in event.to_dict()
    built = TaskRunEvent(type_="task_run.state", run=event.run, output=None)
    assert built.output is None and built.input_ is UNSET


def test_absent_and_null_output_stay_distinct() -> None:
    data = recorded_event()
    data["output"] = None
    assert TaskRunEvent.from_dict(data).output is None
    del data["output"]
    assert "output" not in TaskRunEvent.from_dict(data).to_dict()


def test_output_schema_variants_parse_into_their_models() -> None:
    assert isinstance(
        TaskSpec.from_dict({"output_schema": {"type": "text"}}).output_schema, TextSchema
    )
    assert TaskSpec.from_dict({"output_schema": "a plain description"}).output_schema == (
        "a plain description"
    )


def test_unknown_fields_are_kept_as_additional_properties() -> None:
    data = recorded_event()
    data["new_field"] = {"x": 1}
    data["run"]["new_run_field"] = 3
    event = TaskRunEvent.from_dict(data)
    assert event.additional_properties == {"new_field": {"x": 1}}
    assert event.run["new_run_field"] == 3
    assert event.to_dict() == data


def test_missing_required_field_raises_key_error() -> None:
    data = recorded_event()
    del data["run"]["run_id"]
    with pytest.raises(KeyError, match="run_id"):
        TaskRunEvent.from_dict(data)


def test_wrong_event_type_raises_value_error() -> None:
    data = recorded_event()
    data["type"] = "task_group_status"
    with pytest.raises(ValueError, match="task_run.state"):
        TaskRunEvent.from_dict(data)


def test_run_status_behaves_like_its_string_value() -> None:
    status = TaskRunStatus("running")
    assert status == "running"
    assert str(status) == "running"
    assert f"{status}" == "running"


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (
            TaskGroupStatusEvent,
            {
                "type": "task_group_status",
                "event_id": "e1",
                "status": {
                    "num_task_runs": 2,
                    "task_run_status_counts": {"completed": 1, "running": 1},
                    "is_active": True,
                    "status_message": None,
                    "modified_at": "2025-04-02T20:09:23Z",
                },
            },
        ),
        (ErrorEvent, {"type": "error", "error": {"ref_id": "r1", "message": "boom"}}),
        (
            TaskRunProgressStatsEvent,
            {
                "type": "task_run.progress_stats",
                "source_stats": {
                    "num_sources_considered": 12,
                    "num_sources_read": 3,
                    "sources_read_sample": ["https://a.example"],
                },
                "progress_meter": 42.0,
            },
        ),
        (
            TaskRunProgressMessageEvent,
            {
                "type": "task_run.progress_msg.plan",
                "message": "Planning",
                "timestamp": "2025-04-02T20:09:23Z",
            },
        ),
    ],
)
def test_stream_event_models_round_trip(model: Any, data: dict[str, Any]) -> None:
    assert model.from_dict(data).to_dict() == data


def test_json_value_of_an_unread_deferred_property_is_its_data_as_it_came() -> None:
    data = recorded_event()
    data["output"]["content"]["extra"] = {"nested": [1, 2.5, None]}
    assert json_value(TaskRunEvent.from_dict(data), "output") == data["output"]


def test_json_value_of_a_malformed_deferred_property_is_its_data_unchecked() -> None:
    data = recorded_event()
    data["output"]["basis"] = "not a list"
    assert json_value(TaskRunEvent.from_dict(data), "output") == data["output"]


def test_json_value_of_a_read_property_is_its_to_dict() -> None:
    event = TaskRunEvent.from_dict(recorded_event())
    output = event.output
    assert isinstance(output, TaskRunJsonOutput)
    assert json_value(event, "output") == output.to_dict()
    assert json_value(event, "run") == event.run.to_dict()


def test_json_value_of_an_unset_property_is_none() -> None:
    data = recorded_event()
    del data["output"], data["input"]
    event = TaskRunEvent.from_dict(data)
    assert json_value(event, "output") is None and json_value(event, "input_") is None


@given(task_run_event)
def test_json_value_reads_the_same_before_and_after_the_property_is_read(
    data: dict[str, Any],
) -> None:
    unread, read = TaskRunEvent.from_dict(data), TaskRunEvent.from_dict(data)
    read.output  # noqa: B018 - parses and keeps the model
    assert json_value(unread, "output") == json_value(read, "output")
