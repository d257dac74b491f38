"""The job's submission journal in its store: the add-runs batches in flight and what they
created, stored as the rows' attempts (:class:`BatchJournal`, which :class:`~.store.JobStore`
builds on), and :class:`AttemptJournal`, the
:class:`~parallel_taskgroup.SubmissionJournal` of one processor over it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ..submission.journal import PendingBatch
from ..submission.keys import split_identity
from .store_db import StoreDb

_KEEP_ANSWER = (
    "UPDATE attempts SET record = (SELECT c.record FROM rows r JOIN row_records c "
    "ON c.pos = r.pos WHERE r.key = attempts.key) "
    "WHERE key = ? AND attempt = (SELECT attempt FROM rows WHERE key = ?) AND attempt < ? "
    "AND record IS NULL"
)
"""Params (key, key, new attempt): a row's answer, kept with its attempt before a newer attempt
replaces it in the row (the line keeps earlier answers in ``attempts``)."""
_NEXT_ATTEMPT = (
    "UPDATE rows SET attempt = ?, status = NULL, redo = NULL WHERE key = ? AND attempt < ?"
)
"""Params (attempt, key, attempt): the row's latest attempt is now a newer one (its record
goes with its status: the schema's ``rows_record_clear``)."""


class BatchJournal(StoreDb):
    """The ``pending_batch`` table of the job's store, and the attempts its batches created."""

    # -- the journal of add-runs batches -------------------------------------------------------

    def journal(self, processor: str) -> AttemptJournal:
        """The submission journal of add-runs calls that create runs of ``processor``."""
        return AttemptJournal(self, processor)

    def open_batch(
        self, batch_id: str, identities: Sequence[str], sent_at: float, timeout: float
    ) -> None:
        self._write(
            [
                (
                    "INSERT OR REPLACE INTO pending_batch "
                    "(batch_id, seq, identities, sent_at, timeout) VALUES "
                    "(?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM pending_batch), ?, ?, ?)",
                    (batch_id, json.dumps(list(identities)), sent_at, timeout),
                )
            ]
        )

    def confirm(
        self, runs: Mapping[str, str], processor: str, batch_id: Optional[str] = None
    ) -> None:
        statements: list[tuple[str, Any]] = []
        if runs:
            parsed = [(*split_identity(i), run_id) for i, run_id in runs.items()]
            statements += [
                (
                    "INSERT OR REPLACE INTO attempts (key, attempt, processor, run_id) "
                    "VALUES (?, ?, ?, ?)",
                    [(k, a, processor, r) for k, a, r in parsed],
                ),
                # A first attempt has no earlier answer to keep.
                (_KEEP_ANSWER, [(k, k, a) for k, a, _ in parsed if a > 1]),
                (_NEXT_ATTEMPT, [(a, k, a) for k, a, _ in parsed]),
            ]
        if batch_id is not None:
            statements.append(("DELETE FROM pending_batch WHERE batch_id = ?", (batch_id,)))
        if statements:
            self._write(statements)

    def discard_batch(self, batch_id: str) -> None:
        self._write([("DELETE FROM pending_batch WHERE batch_id = ?", (batch_id,))])

    def pending_batches(self) -> list[PendingBatch]:
        found = self._query(
            "SELECT batch_id, identities, sent_at, timeout FROM pending_batch ORDER BY seq"
        )
        return [PendingBatch(str(b), list(json.loads(i)), s, float(t)) for b, i, s, t in found]

    def confirmed_among(self, identities: Sequence[str]) -> dict[str, str]:
        pairs = {split_identity(i): i for i in identities}
        known = self.run_ids_by_key(list({key for key, _ in pairs}))
        return {ident: known[pair] for pair, ident in pairs.items() if pair in known}

    def run_ids_by_key(self, keys: Sequence[str]) -> dict[tuple[str, int], str]:
        """(key, attempt) -> run id of every attempt of ``keys``, a few hundred keys a query."""
        sql = "SELECT key, attempt, run_id FROM attempts WHERE key IN ({marks})"
        return {(key, int(attempt)): run_id for key, attempt, run_id in self._query_keys(sql, keys)}


class AttemptJournal:
    """The :class:`~parallel_taskgroup.SubmissionJournal` of one job and processor: what add-runs
    created is stored as the rows' attempts (the group id is the job's own)."""

    def __init__(self, store: BatchJournal, processor: str) -> None:
        self._store = store
        self._processor = processor

    def open_batch(
        self,
        group_id: str,
        batch_id: str,
        keys: Sequence[str],
        *,
        sent_at: float,
        timeout: float,
    ) -> None:
        self._store.open_batch(batch_id, keys, sent_at, timeout)

    def confirm(
        self, group_id: str, runs: Mapping[str, str], *, batch_id: Optional[str] = None
    ) -> None:
        self._store.confirm(runs, self._processor, batch_id)

    def discard_batch(self, group_id: str, batch_id: str) -> None:
        self._store.discard_batch(batch_id)

    def pending_batches(self, group_id: str) -> list[PendingBatch]:
        return self._store.pending_batches()

    def confirmed_among(self, group_id: str, keys: Sequence[str]) -> dict[str, str]:
        return self._store.confirmed_among(keys)

    def close(self) -> None:
        """The store stays open: the job closes it."""
