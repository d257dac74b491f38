"""JobQuote: what a job will cost and take, before anything is sent."""

from __future__ import annotations

import attrs

from .ingest import Ingested, Problem
from .options import JobOptions

__all__ = ["RATE_LIMIT_PER_MINUTE", "JobQuote", "make_quote"]

RATE_LIMIT_PER_MINUTE = 2000
"""The documented limit, for the quote's shortest submission time."""


@attrs.frozen
class JobQuote:
    """What a job will cost and take, before anything is sent."""

    rows: int
    to_submit: int
    """Runs this session would create."""
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
    runs (the stricter reading of the documentation)."""
    price_source: str
    problems: tuple[Problem, ...] = ()
    problem_count: int = 0

    @property
    def accepted(self) -> bool:
        """Whether every row would be accepted."""
        return self.problem_count == 0


def make_quote(
    options: JobOptions, *, rows: int, to_submit: int, spent: float, found: Ingested
) -> JobQuote:
    """The quote of a job of ``rows`` rows that would create ``to_submit`` runs now."""
    processor = options.retry_processor or options.processor
    price = options.prices.per_run(processor)
    posts = -(-to_submit // 1000)
    return JobQuote(
        rows=rows,
        to_submit=to_submit,
        processor=processor,
        price_per_run=price,
        cost_usd=round(to_submit * price, 6),
        spent_usd=round(spent, 6),
        posts=posts,
        min_submit_seconds=max(0.0, (to_submit - RATE_LIMIT_PER_MINUTE) / RATE_LIMIT_PER_MINUTE)
        * 60.0,
        price_source=options.prices.source,
        problems=found.problems,
        problem_count=found.problem_count,
    )
