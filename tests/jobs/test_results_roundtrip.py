"""Results files read back by the tools people use: CSV per RFC 4180 (Python's csv module and
pandas read exactly the text written, newlines and quotes included), Parquet with JSON types
(pyarrow and pandas read the values written), gzip-compressed JSONL and CSV, a torn CSV record
repaired, and extensions that are not a results format refused.

What a reader needs, besides the path:

- ``csv``: ``open(path, newline="", encoding="utf-8")``, as the csv module asks of any file;
- ``pandas.read_csv``: nothing for text (a cell with newlines, quotes or commas reads exactly);
  ``dtype=str, keep_default_na=False`` to get every cell's text as written (else numbers are
  parsed, and an empty cell reads as NaN);
- ``pyarrow.parquet.read_table``: nothing;
- ``pandas.read_parquet``: ``dtype_backend="pyarrow"`` for the values as written (the default
  backend reads an integer column that has a null as float64, and lists as numpy arrays).
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any, Callable

import pandas
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parallel_taskgroup.errors import ResultsFileError
from parallel_taskgroup.jobs.results_file import (
    FORMATS,
    ResultsAppender,
    ResultsLayout,
    appendable,
    columns,
    csv_records,
    read_records,
    results_format,
    write_results,
)
from test_results_file import json_values_of

TEXTS = {
    "lf": "line one\nline two\n",
    "crlf": "line one\r\nline two\r\n",
    "cr": "line one\rline two\r",
    "quotes": 'she said "hi", then ""',
    "comma": "a, b,, c",
    "backslash": "C:\\new\\table \\n is not a newline \\",
    "tab": "col\tcol\t",
    "unicode": "héllo wörld ✓ 漢字 🎉 𝔘 \u2028 \x85",
    "spaces": "  padded  ",
    "quote_only": '"',
    "looks_like_csv": 'a,"b\nc",d\n',
}
VALUES: dict[str, Any] = {
    **TEXTS,
    "empty": "",
    "zero": 0,
    "negative": -7,
    "big_int": 2**62 + 1,
    "float": 2.5,
    "tiny_float": 1e-300,
    "true": True,
    "false": False,
    "null": None,
    "list": [1, 2, 3],
    "strings": ["a\nb", 'q"q', ""],
    "nested": {"name": "x\ny", "n": 1, "tags": ["a"], "inner": {"ok": True, "f": 0.5}},
}
ALLOWED = ".jsonl, .ndjson, .csv, .parquet, .pq, .jsonl.gz, .ndjson.gz, .csv.gz"


def canonical(value: Any) -> str:
    """Equal for equal JSON values of the same types (1, 1.0 and True all differ)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def csv_text(value: Any) -> str:
    """A CSV cell's text, as the package doc gives it."""
    if value is None:
        return ""
    return value if isinstance(value, str) else compact(value)


def values_record(key: str, group_id: str = "tgrp_1") -> dict[str, Any]:
    output = {"text": TEXTS["lf"], "n": 0, "tags": ["x\ny", "z"], "meta": VALUES["nested"]}
    return {
        "key": key,
        "status": "completed",
        "run_id": f"trun_{key}",
        "group_id": group_id,
        "input": dict(VALUES),
        "output": output,
        "error": None,
        "attempts": [{"attempt": 1, "run_id": "trun_0", "error": {"message": "a\nb"}}],
    }


VALUES_LAYOUT = ResultsLayout(
    tuple(VALUES),
    (("text", "string"), ("n", "integer"), ("tags", "array"), ("meta", "object")),
    include_basis=False,
)


@pytest.fixture(scope="module")
def values_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("values")
    files = {}
    for fmt in ("csv", "parquet"):
        path = folder / f"r.{fmt}"
        write_results(
            str(path), [values_record("a"), values_record("b")], fmt=fmt, layout=VALUES_LAYOUT
        )
        files[fmt] = path
    return files


# -- awkward values, read back by other tools --------------------------------------------------


def test_the_csv_module_reads_every_cell_as_written(values_files: dict[str, Path]) -> None:
    with values_files["csv"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2
    assert {name: rows[0][name] for name in VALUES} == {n: csv_text(v) for n, v in VALUES.items()}
    assert rows[0]["output.text"] == TEXTS["lf"]
    assert json.loads(rows[0]["output.meta"]) == VALUES["nested"]
    assert json.loads(rows[0]["attempts"])[0]["error"] == {"message": "a\nb"}


def test_pandas_reads_csv_text_with_newlines_quotes_and_commas_with_its_defaults(
    values_files: dict[str, Path],
) -> None:
    frame = pandas.read_csv(values_files["csv"])
    assert len(frame) == 2
    assert {name: frame[name][0] for name in TEXTS} == TEXTS


def test_pandas_reads_every_csv_cell_as_written_as_text(values_files: dict[str, Path]) -> None:
    frame = pandas.read_csv(values_files["csv"], dtype=str, keep_default_na=False)
    assert list(frame.columns) == columns(VALUES_LAYOUT)
    row = frame.iloc[1].to_dict()
    assert {name: row[name] for name in VALUES} == {n: csv_text(v) for n, v in VALUES.items()}
    assert (row["key"], row["group_id"]) == ("b", "tgrp_1")


def test_csv_read_back_gives_the_values_and_empty_text_as_none(
    values_files: dict[str, Path],
) -> None:
    back = list(read_records(str(values_files["csv"])))
    expected = values_record("a")
    expected["input"]["empty"] = None
    assert canonical(back[0]) == canonical(expected)


def test_pyarrow_reads_every_parquet_value_as_written(values_files: dict[str, Path]) -> None:
    rows = pq.read_table(values_files["parquet"]).to_pylist()
    assert canonical({n: rows[0][n] for n in VALUES}) == canonical(VALUES)
    assert canonical(rows[1]["output.meta"]) == canonical(VALUES["nested"])
    assert rows[1]["attempts"] == values_record("b")["attempts"]


def test_parquet_columns_keep_json_types(values_files: dict[str, Path]) -> None:
    schema = pq.read_schema(values_files["parquet"])
    types = {name: str(schema.field(name).type) for name in schema.names}
    assert {n: types[n] for n in ("zero", "big_int", "float", "true", "empty", "lf", "null")} == {
        "zero": "int64",
        "big_int": "int64",
        "float": "double",
        "true": "bool",
        "empty": "string",
        "lf": "string",
        "null": "string",
    }
    assert types["list"] == "list<element: int64>"
    assert types["nested"] == (
        "struct<name: string, n: int64, tags: list<element: string>, "
        "inner: struct<ok: bool, f: double>>"
    )


@pytest.mark.skipif(int(pandas.__version__.split(".")[0]) < 2, reason="dtype_backend is pandas 2's")
def test_pandas_reads_every_parquet_value_as_written(values_files: dict[str, Path]) -> None:
    frame = pandas.read_parquet(values_files["parquet"], dtype_backend="pyarrow")
    row = frame.to_dict("records")[0]
    assert canonical({n: row[n] for n in VALUES}) == canonical(VALUES)
    assert canonical(row["output.meta"]) == canonical(VALUES["nested"])


def test_parquet_read_back_gives_the_record_as_written(values_files: dict[str, Path]) -> None:
    back = list(read_records(str(values_files["parquet"])))
    assert [canonical(r) for r in back] == [
        canonical(values_record("a")),
        canonical(values_record("b")),
    ]


def test_pandas_default_parquet_backend_keeps_integers_without_nulls(
    values_files: dict[str, Path],
) -> None:
    row = pandas.read_parquet(values_files["parquet"]).iloc[0]
    assert (int(row["zero"]), int(row["big_int"]), row["lf"]) == (0, 2**62 + 1, TEXTS["lf"])


# -- any JSON value, every format -------------------------------------------------------------

# Any text but lone surrogates (which UTF-8 cannot hold), often with what CSV quotes or that
# looks like JSON.
awkward = st.sampled_from(list('\r\n",\\\0\t '))
texts = st.text(st.characters(exclude_categories=["Cs"]) | awkward, max_size=8) | st.sampled_from(
    ["", "0", "-0.0", "1e5", "true", "null", "[]", "{}", '"q"', "a\r\nb", "NaN", "[1, 2]"]
)
json_values = json_values_of(texts, max_leaves=8)
ROUND_TRIP = ResultsLayout(("a", "b"), (("x", "string"), ("y", "integer")), include_basis=False)


@st.composite
def any_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record with any JSON values in its input and output fields and attempts."""
    present = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=8)
    record: dict[str, Any] = {
        "key": draw(texts),
        "status": draw(st.sampled_from(["completed", "failed", "unfinished"])),
        "run_id": draw(st.none() | present),
        "input": {"a": draw(json_values), "b": draw(json_values)},
        "output": draw(st.none() | st.fixed_dictionaries({"x": json_values, "y": json_values})),
        "error": draw(st.none() | st.fixed_dictionaries({"message": present})),
        "attempts": draw(st.none() | st.lists(json_values, min_size=1, max_size=2)),
    }
    group_id = draw(st.none() | present)
    if group_id is not None:
        record["group_id"] = group_id
    return record


def csv_value(value: Any) -> Any:
    """What CSV keeps of a value in an input or output column: everything but an empty string
    (read back as None) and a string that is exactly the compact JSON of a number, boolean,
    array or object (read back as that value). Nested strings are kept exactly."""
    if value == "":
        return None
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
            if isinstance(decoded, (bool, int, float, list, dict)) and compact(decoded) == value:
                return decoded
        except ValueError:
            pass
    return value


def parquet_value(value: Any, arrow_type: pa.DataType) -> Any:
    """What Parquet keeps of a value: everything, but integers where the column holds floats
    (an integer column that also holds floats is float64) read back as floats."""
    if value is None:
        return None
    if pa.types.is_floating(arrow_type):
        return float(value)
    if pa.types.is_list(arrow_type):
        return [parquet_value(v, arrow_type.value_type) for v in value]
    if pa.types.is_struct(arrow_type):
        return {k: parquet_value(v, arrow_type.field(k).type) for k, v in value.items()}
    return value


def expected_back(record: dict[str, Any], keep: Callable[[str, Any], Any]) -> dict[str, Any]:
    """The record a tabular format gives back: each input, output and attempts value as
    ``keep(column, value)`` gives it, an output of only nulls as None."""
    output = record["output"]
    if output is not None:
        output = {name: keep(f"output.{name}", v) for name, v in output.items()}
        output = output if any(v is not None for v in output.values()) else None
    back = {
        **record,
        "input": {name: keep(name, v) for name, v in record["input"].items()},
        "output": output,
        "attempts": keep("attempts", record["attempts"]),
    }
    return back


def kept(path: Path, fmt: str) -> Callable[[str, Any], Any]:
    if fmt.startswith("csv"):
        return lambda column, value: value if column == "attempts" else csv_value(value)
    if fmt == "parquet":
        schema = pq.read_schema(path)
        return lambda column, value: parquet_value(value, schema.field(column).type)
    return lambda column, value: value


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=min(settings().max_examples, 40))
@given(records=st.lists(any_records(), max_size=4))
def test_any_json_values_read_back_as_the_format_keeps_them(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, records: list[dict[str, Any]]
) -> None:
    path = tmp_path_factory.mktemp("rt") / f"r.{fmt}"
    assert write_results(str(path), records, fmt=fmt, layout=ROUND_TRIP) == len(records)
    keep = kept(path, fmt)
    expected = records if fmt.startswith("jsonl") else [expected_back(r, keep) for r in records]
    assert [canonical(r) for r in read_records(str(path))] == [canonical(r) for r in expected]


# -- a torn CSV record -----------------------------------------------------------------------

MULTILINE = ResultsLayout(("q",), (("answer", "string"),), include_basis=False)


def multiline_record(key: str) -> dict[str, Any]:
    answer = f'first, "{key}"\nsecond\r\nthird\n\n'
    return {
        "key": key,
        "status": "completed",
        "run_id": f"trun_{key}",
        "input": {"q": "?"},
        "output": {"answer": answer},
    }


def csv_bytes(folder: Path, records: list[dict[str, Any]]) -> bytes:
    path = folder / "whole.csv"
    write_results(str(path), records, fmt="csv", layout=MULTILINE)
    data = path.read_bytes()
    path.unlink()
    return data


# The file is read in chunks: small ones put a record's lines, and the record it ends, in
# other chunks than where the file ends.
@pytest.mark.parametrize("chunk", [5, 64, 1 << 20])
def test_a_torn_csv_record_is_cut_on_open_wherever_the_write_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(csv_records, "_CHUNK", chunk)
    kept_part = csv_bytes(tmp_path, [multiline_record("a"), multiline_record("b")])
    with_c = csv_bytes(
        tmp_path, [multiline_record("a"), multiline_record("b"), multiline_record("c")]
    )
    torn_record = with_c[len(kept_part) :]
    assert torn_record.count(b"\n") > 3  # a record of several lines
    path = tmp_path / "r.csv"
    for cut in range(1, len(torn_record)):
        path.write_bytes(kept_part + torn_record[:cut])
        appender = ResultsAppender(str(path), fmt="csv", layout=MULTILINE)
        assert appender.open() == len(kept_part)
        assert appender.repaired_bytes == cut
        appender.append(multiline_record("d"))
        appender.close()
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, strict=True))
        assert [row[columns(MULTILINE).index("key")] for row in rows[1:]] == ["a", "b", "d"]
        assert rows[3][1] == multiline_record("d")["output"]["answer"]


def test_reading_ignores_a_torn_csv_record_cut_after_a_newline_in_a_cell(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_results(
        str(path), [multiline_record("a"), multiline_record("b")], fmt="csv", layout=MULTILINE
    )
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.rindex(b"second\r\n") + len(b"second\r\n")])
    assert [r["key"] for r in read_records(str(path))] == ["a"]


def test_quotes_out_of_place_are_an_error_and_nothing_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_results(str(path), [multiline_record("a")], fmt="csv", layout=MULTILINE)
    # A quote inside an unquoted cell: the csv module reads it as text, so the count of
    # quotes is odd from line 7 to the end, where the csv module finds two records.
    damaged = path.read_bytes() + b'?,6" screen,completed,,b,,,\n?,,completed,,c,,,\n'
    path.write_bytes(damaged)
    with pytest.raises(ResultsFileError, match=r"r\.csv, line 7: its quotes do not pair up"):
        ResultsAppender(str(path), fmt="csv", layout=MULTILINE).open()
    assert path.read_bytes() == damaged
    with pytest.raises(ResultsFileError, match=r"r\.csv, line 7: its quotes do not pair up"):
        list(read_records(str(path)))


# -- formats and extensions ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["r.json", "r.xlsx", "r.tsv", "r.txt", "r.parquet.gz", "r.csv.bz2", "results", ".csv"]
)
def test_an_extension_that_is_not_a_results_format_is_refused_listing_the_allowed_ones(
    tmp_path: Path, name: str
) -> None:
    path = str(tmp_path / name)
    with pytest.raises(ResultsFileError) as refused:
        results_format(path)
    assert refused.value.message.startswith(f"{path}: ")
    assert refused.value.message.endswith(f"; the results file must end in {ALLOWED}")


def test_a_gzip_compressed_parquet_name_says_parquet_is_compressed_inside() -> None:
    with pytest.raises(ResultsFileError, match="a Parquet file is compressed inside"):
        results_format("r.parquet.gz")


@pytest.mark.parametrize("fmt", FORMATS)
def test_only_jsonl_and_csv_are_appended_to(tmp_path: Path, fmt: str) -> None:
    path = str(tmp_path / f"r.{fmt}")
    assert appendable(fmt) == (fmt in ("jsonl", "csv"))
    if not appendable(fmt):
        with pytest.raises(ResultsFileError, match="cannot be appended to; write it whole"):
            ResultsAppender(path, fmt=fmt, layout=MULTILINE)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_gzip_file_holds_the_bytes_of_the_plain_one(tmp_path: Path, fmt: str) -> None:
    records = [multiline_record("a"), multiline_record("b")]
    plain, packed = tmp_path / f"r.{fmt}", tmp_path / f"r.{fmt}.gz"
    write_results(str(plain), records, fmt=fmt, layout=MULTILINE)
    write_results(str(packed), records, fmt=f"{fmt}.gz", layout=MULTILINE)
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    assert list(read_records(str(packed))) == list(read_records(str(plain)))


def test_pandas_reads_a_gzip_csv_by_its_extension(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.gz"
    write_results(str(path), [multiline_record("a")], fmt="csv.gz", layout=MULTILINE)
    frame = pandas.read_csv(path)
    assert frame["output.answer"][0] == multiline_record("a")["output"]["answer"]


def test_a_damaged_gzip_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl.gz"
    write_results(str(path), [multiline_record("a")], fmt="jsonl.gz", layout=MULTILINE)
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(ResultsFileError, match=r"r\.jsonl\.gz: not a whole gzip file"):
        list(read_records(str(path)))


# -- the group id ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_group_id_has_a_column_after_the_run_id(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"r.{fmt}"
    records = [{**multiline_record("a"), "group_id": "tgrp_9"}, multiline_record("b")]
    write_results(str(path), records, fmt=fmt, layout=MULTILINE)
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            table = list(csv.DictReader(handle))
        cells = [row["group_id"] for row in table]
        names = list(table[0])
    else:
        cells = pq.read_table(path).column("group_id").to_pylist()
        names = pq.read_schema(path).names
    assert names[-3:] == ["run_id", "group_id", "attempts"]
    assert cells == ["tgrp_9", "" if fmt == "csv" else None]
    back = list(read_records(str(path)))
    assert (back[0]["group_id"], "group_id" in back[1]) == ("tgrp_9", False)
