"""The run-creation rate limiter, on a fake clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import RateLimiter
from parallel_taskgroup._http import Clock


class FakeClock(Clock):
    def __init__(self) -> None:
        super().__init__()
        self.time = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.time += seconds


class OnClock:
    """A limiter used on one clock, as the submitter uses it."""

    def __init__(self, limiter: RateLimiter, clock: FakeClock) -> None:
        self.limiter = limiter
        self.clock = clock

    def acquire(self, n: int) -> float:
        return self.limiter.acquire(n, self.clock)

    def try_acquire(self, n: int) -> bool:
        return self.limiter.try_acquire(n, self.clock)

    def defer(self, seconds: float) -> None:
        self.limiter.defer(seconds, self.clock)


def limiter(clock: FakeClock, limit: int, period: float = 60.0, **kw: object) -> OnClock:
    return OnClock(RateLimiter(limit, period, **kw), clock)  # type: ignore[arg-type]


@given(
    limit=st.integers(min_value=1, max_value=50),
    period=st.floats(min_value=0.5, max_value=100.0),
    burst_fraction=st.floats(min_value=0.0, max_value=1.0),
    margin=st.sampled_from([0.0, 0.25]),
    steps=st.lists(
        st.tuples(st.integers(min_value=1, max_value=50), st.floats(min_value=0.0, max_value=30.0)),
        max_size=40,
    ),
)
def test_no_window_of_the_period_ever_holds_more_than_the_limit(
    limit: int, period: float, burst_fraction: float, margin: float, steps: list[tuple[int, float]]
) -> None:
    clock = FakeClock()
    lim = limiter(clock, limit, period, burst=int(limit * burst_fraction), margin=margin)
    admitted: list[tuple[float, int]] = []
    for n, idle in steps:
        clock.time += idle
        n = min(n, limit)
        lim.acquire(n)
        admitted.append((clock.time, n))
    for i, (start, _) in enumerate(admitted):
        in_window = sum(n for t, n in admitted[i:] if t < start + period)
        assert in_window <= limit


def test_a_batch_that_fits_is_admitted_without_waiting() -> None:
    clock = FakeClock()
    assert limiter(clock, 100).acquire(40) == 0.0
    assert clock.sleeps == []


def test_smoothing_spaces_batches_by_their_share_of_the_period() -> None:
    clock = FakeClock()
    lim = limiter(clock, 2000)
    lim.acquire(1000)
    assert lim.acquire(1000) == pytest.approx(30.0)


def test_full_burst_admits_the_whole_quota_at_once_then_waits_a_window() -> None:
    clock = FakeClock()
    lim = limiter(clock, 2000, burst=2000)
    assert lim.acquire(1000) == 0.0
    assert lim.acquire(1000) == 0.0
    assert lim.acquire(1) == pytest.approx(60.0)


def test_margin_widens_the_window() -> None:
    clock = FakeClock()
    lim = limiter(clock, 10, 60.0, burst=10, margin=0.5)
    lim.acquire(10)
    assert lim.acquire(1) == pytest.approx(60.5)


def test_defer_blocks_admissions_for_the_given_seconds() -> None:
    clock = FakeClock()
    lim = limiter(clock, 100, burst=100)
    lim.defer(7.0)
    assert lim.acquire(1) == pytest.approx(7.0)


def test_try_acquire_never_blocks() -> None:
    clock = FakeClock()
    lim = limiter(clock, 10, burst=10)
    assert lim.try_acquire(10)
    assert not lim.try_acquire(1)
    assert clock.sleeps == []


def test_a_batch_larger_than_the_limit_is_rejected_with_advice() -> None:
    with pytest.raises(ValueError, match="at most 100"):
        limiter(FakeClock(), 100).acquire(101)


@pytest.mark.parametrize("limit", [0, -5, 1.5, True])
def test_a_limit_that_is_not_a_positive_integer_is_rejected(limit: object) -> None:
    with pytest.raises(ValueError, match="limit"):
        RateLimiter(limit)  # type: ignore[arg-type]
