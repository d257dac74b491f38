"""Rows marked for another run before a session sends: results older than
``refresh_older_than``, answers weak by the ``retry="low-confidence"`` rule, and with
``retry="failed"`` rows whose latest run failed.

A mark is kept in the journal until the row's next run is created, so an interrupted session's
marks are sent by the next one, once. A row whose latest answer came from the processor it
would be escalated to is not marked again: a rerun of the same command, however often, creates
at most one run per row for it. Failed rows are marked only when none marked earlier waits:
a rerun finishes the retry a stop cut short (a budget, Ctrl-C) without retrying again the rows
whose retry failed in the meantime; the command run once more after that retries those.
"""

from __future__ import annotations

import attrs

from .._words import plural
from .options import JobOptions
from .progress import JobListener
from .record_text import load_record
from .store import JobStore
from .store_db import _CHUNK

__all__ = ["Revisits", "mark_revisits"]


@attrs.frozen
class Revisits:
    """What marking found this time (rows marked earlier and still to run are not counted)."""

    stale: int = 0
    unknown_age: int = 0
    """Results recorded before the journal kept when they finished: not counted as stale."""
    weak: int = 0
    failed: int = 0


def mark_revisits(
    store: JobStore, options: JobOptions, *, now: float, listener: JobListener
) -> Revisits:
    """Mark the rows ``options`` asks to run again (``now``: epoch seconds) and say so."""
    stale = unknown = weak = 0
    if options.refresh_older_than is not None:
        stale, unknown = store.mark_stale(now - options.refresh_older_than)
        if unknown:
            listener.message(
                f"{plural(unknown, 'result')} of unknown age (recorded by an older version) "
                "kept: not counted as stale"
            )
    failed = 0
    if options.retry_failed:
        waiting = store.redo_counts().get("failed", 0)
        if waiting:
            listener.message(
                f"finishing the retry of failed rows a stop cut short: {plural(waiting, 'row')} "
                "still to run again"
            )
        else:
            failed = store.mark_failed()
    rule = options.weak
    if rule is not None:
        keys: list[str] = []
        for key, record in store.answers(not_by=options.processor):
            if rule.weak(load_record(record).get("basis")):
                keys.append(key)
                if len(keys) >= _CHUNK:
                    store.mark_redo(keys, "low-confidence")
                    weak += len(keys)
                    keys = []
        if keys:
            store.mark_redo(keys, "low-confidence")
            weak += len(keys)
        waiting = store.redo_counts().get("low-confidence", 0)
        if not waiting:
            listener.message(
                f"no row's latest answer is weak by the rule ({rule}), leaving out answers "
                f"of {options.processor} itself: nothing to run again"
            )
        else:
            listener.message(
                f"{plural(waiting, 'row')} with a weak answer ({rule}) to run again on "
                f"{options.processor}"
            )
    return Revisits(stale=stale, unknown_age=unknown, weak=weak, failed=failed)
