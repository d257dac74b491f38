"""Record the stream fixtures of bench_stream.py and bench_latency.py from a live emulator.

Writes, byte for byte as the emulator sent them (its default, documented wire: no ``id:``
lines, hex ``event_id`` cursors; plus a share of runs in the older shape with explicit null
``warnings``/``error``, failures and ``: keep-alive`` comments):

- ``bench/data/events_stream.sse``: a group's ``/events`` stream from its start until the group
  is idle (``task_group_status`` events, a ``task_run.state`` event per finished run,
  completed and failed, keep-alive comments while it is quiet);
- ``bench/data/runs_stream.sse``: a ``/runs?include_output=true`` snapshot
  taken while the group is mid-flight (runs queued, running, completed with output, failed).
  (This is what ``TaskGroup.results(follow=False)`` reads.)
- ``bench/data/finished_stream.sse``: the ``/runs?include_input=true&include_output=true``
  snapshot of a finished group, every run completed with its input, JSON output and basis
  (the stream a user reads to collect a group's results). The output schema has a list field,
  so the basis holds an entry per list element too, as the API sends by default.
- ``bench/data/finished_light_stream.sse``: the same snapshot of a finished group whose task
  asks for one string field: one basis entry per output, events under half the size (a
  stream where the JSON decoding every reader pays is a larger share of the work).

Usage: python bench/record_streams.py [--runs 300]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import httpx

DATA = Path(__file__).resolve().parent / "data"
EVENTS_FILE = DATA / "events_stream.sse"
RUNS_FILE = DATA / "runs_stream.sse"
FINISHED_FILE = DATA / "finished_stream.sse"
LIGHT_FILE = DATA / "finished_light_stream.sse"

TASK_SPEC = {
    "output_schema": {
        "type": "json",
        "json_schema": {
            "type": "object",
            "properties": {
                "ceo": {"type": "string", "description": "Current CEO"},
                "founded": {"type": "integer", "description": "Year founded"},
                "hq_city": {"type": "string", "description": "Headquarters city"},
                "products": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Main products",
                },
            },
        },
    }
}

LIGHT_TASK_SPEC = {
    "output_schema": {
        "type": "json",
        "json_schema": {
            "type": "object",
            "properties": {"ceo": {"type": "string", "description": "Current CEO"}},
        },
    }
}


def _inputs(runs: int) -> list[dict[str, object]]:
    return [
        {
            "input": {"company": f"Company {i}", "website": f"company-{i}.example"},
            "processor": "lite" if i % 3 else "base",
            "metadata": {"row_key": f"row-{i:05d}"},
        }
        for i in range(runs)
    ]


def record(runs: int) -> None:
    from taskgroup_emulator.testing import EmulatorServer

    with EmulatorServer(
        check_responses=False,
        time_scale=0.1,
        rate_limit_per_minute=10**6,
        keepalive_seconds=0.01,
        old_shape_rate=0.3,
        failure_rate=0.1,
    ) as emu:
        http = httpx.Client(base_url=emu.base_url, headers={"x-api-key": emu.api_key}, timeout=120)
        group = http.post("/v1/tasks/groups", json={"metadata": {"bench": "stream"}}).json()
        gid = group["taskgroup_id"]
        inputs = _inputs(runs)
        late = len(inputs) // 6
        for pause, batch in ((1.25, inputs[:-late]), (0.02, inputs[-late:])):
            added = http.post(
                f"/v1/tasks/groups/{gid}/runs",
                json={"inputs": batch, "default_task_spec": TASK_SPEC},
            )
            added.raise_for_status()
            # mid-flight: runs of the first batch running or finished, the late ones queued
            time.sleep(pause)
        with http.stream(
            "GET",
            f"/v1/tasks/groups/{gid}/runs",
            params={"include_output": "true"},
        ) as response:
            snapshot = b"".join(response.iter_raw())
        with http.stream("GET", f"/v1/tasks/groups/{gid}/events") as response:
            events = b"".join(response.iter_raw())
    written = {
        EVENTS_FILE: events,
        RUNS_FILE: snapshot,
        FINISHED_FILE: record_finished(runs, TASK_SPEC),
        LIGHT_FILE: record_finished(runs, LIGHT_TASK_SPEC),
    }
    for path, data in written.items():
        path.write_bytes(data)
        print(f"{path.name}: {len(data):,} bytes, {data.count(b'data: '):,} events")


def record_finished(runs: int, task_spec: dict[str, object]) -> bytes:
    """The snapshot of a finished group with inputs and outputs (no failures, current shape)."""
    from taskgroup_emulator.testing import EmulatorServer

    with EmulatorServer(
        check_responses=False, time_scale=0.001, rate_limit_per_minute=10**6
    ) as emu:
        http = httpx.Client(base_url=emu.base_url, headers={"x-api-key": emu.api_key}, timeout=120)
        gid = http.post("/v1/tasks/groups", json={}).json()["taskgroup_id"]
        http.post(
            f"/v1/tasks/groups/{gid}/runs",
            json={"inputs": _inputs(runs), "default_task_spec": task_spec},
        ).raise_for_status()
        while http.get(f"/v1/tasks/groups/{gid}").json()["status"]["is_active"]:
            time.sleep(0.1)
        with http.stream(
            "GET",
            f"/v1/tasks/groups/{gid}/runs",
            params={"include_input": "true", "include_output": "true"},
        ) as response:
            return b"".join(response.iter_raw())


def main() -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--runs", type=int, default=300)
    record(p.parse_args().runs)


if __name__ == "__main__":
    main()
