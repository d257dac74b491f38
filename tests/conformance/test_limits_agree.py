"""The client's copy of the documented size limits and the emulator's (written apart on purpose:
the emulator stands in for the service) refuse exactly the same task specs and inputs."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from parallel_taskgroup.submission import limits as client
from taskgroup_emulator import limits as service

_names = st.text("abcdefgh", min_size=1, max_size=4)


def schemas(depth: int = 7) -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.one_of(
        st.just({"type": "string"}),
        st.builds(
            lambda n: {"type": "string", "enum": [f"v{i}" for i in range(n)]}, st.integers(0, 300)
        ),
        st.builds(
            lambda n, w: {"type": "string", "enum": ["x" * w + str(i) for i in range(n)]},
            st.integers(240, 260),
            st.integers(20, 40),
        ),
        st.just({"type": "number"}),
    )
    if depth == 0:
        return leaf
    inner = schemas(depth - 1)
    return st.one_of(
        leaf,
        st.builds(
            lambda props: {"type": "object", "properties": props},
            st.dictionaries(_names, inner, max_size=4),
        ),
        st.builds(
            lambda n, sub: {"type": "object", "properties": {f"p{i}": sub for i in range(n)}},
            st.integers(0, 60),
            leaf,
        ),
        st.builds(lambda sub: {"type": "array", "items": sub}, inner),
        st.builds(lambda a, b: {"anyOf": [a, b]}, inner, inner),
    )


def with_defs(schema: dict[str, Any], ref_depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"$ref": "#/$defs/leaf"}
    for _ in range(ref_depth):
        node = {"type": "object", "properties": {"x": node}}
    return {
        "type": "object",
        "properties": {"main": schema, "via_ref": node},
        "$defs": {"leaf": {"type": "object", "properties": {"y": {"type": "string"}}}},
    }


def service_refuses(spec: dict[str, Any], value: Any) -> bool:
    item = {"input": value, "processor": "lite", "task_spec": spec}
    return bool(service.check_input(item, None, ["body", "inputs", 0]))


def client_refuses(spec: dict[str, Any], value: Any) -> bool:
    if client.task_spec_problems(spec):
        return True
    return client.input_too_long(client.json_chars(spec), value) is not None


@settings(max_examples=150, deadline=None)
@given(
    schema=schemas(),
    ref_depth=st.integers(0, 6),
    description=st.integers(0, 16_000),
    input_chars=st.integers(0, 26_000),
)
def test_client_and_service_agree_on_every_task_spec_and_input(
    schema: dict[str, Any], ref_depth: int, description: int, input_chars: int
) -> None:
    spec = {
        "output_schema": {"type": "json", "json_schema": with_defs(schema, ref_depth)},
        "input_schema": {"type": "text", "description": "d" * description},
    }
    value = {"text": "é" * input_chars}
    assert client_refuses(spec, value) == service_refuses(spec, value)


def test_the_limit_constants_are_the_same() -> None:
    for name in (
        "MAX_TASK_SPEC_CHARS",
        "MAX_TASK_SPEC_AND_INPUT_CHARS",
        "MAX_SCHEMA_DEPTH",
        "MAX_SCHEMA_PROPERTIES",
        "MAX_SCHEMA_ENUM_VALUES",
        "LARGE_ENUM_VALUES",
        "MAX_LARGE_ENUM_CHARS",
    ):
        assert getattr(client, name) == getattr(service, name), name
