"""The tables of a job's SQLite store (:mod:`.store`): the format it is marked with, its
schema, and the rows read from it (:class:`StoredRow`, :class:`RowCounts`)."""

from __future__ import annotations

from typing import Optional

import attrs

FORMAT = "parallel-taskgroup-job/1"

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
    record TEXT
);
CREATE INDEX IF NOT EXISTS rows_to_submit ON rows (attempt, pos);
CREATE INDEX IF NOT EXISTS rows_progress ON rows (status, attempt);
CREATE TABLE IF NOT EXISTS attempts (
    key TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    processor TEXT NOT NULL,
    run_id TEXT NOT NULL,
    status TEXT,
    error TEXT,
    PRIMARY KEY (key, attempt)
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
"""


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
    """A row as stored: key, input line, value (JSON text), latest attempt, its status."""

    pos: int
    key: str
    line: int
    input: str
    attempt: int
    status: Optional[str]
    record: Optional[str]
