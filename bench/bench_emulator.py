"""Emulator throughput: add-runs server time per POST, and runs-stream events per second.

Prints figures (no pass/fail): `python bench/bench_emulator.py [--runs 100000] [--stream 20000]`.
Floors from issue 3: every 1,000-input POST takes <= 100 ms of server time (Server-Timing
header), and one client reads a 20,000-run /runs stream with outputs at >= 20,000 events/s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import httpx
from taskgroup_emulator.testing import EmulatorServer

BATCH = 1000


def _server_ms(response: httpx.Response) -> float:
    return float(response.headers["server-timing"].split("dur=")[1])


def bench_add_runs(api: httpx.Client, total: int) -> dict[str, Any]:
    group_id = api.post("/v1/tasks/groups", json={}).json()["taskgroup_id"]
    server, wall = [], []
    for start in range(0, total, BATCH):
        inputs = [
            {
                "input": {"company": f"Company {i}", "site": f"https://c{i}.example"},
                "processor": "lite",
                "metadata": {"row_key": f"row-{i}"},
            }
            for i in range(start, min(start + BATCH, total))
        ]
        t0 = time.perf_counter()
        response = api.post(
            f"/v1/tasks/groups/{group_id}/runs",
            params={"refresh_status": "false"},
            json={"inputs": inputs},
        )
        wall.append((time.perf_counter() - t0) * 1000)
        response.raise_for_status()
        server.append(_server_ms(response))
    server.sort()
    return {
        "runs": total,
        "posts": len(server),
        "server_ms_median": statistics.median(server),
        "server_ms_p95": server[int(len(server) * 0.95) - 1],
        "server_ms_max": server[-1],
        "wall_ms_median": statistics.median(wall),
    }


def bench_runs_stream(api: httpx.Client, total: int) -> dict[str, Any]:
    group_id = api.post("/v1/tasks/groups", json={}).json()["taskgroup_id"]
    spec = {
        "output_schema": {
            "type": "json",
            "json_schema": {
                "type": "object",
                "properties": {
                    "ceo": {"type": "string"},
                    "employees": {"type": "integer"},
                    "segments": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    }
    for start in range(0, total, BATCH):
        inputs = [
            {"input": f"Company {i}", "processor": "lite"} for i in range(start, start + BATCH)
        ]
        api.post(
            f"/v1/tasks/groups/{group_id}/runs", json={"inputs": inputs, "default_task_spec": spec}
        ).raise_for_status()
    while api.get(f"/v1/tasks/groups/{group_id}").json()["status"]["is_active"]:
        time.sleep(0.2)
    rates: dict[bool, float] = {}
    for parse in (False, True):
        count, size, buffer = 0, 0, b""
        t0 = time.perf_counter()
        with api.stream(
            "GET", f"/v1/tasks/groups/{group_id}/runs", params={"include_output": "true"}
        ) as response:
            for chunk in response.iter_raw(1 << 20):
                size += len(chunk)
                buffer += chunk
                *frames, buffer = buffer.split(b"\n\n")
                for frame in frames:
                    if parse:
                        json.loads(frame[frame.index(b"\ndata: ") + 7 :])
                    count += 1
        elapsed = time.perf_counter() - t0
        assert count == total, (count, total)
        rates[parse] = count / elapsed
    return {"runs": total, "mb": size / 1e6, "raw_eps": rates[False], "json_eps": rates[True]}


def run(runs: int = 100_000, stream: int = 20_000) -> dict[str, Any]:
    """Both emulator figures (for bench/run_all.py)."""
    with EmulatorServer(time_scale=0.0005, rate_limit_per_minute=10**9) as emu:
        headers = {"x-api-key": emu.api_key}
        with httpx.Client(base_url=emu.base_url, headers=headers, timeout=120) as api:
            return {"stream": bench_runs_stream(api, stream), "add": bench_add_runs(api, runs)}


def report(result: dict[str, Any]) -> str:
    s, a = result["stream"], result["add"]
    add_verdict = "met" if a["server_ms_max"] <= 100 else "MISSED"
    return (
        f"Emulator runs stream: {s['runs']:,} runs with outputs ({s['mb']:.1f} MB): "
        f"{s['raw_eps']:,.0f} events/s framed, {s['json_eps']:,.0f} events/s with json.loads "
        f"(floor 20,000 events/s)\n"
        f"Emulator add runs: {a['runs']:,} runs in {a['posts']} POSTs: server time per POST "
        f"median {a['server_ms_median']:.1f} ms, p95 {a['server_ms_p95']:.1f} ms, "
        f"max {a['server_ms_max']:.1f} ms (floor 100 ms: {add_verdict}); "
        f"client wall per POST median {a['wall_ms_median']:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--stream", type=int, default=20_000)
    args = parser.parse_args()
    print(report(run(args.runs, args.stream)), flush=True)


if __name__ == "__main__":
    main()
