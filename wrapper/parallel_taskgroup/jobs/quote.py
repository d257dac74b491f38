"""JobQuote: what a job will cost and take, before anything is sent."""

from __future__ import annotations

from typing import Optional

import attrs

from .ingest import Ingested, Problem
from .options import JobOptions
from .store import JobStore

__all__ = ["BATCH", "RATE_LIMIT_PER_MINUTE", "JobQuote", "quote_for"]

RATE_LIMIT_PER_MINUTE = 2000
"""The documented limit, for the quote's shortest submission time."""
BATCH = 1000
"""Inputs per add-runs POST (the documented maximum)."""


@attrs.frozen
class JobQuote:
    """What a job will cost and take, before anything is sent: what this command would send
    now, given what the job has done already."""

    rows: int
    to_submit: int
    """Runs this session would create: ``new``, ``retried``, ``edited``, ``stale`` and
    ``weak`` (a row counted once)."""
    processor: str
    price_per_run: float
    cost_usd: float
    """``to_submit`` runs at ``price_per_run``."""
    spent_usd: float
    """What runs the job created earlier cost."""
    posts: int
    """add-runs POSTs needed."""
    min_submit_seconds: float
    """The shortest submission time the documented limit (2,000 per minute) allows, counting
    runs (the stricter reading of the documentation), and the job's own caps
    (``rate_per_minute``, ``requests_per_minute``)."""
    price_source: str
    problems: tuple[Problem, ...] = ()
    problem_count: int = 0
    new: int = 0
    """Rows never submitted."""
    retried: int = 0
    """Rows whose latest run failed that ``retry="failed"`` would run again."""
    edited: int = 0
    """Rows run before whose input a refresh found changed."""
    stale: int = 0
    """Rows whose result is older than ``refresh_older_than``."""
    weak: int = 0
    """Rows whose latest answer is weak by the ``retry="low-confidence"`` rule."""
    removed: int = 0
    """Rows a refresh found gone from the input (their lines leave the results file)."""
    unfinished: int = 0
    """Rows submitted whose run has not finished (collected at no cost)."""
    rejected: int = 0
    """Bad rows left out (``skip_invalid``) rather than refusing the job."""
    within_budget: Optional[int] = None
    """With ``max_cost``: how many of ``to_submit`` runs fit in it (batches of up to 1,000 go
    whole or not at all); None without a budget."""
    min_submit_seconds_by_requests: float = 0.0
    """:attr:`min_submit_seconds` under the current docs' reading, where the documented limit
    counts POSTs; the job's own caps count as they do there."""

    @property
    def accepted(self) -> bool:
        """Whether every row would be accepted."""
        return self.problem_count == 0

    @property
    def stops_at_budget(self) -> bool:
        """Whether ``max_cost`` would stop the job before every run is created."""
        return self.within_budget is not None and self.within_budget < self.to_submit


def quote_for(
    options: JobOptions,
    store: JobStore,
    *,
    spent: float,
    found: Ingested,
    removed: int = 0,
) -> JobQuote:
    """The quote of the job in ``store``, having spent ``spent``: the runs its next session
    creates, new rows first, then each attempt level of rows to run again."""
    counts = store.counts()
    price = options.prices.per_run(options.processor)
    levels = store.level_sizes()
    again = store.redo_counts()
    to_submit = sum(levels)
    posts = sum(-(-n // BATCH) for n in levels)
    return JobQuote(
        rows=counts.rows,
        to_submit=to_submit,
        processor=options.processor,
        price_per_run=price,
        cost_usd=round(to_submit * price, 6),
        spent_usd=round(spent, 6),
        posts=posts,
        min_submit_seconds=max(
            _paced_seconds(to_submit, RATE_LIMIT_PER_MINUTE),
            _paced_seconds(to_submit, options.rate_per_minute),
            _paced_seconds(posts, options.requests_per_minute),
        ),
        price_source=options.prices.source,
        problems=found.problems,
        problem_count=0 if options.skip_invalid else found.problem_count,
        rejected=found.problem_count if options.skip_invalid else 0,
        new=levels[0],
        retried=again.get("failed", 0),
        edited=again.get("edited", 0),
        stale=again.get("stale", 0),
        weak=again.get("low-confidence", 0),
        removed=removed,
        unfinished=counts.submitted - counts.finished,
        within_budget=_within(options.max_cost, spent, price, tuple(levels)),
        min_submit_seconds_by_requests=max(
            _paced_seconds(posts, RATE_LIMIT_PER_MINUTE),
            _paced_seconds(to_submit, options.rate_per_minute),
            _paced_seconds(posts, options.requests_per_minute),
        ),
    )


def _within(
    max_cost: Optional[float], spent: float, price: float, levels: tuple[int, ...]
) -> Optional[int]:
    """How many runs go before ``max_cost`` stops the job: each level's rows in batches of up
    to BATCH, each sent whole only if the spend stays within the cap."""
    if max_cost is None:
        return None
    sent, total = 0, spent
    for rows in levels:
        for size in [BATCH] * (rows // BATCH) + ([rows % BATCH] if rows % BATCH else []):
            if total + size * price > max_cost + 1e-9:
                return sent
            total += size * price
            sent += size
    return sent


def _paced_seconds(count: int, per_minute: Optional[int]) -> float:
    """The shortest time ``count`` sends take under a cap of ``per_minute`` (None: no cap) per
    rolling minute: the first minute's worth at once, the rest at the cap."""
    if not per_minute:
        return 0.0
    return max(0.0, (count - per_minute) / per_minute) * 60.0
