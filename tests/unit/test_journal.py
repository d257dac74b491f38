"""Submission journals: memory, SQLite and JSON lines behave the same; files survive reopening."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest
from parallel_taskgroup import (
    JournalError,
    JsonlJournal,
    MemoryJournal,
    SqliteJournal,
    SubmissionJournal,
)
from parallel_taskgroup.submission.journal import SETTLE_MARGIN, PendingBatch, open_journal

SENT = 1_700_000_000.0

Factory = Callable[[], SubmissionJournal]


@pytest.fixture(params=["memory", "sqlite", "jsonl"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Factory]:
    opened: list[SubmissionJournal] = []
    memory = MemoryJournal()

    def factory() -> SubmissionJournal:
        j: SubmissionJournal
        if request.param == "memory":
            j = memory
        elif request.param == "sqlite":
            j = SqliteJournal(tmp_path / "j.sqlite")
        else:
            j = JsonlJournal(tmp_path / "j.jsonl")
        opened.append(j)
        return j

    yield factory
    for j in opened:
        j.close()


def test_every_store_satisfies_the_protocol(make: Factory) -> None:
    assert isinstance(make(), SubmissionJournal)


def test_an_opened_batch_is_pending_until_confirmed(make: Factory) -> None:
    j = make()
    j.open_batch("g", "b1", ["a", "b"], sent_at=SENT, timeout=60.0)
    assert j.pending_batches("g") == [PendingBatch("b1", ["a", "b"], SENT, 60.0)]
    j.confirm("g", {"a": "r1", "b": "r2"}, batch_id="b1")
    assert j.pending_batches("g") == []
    assert j.confirmed_among("g", ["a", "b", "c"]) == {"a": "r1", "b": "r2"}


def test_a_discarded_batch_leaves_its_keys_unconfirmed(make: Factory) -> None:
    j = make()
    j.open_batch("g", "b1", ["a"], sent_at=SENT, timeout=60.0)
    j.discard_batch("g", "b1")
    assert j.pending_batches("g") == []
    assert j.confirmed_among("g", ["a"]) == {}


def test_records_are_scoped_by_group(make: Factory) -> None:
    j = make()
    j.open_batch("g1", "b1", ["a"], sent_at=SENT, timeout=60.0)
    j.confirm("g1", {"a": "r1"})
    assert j.pending_batches("g2") == []
    assert j.confirmed_among("g2", ["a"]) == {}


def test_pending_batches_come_oldest_first(make: Factory) -> None:
    j = make()
    for b in ["z", "a", "m"]:
        j.open_batch("g", b, [b], sent_at=SENT, timeout=60.0)
    assert [b.batch_id for b in j.pending_batches("g")] == ["z", "a", "m"]


def test_confirmed_among_handles_more_keys_than_one_sql_statement(make: Factory) -> None:
    j = make()
    j.confirm("g", {str(i): f"r{i}" for i in range(0, 3000, 2)})
    found = j.confirmed_among("g", [str(i) for i in range(3000)])
    assert len(found) == 1500 and found["2998"] == "r2998"


def test_file_journals_survive_reopening(make: Factory) -> None:
    j = make()
    j.open_batch("g", "b1", ["a", "b"], sent_at=SENT, timeout=60.0)
    j.confirm("g", {"x": "r0"})
    if isinstance(j, MemoryJournal) and not isinstance(j, JsonlJournal):
        pytest.skip("memory journals are per process")
    j.close()
    again = make()
    assert again.pending_batches("g") == [PendingBatch("b1", ["a", "b"], SENT, 60.0)]
    assert again.confirmed_among("g", ["x"]) == {"x": "r0"}


def test_a_torn_last_jsonl_line_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    with JsonlJournal(path) as j:
        j.confirm("g", {"a": "r1"})
    with open(path, "ab") as f:
        f.write(b'{"op":"open","group":"g","bat')
    with JsonlJournal(path) as j:
        assert j.pending_batches("g") == []
        j.open_batch("g", "b2", ["c"], sent_at=SENT, timeout=60.0)
    with JsonlJournal(path) as j:
        assert j.pending_batches("g") == [PendingBatch("b2", ["c"], SENT, 60.0)]
        assert j.confirmed_among("g", ["a"]) == {"a": "r1"}


def test_a_jsonl_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"hello": 1}\n')
    with pytest.raises(JournalError, match="line 1"):
        JsonlJournal(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(JournalError, match="cannot use this file"):
        SqliteJournal(path)


def test_open_journal_picks_the_store_by_extension(tmp_path: Path) -> None:
    with open_journal(tmp_path / "a.jsonl") as j:
        assert isinstance(j, JsonlJournal)
    with open_journal(os.fspath(tmp_path / "a.db")) as j:
        assert isinstance(j, SqliteJournal)


def test_a_pending_batch_settles_its_timeout_and_a_margin_after_it_was_sent(make: Factory) -> None:
    j = make()
    j.open_batch("g", "b1", ["a"], sent_at=SENT, timeout=30.0)
    (batch,) = j.pending_batches("g")
    assert batch.settles_at(now=SENT + 1) == SENT + 30.0 + SETTLE_MARGIN
    quick = PendingBatch("b2", ["a"], SENT, 2.0)
    assert quick.settles_at(now=SENT) == SENT + 4.0  # the margin is never more than the timeout


def test_a_batch_of_unknown_send_time_settles_a_whole_timeout_from_now() -> None:
    batch = PendingBatch("b1", ["a"], None, 30.0)
    assert batch.settles_at(now=SENT) == SENT + 30.0 + SETTLE_MARGIN


def test_an_sqlite_journal_of_an_older_version_reads_its_batches_as_of_unknown_send_time(
    tmp_path: Path,
) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE journal_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO journal_meta VALUES ('format', 'parallel-taskgroup-journal/1');"
        "CREATE TABLE pending_batch (group_id TEXT NOT NULL, batch_id TEXT NOT NULL, "
        "seq INTEGER NOT NULL, keys TEXT NOT NULL, PRIMARY KEY (group_id, batch_id));"
        """INSERT INTO pending_batch VALUES ('g', 'b1', 1, '["a"]');"""
    )
    db.commit()
    db.close()
    with SqliteJournal(path) as journal:
        assert journal.pending_batches("g") == [PendingBatch("b1", ["a"], None, 60.0)]
