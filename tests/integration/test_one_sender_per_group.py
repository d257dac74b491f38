"""Two add_runs calls sending the same rows to one group at once (threads sharing a client,
two journals on one file as two processes hold it), and a journal that no longer accounts for
the group's runs, create each row's run once: against the emulator over loopback HTTP."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from pathlib import Path
from typing import Callable

import pytest
from group_runs import keys_in, rows
from parallel_taskgroup import Client, SqliteJournal, SubmitReport
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

UNLIMITED = 10_000_000


def at_once(calls: list[Callable[[], SubmitReport]]) -> list[SubmitReport]:
    """Run ``calls`` in threads started together; their reports (each must return one)."""
    start = threading.Barrier(len(calls))
    reports: list[SubmitReport] = []
    failures: list[BaseException] = []

    def one(call: Callable[[], SubmitReport]) -> None:
        start.wait()
        try:
            reports.append(call())
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures, failures
    assert len(reports) == len(calls)
    return reports


def test_threads_adding_the_same_rows_to_one_handle_create_each_run_once(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        group = client.create_group(processor="lite")
        reports = at_once([lambda: group.add_runs(rows(300), key="id", max_batch_inputs=50)] * 4)
        assert sum(r.sent for r in reports) == 300
        assert keys_in(group) == Counter({str(i): 1 for i in range(300)})


@pytest.mark.parametrize("journal", [False, True], ids=["no-journal", "one-journal-file"])
def test_threads_with_handles_and_journals_of_their_own_create_each_run_once(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path, journal: bool
) -> None:
    """Each thread as another process would be: its own handle, its own journal on one file."""
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    path = tmp_path / "shared.sqlite"
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        gid = client.create_group(processor="lite").id

        def add() -> SubmitReport:
            with SqliteJournal(path) if journal else contextlib.nullcontext() as opened:
                return client.group(gid, processor="lite").add_runs(
                    rows(300), key="id", journal=opened, max_batch_inputs=50
                )

        reports = at_once([add] * 3)
        assert sum(r.sent for r in reports) == 300
        assert keys_in(client.group(gid)) == Counter({str(i): 1 for i in range(300)})


def test_a_jsonl_journal_cut_short_is_caught_by_the_groups_run_count(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    journal = tmp_path / "journal.jsonl"
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        group = client.create_group(processor="lite")
        group.add_runs(rows(200), key="id", journal=journal, max_batch_inputs=20)
        text = journal.read_text()
        journal.write_text(text[: len(text) // 2].rsplit("\n", 1)[0] + "\n")  # half, whole lines
        report = client.group(group.id, processor="lite").add_runs(
            rows(200), key="id", journal=journal, max_batch_inputs=20
        )
        assert report.group_read and report.sent == 0
        assert keys_in(group) == Counter({str(i): 1 for i in range(200)})


def test_a_journal_that_accounts_for_every_run_is_trusted_without_reading_the_group(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    journal = tmp_path / "journal.sqlite"
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        group = client.create_group(processor="lite")
        group.add_runs(rows(100), key="id", journal=journal)
        report = client.group(group.id, processor="lite").add_runs(
            rows(150), key="id", journal=journal
        )
        assert not report.group_read and (report.skipped, report.sent) == (100, 50)
