"""Any sequence of a job store's writes, for property tests of what the store keeps; a record
column's text as a record; and a journal put back as format 1 or 2 left it, for tests of its
upgrade."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from hypothesis import strategies as st
from parallel_taskgroup.jobs.record_file import RecordFile, vouched
from parallel_taskgroup.jobs.store import JobStore
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


def apply_write(store: JobStore, op: tuple, line: list[int]) -> None:
    """Apply one write of :data:`operation` (``line``: the last input line used)."""
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
        store.save_results(
            [(k, a, s, None, saved_record(k, a, s), None, None) for k, a, s in op[1]]
        )


def saved_record(key: str, attempt: int, status: str) -> str:
    """The record :func:`apply_write` saves with a result."""
    return f'{{"output": {{"key": "{key}", "attempt": {attempt}, "status": "{status}"}}}}'


def after_each_write(tmp_path: Path, operations: list[tuple]) -> Iterator[tuple[JobStore, Path]]:
    """A new store (and its path) with ``operations`` applied, yielded after each one."""
    path = tmp_path / f"journal-{len(list(tmp_path.iterdir()))}"
    store = JobStore(str(path))
    try:
        line = [0]
        for op in operations:
            apply_write(store, op, line)
            yield store, path
    finally:
        store.close()


def records_by_key(store: JobStore) -> dict[str, str | None]:
    """Each row's record as the store reads it (None until its latest attempt finished)."""
    return {row.key: text for row, text in store.rows_with_records()}


def records_of(path: Path) -> dict[str, str]:
    """The record texts a closed journal holds (its rows', attempts' and dropped rows'), by
    what its tables hold: the text itself, or its place in the records file."""
    with sqlite3.connect(path) as db:
        kept = db.execute("SELECT value FROM meta WHERE name = 'records'").fetchone()
        values = [v for (v,) in db.execute("SELECT record FROM attempts WHERE record IS NOT NULL")]
        values += [v for (v,) in db.execute("SELECT record FROM row_records")]
        values += [
            v for (v,) in db.execute("SELECT record FROM dropped_rows WHERE record IS NOT NULL")
        ]
    records = RecordFile(str(path), vouched(kept[0] if kept else None))
    try:
        return {value: records.text(value) for value in values}
    finally:
        records.close()


def as_format_2(path: Path) -> None:
    """Put the closed journal ``path`` back as format 2 kept it: each record's text in its
    tables, no records file."""
    texts = records_of(path)
    with sqlite3.connect(path) as db:
        for table in ("row_records", "attempts", "dropped_rows"):
            db.executemany(
                f"UPDATE {table} SET record = ? WHERE record = ?",
                [(text, place) for place, text in texts.items()],
            )
        db.execute("DELETE FROM meta WHERE name = 'records'")
        db.execute("UPDATE meta SET value = 'parallel-taskgroup-job/2' WHERE name = 'format'")
    Path(f"{path}-records").unlink(missing_ok=True)


def as_format_1(path: Path) -> None:
    """Put the closed journal ``path`` back as format 1 kept it: each record in its row."""
    as_format_2(path)
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE rows ADD COLUMN record TEXT")
        db.execute(
            "UPDATE rows SET record = (SELECT record FROM row_records c WHERE c.pos = rows.pos)"
        )
        db.execute("DELETE FROM row_records")
        db.execute("UPDATE meta SET value = 'parallel-taskgroup-job/1' WHERE name = 'format'")
