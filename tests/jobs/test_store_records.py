"""A finished row's record is kept apart from its row (``row_records``, naming its place in the
records file): under any writes it is there exactly while the row's latest attempt has finished,
and a journal written before (format 1, records in the rows; format 2, records in
``row_records``) is upgraded when opened, nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parallel_taskgroup.errors import JournalError
from parallel_taskgroup.jobs.store import JobStore
from parallel_taskgroup.submission.keys import identity
from store_writes import (
    after_each_write,
    as_format_1,
    as_format_2,
    operation,
    records_by_key,
    records_of,
    saved_record,
)


def kept_records(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(the records kept, by key; the records the rows' finished latest attempts saved)."""
    texts = records_of(path)
    with sqlite3.connect(path) as db:
        kept = {
            key: texts[record]
            for key, record in db.execute(
                "SELECT r.key, c.record FROM row_records c JOIN rows r ON r.pos = c.pos"
            )
        }
        orphans = db.execute(
            "SELECT COUNT(*) FROM row_records WHERE pos NOT IN (SELECT pos FROM rows)"
        ).fetchone()[0]
        finished = {
            key: saved_record(key, attempt, status)
            for key, attempt, status in db.execute(
                "SELECT key, attempt, status FROM rows WHERE status IS NOT NULL"
            )
        }
    assert orphans == 0
    return kept, finished


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=12))
def test_a_rows_record_is_kept_exactly_while_its_latest_attempt_has_finished(
    tmp_path: Path, operations: list[tuple]
) -> None:
    for store, path in after_each_write(tmp_path, operations):
        kept, finished = kept_records(path)
        assert kept == finished
        assert {k: t for k, t in records_by_key(store).items() if t is not None} == kept


def format_1_journal(path: Path) -> None:
    """A journal as format 1 left it: two rows finished (one of them since sent again), with
    their records in the rows."""
    store = JobStore(str(path))
    store.insert_rows([("a", 1, '{"n": 1}'), ("b", 2, '{"n": 2}'), ("c", 3, '{"n": 3}')])
    store.confirm({identity("a"): "run_a", identity("b"): "run_b"}, "lite")
    store.save_results(
        [
            ("a", 1, "completed", None, saved_record("a", 1, "completed"), 1.0, 2.0),
            ("b", 1, "completed", None, saved_record("b", 1, "completed"), 1.0, 2.0),
        ]
    )
    store.confirm({identity("b", 2): "run_b2"}, "base")
    store.close()
    as_format_1(path)


def test_a_format_1_journal_opens_with_its_records_moved_out_of_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    format_1_journal(path)

    store = JobStore(str(path))
    try:
        assert records_by_key(store) == {
            "a": saved_record("a", 1, "completed"),
            "b": None,
            "c": None,
        }
        assert store.attempts_of("b")[0]["output"] == {
            "key": "b",
            "attempt": 1,
            "status": "completed",
        }
        assert list(store.answers(not_by="base")) == [("a", saved_record("a", 1, "completed"))]
        assert store.meta("format") == "parallel-taskgroup-job/3"
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM rows WHERE record IS NOT NULL").fetchone() == (0,)


def test_a_format_2_journal_opens_with_its_records_read_where_they_are(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    format_1_journal(path)
    JobStore(str(path)).close()
    as_format_2(path)

    store = JobStore(str(path))
    try:
        assert store.meta("format") == "parallel-taskgroup-job/3"
        assert records_by_key(store)["a"] == saved_record("a", 1, "completed")
        assert store.attempts_of("b")[0]["output"] == {
            "key": "b",
            "attempt": 1,
            "status": "completed",
        }
        store.save_results([("b", 2, "failed", None, saved_record("b", 2, "failed"), 1.0, 2.0)])
        assert records_by_key(store)["b"] == saved_record("b", 2, "failed")
    finally:
        store.close()


def test_a_journal_of_a_later_format_is_refused_with_its_format_named(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    JobStore(str(path)).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 'parallel-taskgroup-job/4' WHERE name = 'format'")

    with pytest.raises(JournalError, match="'parallel-taskgroup-job/4' is not supported"):
        JobStore(str(path))
