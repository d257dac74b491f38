"""Storing a job's input rows (and a refresh's, held aside): under any sequence of passes and
batches, a key is stored once, at its first line; a repeated key is reported with its line and
the line that had it first, and with ``skip_known`` a key an earlier pass stored is skipped
without a report."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parallel_taskgroup.jobs.store import JobStore
from parallel_taskgroup.submission.keys import identity

batch = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=5)
passes = st.lists(st.tuples(st.lists(batch, max_size=3), st.booleans()), min_size=1, max_size=3)


def modelled(
    batches: list[list[str]], first: dict[str, tuple[int, int]], this_pass: int, skip_known: bool
) -> Iterator[tuple[list[tuple[str, int, str]], list[tuple[str, int, int]]]]:
    """Each batch of one pass over an input as rows (lines numbered from 1) with the repeats the
    model expects reported; ``first`` (key -> its first line and pass) is kept up to date."""
    line = 0
    for keys in batches:
        rows = []
        expected = []
        for key in keys:
            line += 1
            rows.append((key, line, "{}"))
            if key not in first:
                first[key] = (line, this_pass)
            elif not (skip_known and first[key][1] != this_pass):
                expected.append((key, line, first[key][0]))
        yield rows, expected


@settings(max_examples=60, deadline=None)
@given(passes=passes)
def test_each_key_is_stored_once_and_every_repeat_is_reported(
    passes: list[tuple[list[list[str]], bool]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = JobStore(str(Path(tmp) / "job.db"))
        first: dict[str, tuple[int, int]] = {}
        for number, (batches, skip_known) in enumerate(passes):
            store.begin_pass()
            for rows, expected in modelled(batches, first, number, skip_known):
                assert store.insert_rows(rows, skip_known=skip_known) == expected
        assert {r.key: r.line for r in store.rows()} == {k: v[0] for k, v in first.items()}
        store.close()


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(batch, max_size=4))
def test_a_refresh_holds_each_key_once_and_reports_every_repeat(batches: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = JobStore(str(Path(tmp) / "job.db"))
        for rows, expected in modelled(batches, {}, 0, skip_known=False):
            assert store.stage_rows(rows) == expected
        store.close()


@pytest.mark.skipif(
    not hasattr(sqlite3.Connection, "setlimit"), reason="setting SQLite limits needs Python 3.11"
)
def test_confirmed_runs_are_found_within_old_sqlite_builds_limit_of_999_parameters(
    tmp_path: Path,
) -> None:
    store = JobStore(str(tmp_path / "job.db"))
    keys = [f"k{i}" for i in range(1200)]
    store.insert_rows([(key, i, "{}") for i, key in enumerate(keys)])
    store.confirm({identity(key): f"trun_{key}" for key in keys}, "lite")
    store._connection()[0].setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    found = store.confirmed_among([identity(key) for key in keys])

    assert len(found) == 1200 and found["k1199"] == "trun_k1199"
    store.close()
