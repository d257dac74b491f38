"""An appended JSONL results file is put in input order by moving its lines, and only when the
journal's word of where they lie is exactly the file's lines, one per row; otherwise the file
is left as it is, for the job to write it whole."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup._json import readable
from parallel_taskgroup.jobs.results_file import reorder_lines

Span = tuple[str, Optional[int], Optional[int]]

keys = st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=8, unique=True)


def line_of(key: str) -> bytes:
    return (readable({"key": key, "status": "completed", "output": {"k": key}}) + "\n").encode()


def appended(tmp: Path, order: list[str]) -> tuple[Path, dict[str, tuple[int, int]]]:
    """A JSONL file with the lines of ``order``'s keys in that order; where each lies."""
    path = tmp / "out.jsonl"
    data, spans = b"", {}
    for key in order:
        line = line_of(key)
        spans[key] = (len(data), len(line))
        data += line
    path.write_bytes(data)
    return path, spans


def in_input_order(rows: list[str], spans: dict[str, tuple[int, int]]) -> list[Span]:
    return [(key, *spans[key]) for key in rows]


@given(keys, st.randoms(use_true_random=False))
def test_lines_appended_in_any_order_are_put_in_input_order(
    tmp_path_factory: pytest.TempPathFactory, rows: list[str], rnd: random.Random
) -> None:
    tmp = tmp_path_factory.mktemp("reorder")
    order = list(rows)
    rnd.shuffle(order)
    path, spans = appended(tmp, order)

    assert reorder_lines(str(path), in_input_order(rows, spans), size=path.stat().st_size)
    assert path.read_bytes() == b"".join(line_of(key) for key in rows)


def refused(path: Path, spans: list[Span], size: Optional[int] = None) -> bool:
    before = path.read_bytes()
    done = reorder_lines(str(path), spans, size=len(before) if size is None else size)
    return not done and path.read_bytes() == before


def test_a_row_whose_line_is_not_known_is_refused(tmp_path: Path) -> None:
    path, spans = appended(tmp_path, ["b", "a"])
    assert refused(path, [("a", *spans["a"]), ("b", None, None)])


def test_a_span_that_is_not_a_whole_line_is_refused(tmp_path: Path) -> None:
    path, spans = appended(tmp_path, ["b", "a"])
    at, length = spans["a"]
    assert refused(path, [("a", at + 1, length - 1), ("b", *spans["b"])])
    assert refused(path, [("a", at, length - 1), ("b", *spans["b"])])
    assert refused(path, [("a", at - 1, length), ("b", *spans["b"])])


def test_a_line_of_another_row_is_refused(tmp_path: Path) -> None:
    path, spans = appended(tmp_path, ["b", "a"])
    assert refused(path, [("a", *spans["b"]), ("b", *spans["a"])])


def test_a_key_that_only_begins_another_row_s_key_is_refused(tmp_path: Path) -> None:
    path, spans = appended(tmp_path, ["ab", "a"])
    assert refused(path, [("a", *spans["ab"]), ("ab", *spans["a"])])


def test_a_line_the_rows_do_not_account_for_is_refused(tmp_path: Path) -> None:
    path, spans = appended(tmp_path, ["b", "extra", "a"])
    assert refused(path, in_input_order(["a", "b"], spans))


def test_a_file_of_another_size_than_the_journal_s_is_refused(tmp_path: Path) -> None:
    path, spans = appended(tmp_path, ["b", "a"])
    assert refused(path, in_input_order(["a", "b"], spans), size=path.stat().st_size - 1)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert not reorder_lines(str(tmp_path / "gone.jsonl"), [("a", 0, 10)], size=10)
