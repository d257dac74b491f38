"""Row keys and run-metadata validation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup.submission.keys import ROW_KEY_FIELD, derive_key, key_function
from parallel_taskgroup.submission.limits import metadata_problem, task_spec_problems


def test_row_keys_live_under_row_key() -> None:
    assert ROW_KEY_FIELD == "row_key"


@given(st.dictionaries(st.text(max_size=6), st.integers() | st.text(max_size=6), max_size=6))
def test_derived_keys_ignore_dict_order(value: dict[str, object]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert derive_key(value) == derive_key(reordered)


@given(st.text() | st.dictionaries(st.text(max_size=4), st.integers(), max_size=3))
def test_derived_keys_are_16_hex_characters(value: object) -> None:
    key = derive_key(value)  # type: ignore[arg-type]
    assert len(key) == 16
    int(key, 16)


def test_a_string_and_a_dict_never_share_a_derived_key() -> None:
    assert derive_key("{}") != derive_key({})


def test_different_inputs_get_different_derived_keys() -> None:
    assert derive_key({"a": 1}) != derive_key({"a": 2})


def test_acceptable_metadata_has_no_problem() -> None:
    assert metadata_problem({"k" * 16: "v" * 512, "n": 1, "f": 1.5, "b": True}) is None


@pytest.mark.parametrize(
    ("metadata", "fragment"),
    [
        ({"k" * 17: "v"}, "17 characters"),
        ({"k": "v" * 513}, "513 characters"),
        ({"k": [1]}, "list"),
        ({"k": None}, "is None"),
        ({"k": float("nan")}, "finite"),
        ({"": 1}, "non-empty"),
        ({1: 1}, "non-empty string"),
        ("x", "mapping"),
    ],
)
def test_bad_metadata_is_described(metadata: object, fragment: str) -> None:
    problem = metadata_problem(metadata)
    assert problem is not None and fragment in problem


def test_no_key_spec_means_derived_keys() -> None:
    assert key_function(None) is None


def test_a_field_name_reads_dict_rows_and_object_attributes() -> None:
    class Company:
        ident = 7

    get = key_function("ident")
    assert get is not None
    assert get({"ident": "abc"}) == "abc"
    assert get(Company()) == "7"


def test_a_key_function_result_is_checked() -> None:
    get = key_function(lambda row: row["k"])
    assert get is not None
    assert get({"k": "x"}) == "x"
    with pytest.raises(ValueError, match="str or int"):
        get({"k": 1.5})


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ({}, "missing"),
        ({"id": ""}, "empty"),
        ({"id": "x" * 513}, "at most 512"),
        ({"id": True}, "str or int"),
    ],
)
def test_a_missing_or_bad_key_field_is_described(row: dict[str, object], fragment: str) -> None:
    get = key_function("id")
    assert get is not None
    with pytest.raises(ValueError, match=fragment):
        get(row)


def test_a_key_spec_of_another_type_is_rejected() -> None:
    with pytest.raises(TypeError, match="field name or a function"):
        key_function(3)  # type: ignore[arg-type]


def test_checking_a_schema_against_the_meta_schema_leaves_it_as_it_was() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "array"}, "b": {"type": "object"}}}
    spec = {"output_schema": {"type": "json", "json_schema": schema}}
    before = json.dumps(spec, sort_keys=True)
    assert task_spec_problems(spec) == []
    assert json.dumps(spec, sort_keys=True) == before
