"""Cursor stores: keyed by (group, stream), durable across processes, never torn."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import parallel_taskgroup.streaming.cursors as cursors_mod
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parallel_taskgroup import (
    CursorStore,
    CursorStoreError,
    JsonFileCursorStore,
    MemoryCursorStore,
    SqliteCursorStore,
)

Factory = Callable[[Path], CursorStore]
FACTORIES: dict[str, Factory] = {
    "memory": lambda p: MemoryCursorStore(),
    "json": lambda p: JsonFileCursorStore(p / "cursors.json"),
    "sqlite": lambda p: SqliteCursorStore(p / "cursors.db"),
}


@pytest.fixture(params=sorted(FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> CursorStore:
    return FACTORIES[request.param](tmp_path)


def test_unknown_cursor_is_none(store: CursorStore) -> None:
    assert store.load("tgrp_1", "events") is None


def test_saved_cursor_is_loaded(store: CursorStore) -> None:
    store.save("tgrp_1", "events", "e5")
    store.save("tgrp_1", "events", "e6")
    assert store.load("tgrp_1", "events") == "e6"


def test_cursors_are_keyed_by_group_and_stream(store: CursorStore) -> None:
    store.save("tgrp_1", "events", "a")
    store.save("tgrp_1", "runs", "b")
    store.save("tgrp_2", "events", "c")
    assert [store.load("tgrp_1", "events"), store.load("tgrp_1", "runs")] == ["a", "b"]
    assert store.load("tgrp_2", "events") == "c"


def test_every_store_satisfies_the_protocol(store: CursorStore) -> None:
    assert isinstance(store, CursorStore)


@pytest.mark.parametrize("kind", ["json", "sqlite"])
def test_a_new_store_on_the_same_path_sees_saved_cursors(kind: str, tmp_path: Path) -> None:
    FACTORIES[kind](tmp_path).save("tgrp_1", "results", "e9")
    assert FACTORIES[kind](tmp_path).load("tgrp_1", "results") == "e9"


@pytest.mark.parametrize("kind", ["json", "sqlite"])
def test_two_stores_on_one_path_keep_each_others_cursors(kind: str, tmp_path: Path) -> None:
    first, second = FACTORIES[kind](tmp_path), FACTORIES[kind](tmp_path)  # two processes
    assert first.load("tgrp_1", "events") is None and second.load("tgrp_2", "events") is None
    first.save("tgrp_1", "events", "e1")
    second.save("tgrp_2", "events", "e2")
    first.save("tgrp_1", "events", "e3")
    again = FACTORIES[kind](tmp_path)
    assert (again.load("tgrp_1", "events"), again.load("tgrp_2", "events")) == ("e3", "e2")


def test_corrupt_json_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("{half")
    with pytest.raises(CursorStoreError, match="not valid JSON"):
        JsonFileCursorStore(path).load("g", "events")


def test_foreign_json_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"some": "config"}))
    with pytest.raises(CursorStoreError, match="not a parallel-taskgroup cursor file"):
        JsonFileCursorStore(path).load("g", "events")


def test_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CursorStoreError, match="cannot write"):
        JsonFileCursorStore(tmp_path / "missing-dir" / "c.json").save("g", "s", "e")


class Crash(Exception):
    pass


@given(
    step=st.sampled_from(["write", "fsync", "replace"]),
    keep=st.integers(0, 200),
    old=st.text(min_size=1, max_size=20),
    new=st.text(min_size=1, max_size=20),
)
@settings(max_examples=40)
def test_interrupted_json_write_leaves_old_or_new(
    tmp_path_factory: pytest.TempPathFactory, step: str, keep: int, old: str, new: str
) -> None:
    path = tmp_path_factory.mktemp("c") / "cursors.json"
    JsonFileCursorStore(path).save("g", "events", old)
    real: dict[str, Any] = {"write": os.write, "fsync": os.fsync, "replace": os.replace}

    def crash_write(fd: int, data: Any) -> int:
        real["write"](fd, bytes(data)[:keep])
        raise Crash

    def crash(*args: Any) -> None:
        raise Crash

    mp = pytest.MonkeyPatch()
    mp.setattr(cursors_mod.os, step, crash_write if step == "write" else crash)
    try:
        with pytest.raises(Crash):
            JsonFileCursorStore(path).save("g", "events", new)
    finally:
        mp.undo()
    assert JsonFileCursorStore(path).load("g", "events") in (old, new)
    assert [p.name for p in path.parent.iterdir()] == ["cursors.json"]


WRITER = """
import sys
from parallel_taskgroup import JsonFileCursorStore, SqliteCursorStore
store = (JsonFileCursorStore if sys.argv[1] == "json" else SqliteCursorStore)(sys.argv[2])
print("ready", flush=True)
i = 0
while True:
    i += 1
    store.save("tgrp_1", "events", f"e{i:09d}")
"""


@pytest.mark.parametrize("kind", ["json", "sqlite"])
def test_killed_writer_leaves_a_readable_cursor(kind: str, tmp_path: Path) -> None:
    path = tmp_path / ("c.json" if kind == "json" else "c.db")
    last_seen = ""
    for delay in (0.05, 0.11, 0.17):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, kind, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = JsonFileCursorStore(path) if kind == "json" else SqliteCursorStore(path)
        cursor = store.load("tgrp_1", "events")
        assert cursor is not None and cursor.startswith("e") and len(cursor) == 10
        last_seen = cursor
    assert last_seen
