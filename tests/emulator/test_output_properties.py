"""Property: generated JSON outputs validate against any schema in the supported subset."""

from __future__ import annotations

from typing import Any, Dict

import jsonschema
from hypothesis import given
from hypothesis import strategies as st
from taskgroup_emulator.ids import format_cursor, parse_cursor
from taskgroup_emulator.outputs import build_output

names = st.text(st.characters(categories=["Ll"]), min_size=1, max_size=8)
leaves = st.one_of(
    st.just({"type": "string"}),
    st.just({"type": "string", "format": "date"}),
    st.just({"type": "boolean"}),
    st.just({"type": "null"}),
    st.builds(
        lambda lo, span: {"type": "integer", "minimum": lo, "maximum": lo + span},
        st.integers(-100, 100),
        st.integers(0, 50),
    ),
    st.builds(lambda lo: {"type": "number", "minimum": lo}, st.floats(-1e6, 1e6)),
    st.lists(names, min_size=1, max_size=4, unique=True).map(lambda v: {"enum": v}),
    st.integers(0, 40).map(lambda n: {"type": "string", "maxLength": n}),
)
schemas = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(
            lambda items, low: {"type": "array", "items": items, "minItems": low},
            inner,
            st.integers(0, 3),
        ),
        st.dictionaries(names, inner, max_size=4).map(
            lambda props: {"type": "object", "properties": props, "required": sorted(props)}
        ),
        st.lists(inner, min_size=1, max_size=3).map(lambda opts: {"anyOf": opts}),
    ),
    max_leaves=12,
)
top_level = st.dictionaries(names, schemas, min_size=1, max_size=5).map(
    lambda props: {
        "type": "object",
        "properties": props,
        "required": sorted(props),
        "additionalProperties": False,
    }
)
inputs = st.one_of(st.text(max_size=30), st.dictionaries(names, st.text(max_size=10), max_size=3))


@given(top_level, inputs)
def test_json_output_is_valid_against_its_schema_with_one_basis_per_field(
    schema: Dict[str, Any], task_input: Any
) -> None:
    spec = {"output_schema": {"type": "json", "json_schema": schema}}
    output = build_output(task_input, spec)
    jsonschema.validate(output["content"], schema)
    top_level = [b["field"] for b in output["basis"] if "." not in b["field"]]
    assert top_level == list(output["content"])
    assert output == build_output(task_input, spec)


@given(st.integers(0, 10**16 - 2))
def test_cursors_round_trip_and_sort_as_strings(seq: int) -> None:
    assert parse_cursor(format_cursor(seq)) == seq
    assert (format_cursor(seq) < format_cursor(seq + 1)) is True
