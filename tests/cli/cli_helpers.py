"""Helpers shared by the CLI tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from taskgroup_emulator.testing import EmulatorServer

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return path


def companies(n: int) -> list[dict[str, str]]:
    return [
        {"id": f"c{i}", "company_name": f"Company {i}", "company_website": f"https://c{i}.example"}
        for i in range(n)
    ]


def read_results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def taskgroup_process(
    args: list[str], env_server: EmulatorServer, **kwargs: Any
) -> subprocess.Popen[str]:
    """The `taskgroup` command as a child process, talking to `env_server`."""
    env = dict(os.environ)
    env.update(PARALLEL_API_KEY=env_server.api_key, PARALLEL_BASE_URL=env_server.base_url)
    env.pop("PARALLEL_API_VERSION", None)
    return subprocess.Popen(
        [sys.executable, "-m", "parallel_taskgroup.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )
