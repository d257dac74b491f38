"""A journal's records live in its records file, written once: each reads back exactly from the
place the journal keeps, the journal vouches only for bytes already written, and a records file
that is missing, shorter or another journal's makes the journal unusable, named."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parallel_taskgroup.errors import JournalError
from parallel_taskgroup.jobs import record_file
from parallel_taskgroup.jobs.record_file import RecordFile, records_path, vouched
from parallel_taskgroup.jobs.store import JobStore
from parallel_taskgroup.submission.keys import identity

record = st.text(min_size=1).map(lambda s: '{"x": ' + repr(s) + "}")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(record, max_size=5), max_size=5))
def test_every_record_appended_in_any_batches_reads_back_exactly_from_its_place(
    tmp_path: Path, batches: list[list[str]]
) -> None:
    journal = str(tmp_path / f"journal-{len(list(tmp_path.iterdir()))}")
    records = RecordFile(journal, None)
    kept = None
    written: dict[str, str] = {}
    try:
        for batch in batches:
            places, kept = records.append(batch)
            written.update(zip(places, batch))
    finally:
        records.close()
    again = RecordFile(journal, vouched(kept))
    try:
        assert {place: again.text(place) for place in written} == written
    finally:
        again.close()


def test_after_a_failed_append_the_next_one_names_where_its_records_really_lie(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = str(tmp_path / "journal")
    records = RecordFile(journal, None)
    failures = [OSError(errno.EIO, "I/O error")]

    def sync_failing_once(fd: int) -> None:
        if failures:
            raise failures.pop()

    monkeypatch.setattr(record_file, "_sync", sync_failing_once)
    try:
        with pytest.raises(OSError):
            records.append(['{"lost": "maybe written, never named"}'])
        places, _ = records.append(['{"kept": 1}', '{"kept": 2}'])
        assert [records.text(place) for place in places] == ['{"kept": 1}', '{"kept": 2}']
    finally:
        records.close()


def test_a_record_the_journal_holds_as_text_reads_as_itself(tmp_path: Path) -> None:
    records = RecordFile(str(tmp_path / "journal"), None)
    assert records.text('{"output": 1}') == '{"output": 1}'


def test_what_the_journal_keeps_counts_only_bytes_already_in_the_file(tmp_path: Path) -> None:
    journal = str(tmp_path / "journal")
    records = RecordFile(journal, None)
    try:
        _, kept = records.append(['{"a": "é"}', '{"b": 2}'])
    finally:
        records.close()
    token, size = vouched(kept) or ("", 0)
    assert Path(records_path(journal)).stat().st_size == size
    RecordFile(journal, (token, size)).close()


def finished_job(path: Path) -> str:
    """A journal with one row finished; its record."""
    text = '{"output": {"answer": "yes"}}'
    store = JobStore(str(path))
    try:
        store.insert_rows([("a", 1, '{"n": 1}')])
        store.confirm({identity("a"): "run_a"}, "lite")
        store.save_results([("a", 1, "completed", None, text, 1.0, 2.0)])
    finally:
        store.close()
    return text


def first_record(path: Path) -> str | None:
    """The record of the first row of the journal at ``path``, as the store reads it."""
    store = JobStore(str(path))
    try:
        return next(store.rows_with_records())[1]
    finally:
        store.close()


def test_a_stored_record_is_written_to_the_records_file_not_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    text = finished_job(path)

    with sqlite3.connect(path) as db:
        (held,) = db.execute("SELECT record FROM row_records").fetchone()
    assert held.startswith("@")
    assert text.encode() in Path(f"{path}-records").read_bytes()
    assert first_record(path) == text


def test_records_appended_but_never_named_by_the_journal_are_harmless(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    text = finished_job(path)
    with open(f"{path}-records", "ab") as f:
        f.write(b'{"torn by a crash before the journal commi')

    assert first_record(path) == text


def test_a_records_file_left_by_another_journal_is_replaced_by_a_new_one(tmp_path: Path) -> None:
    path = tmp_path / "journal"
    Path(f"{path}-records").write_bytes(b"left over from a journal since deleted")
    text = finished_job(path)

    assert first_record(path) == text
    assert b"left over" not in Path(f"{path}-records").read_bytes()


@pytest.mark.parametrize(
    "damage, named",
    [
        (lambda p: p.unlink(), "records file is missing"),
        (lambda p: p.write_bytes(p.read_bytes()[:-5]), "records file holds"),
        (lambda p: p.write_bytes(p.read_bytes().replace(b'": "', b'": "f', 1)), "another journal"),
    ],
    ids=["missing", "shorter", "another journal's"],
)
def test_a_journal_whose_records_file_is_damaged_is_refused_naming_the_file(
    tmp_path: Path, damage: object, named: str
) -> None:
    path = tmp_path / "journal"
    finished_job(path)
    damage(Path(f"{path}-records"))  # type: ignore[operator]

    with pytest.raises(JournalError, match=named) as caught:
        JobStore(str(path))
    assert f"{path}-records" in caught.value.message
