"""The tables of a job's SQLite store (:mod:`.store`): the format it is marked with, its
schema, and the rows read from it (:class:`StoredRow`, :class:`RowCounts`)."""

from __future__ import annotations

import sqlite3
from typing import Optional

import attrs

FORMAT = "parallel-taskgroup-job/3"
OLD_FORMATS = ("parallel-taskgroup-job/1", "parallel-taskgroup-job/2")
"""Format 1 kept each row's record in its row, format 2 in ``row_records``; format 3 keeps new
records in the records file (:mod:`.record_file`), their places in ``row_records``, and reads
the records of format 2 where they are. :func:`upgrade` makes either format 3."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    pos INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    line INTEGER NOT NULL,
    input TEXT NOT NULL,
    pass INTEGER NOT NULL DEFAULT 0,
    attempt INTEGER NOT NULL DEFAULT 0,
    status TEXT,
    redo TEXT,
    line_at INTEGER,
    line_len INTEGER
);
-- Each finished row's record, apart from its row: its place in the records file (or, written
-- by format 2, the record itself). Kept apart, a row is updated in place and its rows read in
-- input order without their records; appended in the order they come (their own ids), so that
-- runs finishing in any order do not split the records' pages either; ``pos`` finds a row's.
CREATE TABLE IF NOT EXISTS row_records (
    id INTEGER PRIMARY KEY,
    pos INTEGER NOT NULL UNIQUE,
    record TEXT NOT NULL
);
-- A row's record goes with the row, and with its finish (a newer attempt clears its status).
CREATE TRIGGER IF NOT EXISTS rows_record_delete AFTER DELETE ON rows BEGIN
    DELETE FROM row_records WHERE pos = OLD.pos;
END;
CREATE TRIGGER IF NOT EXISTS rows_record_clear AFTER UPDATE OF status ON rows
WHEN NEW.status IS NULL AND OLD.status IS NOT NULL BEGIN
    DELETE FROM row_records WHERE pos = OLD.pos;
END;
CREATE INDEX IF NOT EXISTS rows_to_submit ON rows (attempt, pos);
-- Counts come from row_tally, so nothing reads rows by status: an index on it, as older
-- journals have, only cost each submitted and finished row an index update.
DROP INDEX IF EXISTS rows_progress;
CREATE TABLE IF NOT EXISTS attempts (
    key TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    processor TEXT NOT NULL,
    run_id TEXT NOT NULL,
    status TEXT,
    error TEXT,
    seconds REAL,
    finished_at REAL,
    record TEXT,
    PRIMARY KEY (key, attempt)
) WITHOUT ROWID;
-- A refresh's input, read whole before it changes the job's rows in one transaction.
CREATE TABLE IF NOT EXISTS incoming (
    key TEXT PRIMARY KEY,
    line INTEGER NOT NULL,
    input TEXT NOT NULL
) WITHOUT ROWID;
-- Rows a refresh found gone from the input: out of the results file, their attempts kept.
CREATE TABLE IF NOT EXISTS dropped_rows (
    key TEXT PRIMARY KEY,
    line INTEGER NOT NULL,
    input TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT,
    record TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending_batch (
    batch_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    identities TEXT NOT NULL,
    sent_at REAL,
    timeout REAL NOT NULL DEFAULT 60
);
CREATE TABLE IF NOT EXISTS extra_runs (
    run_id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    processor TEXT NOT NULL
) WITHOUT ROWID;

-- Running counts, kept by triggers, so that progress and spend are read in O(1): counting a
-- million rows on every progress update made a job's cost grow with the square of its rows.
CREATE TABLE IF NOT EXISTS row_tally (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    rows INTEGER NOT NULL,
    submitted INTEGER NOT NULL,
    finished INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    failed INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS rows_tally_insert AFTER INSERT ON rows BEGIN
    UPDATE row_tally SET
        rows = rows + 1,
        submitted = submitted + (NEW.attempt > 0),
        finished = finished + (NEW.status IS NOT NULL),
        completed = completed + (NEW.status IS 'completed'),
        failed = failed + (NEW.status IS 'failed' OR NEW.status IS 'cancelled');
END;
CREATE TRIGGER IF NOT EXISTS rows_tally_delete AFTER DELETE ON rows BEGIN
    UPDATE row_tally SET
        rows = rows - 1,
        submitted = submitted - (OLD.attempt > 0),
        finished = finished - (OLD.status IS NOT NULL),
        completed = completed - (OLD.status IS 'completed'),
        failed = failed - (OLD.status IS 'failed' OR OLD.status IS 'cancelled');
END;
CREATE TRIGGER IF NOT EXISTS rows_tally_update AFTER UPDATE OF attempt, status ON rows BEGIN
    UPDATE row_tally SET
        submitted = submitted - (OLD.attempt > 0) + (NEW.attempt > 0),
        finished = finished - (OLD.status IS NOT NULL) + (NEW.status IS NOT NULL),
        completed = completed - (OLD.status IS 'completed') + (NEW.status IS 'completed'),
        failed = failed - (OLD.status IS 'failed' OR OLD.status IS 'cancelled')
            + (NEW.status IS 'failed' OR NEW.status IS 'cancelled');
END;

-- Runs created, by processor (what the job has spent): every attempt and every extra run.
-- Connections set recursive_triggers, so a row that INSERT OR REPLACE removes is counted out.
-- (No OR IGNORE in a trigger: the OR REPLACE of the statement that fires it would override it.)
CREATE TABLE IF NOT EXISTS run_tally (processor TEXT PRIMARY KEY, runs INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS attempts_tally_insert AFTER INSERT ON attempts BEGIN
    INSERT INTO run_tally SELECT NEW.processor, 0
        WHERE NOT EXISTS (SELECT 1 FROM run_tally WHERE processor = NEW.processor);
    UPDATE run_tally SET runs = runs + 1 WHERE processor = NEW.processor;
END;
CREATE TRIGGER IF NOT EXISTS attempts_tally_delete AFTER DELETE ON attempts BEGIN
    UPDATE run_tally SET runs = runs - 1 WHERE processor = OLD.processor;
END;
CREATE TRIGGER IF NOT EXISTS extra_runs_tally_insert AFTER INSERT ON extra_runs BEGIN
    INSERT INTO run_tally SELECT NEW.processor, 0
        WHERE NOT EXISTS (SELECT 1 FROM run_tally WHERE processor = NEW.processor);
    UPDATE run_tally SET runs = runs + 1 WHERE processor = NEW.processor;
END;
CREATE TRIGGER IF NOT EXISTS extra_runs_tally_delete AFTER DELETE ON extra_runs BEGIN
    UPDATE run_tally SET runs = runs - 1 WHERE processor = OLD.processor;
END;
"""

_RECOUNT = """
BEGIN IMMEDIATE;
DELETE FROM row_tally;
INSERT INTO row_tally SELECT
    1,
    COUNT(*),
    COALESCE(SUM(attempt > 0), 0),
    COALESCE(SUM(status IS NOT NULL), 0),
    COALESCE(SUM(status IS 'completed'), 0),
    COALESCE(SUM(status IS 'failed' OR status IS 'cancelled'), 0)
FROM rows;
DELETE FROM run_tally;
INSERT INTO run_tally SELECT processor, COUNT(*) FROM
    (SELECT processor FROM attempts UNION ALL SELECT processor FROM extra_runs)
GROUP BY processor;
COMMIT;
"""
"""The tallies counted again from the tables, each time a store is opened: a journal written
before they existed is counted right from then on."""


ROW_RECORD = "(SELECT record FROM row_records c WHERE c.pos = rows.pos)"
"""A row's record (NULL until its latest attempt finished), as a column of ``FROM rows``."""


REFRESH_STEPS = (
    (
        "restored",
        "INSERT INTO rows (key, line, input, attempt, status) "
        "SELECT key, line, input, attempt, status FROM dropped_rows "
        "WHERE key IN (SELECT key FROM incoming) ORDER BY line",
    ),
    (
        "restored_records",
        "INSERT INTO row_records (pos, record) SELECT r.pos, d.record FROM dropped_rows d "
        "JOIN rows r ON r.key = d.key WHERE d.key IN (SELECT key FROM incoming) "
        "AND d.record IS NOT NULL",
    ),
    ("unremoved", "DELETE FROM dropped_rows WHERE key IN (SELECT key FROM incoming)"),
    (
        "edited",
        "UPDATE rows SET redo = 'edited' WHERE attempt > 0 AND input != "
        "(SELECT i.input FROM incoming i WHERE i.key = rows.key)",
    ),
    (
        "changed",
        "UPDATE rows SET input = (SELECT i.input FROM incoming i WHERE i.key = rows.key), "
        "line = (SELECT i.line FROM incoming i WHERE i.key = rows.key) WHERE EXISTS "
        "(SELECT 1 FROM incoming i WHERE i.key = rows.key "
        "AND (i.input != rows.input OR i.line != rows.line))",
    ),
    (
        "new",
        "INSERT INTO rows (key, line, input) SELECT key, line, input FROM incoming "
        "WHERE key NOT IN (SELECT key FROM rows) ORDER BY line",
    ),
    (
        "aside",
        "INSERT OR REPLACE INTO dropped_rows (key, line, input, attempt, status, record) "
        f"SELECT key, line, input, attempt, status, {ROW_RECORD} FROM rows "
        "WHERE key NOT IN (SELECT key FROM incoming)",
    ),
    ("removed", "DELETE FROM rows WHERE key NOT IN (SELECT key FROM incoming)"),
)
"""A refresh, step by step (each step's row count is kept by its name)."""


_MOVE_RECORDS = """
INSERT OR REPLACE INTO row_records (pos, record)
    SELECT pos, record FROM rows WHERE record IS NOT NULL;
UPDATE rows SET record = NULL WHERE record IS NOT NULL;
"""


def upgrade(db: sqlite3.Connection, found: str) -> None:
    """Make a journal of format ``found`` (one of :data:`OLD_FORMATS`) one of :data:`FORMAT`, in
    one transaction: format 1's records moved out of its rows (the emptied column stays: old
    SQLite cannot drop one)."""
    moves = _MOVE_RECORDS if found == OLD_FORMATS[0] else ""
    marks = f"UPDATE meta SET value = '{FORMAT}' WHERE name = 'format';"
    db.executescript(f"BEGIN IMMEDIATE; {moves} {marks} COMMIT;")


_ADDED_COLUMNS = {
    "rows": ("redo TEXT", "line_at INTEGER", "line_len INTEGER"),
    "attempts": ("seconds REAL", "finished_at REAL", "record TEXT"),
}
"""Columns added since the format's first version: a journal written before them gets them
when it is opened (NULL in every existing row)."""


def add_columns(db: sqlite3.Connection) -> None:
    """Give the tables of an older journal the columns added since (see ``_ADDED_COLUMNS``)."""
    for table, columns in _ADDED_COLUMNS.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column.split()[0] not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


@attrs.frozen
class RowCounts:
    """How the job's rows stand."""

    rows: int
    submitted: int
    finished: int
    completed: int
    failed: int


@attrs.frozen
class StoredRow:
    """A row as stored: key, input line, value (JSON text), latest attempt, its status. Its
    record is read apart (:meth:`~.store.JobStore.rows_with_records`): few readers need it."""

    pos: int
    key: str
    line: int
    input: str
    attempt: int
    status: Optional[str]


@attrs.frozen
class AttemptFacts:
    """One run the job created for a row: its attempt, processor, final status (None while
    unfinished), how long it took (the run's modified_at - created_at) and when it finished
    (epoch seconds); None where unknown."""

    key: str
    attempt: int
    processor: str
    status: Optional[str]
    seconds: Optional[float]
    finished_at: Optional[float]


@attrs.frozen
class RefreshCounts:
    """What a refresh changed in the job's rows."""

    new: int
    """Rows the job did not have (or had removed, and then had never run)."""
    edited: int
    """Rows run before whose input changed: each gets a run."""
    removed: int
    """Rows gone from the input: out of the results file, kept in the journal."""
    restored: int
    """Rows removed by an earlier refresh, back in the input (their results come back)."""
