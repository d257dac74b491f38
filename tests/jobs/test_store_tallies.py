"""The job store's counts (progress) and runs by processor (spend) are kept as rows and runs
change; under any sequence of the store's writes they equal a count made from the tables."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parallel_taskgroup.jobs.store import JobStore, RowCounts
from parallel_taskgroup.submission.keys import identity

KEYS = [f"k{i}" for i in range(6)]
PROCESSORS = ["lite", "base"]
STATUSES = ["completed", "failed", "cancelled"]

key = st.sampled_from(KEYS)
attempt = st.integers(min_value=1, max_value=3)
processor = st.sampled_from(PROCESSORS)
run_id = st.sampled_from([f"run{i}" for i in range(8)])
operation = st.one_of(
    st.tuples(st.just("insert"), st.lists(key, max_size=4), st.booleans()),
    st.tuples(st.just("drop_pass")),
    st.tuples(st.just("confirm"), st.lists(st.tuples(key, attempt, run_id), max_size=3), processor),
    st.tuples(
        st.just("record_runs"), st.lists(st.tuples(key, attempt, run_id, processor), max_size=3)
    ),
    st.tuples(st.just("extra"), st.lists(st.tuples(key, attempt, run_id, processor), max_size=2)),
    st.tuples(
        st.just("save"), st.lists(st.tuples(key, attempt, st.sampled_from(STATUSES)), max_size=3)
    ),
)


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


def apply(store: JobStore, op: tuple, line: list[int]) -> None:
    kind = op[0]
    if kind == "insert":
        store.begin_pass()
        rows = []
        for k in op[1]:
            line[0] += 1
            rows.append((k, line[0], "{}"))
        store.insert_rows(rows, skip_known=op[2])
    elif kind == "drop_pass":
        store.drop_pass()
    elif kind == "confirm":
        store.confirm({identity(k, a): r for k, a, r in op[1]}, op[2])
    elif kind == "record_runs":
        store.record_runs([(identity(k, a), r, p) for k, a, r, p in op[1]])
    elif kind == "extra":
        store.record_extra_runs([(identity(k, a), r, p) for k, a, r, p in op[1]])
    else:
        store.save_results([(k, a, s, None, "{}", None, None) for k, a, s in op[1]])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=12))
def test_counts_and_runs_by_processor_equal_a_count_of_the_tables_after_any_writes(
    tmp_path: Path, operations: list[tuple]
) -> None:
    path = tmp_path / f"journal-{len(list(tmp_path.iterdir()))}"
    store = JobStore(str(path))
    try:
        line = [0]
        for op in operations:
            apply(store, op, line)
            rows, runs = counted(path)
            assert store.counts() == rows
            assert store.runs_by_processor() == runs
    finally:
        store.close()


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
