"""`taskgroup status RESULTS` (a job's results file for a group id) and `taskgroup results
--wait` (progress while waiting; Ctrl-C writes what finished; another group's file refused)."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from cli_helpers import companies, group_of, read_results, run_cli, taskgroup_process, write_jsonl
from parallel_taskgroup import Client, status_counts
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


@pytest.fixture
def job(cli_env: EmulatorServer, tmp_path: Path) -> Path:
    """A finished job of four rows, one of which failed."""
    rows: list[dict[str, Any]] = companies(4)
    rows[3]["company_name"] = "__fail__"
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    assert run_cli(["run", src, "--out", out, "--key", "id", "-q"])[0] == 1
    return out


def test_status_of_a_results_file_reads_the_group_beside_it_and_counts_its_lines(
    job: Path,
) -> None:
    code, stdout, err = run_cli(["status", job])
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[0].split() == ["group", group_of(job), "(read", "from", f"{job}.state.json)"]
    results = lines.index(next(line for line in lines if line.startswith("results")))
    assert lines[results].split() == ["results", f"{job}:", "4", "lines"]
    assert [line.split() for line in lines[results + 1 :]] == [["completed", "3"], ["failed", "1"]]
    assert ["runs", "4"] in [line.split() for line in lines[:results]]  # the group's summary


def test_status_of_a_results_file_without_its_state_reads_the_first_line(job: Path) -> None:
    Path(f"{job}.state.json").unlink()
    code, stdout, err = run_cli(["status", job])
    assert code == 0, err
    assert f"{read_results(job)[0]['group_id']} (read from the first line of {job})" in stdout


def test_status_json_of_a_results_file_is_the_group_with_the_files_counts(job: Path) -> None:
    code, stdout, _ = run_cli(["status", job, "--json"])
    assert code == 0
    record = json.loads(stdout)
    assert record["taskgroup_id"] == group_of(job)
    assert record["results_file"] == {
        "path": str(job),
        "group_from": f"{job}.state.json",
        "lines": 4,
        "by_status": {"completed": 3, "failed": 1},
    }


def test_status_of_a_results_file_asked_of_another_server_names_the_jobs_without_using_it(
    job: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran_at = json.loads(Path(f"{job}.state.json").read_text())["base_url"]
    with EmulatorServer() as other:
        monkeypatch.setenv("PARALLEL_BASE_URL", other.base_url)
        code, stdout, err = run_cli(["status", job])
    assert code == 2 and stdout == ""
    assert f"{job}: its job ran against {ran_at}, not {other.base_url}" in err
    assert f"pass --base-url {ran_at}" in err


def test_status_of_a_file_that_names_no_group_says_so(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"a": 1}\n')
    code, _, err = run_cli(["status", notes])
    assert code == 2
    assert f"{notes}: no group id found" in err and "give the group id instead" in err


def test_status_of_a_job_that_has_not_written_its_results_file_yet_reads_its_state(
    job: Path,
) -> None:
    job.unlink()  # as just after `taskgroup run` started: its state file, no lines yet
    code, stdout, err = run_cli(["status", job])
    assert code == 0, err
    assert f"{job}: not written yet" in stdout and group_of(job) in stdout


def test_status_of_a_missing_results_file_says_there_is_no_such_file(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    missing = tmp_path / "results.jsonl"
    code, _, err = run_cli(["status", missing])
    assert code == 2
    assert f"{missing}: no such file" in err and cli_env.requests()["total"] == 0


def test_results_refuses_a_file_of_another_group_naming_it(job: Path, tmp_path: Path) -> None:
    with Client() as client:
        other = client.create_group().id
    code, _, err = run_cli(["results", other, "--out", job])
    assert code == 2
    assert f"taskgroup: error: {job} is the results file of a 'taskgroup run' job" in err
    assert "--overwrite" in err
    assert len(read_results(job)) == 4  # untouched


def test_results_overwrite_replaces_a_file_of_another_group(job: Path) -> None:
    with Client() as client:
        other = client.create_group()
        other.add_runs(["one question"], processor="lite")
        other.wait()
    code, _, err = run_cli(["results", other.id, "--out", job, "--overwrite"])
    assert code == 0, err
    assert [r["group_id"] for r in read_results(job)] == [other.id]


def test_results_wait_shows_progress_lines_while_it_waits(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    with Client() as client:
        group = client.create_group()
        group.add_runs(["a", "b", "c"], processor="lite")
    code, _, err = run_cli(["results", group.id, "--out", tmp_path / "r.jsonl", "--wait"])
    assert code == 0, err
    lines = err.splitlines()
    assert "\r" not in err and "\x1b" not in err  # plain lines off a terminal
    assert lines[-2].startswith("[####################] 3/3 100% | completed 3 failed 0")
    assert lines[-1] == f"wrote 3 new result lines to {tmp_path / 'r.jsonl'} (3 in all)"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_results_wait_interrupted_writes_what_finished_and_exits_130(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path, sig: signal.Signals
) -> None:
    server = emulator_factory(time_scale=0.01)  # lite runs take 0.1-0.6 s, ultra8x 3-72 s
    out = tmp_path / "r.jsonl"
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        group = client.create_group()
        group.add_runs(["quick 1", "quick 2", "quick 3"], processor="lite")
        group.add_runs(["slow 1", "slow 2"], processor="ultra8x")
        proc = taskgroup_process(["results", group.id, "--out", str(out), "--wait"], server)
        assert proc.stderr is not None
        assert proc.stderr.readline().startswith("[")  # the progress line: it is waiting
        while status_counts(group.refresh().status).get("completed", 0) < 3:
            time.sleep(0.02)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "wrote 3 new result lines" in err
    assert "2 runs still active: run the same command again to go on" in err
    assert sorted(r["input"] for r in read_results(out)) == ["quick 1", "quick 2", "quick 3"]


def test_results_wait_again_on_the_groups_own_file_waits_and_rewrites_it(
    emulator_factory: Callable[..., EmulatorServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = emulator_factory(time_scale=0.05)  # lite runs take 0.3-1 s
    monkeypatch.setenv("PARALLEL_API_KEY", server.api_key)
    monkeypatch.setenv("PARALLEL_BASE_URL", server.base_url)
    out = tmp_path / "r.jsonl"
    with Client() as client:
        group = client.create_group()
        group.add_runs(["a", "b", "c"], processor="lite")
    args = ["results", group.id, "--out", out]
    assert run_cli(args)[0] == 0  # a snapshot, most likely while the runs are active
    code, _, err = run_cli([*args, "--wait"])
    assert code == 0, err
    assert "(3 in all)" in err
    assert sorted(r["input"] for r in read_results(out)) == ["a", "b", "c"]
