"""Exactly-once submission against the real emulator over loopback HTTP, with faults on."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
from parallel_taskgroup import (
    ROW_KEY_FIELD,
    Client,
    SqliteJournal,
    SubmissionError,
    SubmitReport,
    TaskGroup,
)
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

UNLIMITED = 10_000_000
SUBMIT_TIMEOUT = 1.0
"""Short add-runs timeouts, so that settling a POST of unknown outcome takes 2 s."""


class Crash(BaseException):
    """The submitting process dies right after the server answered a POST."""


class CrashAfterPost(httpx.BaseTransport):
    """Real HTTP, but the process 'dies' once the ``crash_on``-th add-runs POST is committed."""

    def __init__(self, crash_on: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.crash_on = crash_on
        self.posts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/runs"):
            self.posts += 1
            if self.posts == self.crash_on:
                response.close()
                raise Crash()
        return response

    def close(self) -> None:
        self.inner.close()


class LoseResponses(httpx.BaseTransport):
    """Real HTTP, but every ``every``-th add-runs answer is lost after the server committed."""

    def __init__(self, every: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.every = every
        self.posts = 0
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/runs"):
            self.posts += 1
            if self.posts % self.every == 0:
                response.close()
                self.lost += 1
                raise httpx.ReadTimeout("answer lost", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def group_keys(group: TaskGroup) -> list[str]:
    keys = []
    for event in group.runs():
        metadata = getattr(getattr(event, "run", None), "metadata", None)
        if metadata is not None and ROW_KEY_FIELD in metadata:
            keys.append(str(metadata[ROW_KEY_FIELD]))
    return keys


def rows(n: int) -> Any:
    return ({"id": i, "question": f"What does company {i} do?"} for i in range(n))


def submit_with_faults(emu: EmulatorServer, n: int) -> tuple[SubmitReport, list[str]]:
    emu.set_faults(post_error_rate=0.25, post_error_phase="random", post_error_status=500, seed=7)
    batches = 0

    def chaos(report: SubmitReport) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            emu.set_faults(burst_429=3, burst_429_retry_after=1)
        if batches == n // 2000:
            emu.restart()

    with Client(
        api_key=emu.api_key, base_url=emu.base_url, submit_timeout=SUBMIT_TIMEOUT
    ) as client:
        group = client.create_group(processor="base")
        report = group.add_runs(
            rows(n),
            key="id",
            max_batch_inputs=500,
            rate_per_minute=UNLIMITED,
            on_progress=chaos,
        )
        emu.clear_faults()
        return report, group_keys(group)


def assert_exactly_once(report: SubmitReport, keys: list[str], n: int) -> None:
    assert len(keys) == n
    assert not [k for k, c in Counter(keys).items() if c > 1]
    assert set(keys) == {str(i) for i in range(n)}
    assert report.sent == n and len(report.run_ids) == n


def test_20000_rows_with_post_failures_429_bursts_and_a_restart_end_as_20000_distinct_runs(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    report, keys = submit_with_faults(emu, 20_000)
    assert_exactly_once(report, keys, 20_000)
    assert report.rate_limited == 3 and report.reconciliations >= 1


def test_a_crash_after_commit_is_resumed_from_the_journal_without_duplicates(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    journal = tmp_path / "submit.sqlite"
    http = httpx.Client(transport=CrashAfterPost(crash_on=3))
    with (
        http,
        Client(
            api_key=emu.api_key,
            base_url=emu.base_url,
            http_client=http,
            submit_timeout=SUBMIT_TIMEOUT,
        ) as client,
    ):
        group = client.create_group(processor="base")
        with pytest.raises(Crash):
            group.add_runs(
                rows(1000),
                key="id",
                max_batch_inputs=100,
                journal=journal,
                rate_per_minute=UNLIMITED,
            )
    with SqliteJournal(journal) as j:
        assert len(j.pending_batches(group.id)) == 1  # the third batch: created, not confirmed
    with Client(
        api_key=emu.api_key, base_url=emu.base_url, submit_timeout=SUBMIT_TIMEOUT
    ) as client:
        again = client.group(group.id, processor="base")
        report = again.add_runs(
            rows(1000),
            key="id",
            max_batch_inputs=100,
            journal=journal,
            rate_per_minute=UNLIMITED,
        )
        keys = group_keys(again)
    assert report.skipped == 300 and report.sent == 700
    assert sorted(keys, key=int) == [str(i) for i in range(1000)]


def test_a_server_down_mid_job_is_waited_out_and_nothing_is_duplicated(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    port = emu.port
    batches = 0
    timers: list[threading.Timer] = []

    def outage(report: SubmitReport) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            emu.stop()
            timers.append(threading.Timer(1.0, emu.start, kwargs={"port": port}))
            timers[0].start()

    try:
        # The outage is waited out for as long as give_up_after allows: the default four
        # jittered retries could all fall inside a slow restart.
        with Client(
            api_key=emu.api_key,
            base_url=emu.base_url,
            submit_timeout=SUBMIT_TIMEOUT,
            give_up_after=60.0,
        ) as client:
            group = client.create_group(processor="base")
            report = group.add_runs(
                rows(600),
                key="id",
                max_batch_inputs=100,
                rate_per_minute=UNLIMITED,
                on_progress=outage,
            )
            assert_exactly_once(report, group_keys(group), 600)
    finally:
        for timer in timers:
            timer.join()  # never leave a server starting after the fixture stopped it


def test_responses_lost_after_commit_are_reconciled_without_duplicates(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    transport = LoseResponses(every=3)
    http = httpx.Client(transport=transport)
    with (
        http,
        Client(
            api_key=emu.api_key,
            base_url=emu.base_url,
            http_client=http,
            submit_timeout=SUBMIT_TIMEOUT,
        ) as client,
    ):
        group = client.create_group(processor="base")
        report = group.add_runs(
            rows(1000), key="id", max_batch_inputs=100, rate_per_minute=UNLIMITED
        )
        assert transport.lost >= 3 and report.reconciliations == transport.lost
        assert_exactly_once(report, group_keys(group), 1000)


def test_the_emulator_rate_limit_is_respected_without_429s(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(rate_limit_per_minute=300)
    with Client(
        api_key=emu.api_key, base_url=emu.base_url, submit_timeout=SUBMIT_TIMEOUT
    ) as client:
        group = client.create_group(processor="base")
        report = group.add_runs(rows(300), key="id", rate_per_minute=300, max_batch_inputs=300)
    assert report.rate_limited == 0 and report.sent == 300


def test_server_side_validation_refusal_stops_with_a_clear_error(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    with Client(
        api_key=emu.api_key, base_url=emu.base_url, submit_timeout=SUBMIT_TIMEOUT
    ) as client:
        group = client.create_group(processor="no-such-processor")
        with pytest.raises(SubmissionError) as info:
            group.add_runs(["a", "b"])
    assert info.value.status_code == 422
    assert info.value.report.failed == 2 and info.value.report.sent == 0
