"""The recorder decides which finished runs a job still wants; a run it recorded is known
without asking the journal when the events stream tells of it later."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from parallel_taskgroup import Client
from parallel_taskgroup._clock import Clock
from parallel_taskgroup.client import core_of
from parallel_taskgroup.jobs.group_read import GroupRead, read_group
from parallel_taskgroup.jobs.options import job_options
from parallel_taskgroup.jobs.progress import SilentListener
from parallel_taskgroup.jobs.record_text import load_record
from parallel_taskgroup.jobs.recorder import RECENT_RUNS, Recorder
from parallel_taskgroup.jobs.reporter import JobReporter
from parallel_taskgroup.jobs.results_file import ResultsLayout
from parallel_taskgroup.jobs.store import JobStore
from parallel_taskgroup.results import result_of
from parallel_taskgroup.submission.keys import identity
from parallel_taskgroup_api.models import TaskRunEvent
from store_writes import records_by_key


def finished(i: int) -> TaskRunEvent:
    return TaskRunEvent.from_dict(
        {
            "type": "task_run.state",
            "event_id": f"e{i}",
            "run": {
                "run_id": f"trun_{i}",
                "status": "completed",
                "is_active": False,
                "processor": "lite",
                "metadata": {"row_key": f"k{i}"},
                "created_at": "2025-01-01T00:00:00Z",
                "modified_at": "2025-01-01T00:00:01Z",
            },
            "output": {"type": "json", "content": {"answer": i}, "basis": []},
        }
    )


class CountingStore(JobStore):
    """A job store that counts the journal queries deciding whether a run is wanted."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.classified = 0

    def classify_runs(self, runs: Sequence[tuple[str, int, str]]) -> list[str]:
        self.classified += 1
        return super().classify_runs(runs)


@pytest.fixture
def job(tmp_path: Path) -> Iterator[tuple[Recorder, CountingStore]]:
    store = CountingStore(str(tmp_path / "out.jsonl.journal"))
    rows = RECENT_RUNS + 10
    store.insert_rows([(f"k{i}", i, json.dumps({"id": i})) for i in range(rows)])
    store.confirm({identity(f"k{i}"): f"trun_{i}" for i in range(rows)}, "lite")
    options: Any = job_options(
        out=tmp_path / "out.jsonl",
        processor="lite",
        task_spec=None,
        key="id",
        input_format=None,
        group_id=None,
        metadata=None,
        include_basis=False,
        max_cost=None,
        prices=None,
        retry=None,
        add_rows=False,
        rate_per_minute=None,
        requests_per_minute=None,
        fetch_concurrency=1,
        max_line_bytes=1 << 20,
        overwrite=False,
        limit=None,
        skip_invalid=False,
        encoding="utf-8",
        delimiter=None,
    )
    reporter = JobReporter(SilentListener(), store, options.prices, Clock())
    layout = ResultsLayout(input_columns=None, output_fields=None, include_basis=False)
    yield Recorder(store, options, layout, "tgrp_test", reporter), store
    store.close()


def record_all(recorder: Recorder, runs: Iterable[int]) -> None:
    """Record the finished runs ``runs`` and write them to the journal."""
    for i in runs:
        recorder.record(result_of(finished(i)))
    recorder.flush(force=True)


def test_a_recorded_run_is_not_wanted_again_and_saying_so_asks_the_journal_nothing(
    job: tuple[Recorder, CountingStore],
) -> None:
    recorder, store = job
    record_all(recorder, [1])

    assert recorder.wanted([finished(1)]) == [False]
    assert store.classified == 0


def test_a_run_recorded_long_ago_is_still_not_wanted(job: tuple[Recorder, CountingStore]) -> None:
    recorder, store = job
    record_all(recorder, range(RECENT_RUNS + 1))

    assert recorder.wanted([finished(0)]) == [False]  # forgotten here, asked of the journal
    assert store.classified == 1
    assert recorder.wanted([finished(RECENT_RUNS + 5)]) == [True]


def test_runs_not_recorded_yet_are_asked_of_the_journal_in_one_question(
    job: tuple[Recorder, CountingStore],
) -> None:
    recorder, store = job
    record_all(recorder, [3])

    assert recorder.wanted([finished(i) for i in range(6)]) == [True] * 3 + [False] + [True] * 2
    assert store.classified == 1


def test_a_second_run_of_a_row_is_not_wanted_and_is_recorded_as_an_extra_run(
    job: tuple[Recorder, CountingStore],
) -> None:
    recorder, store = job
    besides = finished(2)
    besides.run.run_id = "trun_besides"

    assert recorder.wanted([finished(1), besides]) == [True, False]
    assert store.extra_runs() == [("k2", "trun_besides")]


def read_snapshot(
    store: JobStore, recorder: Recorder, events: list[dict[str, Any]], result: dict[str, Any]
) -> tuple[list[str], GroupRead]:
    """Read a group whose runs snapshot is ``events`` (each run's result is ``result``); the
    result paths fetched, and what the read saw."""
    body = "".join(f"event: task_run.state\ndata: {json.dumps(e)}\n\n" for e in events)
    fetched: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/result"):
            fetched.append(request.url.path)
            return httpx.Response(200, json=result)
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, text=body)

    client = Client(
        api_key="test-key",
        base_url="https://api.example.test",
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
    )
    with client:
        done = read_group(
            core_of(client), "tgrp_test", store, recorder, processor="lite", only_results=True
        )
    return fetched, done


def test_a_snapshot_output_that_cannot_give_a_record_is_fetched_from_the_run_s_result(
    job: tuple[Recorder, CountingStore],
) -> None:
    recorder, store = job
    events = [finished(i).to_dict() for i in range(3)]
    events[1]["output"] = {"type": "json", "content": "not an object", "basis": []}
    result = {"run": finished(1).run.to_dict(), "output": {"type": "text", "content": "fetched"}}

    fetched, _ = read_snapshot(store, recorder, events, result)

    assert fetched == ["/v1/tasks/runs/trun_1/result"]
    outputs = [load_record(records_by_key(store)[f"k{i}"] or "null")["output"] for i in range(3)]
    assert outputs == [{"answer": 0}, "fetched", {"answer": 2}]


def test_a_snapshot_result_is_journaled_with_its_event_s_text_as_sent(
    job: tuple[Recorder, CountingStore],
) -> None:
    recorder, store = job
    events = [finished(i).to_dict() for i in range(2)]

    read_snapshot(store, recorder, events, result={})

    for i, sent in enumerate(events):
        assert f'"event":{json.dumps(sent)}}}' in (records_by_key(store)[f"k{i}"] or "")


def test_the_journal_knows_where_each_appended_line_lies(
    job: tuple[Recorder, CountingStore], tmp_path: Path
) -> None:
    recorder, store = job
    recorder.open_file()
    for i in (2, 0, 1):
        recorder.record(result_of(finished(i)))
        recorder.flush(force=True)
    recorder.close_file()

    data = (tmp_path / "out.jsonl").read_bytes()
    lines = {key: data[at : at + n] for key, at, n in store.lines_at() if at is not None and n}
    assert sorted(lines) == ["k0", "k1", "k2"]
    assert all(json.loads(line)["key"] == key for key, line in lines.items())
    assert sum(map(len, lines.values())) == len(data)


def test_a_line_appended_after_a_later_row_s_marks_the_file_for_reordering_only(
    job: tuple[Recorder, CountingStore],
) -> None:
    recorder, store = job
    recorder.open_file()
    for i in (1, 0):
        recorder.record(result_of(finished(i)))
        recorder.flush(force=True)

    assert (recorder.reorder, recorder.rewrite) == (True, False)
    assert (store.meta("reorder"), store.meta("rewrite")) == ("1", None)


def test_a_snapshot_read_says_how_many_runs_it_read_and_how_many_gave_a_new_result(
    job: tuple[Recorder, CountingStore],
) -> None:
    recorder, store = job
    running = finished(3).to_dict()
    running["run"].update(status="running", is_active=True)
    del running["output"]
    events = [finished(i).to_dict() for i in range(3)] + [running]

    _, first = read_snapshot(store, recorder, events, result={})
    _, again = read_snapshot(store, recorder, events, result={})

    assert (first.runs, first.recorded) == (4, 3)
    assert (again.runs, again.recorded) == (4, 0)
