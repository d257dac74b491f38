"""Helpers shared by the CLI tests."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from parallel_taskgroup.cli import main
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


def run_cli(args: list[Any]) -> tuple[int, str, str]:
    """`taskgroup ARGS` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def group_of(results: Path) -> str:
    """The group id in the job's state file."""
    return str(json.loads(Path(f"{results}.state.json").read_text())["group_id"])


def add_second_run(server: EmulatorServer, group_id: str, key: str) -> None:
    """Another run for row `key` in the group, made outside the job (as another program could)."""
    httpx.post(
        f"{server.base_url}/v1/tasks/groups/{group_id}/runs",
        json={"inputs": [{"input": "again", "processor": "base", "metadata": {"row_key": key}}]},
        headers={"x-api-key": server.api_key},
    ).raise_for_status()


def run_args(tmp_path: Path, rows: list[Any], *extra: str) -> list[str]:
    """`run IN --out OUT --key id EXTRA...`: `rows` written to tmp_path/in.jsonl, the results
    to tmp_path/out.jsonl."""
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    return ["run", str(src), "--out", str(tmp_path / "out.jsonl"), "--key", "id", *extra]
