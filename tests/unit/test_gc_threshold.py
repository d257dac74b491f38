"""While a job runs, the cyclic GC's first threshold is raised; the caller's comes back after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from parallel_taskgroup.jobs.gc_threshold import JOB_THRESHOLD, fewer_collections


@pytest.fixture(autouse=True)
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_a_job_raises_the_first_threshold_and_restores_the_caller_s() -> None:
    with fewer_collections():
        assert gc.get_threshold() == (JOB_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_the_caller_s_thresholds_come_back_when_the_last_of_overlapping_jobs_ends() -> None:
    first, second = fewer_collections(), fewer_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == JOB_THRESHOLD  # the second job still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_of_the_caller_is_never_lowered() -> None:
    gc.set_threshold(50_000, 20, 30)
    with fewer_collections():
        assert gc.get_threshold() == (50_000, 20, 30)
    assert gc.get_threshold() == (50_000, 20, 30)


def test_a_job_that_raises_still_restores_the_caller_s_thresholds() -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the job failed")
    assert gc.get_threshold() == (700, 10, 10)
