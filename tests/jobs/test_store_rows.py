"""Storing a job's input rows (and a refresh's, held aside): under any sequence of passes and
batches, a key is stored once, at its first line; a repeated key is reported with its line and
the line that had it first, and with ``skip_known`` a key an earlier pass stored is skipped
without a report."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from parallel_taskgroup.jobs.store import JobStore

batch = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=5)
passes = st.lists(st.tuples(st.lists(batch, max_size=3), st.booleans()), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(passes=passes)
def test_each_key_is_stored_once_and_every_repeat_is_reported(
    passes: list[tuple[list[list[str]], bool]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = JobStore(str(Path(tmp) / "job.db"))
        first: dict[str, tuple[int, int]] = {}  # key -> (line, pass)
        for number, (batches, skip_known) in enumerate(passes):
            store.begin_pass()
            line = 0
            for keys in batches:
                rows = []
                expected = []
                for key in keys:
                    line += 1
                    rows.append((key, line, "{}"))
                    if key not in first:
                        first[key] = (line, number)
                    elif not (skip_known and first[key][1] != number):
                        expected.append((key, line, first[key][0]))
                assert store.insert_rows(rows, skip_known=skip_known) == expected
        assert {r.key: r.line for r in store.rows()} == {k: v[0] for k, v in first.items()}
        store.close()


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(batch, max_size=4))
def test_a_refresh_holds_each_key_once_and_reports_every_repeat(batches: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = JobStore(str(Path(tmp) / "job.db"))
        first: dict[str, int] = {}
        line = 0
        for keys in batches:
            rows = []
            expected = []
            for key in keys:
                line += 1
                rows.append((key, line, "{}"))
                if key in first:
                    expected.append((key, line, first[key]))
                else:
                    first[key] = line
            assert store.stage_rows(rows) == expected
        store.close()
