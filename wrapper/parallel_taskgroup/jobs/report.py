"""JobReport: how a job's session ended."""

from __future__ import annotations

from typing import Optional

import attrs

from .quote import JobQuote

__all__ = ["JobReport"]


@attrs.frozen
class JobReport:
    """How a job's session ended. ``stopped_by`` is None when every row has its result.

    ``duplicate_rows`` counts rows the group holds more than one run of (``extra_runs`` in
    all, listed by key in ``duplicates``): each was billed, and ``spent_usd`` counts them. The
    client never sends a row twice; they come from elsewhere (another process on the same
    group, or a request that reached the service after it was given up)."""

    group_id: Optional[str]
    out: str
    rows: int
    completed: int
    failed: int
    not_submitted: int
    unfinished: int
    spent_usd: float
    quote: JobQuote
    stopped_by: Optional[str] = None
    duplicate_rows: int = 0
    extra_runs: int = 0
    duplicates: tuple[tuple[str, str], ...] = ()
    """(row key, extra run id) of every extra run found."""

    @property
    def all_completed(self) -> bool:
        """Whether every row's run completed."""
        return self.completed == self.rows
