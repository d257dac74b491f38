"""A long job's process allocates from one malloc arena on glibc (see cli/malloc_arenas.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from parallel_taskgroup.cli.malloc_arenas import on_glibc, use_one_malloc_arena

_GLIBC = on_glibc()

# Threads that allocate, then glibc's own account of its arenas ("Arena N:") on stderr.
_THREADS_THEN_STATS = """
import ctypes, sys, threading
from parallel_taskgroup.cli.malloc_arenas import use_one_malloc_arena
if sys.argv[1] == "one":
    print("SET", use_one_malloc_arena(), flush=True)
def work():
    kept = [bytearray(200) for _ in range(20_000)]
    del kept
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL(None).malloc_stats()
"""


def arenas(mode: str, env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", _THREADS_THEN_STATS, mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stderr.count("Arena "), done.stdout


@pytest.mark.skipif(not _GLIBC, reason="glibc's arenas")
def test_threads_share_one_arena_once_asked() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    count, out = arenas("one", env)
    assert out.strip() == "SET True"
    assert count == 1


@pytest.mark.skipif(not _GLIBC, reason="glibc's arenas")
def test_threads_get_arenas_of_their_own_unless_asked() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    count, _ = arenas("default", env)
    assert count > 1


def test_a_users_malloc_arena_max_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert use_one_malloc_arena() is False
