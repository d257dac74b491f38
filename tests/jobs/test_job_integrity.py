"""No user action bills a row twice or loses a line: the misuse matrix of issue 13, each scenario
against the emulator, ending with exactly one run per row key in the group and one line per row
in the results file, or with a refusal (exit 2) that sent nothing."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import time
from pathlib import Path
from typing import Callable

import pytest
from job_helpers import (
    assert_one_run_and_one_line_per_row,
    group_of,
    runs_per_key,
    start,
    taskgroup,
    write_rows,
)
from parallel_taskgroup.jobs.store import JobStore
from store_writes import as_format_1, as_format_2
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]


@pytest.fixture
def server(emulator_factory: Factory) -> EmulatorServer:
    return emulator_factory(time_scale=0.002)


def run(src: Path, out: Path, server: EmulatorServer, *extra: str) -> tuple[int, str]:
    done = taskgroup(["run", str(src), "--out", str(out), "--key", "id", "-q", *extra], server)
    return done.returncode, done.stderr


def killed_once_lines_appear(server: EmulatorServer, src: Path, out: Path) -> None:
    """Run a job of ``src`` and kill it (SIGKILL) once its first results are in ``out``."""
    proc = start(["run", str(src), "--out", str(out), "--key", "id", "-q"], server)
    while not out.exists() or out.stat().st_size == 0:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_two_runs_on_the_same_results_file_bill_each_row_once(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.05)  # slow enough that the first is still running
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 300)
    args = ["run", str(src), "--out", str(out), "--key", "id", "-q"]
    first = start(args, server)
    deadline = time.monotonic() + 30
    while not Path(f"{out}.state.json").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    second = taskgroup(args, server)
    assert second.returncode == 2
    assert "is in use by another taskgroup run (pid" in second.stderr
    assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
    assert_one_run_and_one_line_per_row(server, out, rows)


def test_a_lock_left_by_a_killed_run_does_not_block_the_next(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.05)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 200)
    proc = start(["run", str(src), "--out", str(out), "--key", "id", "-q"], server)
    while not Path(f"{out}.state.json").exists():
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert Path(f"{out}.lock").exists()
    assert run(src, out, server) == (0, "")
    assert_one_run_and_one_line_per_row(server, out, rows)


def test_runs_finishing_out_of_input_order_leave_their_lines_in_input_order(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.05)  # runs finish in their own order
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 150)
    assert run(src, out, server, "--processor", "lite") == (0, "")
    assert [json.loads(line)["key"] for line in out.read_text().splitlines()] == [
        row["id"] for row in rows
    ]
    store = JobStore(f"{out}.journal")
    try:
        assert store.meta("rewrite") is None  # the lines were moved, not written again
    finally:
        store.close()
    assert_one_run_and_one_line_per_row(server, out, rows)


def test_a_deleted_journal_is_rebuilt_from_the_group(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 60)
    assert run(src, out, server)[0] == 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}.journal{suffix}").unlink(missing_ok=True)
    code, err = run(src, out, server)
    assert code == 0, err
    assert_one_run_and_one_line_per_row(server, out, rows)


@pytest.mark.parametrize("lost", [("", "-wal", "-shm"), ("-records",)])
def test_a_deleted_journal_or_records_file_mid_job_is_rebuilt_without_billing_twice(
    emulator_factory: Factory, tmp_path: Path, lost: tuple[str, ...]
) -> None:
    server = emulator_factory(time_scale=0.05)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 300)
    killed_once_lines_appear(server, src, out)
    for suffix in lost:
        Path(f"{out}.journal{suffix}").unlink(missing_ok=True)
    code, err = run(src, out, server)
    assert code == 0, err
    assert_one_run_and_one_line_per_row(server, out, rows)


def corrupt(journal: Path) -> None:
    journal.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{journal}{suffix}").unlink(missing_ok=True)


def records_deleted(journal: Path) -> None:
    Path(f"{journal}-records").unlink()


def records_cut(journal: Path) -> None:
    records = Path(f"{journal}-records")
    records.write_bytes(records.read_bytes()[:-100])


def records_of_another_journal(journal: Path) -> None:
    records = Path(f"{journal}-records")
    records.write_bytes(records.read_bytes().replace(b'": "', b'": "0', 1))


def of_a_later_format(journal: Path) -> None:
    with sqlite3.connect(journal) as db:
        db.execute("UPDATE meta SET value = 'parallel-taskgroup-job/99' WHERE name = 'format'")


@pytest.mark.parametrize(
    "damage, named",
    [
        (corrupt, "cannot open the job journal"),
        (of_a_later_format, "'parallel-taskgroup-job/99' is not"),
        (records_deleted, "records file is missing"),
        (records_cut, "records file holds"),
        (records_of_another_journal, "records file belongs to another journal"),
    ],
)
def test_a_journal_it_cannot_read_is_set_aside_named_and_rebuilt(
    server: EmulatorServer, tmp_path: Path, damage: Callable[[Path], None], named: str
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 40)
    assert run(src, out, server)[0] == 0
    damage(Path(f"{out}.journal"))

    done = taskgroup(["run", str(src), "--out", str(out), "--key", "id"], server)
    assert done.returncode == 0, done.stderr
    assert named in done.stderr
    assert "rebuilding it" in done.stderr
    assert_one_run_and_one_line_per_row(server, out, rows)


@pytest.mark.parametrize("as_older_format", [as_format_1, as_format_2])
def test_a_job_stopped_with_an_older_journal_finishes_from_it_upgraded(
    emulator_factory: Factory, tmp_path: Path, as_older_format: Callable[[Path], None]
) -> None:
    server = emulator_factory(time_scale=0.05)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 300)
    killed_once_lines_appear(server, src, out)
    as_older_format(Path(f"{out}.journal"))

    done = taskgroup(["run", str(src), "--out", str(out), "--key", "id"], server)
    assert done.returncode == 0, done.stderr
    assert "rebuilding" not in done.stderr
    assert_one_run_and_one_line_per_row(server, out, rows)


@pytest.mark.parametrize("damage", ["delete", "corrupt"])
def test_a_lost_state_file_names_the_group_and_re_attaching_finishes_the_job(
    emulator_factory: Factory, tmp_path: Path, damage: str
) -> None:
    server = emulator_factory(time_scale=0.05)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 200)
    killed_once_lines_appear(server, src, out)
    group = group_of(out)
    state = Path(f"{out}.state.json")
    if damage == "delete":
        state.unlink()
    else:
        state.write_text("{ torn")
    code, err = run(src, out, server)
    assert code == 2
    assert f"--group {group}" in err  # the way forward names the group
    code, err = run(src, out, server, "--group", group)
    assert code == 0, err
    assert_one_run_and_one_line_per_row(server, out, rows, group)


def test_a_new_results_file_on_a_group_that_holds_the_rows_sends_nothing_again(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 50)
    assert run(src, out, server)[0] == 0
    group = group_of(out)
    other = tmp_path / "other.jsonl"
    code, err = run(src, other, server, "--group", group)
    assert code == 0, err
    assert_one_run_and_one_line_per_row(server, other, rows, group)


@pytest.mark.parametrize(
    "change, named",
    [
        (["--processor", "pro"], "the processor (base then, pro now)"),
        (["--output-text", "a summary"], "the task spec"),
    ],
)
def test_a_changed_job_is_refused_naming_each_difference(
    server: EmulatorServer, tmp_path: Path, change: list[str], named: str
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(src, 10)
    assert run(src, out, server)[0] == 0
    before = runs_per_key(server, group_of(out))
    code, err = run(src, out, server, *change)
    assert code == 2 and named in err and "another --out" in err
    assert runs_per_key(server, group_of(out)) == before


def test_an_empty_input_creates_nothing(server: EmulatorServer, tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("")
    code, err = run(src, out, server)
    assert code == 2 and "no rows" in err
    assert not out.exists() and not Path(f"{out}.state.json").exists()
    assert not Path(f"{out}.journal").exists()


def test_a_moved_job_folder_resumes(emulator_factory: Factory, tmp_path: Path) -> None:
    server = emulator_factory(time_scale=0.05)
    first = tmp_path / "job"
    first.mkdir()
    src, out = first / "in.jsonl", first / "out.jsonl"
    rows = write_rows(src, 200)
    killed_once_lines_appear(server, src, out)
    moved = tmp_path / "moved"
    shutil.move(str(first), str(moved))
    code, err = run(moved / "in.jsonl", moved / "out.jsonl", server)
    assert code == 0, err
    assert_one_run_and_one_line_per_row(server, moved / "out.jsonl", rows)


@pytest.mark.parametrize(
    "file_size_limit, lines_left",
    [
        (150_000, 0),  # full while the input is read: nothing sent, no results file
        (300_000, 400),  # full mid-job: one line per row all the same
    ],
)
def test_a_full_disk_exits_with_the_io_code_and_the_same_command_resumes(
    server: EmulatorServer, tmp_path: Path, file_size_limit: int, lines_left: int
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 400)
    args = ["run", str(src), "--out", str(out), "--key", "id", "-q"]

    def small_disk() -> None:  # every file the job writes may grow this large only
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    done = taskgroup(args, server, preexec_fn=small_disk)
    assert done.returncode == 6, done.stderr
    assert "to resume, run the same command again" in done.stderr
    assert (len(out.read_text().splitlines()) if out.exists() else 0) == lines_left
    code, err = run(src, out, server)
    assert code == 0, err
    assert_one_run_and_one_line_per_row(server, out, rows)


def test_every_resumable_exit_says_how_to_resume(emulator_factory: Factory, tmp_path: Path) -> None:
    server = emulator_factory(time_scale=0.05)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(src, 200)
    args = ["run", str(src), "--out", str(out), "--key", "id", "--give-up-after", "3"]
    proc = start(args, server)
    while not out.exists() or out.stat().st_size == 0:
        time.sleep(0.02)
    server.stop()
    stopped = time.monotonic()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 3
    # The stated time to failure: --give-up-after of failure plus one last request.
    assert time.monotonic() - stopped < 3 + 5
    assert "to resume, run the same command again" in err
    assert json.loads(Path(f"{out}.state.json").read_text())["group_id"]
    assert os.path.exists(f"{out}.journal")


def test_a_group_that_could_not_be_created_leaves_a_placeholder_line_per_row_and_resumes(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 50)
    port = server.port
    server.stop()  # unreachable from the start: creating the group fails after the retries
    code, err = run(src, out, server)
    assert code == 3, err
    assert "to resume, run the same command again" in err
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == len(rows)
    assert {r["status"] for r in records} == {"not_submitted"}
    assert "before its group was created" in records[0]["error"]["message"]
    server.start(port=port)
    code, err = run(src, out, server)
    assert code == 0, err
    assert_one_run_and_one_line_per_row(server, out, rows)
