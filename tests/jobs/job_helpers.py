"""Helpers for job tests: the command line as a child process, and what a group really holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Optional

import httpx
from taskgroup_emulator.testing import EmulatorServer


def write_rows(path: Path, n: int, start: int = 0) -> list[dict[str, Any]]:
    rows = [{"id": f"r{i}", "name": f"Company {i}"} for i in range(start, start + n)]
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return rows


def cli_env(server: EmulatorServer) -> dict[str, str]:
    env = dict(os.environ, PARALLEL_API_KEY=server.api_key, PARALLEL_BASE_URL=server.base_url)
    env.pop("PARALLEL_API_VERSION", None)
    return env


def taskgroup(
    args: list[str], server: EmulatorServer, *, timeout: float = 120, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``taskgroup ARGS`` to the end (quiet, never asking for confirmation)."""
    return subprocess.run(
        [sys.executable, "-m", "parallel_taskgroup.cli", *args],
        env=cli_env(server),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


def start(args: list[str], server: EmulatorServer, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "parallel_taskgroup.cli", *args],
        env=cli_env(server),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        **kwargs,
    )


def group_runs(server: EmulatorServer, group_id: str) -> list[dict[str, Any]]:
    """Every run the group holds, read from the raw SSE (no client code)."""
    runs = []
    url = f"{server.base_url}/v1/tasks/groups/{group_id}/runs"
    with httpx.stream("GET", url, headers={"x-api-key": server.api_key}, timeout=60) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event.get("type") == "task_run.state":
                    runs.append(event["run"])
    return runs


def runs_per_key(server: EmulatorServer, group_id: str) -> Counter[str]:
    return Counter(
        (run.get("metadata") or {}).get("row_key", "") for run in group_runs(server, group_id)
    )


def group_of(out: Path) -> str:
    state = json.loads(Path(f"{out}.state.json").read_text())
    return str(state["group_id"])


def result_keys(out: Path) -> Counter[str]:
    return Counter(json.loads(line)["key"] for line in out.read_text().splitlines())


def assert_one_run_and_one_line_per_row(
    server: EmulatorServer, out: Path, rows: list[dict[str, Any]], group: Optional[str] = None
) -> None:
    expected = sorted(r["id"] for r in rows)
    per_key = runs_per_key(server, group or group_of(out))
    assert sorted(per_key) == expected, "a row has no run"
    assert max(per_key.values()) == 1, f"a row was billed twice: {per_key.most_common(3)}"
    lines = result_keys(out)
    assert sorted(lines) == expected, "a row has no result line"
    assert max(lines.values()) == 1, f"a row has two lines: {lines.most_common(3)}"


def json_spec(properties: dict[str, Any]) -> dict[str, Any]:
    """A task spec whose JSON output has these top-level fields, every one required."""
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    return {"output_schema": {"type": "json", "json_schema": schema}}


class RunsReads(httpx.BaseTransport):
    """Real HTTP, with the body of each read of a group's runs (``GET .../runs``) passed
    through ``change`` (which may look at it, or rewrite it)."""

    def __init__(self, change: Callable[[bytes], bytes]) -> None:
        self.inner = httpx.HTTPTransport()
        self.change = change

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method != "GET" or not request.url.path.endswith("/runs"):
            return response
        body = response.read()
        response.close()
        return httpx.Response(
            response.status_code, headers=response.headers, content=self.change(body)
        )

    def close(self) -> None:
        self.inner.close()
