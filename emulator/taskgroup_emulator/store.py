"""Durable state in SQLite (WAL): groups, runs and the ordered events table.

One connection, used only from the server's event loop thread, so every method runs
to completion without interleaving. Run transitions are driven by `advance`, which
moves runs along their stored schedule and appends the resulting events in order.
Runs and events share one sequence: microseconds since the epoch, kept strictly
increasing (and above every stored value, so across restarts too). These numbers are
the event ids and cursors; `wire.Wire` renders them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from .config import EmulatorConfig
from .ids import new_group_id, new_ref_id, new_run_id, rfc3339
from .outputs import build_output
from .schedule import failure_reason, run_times

_SCHEMA = """
CREATE TABLE IF NOT EXISTS groups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    metadata TEXT,
    created_at REAL NOT NULL,
    modified_at REAL NOT NULL,
    n_runs INTEGER NOT NULL DEFAULT 0,
    n_queued INTEGER NOT NULL DEFAULT 0,
    n_running INTEGER NOT NULL DEFAULT 0,
    n_completed INTEGER NOT NULL DEFAULT 0,
    n_failed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_seq INTEGER,
    group_id TEXT,
    status TEXT NOT NULL,
    processor TEXT NOT NULL,
    metadata TEXT,
    input_json TEXT NOT NULL,
    created_at REAL NOT NULL,
    start_at REAL NOT NULL,
    finish_at REAL NOT NULL,
    final_status TEXT NOT NULL,
    error_json TEXT,
    output_json TEXT,
    run_json TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_group ON runs (group_seq, seq);
CREATE INDEX IF NOT EXISTS runs_to_start ON runs (start_at) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS runs_to_finish ON runs (finish_at) WHERE status = 'running';
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    group_seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    run_seq INTEGER,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_group ON events (group_seq, seq);
CREATE TABLE IF NOT EXISTS account (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    runs_spent INTEGER NOT NULL
);
"""

ACTIVE = ("queued", "running")


class Group(NamedTuple):
    """One row of the groups table."""

    seq: int
    id: str
    metadata: Optional[str]
    created_at: float
    modified_at: float
    n_runs: int
    n_queued: int
    n_running: int
    n_completed: int
    n_failed: int

    @property
    def is_active(self) -> bool:
        return self.n_queued + self.n_running > 0


class Run(NamedTuple):
    """One row of the runs table (the columns a response needs)."""

    seq: int
    id: str
    group_id: Optional[str]
    status: str
    processor: str
    metadata: Optional[str]
    created_at: float
    start_at: float
    finish_at: float
    error_json: Optional[str]
    run_json: Optional[str]
    input_json: str
    output_json: Optional[str]


_RUN_COLUMNS = (
    "seq, id, group_id, status, processor, metadata, created_at, start_at, finish_at, "
    "error_json, run_json, input_json, output_json"
)
_GROUP_COLUMNS = (
    "seq, id, metadata, created_at, modified_at, n_runs, n_queued, n_running, n_completed, n_failed"
)


# One encoder for every call: json.dumps builds a new one per call when given options.
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def run_json(run: Run) -> str:
    """The TaskRun object of a run, as JSON text (stored once the run has finished)."""
    if run.run_json is not None:
        return run.run_json
    modified = run.start_at if run.status == "running" else run.created_at
    return _run_json_text(
        run.id,
        run.group_id,
        run.status,
        run.processor,
        run.metadata,
        run.created_at,
        modified,
        None,
    )


def _run_json_text(
    run_id: str,
    group_id: Optional[str],
    status: str,
    processor: str,
    metadata: Optional[str],
    created: float,
    modified: float,
    error_json: Optional[str],
) -> str:
    parts = [
        '{"run_id":"',
        run_id,
        '","interaction_id":"',
        run_id,
        '","status":"',
        status,
        '","is_active":',
        "true" if status in ACTIVE else "false",
        ',"processor":',
        _dumps(processor),
        ',"metadata":',
        metadata if metadata is not None else "null",
        ',"taskgroup_id":',
        _dumps(group_id),
        ',"created_at":"',
        rfc3339(created),
        '","modified_at":"',
        rfc3339(modified),
        '"',
    ]
    if error_json is not None:
        parts += [',"error":', error_json]
    parts.append("}")
    return "".join(parts)


def group_status(group: Group) -> Dict[str, Any]:
    """The TaskGroupStatus object of a group."""
    counts = {
        name: count
        for name, count in (
            ("queued", group.n_queued),
            ("running", group.n_running),
            ("completed", group.n_completed),
            ("failed", group.n_failed),
        )
        if count
    }
    done = group.n_completed + group.n_failed
    return {
        "num_task_runs": group.n_runs,
        "task_run_status_counts": counts,
        "is_active": group.is_active,
        "status_message": f"{done} of {group.n_runs} runs finished",
        "modified_at": rfc3339(group.modified_at),
    }


def group_response(group: Group) -> Dict[str, Any]:
    """The TaskGroupResponse object of a group."""
    return {
        "taskgroup_id": group.id,
        "metadata": json.loads(group.metadata) if group.metadata is not None else None,
        "status": group_status(group),
        "created_at": rfc3339(group.created_at),
    }


class AddedRuns(NamedTuple):
    """What an add-runs call created: ids, first run and status-event sequence numbers."""

    run_ids: List[str]
    first_run_seq: int
    status_event_seq: int
    group: Group


# (seq, type, payload, run id, run error, run input, run output, run status)
EventRow = Tuple[
    int, str, str, Optional[str], Optional[str], Optional[str], Optional[str], Optional[str]
]


class Store:
    """All persistent state of one emulator."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.conn = sqlite3.connect(config.db_path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        # Checkpoints run from the clock task (`checkpoint`), not inside a request's commit.
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self.conn.executescript(_SCHEMA)
        self._last_seq = max(
            self.conn.execute("SELECT MAX(seq) FROM runs").fetchone()[0] or 0,
            self.conn.execute("SELECT MAX(seq) FROM events").fetchone()[0] or 0,
        )
        # Every run ever created spent one unit of credit (a database from before this
        # table existed starts from its run count).
        self.conn.execute(
            "INSERT OR IGNORE INTO account (id, runs_spent) SELECT 1, COUNT(*) FROM runs"
        )
        self.runs_spent: int = self.conn.execute(
            "SELECT runs_spent FROM account WHERE id = 1"
        ).fetchone()[0]

    def _next_seqs(self, count: int) -> int:
        """The first of `count` fresh sequence numbers: a microsecond stamp above all issued."""
        first = max(int(time.time() * 1_000_000), self._last_seq + 1)
        self._last_seq = first + count - 1
        return first

    def close(self) -> None:
        """Checkpoint and close the database."""
        self.checkpoint()
        self.conn.close()

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file (readers are not blocked)."""
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    # -- groups -------------------------------------------------------------------------

    def create_group(self, metadata: Optional[Dict[str, Any]]) -> Group:
        """Create an empty group (announced by a status event only on the legacy wire)."""
        now = time.time()
        meta = _dumps(metadata) if metadata is not None else None
        gid = new_group_id()
        with self._transaction():
            cur = self.conn.execute(
                "INSERT INTO groups (id, metadata, created_at, modified_at) VALUES (?, ?, ?, ?)",
                (gid, meta, now, now),
            )
            group = Group(int(cur.lastrowid or 0), gid, meta, now, now, 0, 0, 0, 0, 0)
            if self.config.legacy_wire:
                self._status_event(group)
        return group

    def get_group(self, group_id: str) -> Optional[Group]:
        """The group with this id, or None."""
        row = self.conn.execute(
            f"SELECT {_GROUP_COLUMNS} FROM groups WHERE id = ?", (group_id,)
        ).fetchone()
        return Group(*row) if row else None

    def _group_by_seq(self, seq: int) -> Group:
        row = self.conn.execute(
            f"SELECT {_GROUP_COLUMNS} FROM groups WHERE seq = ?", (seq,)
        ).fetchone()
        return Group(*row)

    def _status_event(self, group: Group) -> int:
        seq = self._next_seqs(1)
        self.conn.execute(
            "INSERT INTO events (seq, group_seq, type, payload) "
            "VALUES (?, ?, 'task_group_status', ?)",
            (seq, group.seq, _dumps(group_status(group))),
        )
        return seq

    # -- runs ---------------------------------------------------------------------------

    def _run_rows(
        self,
        inputs: Sequence[Dict[str, Any]],
        default_spec: Any,
        group: Optional[Group],
        now: float,
    ) -> Tuple[List[Tuple[Any, ...]], List[str]]:
        cfg = self.config
        rows: List[Tuple[Any, ...]] = []
        ids: List[str] = []
        for item in inputs:
            rid = new_run_id()
            stored = item
            if item.get("task_spec") is None and default_spec is not None:
                stored = dict(item)
                stored["task_spec"] = default_spec
            processor = item["processor"]
            start, finish = run_times(rid, processor, now, cfg.time_scale)
            reason = failure_reason(item["input"], cfg.failure_rate, cfg.failure_seed)
            error = _dumps({"ref_id": new_ref_id(), "message": reason}) if reason else None
            metadata = item.get("metadata")
            rows.append(
                (
                    rid,
                    group.seq if group else None,
                    group.id if group else None,
                    processor,
                    _dumps(metadata) if metadata is not None else None,
                    _dumps(stored),
                    now,
                    start,
                    finish,
                    "failed" if reason else "completed",
                    error,
                )
            )
            ids.append(rid)
        return rows, ids

    def _insert_runs(self, rows: List[Tuple[Any, ...]]) -> int:
        """Insert with consecutive sequence numbers and spend their credit; returns the first.

        Call inside a transaction, and `_spent` once it has committed.
        """
        first = self._next_seqs(len(rows))
        self.conn.executemany(
            "INSERT INTO runs (seq, id, group_seq, group_id, status, processor, metadata, "
            "input_json, created_at, start_at, finish_at, final_status, error_json) "
            "VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)",
            [(first + i, *row) for i, row in enumerate(rows)],
        )
        self.conn.execute("UPDATE account SET runs_spent = runs_spent + ?", (len(rows),))
        return first

    def _spent(self, runs: int) -> None:
        self.runs_spent += runs

    def add_runs(
        self, group: Group, inputs: Sequence[Dict[str, Any]], default_spec: Any
    ) -> AddedRuns:
        """Create runs and the status event announcing them, in one transaction."""
        now = time.time()
        rows, ids = self._run_rows(inputs, default_spec, group, now)
        with self._transaction():
            first = self._insert_runs(rows) if rows else self._last_seq + 1
            n = len(rows)
            self.conn.execute(
                "UPDATE groups SET n_runs = n_runs + ?, n_queued = n_queued + ?, modified_at = ? "
                "WHERE seq = ?",
                (n, n, now, group.seq),
            )
            updated = self._group_by_seq(group.seq)
            event_seq = self._status_event(updated)
        self._spent(len(rows))
        return AddedRuns(ids, first, event_seq, updated)

    def create_run(self, item: Dict[str, Any]) -> Run:
        """Create one run outside any group."""
        now = time.time()
        rows, ids = self._run_rows([item], None, None, now)
        with self._transaction():
            self._insert_runs(rows)
        self._spent(1)
        run = self.get_run(ids[0])
        assert run is not None
        return run

    def get_run(self, run_id: str) -> Optional[Run]:
        """The run with this id, or None."""
        row = self.conn.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        return Run(*row) if row else None

    def output_json(self, run: Run) -> Optional[str]:
        """The stored output of a completed run."""
        return run.output_json if run.status == "completed" else None

    # -- streams ------------------------------------------------------------------------

    def last_run_seq(self, group: Group) -> int:
        """The sequence number of the group's newest run (0 when empty)."""
        row = self.conn.execute(
            "SELECT MAX(seq) FROM runs WHERE group_seq = ?", (group.seq,)
        ).fetchone()
        return int(row[0] or 0)

    def run_page(
        self, group: Group, after: int, upto: int, status: Optional[str], limit: int
    ) -> Tuple[List[Run], int]:
        """The group's runs with after < seq <= upto, oldest first; returns (runs, last seq)."""
        sql = f"SELECT {_RUN_COLUMNS} FROM runs WHERE group_seq = ? AND seq > ? AND seq <= ?"
        args: List[Any] = [group.seq, after, upto]
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        sql += " ORDER BY seq LIMIT ?"
        args.append(limit)
        runs = [Run(*row) for row in self.conn.execute(sql, args).fetchall()]
        last = upto if len(runs) < limit else runs[-1].seq
        return runs, last

    def event_page(
        self, group: Group, after: int, limit: int, with_input: bool, with_output: bool
    ) -> List[EventRow]:
        """The group's events after `after`, oldest first (with run input/output if asked)."""
        io = ("r.input_json" if with_input else "NULL") + ", "
        io += "r.output_json" if with_output else "NULL"
        rows: List[EventRow] = self.conn.execute(
            f"SELECT e.seq, e.type, e.payload, r.id, r.error_json, {io}, r.status "
            "FROM events e LEFT JOIN runs r ON r.seq = e.run_seq "
            "WHERE e.group_seq = ? AND e.seq > ? ORDER BY e.seq LIMIT ?",
            (group.seq, after, limit),
        ).fetchall()
        return rows

    # -- the clock ----------------------------------------------------------------------

    def advance(self, now: float, batch: int = 1000) -> int:
        """Move due runs along their schedule and record events; returns runs touched."""
        touched: Dict[int, List[int]] = {}  # group seq -> [queued, running, completed, failed]
        with self._transaction():
            started = self.conn.execute(
                "SELECT seq, group_seq FROM runs WHERE status = 'queued' AND start_at <= ? "
                "ORDER BY start_at LIMIT ?",
                (now, batch),
            ).fetchall()
            if started:
                self.conn.executemany(
                    "UPDATE runs SET status = 'running' WHERE seq = ?", [(s,) for s, _ in started]
                )
                for _, gseq in started:
                    if gseq is not None:
                        delta = touched.setdefault(gseq, [0, 0, 0, 0])
                        delta[0] -= 1
                        delta[1] += 1
            finished = self.conn.execute(
                "SELECT seq, id, group_seq, group_id, processor, metadata, input_json, created_at, "
                "finish_at, final_status, error_json FROM runs "
                "WHERE status = 'running' AND finish_at <= ? ORDER BY finish_at, seq LIMIT ?",
                (now, batch),
            ).fetchall()
            updates: List[Tuple[Any, ...]] = []
            events: List[Tuple[Any, ...]] = []
            for (
                seq,
                rid,
                gseq,
                gid,
                proc,
                meta,
                input_json,
                created,
                finish,
                final,
                err,
            ) in finished:
                output = None
                if final == "completed":
                    stored = json.loads(input_json)
                    output = _dumps(
                        build_output(stored.get("input"), stored.get("task_spec"), proc)
                    )
                text = _run_json_text(rid, gid, final, proc, meta, created, finish, err)
                updates.append((final, output, text, seq))
                if gseq is not None:
                    events.append((gseq, seq, text))
                    delta = touched.setdefault(gseq, [0, 0, 0, 0])
                    delta[1] -= 1
                    delta[2 if final == "completed" else 3] += 1
            if updates:
                self.conn.executemany(
                    "UPDATE runs SET status = ?, output_json = ?, run_json = ? WHERE seq = ?",
                    updates,
                )
            if events:
                first = self._next_seqs(len(events))
                self.conn.executemany(
                    "INSERT INTO events (seq, group_seq, type, run_seq, payload) "
                    "VALUES (?, ?, 'task_run.state', ?, ?)",
                    [(first + i, *event) for i, event in enumerate(events)],
                )
            for gseq, (dq, dr, dc, df) in touched.items():
                self.conn.execute(
                    "UPDATE groups SET n_queued = n_queued + ?, n_running = n_running + ?, "
                    "n_completed = n_completed + ?, n_failed = n_failed + ?, modified_at = ? "
                    "WHERE seq = ?",
                    (dq, dr, dc, df, now, gseq),
                )
                self._status_event(self._group_by_seq(gseq))
        return len(started) + len(finished)

    def next_due(self) -> Optional[float]:
        """The earliest scheduled transition still pending, or None."""
        a = self.conn.execute("SELECT MIN(start_at) FROM runs WHERE status = 'queued'").fetchone()[
            0
        ]
        b = self.conn.execute(
            "SELECT MIN(finish_at) FROM runs WHERE status = 'running'"
        ).fetchone()[0]
        due = [t for t in (a, b) if t is not None]
        return min(due) if due else None

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error so nothing is half-written."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
