"""Submission against a service with a rate limit in either unit (per request or per run), a
credit allowance and the documented size limits; on fake time, so minutes take milliseconds."""

from __future__ import annotations

import json
from collections import deque
from typing import Any, Literal, Optional

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parallel_taskgroup import (
    ROW_KEY_FIELD,
    Client,
    MemoryJournal,
    PaymentRequiredError,
    RowError,
    SubmitReport,
    TaskGroup,
    TaskSpecError,
)
from parallel_taskgroup._http import Clock
from stream_fakes import group_summary

GROUP = "tgrp_paced"
Unit = Literal["request", "run"]


class FakeTime(Clock):
    def __init__(self) -> None:
        super().__init__()
        self.time = 1000.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += max(seconds, 0.0)


class Service:
    """One group's add-runs endpoint: a rolling 60 s limit counted per request or per run, all
    or nothing; credit for ``credit`` runs; scripted unknown outcomes (503 after commit)."""

    def __init__(
        self,
        clock: FakeTime,
        *,
        limit: int = 2000,
        unit: Unit = "request",
        credit: Optional[int] = None,
        retry_after: bool = True,
        script: Optional[list[str]] = None,
    ) -> None:
        self.clock = clock
        self.limit, self.unit, self.credit, self.retry_after = limit, unit, credit, retry_after
        self.window: deque[tuple[float, int]] = deque()
        self.keys: list[str] = []
        self.posts = 0
        self.refused: list[float] = []
        self.payment_refusals = 0
        self.script = deque(script or [])

    def _used(self, now: float) -> int:
        while self.window and self.window[0][0] <= now - 60.0:
            self.window.popleft()
        return sum(n for _, n in self.window)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        now = self.clock.now()
        if request.method == "GET" and not request.url.path.endswith("/runs"):
            return group_summary(request.url.path.rsplit("/", 1)[-1], len(self.keys))
        if request.method == "GET":  # the runs snapshot, for reconciliation
            body = "".join(
                "event: task_run.state\ndata: "
                + json.dumps(
                    {
                        "type": "task_run.state",
                        "event_id": f"{i:x}",
                        "run": {
                            "run_id": f"trun_{i}",
                            "status": "queued",
                            "metadata": {"row_key": k},
                        },
                    }
                )
                + "\n\n"
                for i, k in enumerate(self.keys)
            )
            return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})
        self.posts += 1
        inputs = json.loads(request.content)["inputs"]
        cost = 1 if self.unit == "request" else len(inputs)
        if self._used(now) + cost > self.limit:
            self.refused.append(now)
            oldest = self.window[0][0] if self.window else now
            headers = {"retry-after": str(max(1, int(oldest + 60 - now) + 1))}
            body = {"type": "error", "error": {"ref_id": "r", "message": "Too many requests"}}
            return httpx.Response(429, json=body, headers=headers if self.retry_after else {})
        if self.credit is not None and len(self.keys) + len(inputs) > self.credit:
            self.payment_refusals += 1
            body = {"type": "error", "error": {"ref_id": "r", "message": "Payment required"}}
            return httpx.Response(402, json=body)
        self.window.append((now, cost))
        first = len(self.keys)
        self.keys += [item["metadata"][ROW_KEY_FIELD] for item in inputs]
        if self.script and self.script.popleft() == "lost":
            return httpx.Response(503, json={"type": "error", "error": {"message": "lost"}})
        ids = [f"trun_{i}" for i in range(first, len(self.keys))]
        return httpx.Response(200, json={"run_ids": ids, "run_cursor": None, "event_cursor": None})


def group_for(service: Service, max_retries: Optional[int] = None) -> TaskGroup:
    http = httpx.Client(transport=httpx.MockTransport(service))
    client = Client(
        api_key="k",
        base_url="https://api.example.test",
        http_client=http,
        clock=service.clock,
        max_retries=max_retries,
    )
    return client.group(GROUP, processor="lite")


def rows(n: int) -> list[dict[str, Any]]:
    return [{"id": f"r{i}", "q": f"question {i}"} for i in range(n)]


# -- pacing --------------------------------------------------------------------------------------


def test_under_a_per_request_limit_100000_rows_go_without_any_wait() -> None:
    clock = FakeTime()
    service = Service(clock, limit=2000, unit="request")
    report = group_for(service).add_runs(rows(100_000), key="id")
    assert report.sent == 100_000 and report.requests == 100
    assert clock.time == 1000.0 and service.refused == []


@pytest.mark.parametrize("retry_after", [True, False], ids=["retry-after", "no-retry-after"])
def test_under_a_per_run_limit_the_pace_converges_to_the_limit_with_few_429s(
    retry_after: bool,
) -> None:
    clock = FakeTime()
    service = Service(clock, limit=2000, unit="run", retry_after=retry_after)
    report = group_for(service).add_runs(rows(20_000), key="id")
    minutes = (clock.time - 1000.0) / 60
    assert report.sent == 20_000 and len(set(service.keys)) == 20_000
    # The first window's 2,000 go at once; every later minute carries >= 95% of the limit,
    # and after the first 429 only an occasional probe of a higher pace is refused.
    assert (20_000 - 2_000) / minutes >= 0.95 * 2000
    assert len(service.refused) <= 1 + minutes / 2


def test_a_refused_batch_costs_only_its_retry_after() -> None:
    clock = FakeTime()
    service = Service(clock, limit=1, unit="request")
    service.window.append((clock.time - 58.5, 1))  # another client used the window
    report = group_for(service).add_runs(rows(10), key="id")
    assert report.rate_limited == 1 and report.sent == 10
    assert clock.time - 1000.0 < 3.0


def test_short_429_bursts_from_elsewhere_do_not_slow_the_pace() -> None:
    clock = FakeTime()
    service = Service(clock, limit=10**9, unit="request")
    real = service.__call__
    bursts = {"left": 0, "posts": 0}

    def with_bursts(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            bursts["posts"] += 1
            if bursts["posts"] % 5 == 0:
                bursts["left"] = 3
            if bursts["left"]:
                bursts["left"] -= 1
                body = {"type": "error", "error": {"message": "Too many requests"}}
                return httpx.Response(429, json=body, headers={"retry-after": "1"})
        return real(request)

    http = httpx.Client(transport=httpx.MockTransport(with_bursts))
    client = Client(api_key="k", base_url="https://api.example.test", http_client=http, clock=clock)
    report = client.group(GROUP, processor="lite").add_runs(
        rows(20_000), key="id", max_batch_inputs=500
    )
    assert report.sent == 20_000 and report.rate_limited >= 20
    assert clock.time - 1000.0 <= report.rate_limited * 1.5  # only the bursts' own waits


def test_an_explicit_request_cap_paces_requests() -> None:
    clock = FakeTime()
    service = Service(clock)
    group_for(service).add_runs(rows(50), key="id", max_batch_inputs=10, requests_per_minute=2)
    assert service.refused == [] and clock.time - 1000.0 >= 60.0


# -- credit (402) --------------------------------------------------------------------------------


def test_a_402_stops_at_once_and_says_what_is_in_the_group() -> None:
    clock = FakeTime()
    service = Service(clock, credit=250)
    journal = MemoryJournal()
    with pytest.raises(PaymentRequiredError) as info:
        group_for(service).add_runs(
            rows(1000), key="id", max_batch_inputs=100, journal=journal, continue_on_error=True
        )
    error = info.value
    assert service.payment_refusals == 1 and service.posts == 3
    assert error.report is not None and error.report.sent == 200
    assert "200 rows" in error.message and "row index 200" in error.message
    assert journal.pending_batches(GROUP) == []
    assert len(journal.confirmed_among(GROUP, [f"r{i}" for i in range(1000)])) == 200


def test_after_a_top_up_the_same_call_finishes_with_one_run_per_row() -> None:
    clock = FakeTime()
    service = Service(clock, credit=250)
    journal = MemoryJournal()
    group = group_for(service)
    with pytest.raises(PaymentRequiredError):
        group.add_runs(rows(1000), key="id", max_batch_inputs=100, journal=journal)
    service.credit = None
    report = group.add_runs(rows(1000), key="id", max_batch_inputs=100, journal=journal)
    assert report.skipped == 200 and report.sent == 800
    assert sorted(service.keys) == sorted(f"r{i}" for i in range(1000))


# -- the documented size limits ------------------------------------------------------------------


def test_a_row_over_the_task_spec_plus_input_limit_is_named_and_its_batch_not_sent() -> None:
    clock = FakeTime()
    service = Service(clock)
    data = rows(5)
    data[3]["q"] = "x" * 25_000
    with pytest.raises(RowError, match="25,000") as info:
        group_for(service).add_runs(data, key="id")
    assert info.value.position == 3 and info.value.key == "r3"
    assert service.posts == 0


def test_a_task_spec_over_its_limits_is_refused_before_any_request() -> None:
    clock = FakeTime()
    service = Service(clock)
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(6):
        deep = {"type": "object", "properties": {"x": deep}}
    spec = {"output_schema": {"type": "json", "json_schema": deep}}
    with pytest.raises(TaskSpecError, match="5 levels"):
        group_for(service).add_runs(rows(3), key="id", task_spec=spec)
    assert service.posts == 0


# -- exactly once under any mix of failures -----------------------------------------------------


@settings(deadline=None, max_examples=40)
@given(
    unit=st.sampled_from(["request", "run"]),
    limit=st.integers(min_value=1, max_value=30),
    batch=st.integers(min_value=1, max_value=10),
    n_rows=st.integers(min_value=1, max_value=60),
    credit=st.none() | st.integers(min_value=0, max_value=60),
    script=st.lists(st.sampled_from(["ok", "lost"]), max_size=10),
    retry_after=st.booleans(),
)
def test_any_mix_of_429_402_and_unknown_outcomes_creates_each_row_once_or_reports_it(
    unit: Unit,
    limit: int,
    batch: int,
    n_rows: int,
    credit: Optional[int],
    script: list[str],
    retry_after: bool,
) -> None:
    limit = max(limit, batch)  # the service must accept a batch at all
    clock = FakeTime()
    service = Service(
        clock, limit=limit, unit=unit, credit=credit, script=script, retry_after=retry_after
    )
    journal = MemoryJournal()
    report: Optional[SubmitReport] = None
    try:
        report = group_for(service, max_retries=50).add_runs(
            rows(n_rows), key="id", max_batch_inputs=batch, journal=journal
        )
    except PaymentRequiredError as exc:
        report = exc.report
    assert report is not None
    assert len(service.keys) == len(set(service.keys))  # never a run twice
    confirmed = journal.confirmed_among(GROUP, [f"r{i}" for i in range(n_rows)])
    assert set(confirmed) == set(service.keys)  # the journal agrees with the group
    assert journal.pending_batches(GROUP) == []
    if credit is None or credit >= n_rows:
        assert len(service.keys) == n_rows
