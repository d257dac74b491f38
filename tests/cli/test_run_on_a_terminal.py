"""`taskgroup run` on a real pseudo-terminal: what a user sees while the job waits, and a last
line whose counters agree with the summary."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Callable

import pytest
from pty_run import run_on_pty
from screen import Screen
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

COLUMNS = 180


def test_the_screen_shows_why_the_job_waits_and_ends_on_counts_that_agree(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.002, faults={"burst_429": 2, "burst_429_retry_after": 2})
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "q": i}) + "\n" for i in range(500)))
    env = dict(os.environ, PARALLEL_API_KEY=server.api_key, PARALLEL_BASE_URL=server.base_url)
    argv = [sys.executable, "-m", "parallel_taskgroup.cli", "run", str(src), "--out", str(out)]
    output = run_on_pty([*argv, "--key", "id", "--processor", "lite"], columns=COLUMNS, env=env)
    screen = Screen(COLUMNS)
    screen.feed(output)
    shown = screen.ever_shown() + screen.lines()
    assert any("rate limit (429 from the service): next batch" in line for line in shown), shown
    lines = [line for line in screen.lines() if line.strip()]
    bar = [line for line in lines if line.startswith("[")][-1]
    assert "500/500 100%" in bar and "completed 500 failed 0" in bar and "submitted 500/500" in bar
    assert any("done: 500 completed, 0 failed of 500 rows" in line for line in lines)
    bar_rows = [i for i, line in enumerate(screen.lines()) if line.startswith("[")]
    assert not set(bar_rows) & screen.wrapped_rows  # the bar never wrapped or tore
