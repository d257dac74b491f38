"""Input files as exports come: other encodings, TSV and other delimiters, gzip-compressed."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from parallel_taskgroup.errors import ConfigurationError, InputError
from parallel_taskgroup.jobs.inputs import (
    check_encoding,
    csv_delimiter,
    csv_header,
    detect_delimiter,
    detect_format,
    file_digest,
    first_fields,
    read_rows,
    scan,
)
from parallel_taskgroup.submission.keys import key_function

LATIN1_CSV = "name,city\nAcme,Paris\nJosé,Zürich\n"
ROWS = [{"name": "Acme", "city": "Paris"}, {"name": "José", "city": "Zürich"}]


def put(tmp_path: Path, name: str, data: bytes, *, gz: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if gz else data)
    return str(path)


def values(path: str, fmt: str, **how: str) -> list[object]:
    return [row.value for row in read_rows(path, fmt, **how)]


def test_latin1_csv_read_with_its_encoding_gives_the_right_text(tmp_path: Path) -> None:
    path = put(tmp_path, "in.csv", LATIN1_CSV.encode("latin-1"))
    assert values(path, "csv", encoding="latin-1") == ROWS


def test_latin1_csv_read_as_utf8_names_the_line_and_suggests_encoding(tmp_path: Path) -> None:
    path = put(tmp_path, "in.csv", LATIN1_CSV.encode("latin-1"))
    with pytest.raises(
        InputError, match=r"in\.csv, line 3: not valid UTF-8 \(byte 4 of the line\)"
    ):
        values(path, "csv")
    with pytest.raises(InputError, match="pass it with --encoding"):
        values(path, "csv")


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("jsonl", '{"name": "Acme"}\n{"name": "Crème – brûlée"}\n'),
        ("json", '[{"name": "Acme"},\n {"name": "Crème – brûlée"}]'),
        ("csv", "name\nAcme\nCrème – brûlée\n"),
    ],
)
def test_every_format_is_read_in_the_encoding_given(tmp_path: Path, fmt: str, text: str) -> None:
    path = put(tmp_path, f"in.{fmt}", text.encode("cp1252"))
    assert values(path, fmt, encoding="cp1252")[1] == {"name": "Crème – brûlée"}


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("jsonl", '{"a": 1}\n{"a": "\xe9"}\n'),
        ("json", '[{"a": 1},\n {"a": "\xe9"}]'),
        ("csv", "a\n\xe9\n1\n"),
    ],
)
def test_an_undecodable_byte_is_named_by_its_line_in_every_format(
    tmp_path: Path, fmt: str, text: str
) -> None:
    path = put(tmp_path, f"in.{fmt}", text.encode("latin-1"))
    with pytest.raises(InputError, match="line 2: not valid UTF-8.*--encoding"):
        values(path, fmt)


@pytest.mark.parametrize(
    ("fmt", "text"),
    [("jsonl", '{"a": "é"}\n'), ("json", '[{"a": "é"}]'), ("csv", "a\né\n")],
)
def test_a_utf8_byte_order_mark_is_skipped(tmp_path: Path, fmt: str, text: str) -> None:
    path = put(tmp_path, f"in.{fmt}", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert values(path, fmt) == [{"a": "é"}]


def test_a_utf16_file_is_told_apart_by_its_byte_order_mark(tmp_path: Path) -> None:
    path = put(tmp_path, "in.csv", "a,b\n1,2\n".encode("utf-16"))
    with pytest.raises(InputError, match="line 1: .*UTF-16 byte order mark.*iconv"):
        values(path, "csv")


@pytest.mark.parametrize(
    ("encoding", "fragment"), [("no-such-codec", "unknown encoding"), ("utf-16", "keep ASCII")]
)
def test_an_encoding_that_cannot_be_used_is_refused(encoding: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        check_encoding(encoding)


def test_encoding_names_are_checked_and_normalised() -> None:
    assert check_encoding("UTF8") == "utf-8"
    assert check_encoding("latin-1") == "iso8859-1"


def test_a_tsv_file_is_csv_read_with_a_tab(tmp_path: Path) -> None:
    path = put(tmp_path, "in.tsv", b'name\tsite\nB, Inc\tb.com\n"Tab\there"\tc.com\n')
    fmt = detect_format(path, None)
    delimiter = detect_delimiter(path, fmt)
    assert (fmt, delimiter) == ("csv", "\t")
    assert values(path, fmt, delimiter="\t") == [
        {"name": "B, Inc", "site": "b.com"},
        {"name": "Tab\there", "site": "c.com"},
    ]


def test_a_semicolon_csv_is_read_with_its_delimiter(tmp_path: Path) -> None:
    path = put(tmp_path, "in.csv", b"name;price\nAcme;1,5\n")
    delimiter = detect_delimiter(path, "csv", ";")
    assert values(path, "csv", delimiter=delimiter or ",") == [{"name": "Acme", "price": "1,5"}]


def test_a_semicolon_csv_read_with_commas_hints_at_the_delimiter(tmp_path: Path) -> None:
    path = put(tmp_path, "in.csv", b"name;site\nAcme;acme.com\n")
    with pytest.raises(InputError, match="line 1: the header is one column.*--delimiter ';'"):
        values(path, "csv")
    assert values(path, "csv", delimiter=",") == [{"name;site": "Acme;acme.com"}]


@pytest.mark.parametrize(
    ("given", "delimiter"), [(None, ","), ("\\t", "\t"), ("tab", "\t"), ("\t", "\t"), ("|", "|")]
)
def test_a_delimiter_is_one_character_or_a_tab_as_typed(given: str | None, delimiter: str) -> None:
    assert csv_delimiter(given) == delimiter


@pytest.mark.parametrize("given", ["", ";;", '"', "\n"])
def test_a_delimiter_that_cannot_be_used_is_refused(given: str) -> None:
    with pytest.raises(ConfigurationError, match="one character"):
        csv_delimiter(given)


def test_a_delimiter_is_for_csv_input_only(tmp_path: Path) -> None:
    path = put(tmp_path, "in.jsonl", b'{"a": 1}\n')
    assert detect_delimiter(path, "jsonl") is None
    with pytest.raises(ConfigurationError, match="CSV input only"):
        detect_delimiter(path, "jsonl", ";")
    with pytest.raises(ConfigurationError, match="CSV input only"):
        values(path, "jsonl", delimiter=";")


def test_csv_lines_ended_by_a_lone_carriage_return_are_still_lines(tmp_path: Path) -> None:
    path = put(tmp_path, "in.csv", b"a,b\r1,2\r3,4\r")
    assert [(r.line, r.value) for r in read_rows(path, "csv")] == [
        (2, {"a": "1", "b": "2"}),
        (3, {"a": "3", "b": "4"}),
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("rows.jsonl.gz", '{"name": "Acme", "city": "Paris"}\n"José"\n'),
        ("rows.json.gz", '[{"name": "Acme", "city": "Paris"}, "José"]'),
        ("rows.csv.gz", "name,city\nAcme,Paris\n"),
    ],
)
def test_gzip_inputs_are_read_like_plain_ones(tmp_path: Path, name: str, text: str) -> None:
    path = put(tmp_path, name, text.encode("utf-8"), gz=True)
    fmt = detect_format(path, None)
    assert fmt == name.split(".")[1]
    assert values(path, fmt)[0] == {"name": "Acme", "city": "Paris"}


def test_gzip_is_recognised_by_its_magic_bytes_whatever_the_name(tmp_path: Path) -> None:
    path = put(tmp_path, "rows.jsonl", b'{"a": 1}\n', gz=True)
    assert values(path, "jsonl") == [{"a": 1}]


def test_a_name_ending_in_gz_must_hold_gzip_data(tmp_path: Path) -> None:
    path = put(tmp_path, "rows.jsonl.gz", b'{"a": 1}\n')
    with pytest.raises(InputError, match=r"rows\.jsonl\.gz: the name ends in \.gz but"):
        values(path, "jsonl")


def test_the_format_is_told_through_a_gz_suffix() -> None:
    assert detect_format("rows.JSONL.GZ", None) == "jsonl"
    assert detect_format("rows.tsv.gz", None) == "csv"
    assert detect_delimiter("rows.tsv.gz", "csv") == "\t"
    with pytest.raises(InputError, match=r"extension '\.txt\.gz'; use --format"):
        detect_format("rows.txt.gz", None)


def test_a_truncated_gzip_stream_is_named_after_the_rows_read_before_it(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"n": n, "pad": "x" * 50}) + "\n" for n in range(2000))
    whole = gzip.compress(lines.encode(), mtime=0)
    path = put(tmp_path, "rows.jsonl.gz", whole[: len(whole) // 2])
    rows = read_rows(path, "jsonl")
    assert next(rows).value == {"n": 0, "pad": "x" * 50}  # streamed: the good part comes first
    with pytest.raises(InputError, match=r"rows\.jsonl\.gz: the gzip data is corrupt or trunc"):
        list(rows)


def test_corrupt_gzip_data_is_named(tmp_path: Path) -> None:
    whole = gzip.compress(b'{"a": 1}\n' * 100, mtime=0)
    path = put(tmp_path, "rows.jsonl.gz", whole[:10] + b"\xff" * 20 + whole[30:])
    with pytest.raises(InputError, match=r"rows\.jsonl\.gz: the gzip data is corrupt"):
        values(path, "jsonl")


def test_a_gzip_stream_with_a_bad_checksum_is_named(tmp_path: Path) -> None:
    whole = bytearray(gzip.compress(b'{"a": 1}\n', mtime=0))
    whole[-8] ^= 0xFF  # the CRC-32 of the data
    path = put(tmp_path, "in.csv", bytes(whole))
    with pytest.raises(InputError, match=r"in\.csv: the gzip data is corrupt.*after line 1"):
        values(path, "jsonl")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_gzipped_line_over_the_limit_is_refused_with_its_line(tmp_path: Path, fmt: str) -> None:
    big = "x" * 5000  # far over the limit, though it compresses to a few bytes
    text = f'{{"a": 1}}\n"{big}"\n' if fmt == "jsonl" else f"a\n1\n{big}\n"
    path = put(tmp_path, f"in.{fmt}.gz", text.encode(), gz=True)
    line = 2 if fmt == "jsonl" else 3
    with pytest.raises(InputError, match=f"line {line}: longer than 1,024 bytes"):
        list(read_rows(path, fmt, max_line_bytes=1024))


def test_a_gzipped_json_array_element_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = put(tmp_path, "in.json.gz", json.dumps([{"a": 1}, {"a": "x" * 5000}]).encode(), gz=True)
    with pytest.raises(InputError, match="array element at line 1, column 12: longer than"):
        list(read_rows(path, "json", max_line_bytes=1024))


def test_a_gzipped_latin1_tsv_is_read_with_its_encoding(tmp_path: Path) -> None:
    data = LATIN1_CSV.replace(",", "\t").encode("latin-1")
    path = put(tmp_path, "rows.tsv.gz", data, gz=True)
    fmt = detect_format(path, None)
    assert values(path, fmt, encoding="latin-1", delimiter=detect_delimiter(path, fmt) or ",") == (
        ROWS
    )


def test_header_first_fields_and_scan_read_gzip_and_encoded_inputs(tmp_path: Path) -> None:
    path = put(tmp_path, "rows.csv.gz", LATIN1_CSV.replace(",", ";").encode("latin-1"), gz=True)
    how = {"encoding": "latin-1", "delimiter": ";"}
    assert csv_header(path, **how) == ["name", "city"]
    assert first_fields(path, "csv", **how) == ["name", "city"]
    by_name = key_function("name")
    assert by_name is not None
    assert scan(path, "csv", by_name, "name", **how).keys == {"Acme", "José"}


def test_first_fields_of_jsonl_are_the_first_rows_fields(tmp_path: Path) -> None:
    path = put(tmp_path, "rows.jsonl.gz", b'{"a,b": 1, "c": 2}\n{"d": 3}\n', gz=True)
    assert first_fields(path, "jsonl") == ["a,b", "c"]
    assert first_fields(put(tmp_path, "s.jsonl", b'"text"\n'), "jsonl") is None
    assert first_fields(put(tmp_path, "e.json", b"[]"), "json") is None


def test_the_digest_of_a_gzip_input_is_of_its_stored_bytes(tmp_path: Path) -> None:
    data = gzip.compress(b'{"a": 1}\n', mtime=0)
    same = put(tmp_path, "a.jsonl.gz", data)
    assert file_digest(same) == file_digest(put(tmp_path, "b.jsonl.gz", data))
    assert file_digest(same) != file_digest(put(tmp_path, "c.jsonl", b'{"a": 1}\n'))
