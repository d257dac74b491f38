"""The job store's counts (progress) and runs by processor (spend) are kept as rows and runs
change; under any sequence of the store's writes they equal a count made from the tables."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parallel_taskgroup.jobs.store import JobStore, RowCounts
from parallel_taskgroup.submission.keys import identity
from store_writes import KEYS, after_each_write, operation


def counted(path: Path) -> tuple[RowCounts, dict[str, int]]:
    """The counts made from the tables themselves."""
    with sqlite3.connect(path) as db:
        rows = RowCounts(
            *db.execute(
                "SELECT COUNT(*), COALESCE(SUM(attempt > 0), 0), "
                "COALESCE(SUM(status IS NOT NULL), 0), COALESCE(SUM(status = 'completed'), 0), "
                "COALESCE(SUM(status IN ('failed', 'cancelled')), 0) FROM rows"
            ).fetchone()
        )
        runs = dict(
            db.execute(
                "SELECT processor, COUNT(*) FROM (SELECT processor FROM attempts "
                "UNION ALL SELECT processor FROM extra_runs) GROUP BY processor"
            ).fetchall()
        )
    return rows, runs


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=12))
def test_counts_and_runs_by_processor_equal_a_count_of_the_tables_after_any_writes(
    tmp_path: Path, operations: list[tuple]
) -> None:
    for store, path in after_each_write(tmp_path, operations):
        rows, runs = counted(path)
        assert store.counts() == rows
        assert store.runs_by_processor() == runs


def test_a_journal_whose_tallies_are_wrong_or_missing_is_counted_again_when_opened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal"
    store = JobStore(str(path))
    store.insert_rows([(k, i, "{}") for i, k in enumerate(KEYS)])
    store.confirm({identity("k0"): "run0", identity("k1"): "run1"}, "lite")
    store.save_results([("k0", 1, "completed", None, "{}", None, None)])
    store.close()
    with sqlite3.connect(path) as db:  # as a build before the tallies left it
        db.execute("DROP TABLE run_tally")
        db.execute("UPDATE row_tally SET rows = 0, submitted = 0, finished = 0")

    reopened = JobStore(str(path))
    try:
        assert reopened.counts() == RowCounts(
            rows=6, submitted=2, finished=1, completed=1, failed=0
        )
        assert reopened.runs_by_processor() == {"lite": 2}
    finally:
        reopened.close()


def test_an_older_journals_index_by_status_is_dropped_when_opened(tmp_path: Path) -> None:
    # Counts come from the tallies, so the index older builds kept for them only slowed writes.
    path = tmp_path / "journal"
    JobStore(str(path)).close()
    with sqlite3.connect(path) as db:  # as earlier builds left it
        db.execute("CREATE INDEX rows_progress ON rows (status, attempt)")

    JobStore(str(path)).close()

    with sqlite3.connect(path) as db:
        indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert "rows_progress" not in indexes
    assert "rows_to_submit" in indexes
