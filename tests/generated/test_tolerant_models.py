"""Tolerant reading: payloads that lack non-essential fields, carry explicit nulls or unknown keys
still parse, losslessly; a missing essential field still raises KeyError.

Seeds (tests/generated/generated_payloads.py) are derived from the schemas in openapi.yaml: they
set every property of every model reachable from the response models, so a new field is covered
with no new fixture. Each field is tested present, absent and null (where tolerated); the
property tests drop, null or add keys at any depth of a seed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from generated_payloads import (
    ROOT_MODELS,
    essential_fields,
    model_class,
    optional_consts,
    schemas,
    seeds,
)
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup_api import models
from parallel_taskgroup_api.models import (
    HTTPValidationError,
    TaskRun,
    TaskRunEvent,
    TaskRunStatus,
    ValidationError,
)
from parallel_taskgroup_api.types import UNSET, Unset

# What a payload is useless without (class name -> JSON property names): read from
# generator/templates/essential_fields.jinja, plus every required `const` property. Optional
# `const` properties may be absent (UNSET) but never null or another value.
ESSENTIAL: dict[str, frozenset[str]] = essential_fields()
OPTIONAL_CONSTS: dict[str, frozenset[str]] = optional_consts()

SEEDS = seeds()
Path = tuple[Any, ...]


def attr_name(model: Any, key: str) -> str:
    names = {f.alias for f in attrs.fields(type(model))}
    return key if key in names else key + "_"


def json_keys(model: Any) -> list[str]:
    """The JSON names of the model's declared properties."""
    fields = [f.alias for f in attrs.fields(type(model)) if f.name != "additional_properties"]
    return [name[:-1] if name.endswith("_") else name for name in fields]


def nodes(model: Any, data: Any, path: Path = ()) -> Iterator[tuple[Path, Any, dict[str, Any]]]:
    """(path, model instance, its source mapping) for the model and every model inside it."""
    yield path, model, data
    for key in json_keys(model):
        if key not in data:
            continue
        value = getattr(model, attr_name(model, key))
        if attrs.has(type(value)):
            yield from nodes(value, data[key], (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if attrs.has(type(item)):
                    yield from nodes(item, data[key][index], (*path, key, index))


def essential(model: Any, key: str) -> bool:
    cls = type(model).__name__
    return key in ESSENTIAL.get(cls, frozenset()) or key in OPTIONAL_CONSTS.get(cls, frozenset())


def droppable(model: Any, key: str) -> bool:
    return not essential(model, key) or key in OPTIONAL_CONSTS.get(type(model).__name__, set())


def locate(root: Any, path: Path) -> Any:
    """Follow a JSON path (keys and list indexes) through parsed models."""
    node = root
    for step in path:
        node = node[step] if isinstance(step, int) else getattr(node, attr_name(node, step))
    return node


def locate_or_raw(root: Any, path: Path) -> Any:
    """Like locate(), but continues through raw mappings a union kept unparsed."""
    node = root
    for step in path:
        if attrs.has(type(node)) and not isinstance(step, int):
            node = getattr(node, attr_name(node, step))
        else:
            node = node[step]
    return node


def dig(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def outermost(changes: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """Drop changes that sit inside the subtree of another change."""
    return [
        (path, key)
        for path, key in changes
        if not any(
            (other, other_key) != (path, key)
            and path[: len(other) + 1] == (*other, other_key)
            and len(path) > len(other)
            for other, other_key in changes
        )
    ]


@st.composite
def seed_and_keys(
    draw: Any, select: Any
) -> tuple[str, dict[str, Any], Any, list[tuple[Path, str]]]:
    """A seed, its parsed model and a subset of the (path, key) pairs `select` allows."""
    name, payload = draw(st.sampled_from(SEEDS))
    parsed = model_class(name).from_dict(payload)
    candidates = [
        (path, key)
        for path, model, data in nodes(parsed, payload)
        for key in json_keys(model)
        if key in data and select(model, key)
    ]
    chosen = draw(st.lists(st.sampled_from(candidates), unique=True)) if candidates else []
    return name, payload, parsed, outermost(chosen)


def assert_no_unset_in_reprs(model: Any) -> None:
    text = repr(model)
    assert "Unset" not in text and "UNSET" not in text


# ---------------------------------------------------------------------------------------------


def test_seeds_cover_every_model_reachable_from_the_response_models() -> None:
    reachable: set[str] = set()
    todo = list(ROOT_MODELS)
    while todo:
        name = todo.pop()
        if name in reachable:
            continue
        reachable.add(name)
        for field in attrs.fields(model_class(name)):
            for word in re.findall(r"\w+", str(field.type)):
                cls = getattr(models, word, None)
                if isinstance(cls, type) and attrs.has(cls):
                    todo.append(word)
    seen = {
        type(model).__name__
        for name, payload in SEEDS
        for _, model, _ in nodes(model_class(name).from_dict(payload), payload)
    }
    assert reachable - seen == set()
    # and every declared property of them is set by some seed
    unset = {
        (type(model).__name__, key)
        for name, payload in SEEDS
        for _, model, data in nodes(model_class(name).from_dict(payload), payload)
        for key in json_keys(model)
        if key not in data
    }
    set_somewhere = {
        (type(model).__name__, key)
        for name, payload in SEEDS
        for _, model, data in nodes(model_class(name).from_dict(payload), payload)
        for key in json_keys(model)
        if key in data
    }
    assert unset - set_somewhere == set()


@pytest.mark.parametrize(("name", "payload"), SEEDS, ids=[name for name, _ in SEEDS])
def test_seeds_round_trip(name: str, payload: dict[str, Any]) -> None:
    assert model_class(name).from_dict(payload).to_dict() == payload


@given(seed_and_keys(droppable))
def test_dropping_non_essential_keys_at_any_depth_still_parses(
    case: tuple[str, dict[str, Any], Any, list[tuple[Path, str]]],
) -> None:
    name, payload, _, drops = case
    data = copy.deepcopy(payload)
    for path, key in drops:
        del dig(data, path)[key]
    parsed = model_class(name).from_dict(data)
    for path, key in drops:
        node = locate(parsed, path)
        assert attrs.has(type(node))
        assert getattr(node, attr_name(node, key)) is UNSET
        assert key not in node.additional_properties
    assert parsed.to_dict() == data
    assert_no_unset_in_reprs(parsed)


@given(seed_and_keys(lambda model, key: not essential(model, key)))
def test_explicit_null_for_non_essential_keys_parses_to_none(
    case: tuple[str, dict[str, Any], Any, list[tuple[Path, str]]],
) -> None:
    name, payload, _, nulls = case
    data = copy.deepcopy(payload)
    for path, key in nulls:
        dig(data, path)[key] = None
    parsed = model_class(name).from_dict(data)
    for path, key in nulls:
        node = locate(parsed, path)
        assert getattr(node, attr_name(node, key)) is None
    assert parsed.to_dict() == data


@st.composite
def seed_and_nodes(draw: Any) -> tuple[str, dict[str, Any], list[Path]]:
    name, payload = draw(st.sampled_from(SEEDS))
    paths = [path for path, _, _ in nodes(model_class(name).from_dict(payload), payload)]
    return name, payload, draw(st.lists(st.sampled_from(paths), min_size=1, unique=True))


@given(seed_and_nodes(), st.text(min_size=1, max_size=8), st.integers() | st.text(max_size=5))
def test_unknown_keys_at_any_depth_are_kept_in_additional_properties(
    case: tuple[str, dict[str, Any], list[Path]], suffix: str, value: Any
) -> None:
    name, payload, paths = case
    key = "zz_unknown_" + suffix
    data = copy.deepcopy(payload)
    for path in paths:
        dig(data, path)[key] = value
    parsed = model_class(name).from_dict(data)
    for path in paths:
        node = locate(parsed, path)
        assert node.additional_properties[key] == value
    assert parsed.to_dict() == data


@given(seed_and_keys(droppable), seed_and_nodes())
def test_dropped_and_unknown_keys_together(
    drop_case: tuple[str, dict[str, Any], Any, list[tuple[Path, str]]],
    add_case: tuple[str, dict[str, Any], list[Path]],
) -> None:
    name, payload, _, drops = drop_case
    data = copy.deepcopy(payload)
    for path, key in drops:
        del dig(data, path)[key]
    data["zz_unknown"] = [1, {"a": None}]
    parsed = model_class(name).from_dict(data)
    assert parsed.additional_properties["zz_unknown"] == [1, {"a": None}]
    assert parsed.to_dict() == data


def essential_drops() -> list[tuple[str, dict[str, Any], Path, str]]:
    """Each (root, path, essential key) once, from the first seed that has it."""
    found = []
    seen: set[tuple[str, Path, str]] = set()
    for name, payload in SEEDS:
        parsed = model_class(name).from_dict(payload)
        for path, model, data in nodes(parsed, payload):
            cls = type(model).__name__
            for key in sorted(ESSENTIAL.get(cls, frozenset()) & set(data)):
                if (name, path, key) not in seen:
                    seen.add((name, path, key))
                    found.append((name, payload, path, key))
    return found


ESSENTIAL_DROPS = essential_drops()


@pytest.mark.parametrize(
    ("name", "payload", "path", "key"),
    ESSENTIAL_DROPS,
    ids=[f"{n}:{'.'.join(map(str, p + (k,)))}" for n, _, p, k in ESSENTIAL_DROPS],
)
def test_dropping_an_essential_key_raises_key_error(
    name: str, payload: dict[str, Any], path: Path, key: str
) -> None:
    data = copy.deepcopy(payload)
    node_data = dig(data, path)
    del node_data[key]
    node_class = type(locate(model_class(name).from_dict(payload), path))
    with pytest.raises(KeyError, match=key):
        node_class.from_dict(node_data)
    # From the top: a KeyError, unless a union on the way keeps a malformed variant as its raw
    # mapping (as stock output does for `X | None` fields); never a typed model without the key.
    try:
        parsed = model_class(name).from_dict(data)
    except KeyError as exc:
        assert exc.args == (key,)
    else:
        assert path, "a root model without an essential key must not parse"
        found = locate_or_raw(parsed, path)
        assert not attrs.has(type(found))
        assert found == node_data
        assert parsed.to_dict() == data


def test_essential_fields_match_the_generated_types() -> None:
    """Essential properties have their spec type; tolerated ones accept None and Unset."""
    for cls_name in models.__all__:
        cls = getattr(models, cls_name)
        if not attrs.has(cls):
            continue
        for field in attrs.fields(cls):
            if field.name == "additional_properties":
                continue
            key = field.alias[:-1] if field.alias.endswith("_") else field.alias
            words = set(re.findall(r"\w+", str(field.type)))
            if key in ESSENTIAL.get(cls_name, frozenset()):
                assert "Unset" not in words, (cls_name, key, field.type)
                assert field.default is attrs.NOTHING
            elif key not in OPTIONAL_CONSTS.get(cls_name, frozenset()):
                assert {"None", "Unset"} <= words, (cls_name, key, field.type)
                assert field.default is not attrs.NOTHING


# Every field of every model, present, absent and null (where tolerated), in up to three places
# the seeds set it: a field added to the spec gets these cases with no new fixture.

Case = tuple[str, dict[str, Any], Path]


def field_cases() -> dict[tuple[str, str], list[Case]]:
    """(class name, JSON key) -> up to three (root, seed, node path) that set the key."""
    found: dict[tuple[str, str], list[Case]] = {}
    for name, payload in SEEDS:
        parsed = model_class(name).from_dict(payload)
        for path, model, data in nodes(parsed, payload):
            for key in json_keys(model):
                cases = found.setdefault((type(model).__name__, key), [])
                if key in data and len(cases) < 3 and (name, path) not in [c[::2] for c in cases]:
                    cases.append((name, payload, path))
    return found


FIELD_CASES = field_cases()
FIELDS = sorted(FIELD_CASES)
FIELD_IDS = [f"{cls}.{key}" for cls, key in FIELDS]


def spec_allows_null(cls: str, key: str) -> bool:
    schema = schemas().get(cls.rstrip("_"), {})
    prop = (schema.get("properties") or {}).get(key, {})
    kinds = prop.get("type")
    members = (prop.get("anyOf") or []) + (prop.get("oneOf") or [])
    return (
        kinds == "null"
        or (isinstance(kinds, list) and "null" in kinds)
        or any(m.get("type") == "null" for m in members if isinstance(m, dict))
    )


def null_allowed(cls: str, key: str) -> bool:
    """Tolerated fields read null as None; essential ones only where the spec allows null."""
    if key in OPTIONAL_CONSTS.get(cls, frozenset()):
        return False
    return key not in ESSENTIAL.get(cls, frozenset()) or spec_allows_null(cls, key)


NULL_FIELDS = [f for f in FIELDS if null_allowed(*f)]


def test_every_declared_field_has_cases() -> None:
    assert [field for field, cases in FIELD_CASES.items() if not cases] == []


@pytest.mark.parametrize("field", FIELDS, ids=FIELD_IDS)
def test_every_field_present_parses_and_round_trips(field: tuple[str, str]) -> None:
    _, key = field
    for name, payload, path in FIELD_CASES[field]:
        parsed = model_class(name).from_dict(copy.deepcopy(payload))
        node = locate(parsed, path)
        assert not isinstance(getattr(node, attr_name(node, key)), Unset)
        assert key not in node.additional_properties
        assert parsed.to_dict() == payload


@pytest.mark.parametrize("field", FIELDS, ids=FIELD_IDS)
def test_every_field_absent_is_unset_or_raises_if_essential(field: tuple[str, str]) -> None:
    cls, key = field
    for name, payload, path in FIELD_CASES[field]:
        data = copy.deepcopy(payload)
        node_data = dig(data, path)
        del node_data[key]
        if key in ESSENTIAL.get(cls, frozenset()):
            with pytest.raises(KeyError, match=key):
                model_class(cls).from_dict(node_data)
            continue
        parsed = model_class(name).from_dict(data)
        node = locate(parsed, path)
        assert getattr(node, attr_name(node, key)) is UNSET
        assert parsed.to_dict() == data
        assert_no_unset_in_reprs(parsed)


@pytest.mark.parametrize("field", NULL_FIELDS, ids=[f"{c}.{k}" for c, k in NULL_FIELDS])
def test_every_field_null_where_allowed_is_none(field: tuple[str, str]) -> None:
    _, key = field
    for name, payload, path in FIELD_CASES[field]:
        data = copy.deepcopy(payload)
        dig(data, path)[key] = None
        parsed = model_class(name).from_dict(data)
        node = locate(parsed, path)
        assert getattr(node, attr_name(node, key)) is None
        assert parsed.to_dict() == data


# ---------------------------------------------------------------------------------------------


def docs_run() -> dict[str, Any]:
    """A run as Parallel's docs render it: no interaction_id, explicit null warnings and error."""
    return {
        "run_id": "trun_9907962f83aa4d9d98fd7f4bf745d654",
        "status": "completed",
        "is_active": False,
        "warnings": None,
        "error": None,
        "processor": "core",
        "metadata": {"my_key": "my_value"},
        "created_at": "2025-04-23T20:21:48.037943Z",
        "modified_at": "2025-04-23T20:22:48.037943Z",
    }


def test_run_without_interaction_id_and_with_null_warnings_and_error_parses() -> None:
    run = TaskRun.from_dict(docs_run())
    assert run.run_id == "trun_9907962f83aa4d9d98fd7f4bf745d654"
    assert run.status == TaskRunStatus.COMPLETED
    assert run.interaction_id is UNSET
    assert run.warnings is None and run.error is None
    assert run.to_dict() == docs_run()
    assert "interaction_id" not in repr(run)


def test_minimal_event_parses_with_everything_else_unset() -> None:
    event = TaskRunEvent.from_dict(
        {"type": "task_run.state", "run": {"run_id": "trun_1", "status": "queued"}}
    )
    assert event.event_id is UNSET
    assert isinstance(event.run.is_active, Unset)
    assert (
        repr(event)
        == "TaskRunEvent(type_='task_run.state', run=TaskRun(run_id='trun_1', status='queued'))"
    )


def test_explicit_null_where_the_spec_allows_none_parses() -> None:
    data = docs_run()
    data.update(interaction_id=None, is_active=None, processor=None)
    run = TaskRun.from_dict(data)
    assert run.interaction_id is None and run.is_active is None and run.processor is None
    assert run.to_dict() == data


def test_validation_error_needs_only_its_message() -> None:
    body = HTTPValidationError.from_dict({"detail": [{"msg": "field required"}]})
    assert isinstance(body.detail, list)
    assert body.detail[0].msg == "field required"
    assert body.detail[0].loc is UNSET
    with pytest.raises(KeyError, match="msg"):
        ValidationError.from_dict({"loc": ["body"], "type": "missing"})
