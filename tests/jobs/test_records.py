"""A finished run's record is the same whether its output came as the event's JSON (a snapshot
read by a job, never parsed into models) or as models (a result fetched or read by a library
caller): one record per run, whichever path brought it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup.jobs.record_text import load_record, record_text
from parallel_taskgroup.jobs.records import _epoch_seconds, epoch_seconds, result_record, run_record
from parallel_taskgroup.results import output_data, result_of
from parallel_taskgroup_api.models import TaskRunEvent
from taskgroup_emulator.outputs import build_output

ROW = {"company": "Acme Robotics", "website": "acme.example"}
SPEC = {
    "output_schema": {
        "type": "json",
        "json_schema": {
            "type": "object",
            "properties": {
                "ceo": {"type": "string"},
                "founded": {"type": "integer"},
                "products": {"type": "array", "items": {"type": "string"}},
            },
        },
    }
}

text = st.text(max_size=10)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=10,
)
citation = st.fixed_dictionaries(
    {"url": text},
    optional={"title": st.none() | text, "excerpts": st.none() | st.lists(text, max_size=2)},
)
basis = st.lists(
    st.fixed_dictionaries(
        {"field": text, "reasoning": text},
        optional={
            "citations": st.lists(citation, max_size=2),
            "confidence": st.none() | st.sampled_from(["high", "medium", "low"]),
        },
    ),
    max_size=3,
)
outputs = st.fixed_dictionaries(
    {"type": st.just("json"), "content": st.dictionaries(text, json_values, max_size=4)},
    optional={"basis": basis},
) | st.fixed_dictionaries({"type": st.just("text"), "content": text}, optional={"basis": basis})


def event(output: Any, *, status: str = "completed", error: Any = None) -> TaskRunEvent:
    return TaskRunEvent.from_dict(event_data(output, status=status, error=error))


def event_data(output: Any, *, status: str = "completed", error: Any = None) -> dict[str, Any]:
    return {
        "type": "task_run.state",
        "event_id": "e1",
        "run": {
            "run_id": "trun_1",
            "status": status,
            "is_active": False,
            "processor": "core",
            "metadata": {"row_key": "acme"},
            "error": error,
            "created_at": "2026-01-01T00:00:00Z",
            "modified_at": "2026-01-01T00:01:00Z",
        },
        "output": output,
    }


def both_records(output: Any, **run: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(record from the event's JSON, record from its models), for the same row input."""
    as_data = event(output, **run)
    as_models = event(output, **run)
    from_data = run_record(as_data.run, output_data(as_data), value=ROW, group_id="tgrp_1")
    from_models = result_record(result_of(as_models), value=ROW, group_id="tgrp_1")
    return from_data, from_models


def test_an_emulated_json_output_gives_the_same_record_as_data_and_as_models() -> None:
    for i, processor in enumerate(["lite", "base", "core", "ultra"]):
        output = build_output({**ROW, "n": i}, SPEC, processor)
        from_data, from_models = both_records(output)
        assert from_data == from_models
        assert from_data["output"] == output["content"] and from_data["basis"] == output["basis"]


def test_an_emulated_text_output_gives_the_same_record_as_data_and_as_models() -> None:
    output = build_output(ROW, {"output_schema": {"type": "text"}}, "base")
    from_data, from_models = both_records(output)
    assert from_data == from_models and isinstance(from_data["output"], str)


@given(outputs)
def test_any_well_formed_output_gives_the_same_record_as_data_and_as_models(
    output: dict[str, Any],
) -> None:
    from_data, from_models = both_records(output)
    assert from_data == from_models


def test_a_failed_run_gives_the_same_record_as_data_and_as_models() -> None:
    from_data, from_models = both_records(
        None, status="failed", error={"ref_id": "r1", "message": "boom"}
    )
    assert from_data == from_models and from_data["error"]["message"] == "boom"


@given(outputs, st.lists(st.fixed_dictionaries({"attempt": st.integers(1, 3)}), max_size=2))
def test_a_record_kept_with_its_event_s_text_reads_back_as_the_same_record(
    output: dict[str, Any], attempts: list[dict[str, Any]]
) -> None:
    text = json.dumps(event_data(output))  # as sent (json.loads reads Infinity too)
    record = run_record(event(output).run, output, value=ROW, attempts=attempts, group_id="tgrp_1")
    kept = load_record(record_text(record, event_text=text))
    assert list(kept.items()) == list(record.items())  # the same keys, in the same order


def test_a_record_without_an_event_s_text_is_kept_as_its_json() -> None:
    record = run_record(event(None, status="failed").run, None, value=ROW, group_id="tgrp_1")
    assert load_record(record_text(record)) == record


def test_a_usable_output_is_taken_as_the_event_carried_it() -> None:
    output = build_output(ROW, SPEC, "core")
    assert output_data(event(output)) == output


def test_an_output_that_cannot_give_a_record_must_be_fetched() -> None:
    for unusable in (
        None,
        "text",
        {"type": "json", "content": "not an object"},
        {"type": "text", "content": {"not": "a string"}},
        {"type": "audio", "content": "..."},
        {"content": {"no": "type"}},
    ):
        assert output_data(event(unusable)) is None, unusable


@given(
    moment=st.datetimes(
        min_value=datetime(1971, 1, 2),
        max_value=datetime(9998, 12, 30),
    ),
    digits=st.integers(min_value=0, max_value=9),
    zone=st.sampled_from(["Z", "z", "+00:00", "-07:30", "+14:00", ""]),
    separator=st.sampled_from(["T", " "]),
    padding=st.sampled_from(["", " "]),
)
def test_a_timestamp_reads_the_same_on_every_python(
    moment: Any, digits: int, zone: str, separator: str, padding: str
) -> None:
    # From 3.11 on, what fromisoformat reads by itself must read as the general path reads it.
    fraction = f"{moment.microsecond:06d}{moment.microsecond % 1000:03d}"[:digits]
    stamp = moment.strftime(f"%Y-%m-%d{separator}%H:%M:%S")
    stamp = padding + stamp + ("." + fraction if digits else "") + zone + padding
    assert epoch_seconds(stamp) == _epoch_seconds(stamp)
