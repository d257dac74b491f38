"""Input readers: JSONL, JSON array and CSV rows, streamed, with line-precise errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup.errors import InputError
from parallel_taskgroup.jobs import input_formats as inputs
from parallel_taskgroup.jobs.inputs import detect_format, read_rows, scan
from parallel_taskgroup.submission.keys import derive_key, key_function


def by_field(name: str):  # type: ignore[no-untyped-def]
    fn = key_function(name)
    assert fn is not None
    return fn


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_jsonl_rows_are_objects_or_strings_with_their_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "in.jsonl", '{"a": 1}\n\n"plain text"\n')
    rows = list(read_rows(path, "jsonl"))
    assert [(r.number, r.line, r.value) for r in rows] == [(1, 1, {"a": 1}), (2, 3, "plain text")]


def test_malformed_jsonl_line_is_named_with_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "in.jsonl", '{"a": 1}\n{"a": 2\n{"a": 3}\n')
    with pytest.raises(InputError, match=r"in\.jsonl, line 2: invalid JSON \(Expecting ','"):
        list(read_rows(path, "jsonl"))


def test_jsonl_row_that_is_a_number_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "in.jsonl", "42\n")
    with pytest.raises(InputError, match="line 1: each row must be a JSON object or a string"):
        list(read_rows(path, "jsonl"))


def test_jsonl_invalid_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"a": 1}\n"\xff"\n')
    with pytest.raises(InputError, match="line 2: not valid UTF-8"):
        list(read_rows(str(path), "jsonl"))


@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=8), max_size=4),
        ),
        max_size=30,
    ),
    st.integers(min_value=1, max_value=40),
    st.booleans(),
)
def test_json_array_streams_the_same_rows_as_json_load(
    tmp_path_factory: pytest.TempPathFactory, rows: list[object], chunk: int, pretty: bool
) -> None:
    path = tmp_path_factory.mktemp("arr") / "in.json"
    path.write_text(json.dumps(rows, indent=2 if pretty else None), encoding="utf-8")
    old = inputs._CHUNK
    inputs._CHUNK = chunk  # tiny chunks exercise elements split across reads
    try:
        got = [r.value for r in read_rows(str(path), "json")]
    finally:
        inputs._CHUNK = old
    assert got == rows


def test_json_array_number_split_across_chunks_is_read_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "in.json", '["a", "' + "x" * 3 + '", "12345678901234567890"]')
    old = inputs._CHUNK
    inputs._CHUNK = 3
    try:
        assert [r.value for r in read_rows(path, "json")][-1] == "12345678901234567890"
    finally:
        inputs._CHUNK = old


def test_json_array_missing_comma_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "in.json", '[{"a": 1},\n {"a": 2}\n {"a": 3}]')
    with pytest.raises(InputError, match="line 3, column 2: expected ',' or ']'"):
        list(read_rows(path, "json"))


def test_json_file_that_is_not_an_array_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "in.json", '{"a": 1}')
    with pytest.raises(InputError, match="must be one JSON array"):
        list(read_rows(path, "json"))


def test_unclosed_json_array_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "in.json", '[{"a": 1},')
    with pytest.raises(InputError, match="not closed"):
        list(read_rows(path, "json"))


def test_csv_rows_become_objects_keyed_by_header(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", 'name,site\nAcme,acme.com\n"B, Inc","b.com"\n')
    assert [r.value for r in read_rows(path, "csv")] == [
        {"name": "Acme", "site": "acme.com"},
        {"name": "B, Inc", "site": "b.com"},
    ]


def test_csv_row_with_wrong_field_count_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", "name,site\nAcme,acme.com\nOnly\n")
    with pytest.raises(InputError, match="line 3: expected 2 fields"):
        list(read_rows(path, "csv"))


def test_csv_quote_never_closed_is_named_at_the_line_it_opens(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", 'name,site\nAcme,acme.com\n"B,b.com\nC,c.com\n')
    with pytest.raises(InputError, match=r"line 3 \(a quoted field runs from there to line 4: "):
        list(read_rows(path, "csv"))


def test_csv_row_with_a_quoted_line_break_has_the_line_it_starts_on(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", 'name,site\n"two\nlines",a.com\nC,c.com\n')
    assert [r.line for r in read_rows(path, "csv")] == [2, 4]


def test_csv_missing_key_column_is_reported_before_reading_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", "name,site\nAcme,acme.com\n")
    with pytest.raises(InputError, match="key column 'id' is not in the CSV header"):
        scan(path, "csv", by_field("id"), "id")


def test_duplicate_keys_are_reported_with_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "in.jsonl", '{"id": "a"}\n{"id": "b"}\n{"id": "a"}\n')
    with pytest.raises(InputError, match=r"line 3: duplicate key 'a' \(first on line 1\)"):
        scan(path, "jsonl", by_field("id"), "id")


def test_missing_key_field_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "in.jsonl", '{"id": "a"}\n{"name": "b"}\n')
    with pytest.raises(InputError, match="line 2: the key field 'id' is missing"):
        scan(path, "jsonl", by_field("id"), "id")


def test_rows_missing_fields_the_input_schema_requires_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "in.jsonl", '{"a": 1, "b": 2}\n{"a": 1}\n')
    with pytest.raises(InputError, match="line 2: missing field.*: b"):
        scan(path, "jsonl", derive_key, required_fields=["a", "b"])


def test_scan_collects_every_rows_key(tmp_path: Path) -> None:
    path = write(tmp_path, "in.jsonl", '"x"\n{"a": 1}\n')
    assert scan(path, "jsonl", derive_key).keys == {derive_key("x"), derive_key({"a": 1})}


def test_identical_rows_without_a_key_field_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "in.jsonl", '{"a": 1, "b": 2}\n{"b": 2, "a": 1}\n')
    with pytest.raises(InputError, match="line 2: same input as line 1.*--key"):
        scan(path, "jsonl", derive_key)


def test_format_comes_from_the_extension_or_is_asked_for() -> None:
    assert detect_format("a.JSONL", None) == "jsonl"
    assert detect_format("a.csv", None) == "csv"
    assert detect_format("a.txt", "csv") == "csv"
    assert detect_format("-", None) == "jsonl"
    with pytest.raises(InputError, match="use --format"):
        detect_format("a.txt", None)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("in.jsonl", '{"a": 1}\n{"a": 2}\nbroken\n'),
        ("in.json", '[{"a": 1}, {"a": 2}, broken]'),
        ("in.csv", "a,b\n1,2\n3,4\nbroken\n"),
    ],
)
def test_rows_are_yielded_before_the_rest_of_the_file_is_read(
    tmp_path: Path, name: str, text: str
) -> None:
    path = write(tmp_path, name, text)
    rows = read_rows(path, detect_format(path, None))
    assert next(rows).number == 1  # the broken end is not reached yet: nothing is materialised
    with pytest.raises(InputError):
        list(rows)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_a_line_over_the_limit_is_refused_with_its_line_before_it_is_read_whole(
    tmp_path: Path, fmt: str
) -> None:
    big = "x" * 5000
    path = tmp_path / f"in.{fmt}"
    if fmt == "jsonl":
        path.write_text('{"a": 1}\n' + json.dumps({"a": big}) + "\n")
    elif fmt == "csv":
        path.write_text(f"a\n1\n{big}\n")
    else:
        path.write_text(json.dumps([{"a": 1}, {"a": big}]))
    with pytest.raises(InputError, match="longer than 1,024 bytes") as info:
        list(read_rows(str(path), fmt, max_line_bytes=1024))
    assert ("line 2" in str(info.value)) or ("line 3" in str(info.value)) or fmt == "json"


def test_a_line_just_under_the_limit_is_read() -> None:
    import io as _io

    from parallel_taskgroup.jobs.input_formats import _lines

    lines = list(_lines(_io.BytesIO(b"a" * 1023 + b"\n" + b"b\n"), "in.jsonl", 1024))
    assert lines == [b"a" * 1023 + b"\n", b"b\n"]
