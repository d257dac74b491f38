"""The emulator's add-runs server time per 1,000-input POST, as its `server-timing` header says.

    .venv/bin/python tests/emulator/add_runs_timing.py [--posts 20] [--rounds 1]
        [--no-response-check]

Each round starts a fresh emulator and sends `--posts` POSTs of 1,000 inputs shaped like the
client's batches (`parallel_taskgroup.submission.prepare`: a JSON object per row, the processor,
`metadata: {"row_key": ...}`, and a `default_task_spec` with a JSON output schema), then the same
number shaped like bench/bench_wire.py's (a string input, `metadata: {"k": ...}`, no spec).
Prints the median and max server time of each shape.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any, Dict, List

import httpx
from taskgroup_emulator.testing import EmulatorServer

INPUTS_PER_POST = 1000
FIELDS = {"ceo": "string", "employees": "integer", "founded": "string"}
TASK_SPEC = {
    "output_schema": {
        "type": "json",
        "json_schema": {
            "type": "object",
            "properties": {name: {"type": kind} for name, kind in FIELDS.items()},
            "required": list(FIELDS),
            "additionalProperties": False,
        },
    }
}


def client_body(start: int) -> Dict[str, Any]:
    """A batch as the client sends it: dict rows, a row key each, the job's task spec."""
    inputs = [
        {
            "input": {"company": f"Company {i}", "country": "France", "website": f"c{i}.example"},
            "processor": "lite",
            "metadata": {"row_key": f"{i:016x}"},
        }
        for i in range(start, start + INPUTS_PER_POST)
    ]
    return {"inputs": inputs, "default_task_spec": TASK_SPEC}


def bench_body(start: int) -> Dict[str, Any]:
    """A batch as bench/bench_wire.py sends it (its figure's shape)."""
    inputs = [
        {"input": f"Company {i}", "processor": "lite", "metadata": {"k": f"r{i}"}}
        for i in range(start, start + INPUTS_PER_POST)
    ]
    return {"inputs": inputs}


def server_times(posts: int, **server: Any) -> Dict[str, List[float]]:
    """Server milliseconds of each POST, by shape, on a fresh emulator."""
    times: Dict[str, List[float]] = {"client": [], "bench": []}
    with EmulatorServer(time_scale=0.0005, rate_limit_per_minute=10**9, **server) as emu:
        headers = {"x-api-key": emu.api_key}
        with httpx.Client(base_url=emu.base_url, headers=headers, timeout=120) as api:
            group_id = api.post("/v1/tasks/groups", json={}).json()["taskgroup_id"]
            for shape, make in (("client", client_body), ("bench", bench_body)):
                for n in range(posts):
                    body = make(n * INPUTS_PER_POST)
                    response = api.post(f"/v1/tasks/groups/{group_id}/runs", json=body)
                    response.raise_for_status()
                    timing = response.headers["server-timing"]
                    times[shape].append(float(timing.split("dur=")[1]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--no-response-check", action="store_true", help="start it without --check-responses"
    )
    args = parser.parse_args()
    server = {"check_responses": False} if args.no_response_check else {}
    for r in range(args.rounds):
        for shape, ms in server_times(args.posts, **server).items():
            print(
                f"round {r + 1} {shape:6s}: {len(ms)} POSTs of {INPUTS_PER_POST:,} inputs, "
                f"server time median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms"
            )


if __name__ == "__main__":
    main()
