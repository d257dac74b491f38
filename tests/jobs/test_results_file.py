"""Results files in JSONL, CSV and Parquet: the documented columns, durable appends and
rewrites, streaming reads and writes, clear errors for damaged files."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup.errors import ResultsFileError
from parallel_taskgroup.jobs.results_file import (
    FORMATS,
    ResultsAppender,
    ResultsLayout,
    columns,
    read_records,
    results_format,
    tabular_row,
    write_results,
)

STATUSES = ["completed", "failed", "cancelled", "not_submitted", "unfinished"]
TYPED = ("string", "integer", "number", "boolean")

COMPANY = ResultsLayout(
    input_columns=("company", "site"),
    output_fields=(("ceo", "string"), ("employees", "integer"), ("products", "array")),
    include_basis=False,
)


def rec(key: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "key": key,
        "status": "completed",
        "run_id": f"trun_{key}",
        "input": {"company": f"Company {key}", "site": f"https://{key}.example"},
        "output": {"ceo": "Ada\nLovelace", "employees": 12, "products": ["a", "b"]},
        "error": None,
    }
    record.update(fields)
    return record


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    # The csv module before Python 3.11 refuses NUL: a character the file lacks stands in.
    stand_in = next(chr(c) for c in range(0xE000, 0x110000) if chr(c) not in text)
    rows = csv.reader(io.StringIO(text.replace("\x00", stand_in), newline=""))
    return [[cell.replace(stand_in, "\x00") for cell in row] for row in rows]


# -- strategies --------------------------------------------------------------------------------

# Text that often holds what breaks CSV and line-based files: quotes, commas, newlines, NUL,
# backslashes (and so backslash-n), besides any other unicode but lone surrogates (which UTF-8
# cannot hold: see the tests of those below).
awkward = st.sampled_from(list('\\\n\r\0",;n\u2028\x85'))
texts = st.text(st.one_of(st.characters(exclude_categories=["Cs"]), awkward), max_size=12)
any_texts = st.text(st.one_of(st.characters(), awkward), max_size=12)
names = st.one_of(
    st.text(max_size=6),
    st.sampled_from(
        ["input", "output", "basis", "status", "error", "key", "run_id", "group_id", "attempts"]
    ),
    st.sampled_from(["input.", "output.", "basis."]).flatmap(lambda p: texts.map(p.__add__)),
)


def json_values_of(texts: st.SearchStrategy[str], max_leaves: int = 6) -> st.SearchStrategy[Any]:
    """Any JSON value (floats finite), its strings and object keys drawn from ``texts``."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | texts,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
        max_leaves=max_leaves,
    )


json_values = json_values_of(texts)
typed_values = {
    "string": texts,
    "integer": st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "number": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53),
    "boolean": st.booleans(),
}


@st.composite
def layouts(draw: st.DrawFn) -> ResultsLayout:
    unique_names = st.lists(names, unique=True, max_size=4)
    json_types = st.sampled_from([*TYPED, "object", "array"])
    fields = st.lists(st.tuples(names, json_types), unique_by=lambda f: f[0], max_size=4)
    return ResultsLayout(
        input_columns=draw(st.none() | unique_names.map(tuple)),
        output_fields=draw(st.none() | fields.map(tuple)),
        include_basis=draw(st.booleans()),
    )


def field_bases(field_names: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    citation = st.fixed_dictionaries(
        {"url": texts}, optional={"title": texts, "excerpts": st.lists(texts, max_size=2)}
    )
    return st.fixed_dictionaries(
        {"field": field_names, "citations": st.lists(citation, max_size=2)},
        optional={"reasoning": texts, "confidence": st.sampled_from(["low", "medium", "high"])},
    )


@st.composite
def records_for(draw: st.DrawFn, layout: ResultsLayout) -> dict[str, Any]:
    """A record as the runner hands it over, fitting ``layout``."""
    if layout.input_columns is None:
        run_input: Any = draw(texts)
    else:
        run_input = draw(st.fixed_dictionaries({n: json_values for n in layout.input_columns}))
    if layout.output_fields is None:
        output = draw(st.none() | texts | st.dictionaries(texts, json_values, max_size=3))
        basis_fields = texts
    else:
        by_name = {n: st.none() | typed_values.get(t, json_values) for n, t in layout.output_fields}
        output = draw(st.none() | st.fixed_dictionaries(by_name))
        basis_fields = st.sampled_from([n for n, _ in layout.output_fields] or [""])
    error = st.fixed_dictionaries({"message": texts.filter(bool)}, optional={"ref_id": texts})
    attempt = st.fixed_dictionaries(
        {
            "attempt": st.integers(1, 5),
            "run_id": texts,
            "processor": st.sampled_from(["base", "core"]),
            "status": st.sampled_from(STATUSES),
            "error": st.none() | error,
        }
    )
    record = {
        "key": draw(texts),
        "status": draw(st.sampled_from(STATUSES)),
        "run_id": draw(st.none() | texts.filter(bool)),
        "input": run_input,
        "output": output,
        "error": draw(st.none() | error),
        "attempts": draw(st.none() | st.lists(attempt, max_size=2)),
    }
    if layout.include_basis:
        record["basis"] = draw(st.none() | st.lists(field_bases(basis_fields), max_size=3))
    return record


layouts_and_records = layouts().flatmap(
    lambda layout: st.tuples(st.just(layout), st.lists(records_for(layout), max_size=5))
)


def exact_fields(record: dict[str, Any]) -> tuple[Any, ...]:
    """What every format gives back exactly."""
    error = record.get("error")
    return (
        record["key"],
        record["status"],
        record.get("run_id"),
        None if error is None else {"message": error["message"]},
    )


def documented_csv_cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else compact(value)


# -- formats and columns -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("r.jsonl", "jsonl"),
        ("r.ndjson", "jsonl"),
        ("R.CSV", "csv"),
        ("r.parquet", "parquet"),
        ("r.pq", "parquet"),
        ("r.jsonl.gz", "jsonl.gz"),
        ("r.ndjson.gz", "jsonl.gz"),
        ("dir.x/R.CSV.GZ", "csv.gz"),
    ],
)
def test_the_format_follows_the_extension(path: str, fmt: str) -> None:
    assert results_format(path) == fmt


def test_an_explicit_format_wins_over_the_extension() -> None:
    assert results_format("r.csv", "parquet") == "parquet"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ResultsFileError, match="unknown results format 'xlsx'"):
        results_format("r.xlsx", "xlsx")


TAIL = ["status", "error", "key", "run_id", "group_id", "attempts"]


def test_columns_are_input_output_status_error_then_key_run_id_group_id_attempts() -> None:
    assert columns(COMPANY) == [
        "company",
        "site",
        "output.ceo",
        "output.employees",
        "output.products",
        *TAIL,
    ]


def test_a_string_input_and_an_unknown_output_have_one_column_each() -> None:
    layout = ResultsLayout(input_columns=None, output_fields=None, include_basis=False)
    assert columns(layout) == ["input", "output", *TAIL]


def test_basis_columns_follow_the_outputs_with_confidence_and_citations_per_field() -> None:
    layout = ResultsLayout(("q",), (("a", "string"), ("b", "number")), include_basis=True)
    assert columns(layout)[1:7] == [
        "output.a",
        "output.b",
        "basis.a.confidence",
        "basis.a.citations",
        "basis.b.confidence",
        "basis.b.citations",
    ]


def test_without_output_fields_the_basis_is_one_column() -> None:
    layout = ResultsLayout(("q",), None, include_basis=True)
    assert columns(layout) == ["q", "output", "basis", *TAIL]


@pytest.mark.parametrize(
    ("field", "column"),
    [
        ("status", "input.status"),
        ("key", "input.key"),
        ("group_id", "input.group_id"),
        ("attempts", "input.attempts"),
        ("input", "input.input"),
        ("output", "input.output"),
        ("output.ceo", "input.output.ceo"),
        ("basis.x", "input.basis.x"),
        ("input.a", "input.input.a"),
        ("statuses", "statuses"),
    ],
)
def test_an_input_field_that_could_clash_is_prefixed_with_input(field: str, column: str) -> None:
    layout = ResultsLayout((field,), (("ceo", "string"),), include_basis=False)
    assert columns(layout)[0] == column


@given(layouts())
def test_no_layout_has_two_columns_of_one_name(layout: ResultsLayout) -> None:
    names = columns(layout)
    assert len(set(names)) == len(names)


def test_a_layout_that_repeats_a_field_is_refused() -> None:
    with pytest.raises(ResultsFileError, match="repeats the column"):
        columns(ResultsLayout(("a", "a"), None, include_basis=False))


def test_a_row_holds_each_columns_value_before_encoding() -> None:
    record = rec("k1", error={"message": "late", "ref_id": "x"}, status="failed", group_id="tg")
    assert tabular_row(record, COMPANY) == [
        "Company k1",
        "https://k1.example",
        "Ada\nLovelace",
        12,
        ["a", "b"],
        "failed",
        "late",
        "k1",
        "trun_k1",
        "tg",
        None,
    ]


def test_missing_record_keys_and_fields_are_none() -> None:
    record = {"key": "k", "status": "not_submitted", "input": {"company": "C"}}
    row = tabular_row(record, COMPANY)
    assert row == ["C", None, None, None, None, "not_submitted", None, "k", None, None, None]


def test_the_basis_cells_are_each_fields_confidence_and_citation_urls() -> None:
    layout = ResultsLayout(None, (("ceo", "string"), ("hq", "string")), include_basis=True)
    basis = [
        {
            "field": "ceo",
            "citations": [{"url": "https://a", "title": "A", "excerpts": ["x"]}, {"url": "b"}],
            "reasoning": "because",
            "confidence": "high",
        }
    ]
    row = tabular_row({"key": "k", "input": "q", "basis": basis}, layout)
    assert row[3:7] == ["high", ["https://a", "b"], None, None]


def test_the_attempts_cell_is_the_attempts_list_and_empty_when_there_are_none() -> None:
    attempts = [{"attempt": 1, "run_id": "trun_0", "processor": "base", "status": "failed"}]
    assert tabular_row(rec("k", attempts=attempts), COMPANY)[-1] == attempts
    assert tabular_row(rec("k", attempts=[]), COMPANY)[-1] is None


def test_an_output_that_is_not_an_object_is_refused_when_the_layout_has_output_fields() -> None:
    with pytest.raises(ResultsFileError, match="the output is a str, but the layout has output"):
        tabular_row(rec("k", output="free text"), COMPANY)


# -- round trips -------------------------------------------------------------------------------


@given(
    st.lists(
        st.fixed_dictionaries({"key": any_texts}, optional={"x": json_values, "s": any_texts}),
        max_size=6,
    ),
    st.booleans(),
)
def test_jsonl_gives_back_exactly_what_was_written(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]], append: bool
) -> None:
    path = str(tmp_path_factory.mktemp("rt") / "r.jsonl")
    layout = ResultsLayout(None, None, include_basis=False)
    if append:
        with ResultsAppender(path, fmt="jsonl", layout=layout) as appender:
            for record in records:
                appender.append(record)
    else:
        write_results(path, records, fmt="jsonl", layout=layout)
    assert list(read_records(path)) == records


def test_a_jsonl_line_is_the_record_as_json_dumps_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    record = rec("ü", input="multi\nline")
    write_results(str(path), [record], fmt="jsonl", layout=COMPANY)
    assert path.read_text(encoding="utf-8") == json.dumps(record, ensure_ascii=False) + "\n"


@given(layouts_and_records, st.booleans())
def test_csv_cells_are_as_documented(
    tmp_path_factory: pytest.TempPathFactory,
    case: tuple[ResultsLayout, list[dict[str, Any]]],
    append: bool,
) -> None:
    layout, records = case
    path = tmp_path_factory.mktemp("rt") / "r.csv"
    write_csv(path, records, layout, append=append)
    rows = csv_rows(path)
    assert rows[0] == [documented_csv_cell(name) for name in columns(layout)]
    expected = [[documented_csv_cell(v) for v in tabular_row(r, layout)] for r in records]
    assert rows[1:] == expected


@given(layouts_and_records)
def test_csv_gives_back_key_status_run_id_and_error_exactly(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[ResultsLayout, list[dict[str, Any]]]
) -> None:
    layout, records = case
    path = tmp_path_factory.mktemp("rt") / "r.csv"
    write_results(str(path), records, fmt="csv", layout=layout)
    back = list(read_records(str(path)))
    assert [exact_fields(r) for r in back] == [exact_fields(r) for r in records]


@given(layouts_and_records)
def test_csv_records_read_back_write_the_same_file_again(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[ResultsLayout, list[dict[str, Any]]]
) -> None:
    layout, records = case
    first = tmp_path_factory.mktemp("rt") / "r.csv"
    second = first.with_name("again.csv")
    write_results(str(first), records, fmt="csv", layout=layout)
    write_results(str(second), read_records(str(first)), fmt="csv", layout=layout)
    assert second.read_bytes() == first.read_bytes()


def json_text_columns(path: Path) -> set[str]:
    """The columns marked as holding JSON text (values of mixed types)."""
    encoding = b"parallel_taskgroup.encoding"
    return {f.name for f in pq.read_schema(path) if (f.metadata or {}).get(encoding) == b"json"}


@given(layouts_and_records)
def test_parquet_cells_are_as_documented(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[ResultsLayout, list[dict[str, Any]]]
) -> None:
    layout, records = case
    path = tmp_path_factory.mktemp("rt") / "r.parquet"
    write_results(str(path), records, fmt="parquet", layout=layout)
    table = pq.read_table(path)
    assert table.column_names == columns(layout)
    json_text = json_text_columns(path)
    expected = [
        [
            compact(v) if name in json_text and v is not None else v
            for v, name in zip(tabular_row(r, layout), columns(layout))
        ]
        for r in records
    ]
    # == lets an integer in a float64 column equal the float read back (see the round trips).
    assert [list(row.values()) for row in table.to_pylist()] == expected


@given(layouts_and_records)
def test_parquet_gives_back_key_status_run_id_and_error_exactly(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[ResultsLayout, list[dict[str, Any]]]
) -> None:
    layout, records = case
    path = tmp_path_factory.mktemp("rt") / "r.parquet"
    write_results(str(path), records, fmt="parquet", layout=layout)
    back = list(read_records(str(path)))
    assert [exact_fields(r) for r in back] == [exact_fields(r) for r in records]


@given(layouts_and_records)
def test_parquet_records_read_back_write_the_same_table_again(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[ResultsLayout, list[dict[str, Any]]]
) -> None:
    layout, records = case
    first = tmp_path_factory.mktemp("rt") / "r.parquet"
    second = first.with_name("again.parquet")
    write_results(str(first), records, fmt="parquet", layout=layout)
    write_results(str(second), read_records(str(first)), fmt="parquet", layout=layout)
    assert pq.read_table(second).equals(pq.read_table(first), check_metadata=True)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tabular_formats_rebuild_the_record_from_its_columns(tmp_path: Path, fmt: str) -> None:
    layout = ResultsLayout(
        ("company", "status"), (("ceo", "string"), ("n", "integer"), ("tags", "array")), True
    )
    record = {
        "key": "k1",
        "status": "completed",
        "run_id": "trun_1",
        "input": {"company": 'A, "B"\nC\\n', "status": {"listed": True}},
        "output": {"ceo": "Ada", "n": 3, "tags": ["x", "y"]},
        "error": None,
        "basis": [{"field": "ceo", "citations": [{"url": "https://a"}], "confidence": "high"}],
        "attempts": [
            {
                "attempt": 1,
                "run_id": "trun_0",
                "processor": "base",
                "status": "failed",
                "error": {"message": "boom"},
            }
        ],
    }
    failed = {
        "key": "k2",
        "status": "failed",
        "run_id": None,
        "input": {"company": "D", "status": None},
        "error": {"message": "no\nluck"},
    }
    path = str(tmp_path / f"r.{fmt}")
    write_results(path, [record, failed], fmt=fmt, layout=layout)
    assert list(read_records(path)) == [
        record,
        {**failed, "output": None, "basis": None, "attempts": None},
    ]


def test_in_csv_a_string_that_is_exactly_json_reads_back_as_that_value(tmp_path: Path) -> None:
    layout = ResultsLayout(("a", "b", "c"), None, include_basis=False)
    path = str(tmp_path / "r.csv")
    write_results(
        path, [{"key": "k", "input": {"a": "42", "b": "[1]", "c": "4 2"}}], fmt="csv", layout=layout
    )
    assert next(read_records(path))["input"] == {"a": 42, "b": [1], "c": "4 2"}


def test_a_lone_surrogate_is_kept_exactly_in_jsonl(tmp_path: Path) -> None:
    path = str(tmp_path / "r.jsonl")
    write_results(path, [rec("a\ud800b")], fmt="jsonl", layout=COMPANY)
    assert next(read_records(path))["key"] == "a\ud800b"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_lone_surrogate_is_written_as_the_replacement_character_in_tables(
    tmp_path: Path, fmt: str
) -> None:
    path = str(tmp_path / f"r.{fmt}")
    write_results(path, [rec("a\ud800b", input={"company": "\udfff"})], fmt=fmt, layout=COMPANY)
    record = next(read_records(path))
    assert (record["key"], record["input"]["company"]) == ("a\ufffdb", "\ufffd")


# -- the appender ------------------------------------------------------------------------------


def write_csv(
    path: Path, records: list[dict[str, Any]], layout: ResultsLayout, *, append: bool
) -> None:
    if not append:
        write_results(str(path), records, fmt="csv", layout=layout)
        return
    with ResultsAppender(str(path), fmt="csv", layout=layout) as appender:
        for record in records:
            appender.append(record)


def test_a_new_csv_starts_with_its_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with ResultsAppender(str(path), fmt="csv", layout=COMPANY) as appender:
        assert csv_rows(path) == [columns(COMPANY)]
        assert appender.pending == 0


def test_reopening_a_csv_appends_below_the_one_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    for key in ("a", "b"):
        with ResultsAppender(str(path), fmt="csv", layout=COMPANY) as appender:
            appender.append(rec(key))
    rows = csv_rows(path)
    assert rows[0] == columns(COMPANY)
    assert [row[columns(COMPANY).index("key")] for row in rows[1:]] == ["a", "b"]


def test_a_csv_with_other_columns_is_refused_naming_the_difference(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with ResultsAppender(str(path), fmt="csv", layout=COMPANY) as appender:
        appender.append(rec("a"))
    before = path.read_bytes() + b"torn"
    path.write_bytes(before)
    with_basis = ResultsLayout(COMPANY.input_columns, COMPANY.output_fields, include_basis=True)
    with pytest.raises(
        ResultsFileError,
        match=r"r\.csv: the CSV header does not match this job's columns \(missing "
        r"'basis\.ceo\.confidence', 'basis\.ceo\.citations'",
    ):
        ResultsAppender(str(path), fmt="csv", layout=with_basis).open()
    assert path.read_bytes() == before  # not even the torn line was cut


def test_a_csv_header_in_another_order_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    swapped = ResultsLayout(("site", "company"), COMPANY.output_fields, include_basis=False)
    write_results(str(path), [], fmt="csv", layout=swapped)
    with pytest.raises(ResultsFileError, match="the same columns in another order"):
        ResultsAppender(str(path), fmt="csv", layout=COMPANY).open()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_torn_last_line_is_cut_when_the_file_is_opened(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"r.{fmt}"
    with ResultsAppender(str(path), fmt=fmt, layout=COMPANY) as appender:
        appender.append(rec("a"))
    whole = path.read_bytes()
    path.write_bytes(whole + b'"b","half a li')
    appender = ResultsAppender(str(path), fmt=fmt, layout=COMPANY)
    assert appender.open() == len(whole)
    assert appender.repaired_bytes == len(b'"b","half a li')
    appender.append(rec("c"))
    appender.close()
    assert [r["key"] for r in read_records(str(path))] == ["a", "c"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_reading_ignores_a_torn_last_line(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"r.{fmt}"
    write_results(str(path), [rec("a"), rec("b")], fmt=fmt, layout=COMPANY)
    whole = path.read_bytes()
    path.write_bytes(whole[:-3])
    assert [r["key"] for r in read_records(str(path))] == ["a"]


def test_a_torn_csv_header_leaves_a_new_file_with_a_whole_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"company,si")
    with ResultsAppender(str(path), fmt="csv", layout=COMPANY) as appender:
        assert appender.repaired_bytes == 10
    assert csv_rows(path) == [columns(COMPANY)]


def test_nothing_reaches_the_file_before_flush(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with ResultsAppender(str(path), fmt="jsonl", layout=COMPANY) as appender:
        appender.append(rec("a"))
        appender.append(rec("b"))
        assert appender.pending == 2
        assert path.read_bytes() == b""
        size = appender.flush()
        assert appender.pending == 0
        assert size == path.stat().st_size > 0


def test_a_failed_flush_cuts_its_torn_write_and_never_writes_its_lines_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.jsonl"
    real_write = os.write
    calls: list[int] = []

    def torn_then_full_disk(fd: int, data: Any) -> int:
        calls.append(fd)
        if len(calls) == 1:
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    with ResultsAppender(str(path), fmt="jsonl", layout=COMPANY) as appender:
        appender.append(rec("a"))
        appender.flush()
        before = path.read_bytes()
        appender.append(rec("b"))
        monkeypatch.setattr(os, "write", torn_then_full_disk)
        with pytest.raises(ResultsFileError, match=r"r\.jsonl: cannot write \(No space") as err:
            appender.flush()
        assert isinstance(err.value.__cause__, OSError)
        assert err.value.__cause__.errno == errno.ENOSPC
        assert appender.pending == 0
        assert path.read_bytes() == before
        appender.append(rec("c"))
    assert [r["key"] for r in read_records(str(path))] == ["a", "c"]


def test_parquet_cannot_be_appended_to(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match="cannot be appended to"):
        ResultsAppender(str(tmp_path / "r.parquet"), fmt="parquet", layout=COMPANY)


def test_an_appended_csv_has_the_documented_columns_for_the_csv_module(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with ResultsAppender(str(path), fmt="csv", layout=COMPANY) as appender:
        appender.append(rec("a", attempts=[{"attempt": 1, "run_id": "r0"}], group_id="tgrp_1"))
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {
            "company": "Company a",
            "site": "https://a.example",
            "output.ceo": "Ada\nLovelace",
            "output.employees": "12",
            "output.products": '["a","b"]',
            "status": "completed",
            "error": "",
            "key": "a",
            "run_id": "trun_a",
            "group_id": "tgrp_1",
            "attempts": '[{"attempt":1,"run_id":"r0"}]',
        }
    ]


# -- whole-file writes ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failed_rewrite_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"r.{fmt}"
    write_results(str(path), [rec("old")], fmt=fmt, layout=COMPANY)
    before = path.read_bytes()

    def records() -> Iterator[dict[str, Any]]:
        for i in range(25_000):
            yield rec(str(i))
        raise RuntimeError("the runner stopped")

    with pytest.raises(RuntimeError, match="the runner stopped"):
        write_results(str(path), records(), fmt=fmt, layout=COMPANY)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_rewrite_replaces_the_file_and_returns_the_count(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"r.{fmt}"
    write_results(str(path), [rec("old")], fmt=fmt, layout=COMPANY)
    assert write_results(str(path), [rec("a"), rec("b")], fmt=fmt, layout=COMPANY) == 2
    assert [r["key"] for r in read_records(str(path))] == ["a", "b"]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_rewrite_keeps_the_files_permissions(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    write_results(str(path), [rec("a")], fmt="jsonl", layout=COMPANY)
    path.chmod(0o640)
    write_results(str(path), [rec("b")], fmt="jsonl", layout=COMPANY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def small_records(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {
            "key": f"row-{i}",
            "status": "completed",
            "run_id": f"trun_{i:08d}",
            "input": {"company": f"Company {i}", "site": f"https://c{i}.example"},
            "output": {"ceo": f"Person {i}", "employees": i, "products": ["a"]},
            "error": None,
        }


MEMORY_LIMIT = 4_000_000
MANY = 200_000


@pytest.fixture(scope="module")
def many_records_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("many")
    paths = {fmt: str(folder / f"r.{fmt}") for fmt in FORMATS}
    for fmt, path in paths.items():
        write_results(path, small_records(MANY), fmt=fmt, layout=COMPANY)
    return paths


def peak_traced_bytes(work: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_writing_200000_records_keeps_memory_flat(tmp_path: Path, fmt: str) -> None:
    path = str(tmp_path / f"r.{fmt}")
    count, peak = peak_traced_bytes(
        lambda: write_results(path, small_records(MANY), fmt=fmt, layout=COMPANY)
    )
    assert count == MANY
    assert peak < MEMORY_LIMIT


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_reading_200000_records_keeps_memory_flat(
    many_records_files: dict[str, str], fmt: str
) -> None:
    count, peak = peak_traced_bytes(lambda: sum(1 for _ in read_records(many_records_files[fmt])))
    assert count == MANY
    assert peak < MEMORY_LIMIT


# -- Parquet -----------------------------------------------------------------------------------


def test_parquet_columns_are_typed_by_the_values_they_hold(tmp_path: Path) -> None:
    layout = ResultsLayout(
        ("q",),
        (("s", "string"), ("i", "integer"), ("n", "number"), ("b", "boolean"), ("o", "object")),
        include_basis=False,
    )
    path = tmp_path / "r.parquet"
    output = {"s": "x", "i": 7, "n": 2, "b": True, "o": {"k": [1]}}
    second = {"s": None, "i": 8, "n": 2.5, "b": False, "o": {"k": []}}
    records = [rec("a", input={"q": 1}, output=output), rec("b", input={"q": 2}, output=second)]
    write_results(str(path), records, fmt="parquet", layout=layout)
    schema = pq.read_schema(path)
    assert {name: str(schema.field(name).type) for name in schema.names} == {
        "q": "int64",
        "output.s": "string",
        "output.i": "int64",
        "output.n": "double",  # an integer and a float
        "output.b": "bool",
        "output.o": "struct<k: list<element: int64>>",
        "status": "string",
        "error": "string",
        "key": "string",
        "run_id": "string",
        "group_id": "string",
        "attempts": "string",  # no value: JSON text
    }
    assert all(schema.field(name).nullable for name in schema.names)
    row = pq.read_table(path).to_pylist()[0]
    assert (row["q"], row["output.n"], row["output.o"]) == (1, 2.0, {"k": [1]})
    assert type(row["output.n"]) is float


@pytest.mark.parametrize(
    ("values", "arrow_type"),
    [
        ([None, None], "int64"),  # the output schema's type
        ([1, "1"], "string"),
        ([1, True], "string"),
        ([2**60, 0.5], "string"),  # a float64 cannot hold 2**60 + 1 exactly
        ([2**63, 1], "string"),  # beyond int64
        ([2**60, -(2**63)], "int64"),
        ([[1, "a"]], "string"),
        ([[1], ["a"]], "string"),
        ([[1], [2.5], []], "list<element: double>"),
        ([{"a": 1}, {"a": 1, "b": 2}], "string"),
        ([{"a": 1}, {"a": None}, None], "struct<a: int64>"),
        ([{}], "string"),
    ],
)
def test_a_column_of_mixed_json_types_is_json_text(
    tmp_path: Path, values: list[Any], arrow_type: str
) -> None:
    layout = ResultsLayout(None, (("f", "integer"),), include_basis=False)
    path = tmp_path / "r.parquet"
    records = [rec(str(i), input="q", output={"f": v}) for i, v in enumerate(values)]
    write_results(str(path), records, fmt="parquet", layout=layout)
    assert str(pq.read_schema(path).field("output.f").type) == arrow_type
    assert ("output.f" in json_text_columns(path)) == (arrow_type == "string")
    assert [r["output"] for r in read_records(str(path))] == [
        None if v is None else {"f": v} for v in values
    ]


def test_parquet_row_groups_hold_at_most_10000_records(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    write_results(str(path), small_records(25_000), fmt="parquet", layout=COMPANY)
    metadata = pq.ParquetFile(path).metadata
    groups = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert groups == [10_000, 10_000, 5_000]


def test_a_parquet_file_has_the_documented_columns_for_pyarrow(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    write_results(
        str(path),
        [rec("a", status="failed", error={"message": "x"})],
        fmt="parquet",
        layout=COMPANY,
    )
    assert pq.read_table(path).to_pylist() == [
        {
            "company": "Company a",
            "site": "https://a.example",
            "output.ceo": "Ada\nLovelace",
            "output.employees": 12,
            "output.products": ["a", "b"],
            "status": "failed",
            "error": "x",
            "key": "a",
            "run_id": "trun_a",
            "group_id": None,
            "attempts": None,
        }
    ]


@pytest.mark.parametrize("action", ["write", "read"])
def test_parquet_without_pyarrow_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    path = str(tmp_path / "r.parquet")
    write_results(path, [rec("a")], fmt="parquet", layout=COMPANY)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    hint = r"need pyarrow: pip install 'parallel-taskgroup\[parquet\]'"
    with pytest.raises(ResultsFileError, match=hint):
        if action == "write":
            write_results(path, [rec("a")], fmt="parquet", layout=COMPANY)
        else:
            list(read_records(path))
    assert [p.name for p in tmp_path.iterdir()] == ["r.parquet"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_jsonl_and_csv_work_without_pyarrow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    path = str(tmp_path / f"r.{fmt}")
    write_results(path, [rec("a")], fmt=fmt, layout=COMPANY)
    with ResultsAppender(path, fmt=fmt, layout=COMPANY) as appender:
        appender.append(rec("b"))
    assert [r["key"] for r in read_records(path)] == ["a", "b"]


def test_importing_the_module_does_not_import_pyarrow() -> None:
    code = "import sys, parallel_taskgroup.jobs.results_file; print('pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- damaged files -----------------------------------------------------------------------------


def test_a_jsonl_line_that_is_not_json_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(rec("a")) + "\n{oops\n" + json.dumps(rec("b")) + "\n")
    with pytest.raises(ResultsFileError, match=r"r\.jsonl, line 2: not JSON \(Expecting"):
        list(read_records(str(path)))


def test_a_jsonl_line_without_a_key_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("[1, 2]\n")
    with pytest.raises(ResultsFileError, match=r"line 1: not a results record"):
        list(read_records(str(path)))


def test_a_csv_row_with_too_few_fields_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_results(str(path), [rec("a")], fmt="csv", layout=COMPANY)
    with path.open("a") as handle:
        handle.write("x,y\n")
    # rec("a")'s record spans lines 2 and 3 (a newline in output.ceo): "x,y" is on line 4.
    with pytest.raises(ResultsFileError, match=r"r\.csv, line 4: 2 fields, but the header has 11"):
        list(read_records(str(path)))


def test_a_csv_that_is_not_a_results_file_is_an_error_naming_its_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,name\n1,a\n")
    with pytest.raises(
        ResultsFileError,
        match=r"r\.csv, line 1: not a results file header \(the last columns must be status, "
        r"error, key, run_id, group_id, attempts; found 'id', 'name'\)",
    ):
        list(read_records(str(path)))


def test_a_csv_cell_that_should_be_json_is_an_error_naming_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_results(str(path), [], fmt="csv", layout=COMPANY)
    with path.open("a") as handle:
        handle.write("c,s,,,,completed,,k,r,g,[oops\n")
    with pytest.raises(ResultsFileError, match=r"line 2: column 'attempts': '\[oops' is not JSON"):
        list(read_records(str(path)))


def test_a_file_that_is_not_parquet_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    path.write_text("key,status\n")
    with pytest.raises(ResultsFileError, match=r"r\.parquet: cannot read it as Parquet"):
        list(read_records(str(path)))


def test_a_parquet_cell_that_should_be_json_is_an_error_naming_row_and_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.parquet"
    names = columns(ResultsLayout(None, None, include_basis=False))
    cells = {name: ["x", "y"] for name in names}
    cells["attempts"] = [None, "[oops"]
    pq.write_table(pa.table(cells), path)
    with pytest.raises(ResultsFileError, match=r"r\.parquet, row 2: column 'attempts'"):
        list(read_records(str(path)))


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match=r"none\.jsonl: cannot read \(No such file"):
        list(read_records(str(tmp_path / "none.jsonl")))
