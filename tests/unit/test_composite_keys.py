"""Composite row keys (``key=("company", "year")``, ``--key company,year``) beside the
single-field keys that existing journals and results files hold."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup.errors import ConfigurationError, InputError
from parallel_taskgroup.jobs.inputs import scan
from parallel_taskgroup.submission.keys import (
    composite_key,
    key_fields,
    key_function,
    parse_key,
)
from parallel_taskgroup.submission.prepare import prepare_rows
from parallel_taskgroup.submission.report import SubmitReport
from test_prepare_fast_path import _plan

FIELDS = ("company", "year", "country")


def keyer(spec: Any) -> Callable[[Any], str]:
    get = key_function(spec)
    assert get is not None
    return get


def test_a_composite_key_is_the_json_list_of_its_values_as_text() -> None:
    get = keyer(("company", "year"))
    assert get({"year": 2020, "company": "Acme", "other": 1}) == '["Acme","2020"]'


def test_equal_values_give_equal_composite_keys_whatever_the_row_holds() -> None:
    get = keyer(("company", "year"))
    assert get({"company": "Acme", "year": "2020", "a": 1}) == get(
        {"year": 2020, "company": "Acme"}
    )


# Any key value but one holding NUL, which keys refuse (test_key_characters).
key_values = st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=6)


@given(
    st.tuples(*(key_values for _ in FIELDS)),
    st.tuples(*(key_values for _ in FIELDS)),
)
def test_different_tuples_of_values_give_different_keys(
    first: tuple[str, ...], second: tuple[str, ...]
) -> None:
    get = keyer(FIELDS)
    same = get(dict(zip(FIELDS, first))) == get(dict(zip(FIELDS, second)))
    assert same == (first == second)


@given(st.lists(st.text(max_size=6) | st.integers(), min_size=1, max_size=5))
def test_a_composite_key_reads_back_as_its_values(values: list[str | int]) -> None:
    assert json.loads(composite_key(values)) == [str(value) for value in values]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("a|b", "c"), ("a", "b|c")),
        (("a,b", "c"), ("a", "b,c")),
        (('a","b', "c"), ("a", 'b","c')),
        (("a\\", "b"), ("a", "\\b")),
        (("a\x00", "b"), ("a", "\x00b")),
    ],
)
def test_values_holding_a_separator_do_not_collide(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    assert composite_key(first) != composite_key(second)


def test_a_composite_key_never_holds_nul() -> None:
    assert "\x00" not in composite_key(["a\x00", "b"])


def test_a_row_lacking_a_field_of_the_composite_key_is_named() -> None:
    with pytest.raises(ValueError, match="the key field 'year' is missing"):
        keyer(("company", "year"))({"company": "Acme"})


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ({"company": "Acme", "year": ""}, "the key field 'year' is empty"),
        ({"company": "Acme", "year": True}, "the key field 'year' must be a str or int"),
        ({"company": "x" * 300, "year": "y" * 300}, "the key of the fields 'company', 'year'"),
    ],
)
def test_a_bad_composite_key_value_is_named(row: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        keyer(("company", "year"))(row)


def test_a_composite_key_reads_object_attributes_too() -> None:
    class Filing:
        company = "Acme"
        year = 2020

    assert keyer(["company", "year"])(Filing()) == '["Acme","2020"]'


def test_a_sequence_of_one_field_is_that_field() -> None:
    assert keyer(("id",))({"id": "x"}) == keyer("id")({"id": "x"}) == "x"


def test_single_field_keys_are_unchanged_commas_and_all() -> None:
    assert keyer("id")({"id": 7}) == "7"
    assert keyer("a,b")({"a,b": "x", "a": "1", "b": "2"}) == "x"


@pytest.mark.parametrize(
    ("spec", "error", "fragment"),
    [
        ((), ConfigurationError, "at least one field"),
        (("a", "a"), ConfigurationError, "names a field twice"),
        (("a", 1), TypeError, "must be str"),
        (b"ab", TypeError, "sequence of field names"),
    ],
)
def test_a_composite_key_spec_that_cannot_be_used_is_refused(
    spec: Any, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        key_function(spec)


def test_key_fields_name_what_a_spec_reads() -> None:
    assert key_fields("id") == ("id",)
    assert key_fields(["company", "year"]) == ("company", "year")
    assert key_fields(None) is None
    assert key_fields(len) is None


@pytest.mark.parametrize(
    ("text", "fields", "spec"),
    [
        ("id", None, "id"),
        ("company,year", None, ("company", "year")),
        (" company , year ", None, ("company", "year")),
        ("company,year", ["company", "year"], ("company", "year")),
        ("a,b", ["a,b", "a", "b"], "a,b"),
    ],
)
def test_the_command_line_key_is_one_field_or_several(
    text: str, fields: list[str] | None, spec: object
) -> None:
    assert parse_key(text, fields) == spec


@pytest.mark.parametrize(("text", "fragment"), [("a,,b", "empty field name"), ("a,a", "twice")])
def test_a_command_line_key_that_cannot_be_used_is_refused(text: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        parse_key(text)


def test_a_composite_key_becomes_the_runs_row_key() -> None:
    plan = _plan(("company", "year"), duplicates="error")
    rows = [{"company": "Acme", "year": "2020"}, {"company": "Acme", "year": "2021"}]
    prepared = list(prepare_rows(plan, rows, SubmitReport(group_id="g")))
    assert [p.key for p in prepared] == ['["Acme","2020"]', '["Acme","2021"]']
    assert json.loads(prepared[0].data)["metadata"]["row_key"] == '["Acme","2020"]'


def test_a_csv_lacking_key_columns_is_named_before_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("company,site\nAcme,acme.com\n")
    fields = ("company", "year", "country")
    with pytest.raises(InputError, match="key columns 'year', 'country' are not in the CSV"):
        scan(str(path), "csv", keyer(fields), fields)


def test_duplicate_composite_keys_are_named_with_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    rows = [{"c": "A", "y": 1}, {"c": "A", "y": 2}, {"c": "A", "y": "1"}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with pytest.raises(
        InputError, match=r"""line 3: duplicate key '\["A","1"\]' \(first on line 1"""
    ):
        scan(str(path), "jsonl", keyer(("c", "y")), ("c", "y"))


def test_a_jsonl_row_lacking_a_key_field_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"c": "A", "y": 1}\n{"c": "B"}\n')
    with pytest.raises(InputError, match="line 2: the key field 'y' is missing"):
        scan(str(path), "jsonl", keyer(("c", "y")), ("c", "y"))
