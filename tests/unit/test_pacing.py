"""The run-creation rate limiter, on a fake clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup.pacing import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds


def limiter(clock: FakeClock, limit: int, period: float = 60.0, **kw: object) -> RateLimiter:
    return RateLimiter(limit, period, clock=clock, sleep=clock.sleep, **kw)  # type: ignore[arg-type]


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
        clock.now += idle
        n = min(n, limit)
        lim.acquire(n)
        admitted.append((clock.now, n))
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
