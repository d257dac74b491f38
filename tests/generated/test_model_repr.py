"""Generated models have short reprs: only the fields that are set, never `Unset`."""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from generated_payloads import model_class, seeds
from parallel_taskgroup_api.models import (
    TaskGroupStatusEvent,
    TaskRun,
    TaskRunMetadataType0,
    Warning_,
    WarningType,
)
from parallel_taskgroup_api.types import Unset

SEEDS = seeds()


def field_names(model: Any) -> list[str]:
    return [f.alias for f in attrs.fields(type(model)) if f.name != "additional_properties"]


def models_in(value: Any) -> Iterator[Any]:
    """Every generated model instance inside `value` (itself included), depth first."""
    if attrs.has(type(value)):
        yield value
        for name in field_names(value):
            yield from models_in(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            yield from models_in(item)


def check_repr(model: Any) -> None:
    text = repr(model)
    assert "Unset" not in text
    assert "UNSET" not in text
    call = ast.parse(text, mode="eval").body
    assert isinstance(call, ast.Call)
    assert isinstance(call.func, ast.Name)
    assert call.func.id == type(model).__name__
    names = field_names(model)
    if not names:  # a free-form mapping: Class({...})
        assert call.keywords == []
        assert [ast.literal_eval(arg) for arg in call.args] == [model.additional_properties]
        return
    set_names = [n for n in names if not isinstance(getattr(model, n), Unset)]
    if model.additional_properties:
        set_names.append("additional_properties")
    shown = [kw.arg for kw in call.keywords]
    assert sorted(shown) == sorted(set_names)
    if model.additional_properties:
        assert shown[-1] == "additional_properties"
    for kw in call.keywords:
        value = getattr(model, kw.arg) if kw.arg != "additional_properties" else None
        if isinstance(value, enum.Enum):
            assert ast.literal_eval(kw.value) == value.value
        elif isinstance(value, (str, int, float, bool, type(None))):
            assert ast.literal_eval(kw.value) == value


@pytest.mark.parametrize(("name", "payload"), SEEDS, ids=[name for name, _ in SEEDS])
def test_every_parsed_model_has_a_short_repr_without_unset(
    name: str, payload: dict[str, Any]
) -> None:
    for model in models_in(model_class(name).from_dict(payload)):
        check_repr(model)


def test_repr_of_a_run_shows_set_fields_in_order() -> None:
    run = TaskRun.from_dict(
        {
            "run_id": "trun_1",
            "interaction_id": "trun_1",
            "status": "completed",
            "is_active": False,
            "processor": "base",
            "created_at": None,
            "modified_at": None,
            "metadata": {"k": 1},
        }
    )
    assert repr(run) == (
        "TaskRun(run_id='trun_1', interaction_id='trun_1', status='completed', is_active=False, "
        "processor='base', created_at=None, modified_at=None, "
        "metadata=TaskRunMetadataType0({'k': 1}))"
    )


def test_repr_shows_enum_values_and_non_empty_additional_properties() -> None:
    warning = Warning_(type_=WarningType.WARNING, message="m")
    assert repr(warning) == "Warning_(type_='warning', message='m')"
    warning["new"] = 1
    assert (
        repr(warning) == "Warning_(type_='warning', message='m', additional_properties={'new': 1})"
    )
    assert repr(TaskRunMetadataType0()) == "TaskRunMetadataType0({})"


def test_unset_fields_are_left_out() -> None:
    event = TaskGroupStatusEvent.from_dict(
        {
            "type": "task_group_status",
            "event_id": "e1",
            "status": {
                "num_task_runs": 0,
                "task_run_status_counts": {},
                "is_active": False,
                "status_message": None,
                "modified_at": None,
            },
        }
    )
    assert repr(event).startswith("TaskGroupStatusEvent(type_='task_group_status', event_id='e1', ")
    assert repr(TaskRunMetadataType0.from_dict({"a": "b"})) == "TaskRunMetadataType0({'a': 'b'})"
