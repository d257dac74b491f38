"""A job summary's durations (:class:`DurationTally`): the median and nearest-rank p90 of any
durations are those of the sorted list, found without sorting them all."""

from __future__ import annotations

import math
import random
import statistics

from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup.jobs.summary_tally import HISTOGRAM_BINS, DurationTally

durations = st.lists(
    st.one_of(
        st.floats(min_value=0, max_value=1e6, allow_nan=False),
        st.sampled_from([0.0, 1.0, 5.0, 5.000001]),  # ties, and near neighbours
    ),
    min_size=1,
    max_size=300,
)


@given(durations)
def test_median_p90_and_max_are_those_of_the_sorted_durations(seconds: list[float]) -> None:
    tally = DurationTally()
    for value in seconds:
        tally.add("lite", value)
    (found,) = tally.durations()
    ordered = sorted(seconds)
    assert found.runs == len(seconds)
    assert found.median == statistics.median(ordered)
    assert found.p90 == ordered[math.ceil(0.9 * len(ordered)) - 1]
    assert found.max == ordered[-1]
    assert sum(found.histogram) == len(seconds) and len(found.histogram) == HISTOGRAM_BINS


def test_a_processor_with_only_unknown_durations_has_no_figures() -> None:
    tally = DurationTally()
    tally.add("lite", None)
    (found,) = tally.durations()
    assert (found.runs, found.median, found.p90, found.max, found.unknown) == (
        0,
        None,
        None,
        None,
        1,
    )


def test_durations_beyond_one_sorted_run_are_merged_in_order() -> None:
    rng = random.Random(22)
    seconds = [round(rng.uniform(5, 15), 3) for _ in range(150_000)]  # ties among them
    tally = DurationTally()
    for value in seconds:
        tally.add("lite", value)
    (found,) = tally.durations()
    ordered = sorted(seconds)
    assert found.median == statistics.median(ordered)
    assert found.p90 == ordered[math.ceil(0.9 * len(ordered)) - 1]
