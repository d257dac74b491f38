"""The edges of a job: what a user gives (rows in memory, a grown input) is never silently lost,
what a user has (a results file) is never silently replaced, and a notebook cell run twice
never pays twice."""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
from job_helpers import RunsReads, runs_per_key
from parallel_taskgroup import (
    Client,
    InputError,
    JobChangedError,
    JobLockedError,
    ResultsFileError,
    export_results,
    run_dataframe,
    run_job,
)
from parallel_taskgroup._fs import FileLock
from parallel_taskgroup.jobs.results_file import read_records
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]


@pytest.fixture
def server(emulator_factory: Factory) -> EmulatorServer:
    return emulator_factory(time_scale=0.002, rate_limit_per_minute=10**6)


def client_for(server: EmulatorServer) -> Client:
    return Client(api_key=server.api_key, base_url=server.base_url)


def rows(n: int) -> list[dict[str, Any]]:
    return [{"id": f"r{i}", "name": f"Company {i}"} for i in range(n)]


def lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_rows_in_memory_that_grew_are_refused_as_a_changed_job(
    server: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "o" / "r.jsonl"
    out.parent.mkdir()
    with client_for(server) as client:
        run_job(client, rows(3), out=str(out), key="id", processor="lite")
        with pytest.raises(JobChangedError, match="the input rows") as info:
            run_job(client, rows(4), out=str(out), key="id", processor="lite")
    assert "--add-rows" in str(info.value)
    assert len(lines(out)) == 3


def test_rows_in_memory_that_grew_add_their_new_rows_with_add_rows(
    server: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.jsonl"
    with client_for(server) as client:
        run_job(client, rows(3), out=str(out), key="id", processor="lite")
        report = run_job(client, rows(4), out=str(out), key="id", processor="lite", add_rows=True)
        again = run_job(client, rows(4), out=str(out), key="id", processor="lite")
    assert report.rows == 4 and report.completed == 4
    assert again.quote.to_submit == 0  # after --add-rows, the plain command is this job
    assert sorted(r["key"] for r in lines(out)) == ["r0", "r1", "r2", "r3"]


def test_rows_in_memory_with_a_changed_value_are_refused(
    server: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.jsonl"
    changed = rows(3)
    changed[1]["name"] = "Another"
    with client_for(server) as client:
        run_job(client, rows(3), out=str(out), key="id", processor="lite")
        with pytest.raises(JobChangedError):
            run_job(client, changed, out=str(out), key="id", processor="lite", add_rows=False)


def test_a_grown_file_accepted_once_with_add_rows_is_the_job_from_then_on(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows(3)))
    with client_for(server) as client:
        run_job(client, str(src), out=str(out), key="id", processor="lite")
        src.write_text("".join(json.dumps(r) + "\n" for r in rows(5)))
        run_job(client, str(src), out=str(out), key="id", processor="lite", add_rows=True)
        report = run_job(client, str(src), out=str(out), key="id", processor="lite")
    assert report.rows == 5 and report.completed == 5


def test_a_dataframe_with_a_new_row_is_refused_then_added_with_add_rows(
    server: EmulatorServer, tmp_path: Path
) -> None:
    pandas = pytest.importorskip("pandas")
    out = str(tmp_path / "r.csv")
    frame = pandas.DataFrame(rows(3))
    grown = pandas.DataFrame(rows(4))
    with client_for(server) as client:
        run_dataframe(client, frame, key="id", out=out, processor="lite")
        with pytest.raises(JobChangedError):
            run_dataframe(client, grown, key="id", out=out, processor="lite")
        joined = run_dataframe(client, grown, key="id", out=out, processor="lite", add_rows=True)
    assert list(joined["status"]) == ["completed"] * 4


def test_add_runs_run_twice_without_a_journal_creates_each_run_once(
    server: EmulatorServer,
) -> None:
    with client_for(server) as client:
        group = client.create_group(processor="lite")
        first = group.add_runs(rows(5), key="id")
        again = group.add_runs(rows(5), key="id")  # a notebook cell run again
        later = client.group(group.id, processor="lite").add_runs(rows(6), key="id")
        runs = [e for e in group.runs() if type(e).__name__ == "TaskRunEvent"]
    assert not first.group_read and first.sent == 5  # a new group: nothing to read
    assert again.group_read and again.sent == 0 and again.skipped == 5
    assert later.group_read and later.sent == 1 and later.skipped == 5
    assert len(runs) == 6


def test_add_runs_with_skip_existing_false_sends_without_reading(server: EmulatorServer) -> None:
    with client_for(server) as client:
        group = client.create_group(processor="lite")
        group.add_runs(rows(2), key="id")
        report = group.add_runs(rows(2), key="id", skip_existing=False)
    assert not report.group_read and report.sent == 2  # as asked: each key now has two runs


def test_skip_invalid_leaves_bad_rows_out_and_writes_each_with_why(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    good = rows(4)
    src.write_text(
        json.dumps(good[0])
        + "\n"
        + json.dumps({"name": "no id"})
        + "\n"
        + "".join(json.dumps(r) + "\n" for r in good[1:])
        + json.dumps(good[2])
        + "\n"  # a duplicate key
    )
    with client_for(server) as client:
        report = run_job(
            client, str(src), out=str(out), key="id", processor="lite", skip_invalid=True
        )
    assert report.rows == 4 and report.completed == 4
    rejected = [json.loads(line) for line in Path(f"{out}.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejected] == [2, 6]
    assert "id" in rejected[0]["problem"] and "duplicate key" in rejected[1]["problem"]
    assert rejected[0]["row"] == {"name": "no id"}


def test_skip_invalid_with_every_row_bad_refuses_the_job_and_keeps_the_rejects_it_names(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    src.write_text(json.dumps({"name": "no id"}) + "\n" + json.dumps({"name": "none"}) + "\n")
    with (
        client_for(server) as client,
        pytest.raises(InputError, match=r"every row is invalid \(2 written to .*rejects"),
    ):
        run_job(client, str(src), out=str(out), key="id", processor="lite", skip_invalid=True)
    rejected = [json.loads(line) for line in Path(f"{out}.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejected] == [1, 2]
    assert server.requests()["total"] == 0


def test_limit_runs_the_first_rows_then_add_rows_takes_the_rest(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows(10)))
    with client_for(server) as client:
        first = run_job(client, str(src), out=str(out), key="id", processor="lite", limit=3)
        same = run_job(client, str(src), out=str(out), key="id", processor="lite", limit=3)
        with pytest.raises(JobChangedError, match=r"\(--limit 3 then, no --limit now\)"):
            run_job(client, str(src), out=str(out), key="id", processor="lite")
        rest = run_job(client, str(src), out=str(out), key="id", processor="lite", add_rows=True)
    assert first.rows == 3 and same.quote.to_submit == 0 and rest.completed == 10


def test_the_final_file_is_in_input_order(server: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    with client_for(server) as client:
        run_job(client, rows(300), out=str(out), key="id", processor="lite")
    assert [r["key"] for r in lines(out)] == [f"r{i}" for i in range(300)]


def test_a_results_file_the_job_did_not_write_is_refused_unless_overwrite(
    server: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text("my own notes\n")
    with client_for(server) as client:
        with pytest.raises(ResultsFileError, match="not a results file of this job"):
            run_job(client, rows(2), out=str(out), key="id", processor="lite")
        assert out.read_text() == "my own notes\n"
        run_job(client, rows(2), out=str(out), key="id", processor="lite", overwrite=True)
    assert [r["key"] for r in lines(out)] == ["r0", "r1"]


def test_the_input_file_as_out_is_refused_naming_it(server: EmulatorServer, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows(2)))
    with client_for(server) as client, pytest.raises(ResultsFileError, match="is the input file"):
        run_job(client, str(src), out=str(src), key="id", processor="lite")


def test_exporting_another_groups_results_over_a_file_is_refused_unless_overwrite(
    server: EmulatorServer, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    with client_for(server) as client:
        run_job(client, rows(3), out=str(tmp_path / "job.jsonl"), key="id", processor="lite")
        export_results(client, lines(tmp_path / "job.jsonl")[0]["group_id"], out=str(first))
        run_job(client, rows(2), out=str(second), key="id", processor="lite")
        other = lines(second)[0]["group_id"]
        with pytest.raises(ResultsFileError, match="holds results of group"):
            export_results(client, other, out=str(first))
        assert len(lines(first)) == 3
        export_results(client, other, out=str(first), overwrite=True)
        again = export_results(client, other, out=str(first))  # its own group: fine
    assert len(lines(first)) == 2 and again.written == 0


def test_exporting_over_a_jobs_own_results_file_is_refused(
    server: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.jsonl"
    with client_for(server) as client:
        report = run_job(client, rows(3), out=str(out), key="id", processor="lite")
        before = out.read_text()
        with pytest.raises(ResultsFileError, match="is the results file of a 'taskgroup run' job"):
            export_results(client, str(report.group_id), out=str(out))
    assert out.read_text() == before


def test_a_composite_key_and_a_latin_1_tsv_input(server: EmulatorServer, tmp_path: Path) -> None:
    src, out = tmp_path / "in.tsv", tmp_path / "r.jsonl"
    src.write_bytes("company\tyear\tnote\nAcmé\t2020\tx\nAcmé\t2021\ty\n".encode("latin-1"))
    with client_for(server) as client:
        report = run_job(
            client, str(src), out=str(out), key="company,year", encoding="latin-1", processor="lite"
        )
    assert report.completed == 2
    assert [r["key"] for r in lines(out)] == ['["Acmé","2020"]', '["Acmé","2021"]']


def test_the_dry_run_of_a_finished_job_quotes_nothing_to_send(
    server: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.jsonl"
    with client_for(server) as client:
        run_job(client, rows(20), out=str(out), key="id", processor="lite")
    quote = run_job(None, rows(20), out=str(out), key="id", processor="lite", dry_run=True).quote
    assert (quote.to_submit, quote.new, quote.cost_usd) == (0, 0, 0.0)
    assert quote.spent_usd == pytest.approx(20 * 0.005)


def test_the_dry_run_of_a_changed_job_names_its_results_file_not_a_copy(
    server: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.jsonl"
    with client_for(server) as client:
        run_job(client, rows(5), out=str(out), key="id", processor="lite")
    with pytest.raises(JobChangedError) as caught:
        run_job(None, rows(6), out=str(out), key="id", processor="lite", dry_run=True)
    assert f"the job of {out} in the input rows" in str(caught.value)
    assert "dry-run" not in str(caught.value)


def test_the_dry_run_of_a_retry_quotes_only_the_failed_rows(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.002, failure_rate=0.3, rate_limit_per_minute=10**6)
    out = tmp_path / "r.jsonl"
    with client_for(server) as client:
        report = run_job(client, rows(40), out=str(out), key="id", processor="lite")
    quote = run_job(
        None, rows(40), out=str(out), key="id", processor="lite", retry="failed", dry_run=True
    ).quote
    assert 0 < report.failed == quote.to_submit == quote.retried and quote.new == 0


@pytest.mark.parametrize(
    ("cap", "seconds"),
    [({"rate_per_minute": 100}, (2500 - 100) / 100 * 60), ({"requests_per_minute": 1}, 120.0)],
    ids=["runs", "requests"],
)
def test_the_dry_run_quotes_the_submission_time_the_jobs_own_cap_allows(
    tmp_path: Path, cap: dict[str, int], seconds: float
) -> None:
    quote = run_job(
        None, rows(2500), out=str(tmp_path / "r.jsonl"), key="id", processor="lite",
        dry_run=True, **cap,  # type: ignore[arg-type]
    ).quote  # fmt: skip
    assert quote.posts == 3 and quote.min_submit_seconds == pytest.approx(seconds)
    assert quote.min_submit_seconds_by_requests == pytest.approx(seconds)  # either reading


def test_the_dry_run_says_where_max_cost_stops_the_job(tmp_path: Path) -> None:
    quote = run_job(
        None, rows(2500), out=str(tmp_path / "r.jsonl"), key="id", processor="lite",
        max_cost=11.0, dry_run=True,
    ).quote  # fmt: skip
    # lite: $5 per 1,000 runs; batches of 1,000 go whole or not at all.
    assert quote.within_budget == 2000 and quote.stops_at_budget


@pytest.mark.parametrize("suffix", ["csv.gz", "jsonl.gz"])
def test_a_gzipped_results_file_holds_one_line_per_row(
    server: EmulatorServer, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"r.{suffix}"
    with client_for(server) as client:
        run_job(client, rows(20), out=str(out), key="id", processor="lite")
    records = list(read_records(str(out)))
    assert [r["key"] for r in records] == [f"r{i}" for i in range(20)]


@pytest.mark.parametrize("name", ["r.json", "r.xlsx", "r.tsv", "r"])
def test_an_unknown_results_extension_is_refused_before_anything_is_sent(
    server: EmulatorServer, tmp_path: Path, name: str
) -> None:
    with client_for(server) as client, pytest.raises(ResultsFileError, match=r"\.jsonl"):
        run_job(client, rows(2), out=str(tmp_path / name), key="id", processor="lite")
    assert list(tmp_path.iterdir()) == []


class UnknownStatusOnFirstRunsRead:
    """The first read of a group's runs gives every run a status this client does not know
    (as the API may add one): those events do not parse."""

    def __init__(self) -> None:
        self.rewritten = False

    def __call__(self, body: bytes) -> bytes:
        if self.rewritten:
            return body
        self.rewritten = True
        return re.sub(rb'"status": ?"[a-z_]+"', b'"status": "pending"', body)


def test_a_job_attached_to_a_group_whose_runs_it_cannot_read_sends_none_of_them_again(
    server: EmulatorServer, tmp_path: Path
) -> None:
    with client_for(server) as client:
        group = client.create_group(processor="lite")
        group.add_runs(rows(40), key="id")  # a job whose files were lost
    unknown = UnknownStatusOnFirstRunsRead()
    http = httpx.Client(transport=RunsReads(unknown))
    with Client(api_key=server.api_key, base_url=server.base_url, http_client=http) as client:
        report = run_job(
            client, rows(50), out=str(tmp_path / "r.jsonl"), key="id", group_id=group.id
        )
    assert unknown.rewritten and report.completed == 50
    assert runs_per_key(server, group.id) == {f"r{i}": 1 for i in range(50)}


def test_a_parquet_results_file_without_pyarrow_is_refused_before_anything_is_sent(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed
    with client_for(server) as client, pytest.raises(ResultsFileError, match="need pyarrow"):
        run_job(client, rows(5), out=str(tmp_path / "r.parquet"), key="id", processor="lite")
    assert server.requests()["total"] == 0


def test_a_second_job_on_one_results_file_in_the_same_process_is_told_so(
    server: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.jsonl"
    held = FileLock(f"{out}.lock")
    assert held.acquire(f"pid {os.getpid()} on {socket.gethostname()} since now")
    try:
        with client_for(server) as client, pytest.raises(JobLockedError, match="this process"):
            run_job(client, rows(2), out=str(out), key="id", processor="lite")
    finally:
        held.release()
