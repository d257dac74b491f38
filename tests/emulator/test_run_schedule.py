"""The emulator's run times: within each processor's documented latency range."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from taskgroup_emulator.schedule import DOCUMENTED_SECONDS, run_times

# docs getting-started/pricing.md (../shared/reference/API-NOTES.md, "Prices")
DOCUMENTED = {
    "lite": (10, 60),
    "lite-fast": (10, 20),
    "base": (15, 100),
    "base-fast": (15, 50),
    "core": (60, 300),
    "core-fast": (15, 100),
    "pro": (120, 600),
    "pro-fast": (30, 300),
    "ultra8x": (300, 7200),
    "ultra8x-fast": (60, 3600),
}


@given(run_id=st.text(min_size=1), processor=st.sampled_from(sorted(DOCUMENTED)))
def test_a_run_takes_a_time_within_its_processors_documented_range(
    run_id: str, processor: str
) -> None:
    start, finish = run_times(run_id, processor, 1000.0, 1.0)
    lowest, highest = DOCUMENTED[processor]
    assert lowest <= finish - 1000.0 <= highest
    assert 1000.0 < start < finish


def test_every_tier_has_a_documented_range_for_both_variants() -> None:
    for standard, fast in DOCUMENTED_SECONDS.values():
        assert standard[0] < standard[1] and fast[0] < fast[1] and fast[1] <= standard[1]


def test_the_time_scale_scales_the_whole_run() -> None:
    start, finish = run_times("trun_x", "lite", 0.0, 1.0)
    scaled = run_times("trun_x", "lite", 0.0, 0.01)
    assert scaled == (start * 0.01, finish * 0.01)
