"""SubmitReport: what one ``add_runs`` call did (returned, and carried by errors that stop it)."""

from __future__ import annotations

from typing import Optional

import attrs

__all__ = ["SubmitReport"]


@attrs.define
class SubmitReport:
    """What one ``add_runs`` call did.

    ``run_ids`` maps the row key of every row of this call whose run is known to exist (created
    now or before) to its run id. ``sent`` counts runs created by this call, ``skipped`` rows
    already in the group (journal or reconciliation) or skipped as duplicates, ``failed`` rows
    the server refused. Cursors are those of the first and last successful add-runs answers.
    ``duplicate_runs`` maps the key of a row the group holds more than one run of (another
    process, or a request that landed after it was given up) to the ids of its further runs:
    each was billed.
    """

    group_id: str
    rows: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    run_ids: dict[str, str] = attrs.field(factory=dict, repr=False)
    failed_keys: list[str] = attrs.field(factory=list, repr=False)
    duplicate_runs: dict[str, list[str]] = attrs.field(factory=dict, repr=False)
    requests: int = 0
    rate_limited: int = 0
    reconciliations: int = 0
    group_read: bool = False
    """Whether the group's runs were read first, to skip rows already in it."""
    first_run_cursor: Optional[str] = None
    last_run_cursor: Optional[str] = None
    first_event_cursor: Optional[str] = None
    last_event_cursor: Optional[str] = None
    elapsed: float = 0.0
    achieved_rate_per_minute: float = 0.0
