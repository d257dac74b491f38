"""One sender per group: the lock add_runs holds while it reads and sends."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from parallel_taskgroup import Clock, ConfigurationError
from parallel_taskgroup._fs import FileLock
from parallel_taskgroup.submission.group_lock import sending_to

SERVER = "https://api.example.test"


def test_a_call_that_finds_the_group_free_did_not_wait() -> None:
    with sending_to(SERVER, "tgrp_lock_free", clock=Clock(), on_wait=lambda _: None) as waited:
        assert waited is False


def test_a_call_that_waits_for_another_thread_says_why_once_and_knows_it_waited() -> None:
    said: list[str] = []
    inside, release = threading.Event(), threading.Event()

    def holder() -> None:
        with sending_to(SERVER, "tgrp_lock_threads", clock=Clock(), on_wait=said.append):
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    assert inside.wait(10)
    threading.Timer(0.5, release.set).start()
    with sending_to(SERVER, "tgrp_lock_threads", clock=Clock(), on_wait=said.append) as waited:
        assert waited is True
    thread.join(10)
    assert len(said) == 1
    assert "another add_runs is sending to group tgrp_lock_threads (pid" in said[0]


def test_a_call_waits_for_another_process_holding_the_group() -> None:
    child = textwrap.dedent(
        """
        import sys, time
        from parallel_taskgroup import Clock
        from parallel_taskgroup.submission.group_lock import sending_to
        server = "https://api.example.test"
        with sending_to(server, "tgrp_lock_processes", clock=Clock(), on_wait=print):
            print("held", flush=True)
            time.sleep(1.0)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with sending_to(
            SERVER, "tgrp_lock_processes", clock=Clock(), on_wait=lambda _: None
        ) as waited:
            assert waited is True
    finally:
        proc.wait(10)


def test_add_runs_inside_add_runs_on_the_same_group_is_refused() -> None:
    clock = Clock()
    outer = sending_to(SERVER, "tgrp_lock_nested", clock=clock, on_wait=lambda _: None)
    inner = sending_to(SERVER, "tgrp_lock_nested", clock=clock, on_wait=lambda _: None)
    refused = pytest.raises(ConfigurationError, match="from inside another add_runs on it")
    with outer, refused, inner:
        pass


def test_the_same_group_id_on_two_servers_is_two_locks() -> None:
    clock = Clock()
    with sending_to(SERVER, "tgrp_lock_servers", clock=clock, on_wait=lambda _: None):
        other = sending_to("http://127.0.0.1:8000", "tgrp_lock_servers", clock=clock, on_wait=print)
        with other as waited:
            assert waited is False


def test_a_lock_names_its_current_holder_even_after_a_longer_note(tmp_path: Path) -> None:
    path = tmp_path / "group.lock"
    first, second, third = FileLock(path), FileLock(path), FileLock(path)
    assert first.acquire("pid 123456 on a-rather-long-host-name.example.com, since long ago")
    assert not second.acquire("pid 2 on b, since now")
    first.release()
    assert second.acquire("pid 2 on b, since now")
    assert third.holder() == "pid 2 on b, since now"
    second.release()


def test_a_lock_whose_note_cannot_be_written_is_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "group.lock"

    def full_disk(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError):
        FileLock(path).acquire("pid 1 on a, since now")
    monkeypatch.undo()
    other = FileLock(path)
    assert other.acquire("pid 2 on b, since now")
    other.release()
