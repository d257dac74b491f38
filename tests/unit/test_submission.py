"""Exactly-once submission against an in-memory fake group behind httpx.MockTransport.

The fake serves add-runs POSTs and the /runs SSE snapshot, and fails POSTs as scripted: before
commit (503), after commit (500), response lost (read timeout / reset after commit), 429,
connection refused, or a crash of the submitting process after commit.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parallel_taskgroup import (
    ROW_KEY_FIELD,
    Client,
    Clock,
    MemoryJournal,
    RateLimiter,
    RowError,
    SqliteJournal,
    SubmissionError,
    SubmitReport,
    TaskGroup,
)
from parallel_taskgroup.submission.keys import derive_key
from parallel_taskgroup_api.models import TaskRunInput, TaskRunInputInputType1
from stream_fakes import group_summary

GROUP = "tgrp_fake"
OUTCOMES = ["ok", "before", "after", "lost", "reset", "429", "connect"]


class Crash(BaseException):
    """The submitting process dies (after the server committed the POST)."""


class FakeGroupServer:
    """One group's add-runs and runs-stream endpoints, with scripted POST failures."""

    def __init__(self, script: Optional[list[str]] = None) -> None:
        self.runs: list[dict[str, Any]] = []
        self.posts: list[httpx.Request] = []
        self.script = deque(script or [])

    def keys(self) -> list[str]:
        return [r["metadata"][ROW_KEY_FIELD] for r in self.runs]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = f"/v1/tasks/groups/{GROUP}/runs"
        if request.url.path == f"/v1/tasks/groups/{GROUP}" and request.method == "GET":
            return group_summary(GROUP, len(self.runs))
        if request.url.path != path:
            return httpx.Response(404, json={"type": "error", "error": {"message": "no"}})
        if request.method == "GET":
            return httpx.Response(
                200, content=self._sse(), headers={"content-type": "text/event-stream"}
            )
        self.posts.append(request)
        outcome = self.script.popleft() if self.script else "ok"
        error = {"type": "error", "error": {"ref_id": "r", "message": outcome}}
        if outcome == "429":
            return httpx.Response(429, json=error, headers={"retry-after": "3"})
        if outcome == "before":
            return httpx.Response(503, json=error)
        if outcome == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        if outcome == "bad":
            return httpx.Response(
                422, json={"detail": [{"loc": ["body"], "msg": "no", "type": "x"}]}
            )
        first = len(self.runs)
        for item in json.loads(request.content)["inputs"]:
            n = len(self.runs)
            self.runs.append(
                {
                    "run_id": f"trun_{n}",
                    "interaction_id": f"i_{n}",
                    "status": "queued",
                    "is_active": True,
                    "processor": item["processor"],
                    "created_at": "2026-01-01T00:00:00Z",
                    "modified_at": "2026-01-01T00:00:00Z",
                    "metadata": item.get("metadata"),
                }
            )
        if outcome == "after":
            return httpx.Response(500, json=error)
        if outcome == "lost":
            raise httpx.ReadTimeout("response lost", request=request)
        if outcome == "reset":
            raise httpx.RemoteProtocolError("connection reset", request=request)
        if outcome == "crash":
            raise Crash()
        ids = [r["run_id"] for r in self.runs[first:]]
        return httpx.Response(
            200,
            json={
                "status": {"num_task_runs": len(self.runs), "task_run_status_counts": {}},
                "run_ids": ids,
                "run_cursor": f"rc{first}" if first else None,
                "event_cursor": f"ec{first}" if first else None,
            },
        )

    def _sse(self) -> bytes:
        parts = []
        for i, run in enumerate(self.runs):
            event = {"type": "task_run.state", "event_id": f"e{i}", "run": run}
            parts.append(f"event: task_run.state\ndata: {json.dumps(event)}\n\n")
        return "".join(parts).encode()


def make_group(
    server: FakeGroupServer,
    *,
    clock: Optional[Clock] = None,
    max_retries: Optional[int] = None,
    **defaults: Any,
) -> TaskGroup:
    http = httpx.Client(transport=httpx.MockTransport(server))
    client = Client(
        api_key="test-key",
        base_url="http://127.0.0.1:9",
        http_client=http,
        clock=clock or FakeTime(),
        max_retries=max_retries,
    )
    defaults.setdefault("processor", "base")
    return client.group(GROUP, **defaults)


class FakeTime(Clock):
    """The client's clock, on fake time: sleeping only moves it forward."""

    def __init__(self) -> None:
        super().__init__()
        self.time = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.time += seconds


def submit(group: TaskGroup, rows: Any, **options: Any) -> SubmitReport:
    options.setdefault("rate_per_minute", 100_000)
    return group.add_runs(rows, **options)


def company_rows(n: int) -> list[dict[str, Any]]:
    return [{"id": f"c{i}", "name": f"Company {i}"} for i in range(n)]


# -- shape of the POSTs ----------------------------------------------------------------------


def test_every_post_carries_the_group_defaults_and_bulk_flag() -> None:
    server = FakeGroupServer()
    spec = {"output_schema": {"type": "text", "description": "a summary"}}
    group = make_group(
        server, task_spec=spec, processor="core", run_metadata={"job": "j1"}, betas=["b1", "b2"]
    )
    submit(group, company_rows(3), key="id")
    (post,) = server.posts
    body = json.loads(post.content)
    assert post.url.params["refresh_status"] == "false"
    assert post.headers["parallel-beta"] == "b1,b2"
    assert body["default_task_spec"] == spec
    assert body["inputs"][0] == {
        "input": {"id": "c0", "name": "Company 0"},
        "processor": "core",
        "metadata": {"job": "j1", ROW_KEY_FIELD: "c0"},
    }


def test_rows_are_split_by_count_and_exact_request_bytes_in_order() -> None:
    server = FakeGroupServer()
    rows = [{"id": str(i), "pad": "x" * (i % 7) * 10} for i in range(57)]
    report = submit(make_group(server), rows, key="id", max_batch_inputs=10, max_batch_bytes=900)
    assert all(len(json.loads(p.content)["inputs"]) <= 10 for p in server.posts)
    assert all(len(p.content) <= 900 for p in server.posts)
    assert any(len(json.loads(p.content)["inputs"]) < 10 for p in server.posts[:-1])
    assert server.keys() == [str(i) for i in range(57)]
    assert report.sent == 57 and report.requests == len(server.posts)


def test_report_maps_keys_to_run_ids_and_keeps_first_and_last_cursors() -> None:
    server = FakeGroupServer()
    report = submit(make_group(server), company_rows(25), key="id", max_batch_inputs=10)
    assert report.run_ids == {r["metadata"][ROW_KEY_FIELD]: r["run_id"] for r in server.runs}
    assert (report.first_run_cursor, report.last_run_cursor) == (None, "rc20")
    assert report.last_event_cursor == "ec20"
    assert (report.sent, report.skipped, report.failed) == (25, 0, 0)


def test_string_rows_get_derived_keys() -> None:
    server = FakeGroupServer()
    report = submit(make_group(server), ["alpha", "beta"])
    assert server.keys() == [derive_key("alpha"), derive_key("beta")]
    assert set(report.run_ids) == set(server.keys())


def test_to_input_maps_rich_rows_and_metadata_adds_per_row_fields() -> None:
    class Company:
        def __init__(self, ident: int) -> None:
            self.ident = ident

    server = FakeGroupServer()
    submit(
        make_group(server),
        (Company(i) for i in range(3)),
        key="ident",
        to_input=lambda c: {"company": c.ident},
        metadata=lambda c: {"tier": c.ident % 2},
    )
    assert server.runs[1]["metadata"] == {"tier": 1, ROW_KEY_FIELD: "1"}
    assert json.loads(server.posts[0].content)["inputs"][2]["input"] == {"company": 2}


def test_add_runs_on_the_group_delegates_here() -> None:
    server = FakeGroupServer()
    report = make_group(server).add_runs(["a", "b"], rate_limiter=RateLimiter(10_000, burst=10_000))
    assert isinstance(report, SubmitReport) and report.sent == 2


def test_a_generator_is_consumed_lazily_one_chunk_at_a_time() -> None:
    server = FakeGroupServer()
    pulled: list[int] = []
    seen_by_post: list[int] = []

    def rows() -> Iterator[str]:
        for i in range(30):
            pulled.append(i)
            yield f"row {i}"

    def progress(report: SubmitReport) -> None:
        seen_by_post.append(len(pulled))

    submit(make_group(server), rows(), max_batch_inputs=10, on_progress=progress)
    assert seen_by_post == [10, 20, 30]


def test_the_limiter_paces_batches_and_the_report_gives_the_rate() -> None:
    server = FakeGroupServer()
    t = FakeTime()
    report = make_group(server, clock=t).add_runs(
        company_rows(40), key="id", max_batch_inputs=10, rate_per_minute=600
    )
    # 10 runs per second at 600/min (plus the 0.5 s safety margin per minute): 3 waits of ~1 s.
    assert t.time == pytest.approx(3 * 10 * 60.5 / 600)
    assert report.achieved_rate_per_minute == pytest.approx(40 / t.time * 60)


def test_batches_never_exceed_a_rate_limit_below_one_thousand() -> None:
    server = FakeGroupServer()
    submit(make_group(server), company_rows(30), key="id", rate_per_minute=7)
    assert max(len(json.loads(p.content)["inputs"]) for p in server.posts) == 7


# -- failures with a known or unknown outcome -----------------------------------------------------


def test_a_429_waits_for_retry_after_and_resends_the_batch() -> None:
    server = FakeGroupServer(["429", "429"])
    t = FakeTime()
    report = make_group(server, clock=t).add_runs(["a"], rate_per_minute=100)
    assert server.keys() == [derive_key("a")]
    assert report.rate_limited == 2 and report.sent == 1
    assert sum(t.slept) >= 6.0


def test_429s_do_not_use_up_the_attempts_for_unknown_outcomes() -> None:
    server = FakeGroupServer(["429"] * 12 + ["after"])
    report = submit(make_group(server, max_retries=1), ["a", "b"])
    assert report.rate_limited == 12 and report.sent == 2
    assert len(server.runs) == 2


@pytest.mark.parametrize("outcome", ["after", "lost", "reset"])
def test_a_committed_post_with_a_lost_answer_is_reconciled_not_resent(outcome: str) -> None:
    server = FakeGroupServer([outcome])
    report = submit(make_group(server), company_rows(5), key="id")
    assert server.keys() == [f"c{i}" for i in range(5)]
    assert len(server.posts) == 1
    assert report.reconciliations == 1 and report.sent == 5
    assert report.run_ids["c3"] == "trun_3"


@pytest.mark.parametrize("outcome", ["before", "connect"])
def test_a_post_that_did_not_commit_is_resent_after_reconciling(outcome: str) -> None:
    server = FakeGroupServer([outcome])
    report = submit(make_group(server), company_rows(5), key="id")
    assert server.keys() == [f"c{i}" for i in range(5)]
    assert len(server.posts) == 2 and report.sent == 5


def test_a_refused_batch_stops_the_job_with_the_report() -> None:
    server = FakeGroupServer(["ok", "bad"])
    with pytest.raises(SubmissionError) as info:
        submit(make_group(server), company_rows(20), key="id", max_batch_inputs=10)
    assert info.value.status_code == 422
    assert "row index 10" in str(info.value)
    assert info.value.report.sent == 10 and info.value.report.failed == 10


def test_continue_on_error_counts_refused_rows_as_failed() -> None:
    server = FakeGroupServer(["bad"])
    report = submit(
        make_group(server), company_rows(20), key="id", max_batch_inputs=10, continue_on_error=True
    )
    assert report.failed == 10 and report.sent == 10
    assert report.failed_keys == [f"c{i}" for i in range(10)]


def test_endless_unknown_outcomes_give_up_with_a_resumable_error() -> None:
    server = FakeGroupServer(["before"] * 50)
    with pytest.raises(SubmissionError, match="resume"):
        submit(make_group(server, max_retries=3), ["a"])


# -- resuming with a journal ---------------------------------------------------------------------


def test_a_crash_after_commit_is_resumed_without_duplicates(tmp_path: Path) -> None:
    server = FakeGroupServer(["ok", "crash"])
    path = tmp_path / "journal.sqlite"
    group = make_group(server)
    with pytest.raises(Crash):
        submit(group, company_rows(30), key="id", max_batch_inputs=10, journal=path)
    report = submit(group, company_rows(30), key="id", max_batch_inputs=10, journal=path)
    assert sorted(server.keys()) == sorted(f"c{i}" for i in range(30))
    assert report.skipped == 20 and report.sent == 10
    assert len(report.run_ids) == 30
    with SqliteJournal(path) as journal:
        assert journal.pending_batches(GROUP) == []


def test_skip_existing_skips_keys_already_in_the_group_without_a_journal() -> None:
    server = FakeGroupServer()
    group = make_group(server)
    submit(group, company_rows(10), key="id")
    report = submit(group, company_rows(15), key="id", skip_existing=True)
    assert len(server.runs) == 15
    assert report.skipped == 10 and report.sent == 5


@pytest.mark.parametrize("status", ["pending", "completed_with_warnings"])
def test_runs_in_a_status_this_client_does_not_know_still_count_as_sent(status: str) -> None:
    server = FakeGroupServer()
    submit(make_group(server), company_rows(10), key="id")
    for run in server.runs:
        run["status"] = status  # a status the API may add: its events do not parse
    report = submit(make_group(server), company_rows(12), key="id")  # a new handle: reads
    assert report.group_read and (report.skipped, report.sent) == (10, 2)
    assert sorted(server.keys()) == sorted(f"c{i}" for i in range(12))


@settings(deadline=None)
@given(
    n_rows=st.integers(min_value=1, max_value=40),
    batch=st.integers(min_value=1, max_value=12),
    script=st.lists(st.sampled_from(OUTCOMES), max_size=12),
)
def test_any_failure_points_end_with_every_key_exactly_once(
    n_rows: int, batch: int, script: list[str]
) -> None:
    server = FakeGroupServer(script)
    report = submit(
        make_group(server, max_retries=50), company_rows(n_rows), key="id", max_batch_inputs=batch
    )
    expected = [f"c{i}" for i in range(n_rows)]
    assert sorted(server.keys()) == sorted(expected)
    assert report.sent == n_rows
    assert report.run_ids == {r["metadata"][ROW_KEY_FIELD]: r["run_id"] for r in server.runs}


@settings(deadline=None)
@given(
    n_rows=st.integers(min_value=1, max_value=40),
    batch=st.integers(min_value=1, max_value=12),
    script=st.lists(st.sampled_from([*OUTCOMES, "crash", "crash"]), max_size=12),
)
def test_crashes_at_any_point_then_resuming_with_the_journal_submit_each_key_once(
    n_rows: int, batch: int, script: list[str]
) -> None:
    server = FakeGroupServer(script)
    group = make_group(server, max_retries=50)
    journal = MemoryJournal()  # stands in for the durable store shared by successive processes
    for _ in range(len(script) + 1):
        try:
            submit(
                group,
                company_rows(n_rows),
                key="id",
                max_batch_inputs=batch,
                journal=journal,
            )
            break
        except Crash:
            continue
    assert sorted(server.keys()) == sorted(f"c{i}" for i in range(n_rows))
    assert journal.pending_batches(GROUP) == []


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "fragment"),
    [
        (42, "got int"),
        (None, "got None"),
        (["a"], "got list"),
        ({"x": object()}, "not JSON-serialisable"),
        ({"x": float("nan")}, "not JSON-serialisable"),
        ({1: "int key"}, "keys must be strings"),
        (
            TaskRunInput(processor="base", input_=TaskRunInputInputType1.from_dict({1: "x"})),
            "keys must be strings",
        ),
    ],
)
def test_a_bad_row_in_a_list_is_reported_by_position_and_nothing_is_sent(
    bad_row: Any, fragment: str
) -> None:
    server = FakeGroupServer()
    rows: list[Any] = ["a", "b", bad_row, "d"]
    with pytest.raises(RowError, match=fragment) as info:
        submit(make_group(server), rows)
    assert info.value.position == 2
    assert "index 2" in str(info.value)
    assert server.posts == []


@pytest.mark.parametrize(
    ("meta", "fragment"),
    [
        ({"k" * 17: "v"}, "17 characters"),
        ({"k": "v" * 513}, "513 characters"),
        ({"k": [1, 2]}, "list"),
        ({ROW_KEY_FIELD: "mine"}, "must not set"),
    ],
)
def test_bad_row_metadata_is_reported_before_sending(meta: dict[str, Any], fragment: str) -> None:
    server = FakeGroupServer()
    with pytest.raises(RowError, match=fragment):
        submit(make_group(server), ["a", "b"], metadata=lambda r: meta if r == "b" else {})
    assert server.posts == []


def test_a_key_too_long_for_metadata_is_reported() -> None:
    server = FakeGroupServer()
    with pytest.raises(RowError, match="at most 512") as info:
        submit(make_group(server), [{"id": "x" * 600}], key="id")
    assert info.value.position == 0 and server.posts == []


def test_a_bad_row_in_a_generator_stops_before_its_chunk_and_earlier_chunks_are_kept() -> None:
    server = FakeGroupServer()

    def rows() -> Iterator[Any]:
        yield from (f"r{i}" for i in range(25))
        yield 3.5

    with pytest.raises(RowError) as info:
        submit(make_group(server), rows(), max_batch_inputs=10)
    assert info.value.position == 25
    assert len(server.runs) == 20  # two full chunks; the chunk holding row 25 was not sent
    assert info.value.report.sent == 20


def test_duplicate_keys_are_an_error_naming_both_rows() -> None:
    server = FakeGroupServer()
    with pytest.raises(RowError, match="index 0") as info:
        submit(make_group(server), [{"id": 1}, {"id": 2}, {"id": 1}], key="id")
    assert info.value.position == 2 and server.posts == []


def test_duplicate_keys_can_be_skipped() -> None:
    server = FakeGroupServer()
    report = submit(make_group(server), ["a", "b", "a"], duplicates="skip")
    assert len(server.runs) == 2 and report.skipped == 1


def test_an_empty_iterable_is_a_clean_no_op() -> None:
    server = FakeGroupServer()
    report = submit(make_group(server), iter([]))
    assert server.posts == []
    assert (report.rows, report.sent, report.requests) == (0, 0, 0)


def test_a_row_larger_than_the_request_limit_is_reported() -> None:
    server = FakeGroupServer()
    with pytest.raises(RowError, match="max_batch_bytes"):
        submit(make_group(server), ["short", "x" * 5000], max_batch_bytes=2000)
    assert server.posts == []


@pytest.mark.parametrize("rows", ["a string", b"bytes", {"a": 1}, 5])
def test_rows_that_are_not_an_iterable_of_rows_are_rejected(rows: Any) -> None:
    with pytest.raises(TypeError, match="iterable of rows"):
        submit(make_group(FakeGroupServer()), rows)


def test_a_missing_processor_is_reported_before_anything_is_sent() -> None:
    server = FakeGroupServer()
    with pytest.raises(ValueError, match="processor"):
        submit(make_group(server, processor=None), ["a"])


def test_invalid_group_run_metadata_is_reported() -> None:
    with pytest.raises(ValueError, match="run_metadata"):
        submit(make_group(FakeGroupServer(), run_metadata={"a_very_long_key_name": 1}), ["a"])


@pytest.mark.parametrize("size", [0, 1001])
def test_batch_sizes_outside_the_api_limit_are_rejected(size: int) -> None:
    with pytest.raises(ValueError, match="max_batch_inputs"):
        submit(make_group(FakeGroupServer()), ["a"], max_batch_inputs=size)


# -- settling a POST that may still land --------------------------------------------------------


def test_a_batch_left_pending_whose_rows_are_in_the_group_is_settled_without_a_wait() -> None:
    server = FakeGroupServer()
    group = make_group(server)
    submit(group, company_rows(3), key="id")  # the earlier run's POST landed
    journal = MemoryJournal()
    journal.open_batch(GROUP, "b0", ["c0", "c1", "c2"], sent_at=time.time(), timeout=60.0)
    t = FakeTime()
    report = submit(make_group(server, clock=t), company_rows(3), key="id", journal=journal)
    assert report.sent == 0 and report.skipped == 3 and t.slept == []
    assert journal.pending_batches(GROUP) == []


def test_a_batch_left_pending_is_waited_for_only_what_is_left_before_its_rows_are_sent() -> None:
    server = FakeGroupServer()
    journal = MemoryJournal()
    journal.open_batch(GROUP, "b0", ["c0", "c1"], sent_at=time.time() - 2.0, timeout=3.0)
    t = FakeTime()
    waits: list[str] = []
    http = httpx.Client(transport=httpx.MockTransport(server))
    client = Client(
        api_key="k",
        base_url="http://127.0.0.1:9",
        http_client=http,
        clock=t,
        on_wait=lambda what, until: waits.append(what),
    )
    report = client.group(GROUP, processor="base").add_runs(
        company_rows(2), key="id", journal=journal, rate_per_minute=100_000
    )
    # Sent 2 s ago with a 3 s timeout: it settles 3 + 3 s after it left, 4 s from now.
    assert t.slept == [pytest.approx(4.0, abs=0.5)]
    assert waits[0].startswith("waiting 4 s for a request an earlier run sent")
    assert report.sent == 2 and server.keys() == ["c0", "c1"]
