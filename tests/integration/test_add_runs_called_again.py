"""Running the same ``add_runs`` call again after it stopped part-way (the notebook cell run
twice) creates each row's run once, against the emulator over loopback HTTP."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import httpx
import pytest
from group_runs import keys_in, rows
from parallel_taskgroup import Client, RowError, SubmissionError
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

UNLIMITED = 10_000_000
SUBMIT_TIMEOUT = 1.0
"""Short add-runs timeouts: a POST of unknown outcome settles 2 s after it left."""
LANDS_AFTER = 0.5
"""How long after its sender was interrupted the cut-off POST reaches the server."""


class InterruptedMidPost(httpx.BaseTransport):
    """Real HTTP, but the first add-runs POST is cut off by Ctrl-C while it is on its way: the
    caller gets KeyboardInterrupt at once, and the request still lands a moment later."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.cut = False
        self.landed = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/runs") and not self.cut:
            self.cut = True
            request.read()
            threading.Thread(target=self._land_late, args=(request,), daemon=True).start()
            raise KeyboardInterrupt()
        return self.inner.handle_request(request)

    def _land_late(self, request: httpx.Request) -> None:
        time.sleep(LANDS_AFTER)
        with httpx.Client() as late:
            late.send(request).close()
        self.landed.set()

    def close(self) -> None:
        self.inner.close()


def test_a_call_cut_off_during_its_post_waits_for_that_post_when_run_again(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    transport = InterruptedMidPost()
    with Client(
        api_key=emu.api_key,
        base_url=emu.base_url,
        http_client=httpx.Client(transport=transport),
        submit_timeout=SUBMIT_TIMEOUT,
    ) as client:
        group = client.create_group(processor="lite")
        with pytest.raises(KeyboardInterrupt):
            group.add_runs(rows(50), key="id")
        again = client.group(group.id, processor="lite")  # a new handle of the same client
        report = again.add_runs(rows(50), key="id")
        assert transport.landed.wait(5)
        assert report.sent == 0 and report.reconciliations == 1
        assert keys_in(group) == Counter({str(i): 1 for i in range(50)})


def test_a_call_stopped_by_a_bad_row_skips_the_rows_it_sent_when_run_again(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    table = rows(30) + [{"id": 30, "question": "x" * 30_000}]
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        group = client.create_group(processor="lite")
        with pytest.raises(RowError):
            group.add_runs(iter(table), key="id", max_batch_inputs=10)  # 30 rows sent
        table[-1]["question"] = "What does company 30 do?"
        report = group.add_runs(iter(table), key="id", max_batch_inputs=10)
        assert report.group_read and report.sent == 1
        assert keys_in(group) == Counter({str(i): 1 for i in range(31)})


def test_a_new_journal_file_on_a_group_that_has_runs_reads_the_group_first(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    emu = emulator_factory(rate_limit_per_minute=UNLIMITED)
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        group = client.create_group(processor="lite")
        group.add_runs(rows(20), key="id", journal=tmp_path / "first.sqlite")
        lost = tmp_path / "lost.sqlite"  # the first journal deleted, or run from elsewhere
        report = client.group(group.id, processor="lite").add_runs(rows(25), key="id", journal=lost)
        assert report.group_read and report.sent == 5
        assert keys_in(group) == Counter({str(i): 1 for i in range(25)})


def test_add_runs_on_a_group_that_does_not_exist_says_so(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory()
    client = Client(api_key=emu.api_key, base_url=emu.base_url)
    with client, pytest.raises(SubmissionError, match="group tgrp_typo was not found") as caught:
        client.group("tgrp_typo").add_runs(["x"], processor="lite")
    assert caught.value.status_code == 404 and caught.value.report.sent == 0
