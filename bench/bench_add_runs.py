"""Client CPU of one 1,000-input add-runs POST: ours against the parallel-web SDK.

Both clients talk to an ``httpx.MockTransport`` answering what the API answers (the group's
status, 1,000 run ids, the run and event cursors), without reading the request. The same 1,000
rows (dicts with an ``id`` field) are sent by:

- ours, through the public API: ``client.group(id, processor="base").add_runs(rows, key="id",
  skip_existing=False)`` (what a job sends: it has its journal; the read of the group that a
  call without one makes first is measured by ``bench_group_read.py``): validation and limits
  of every row, the row key in each run's metadata, exact body sizing, the in-memory journal,
  pacing, the answer checked;
- the SDK as its docs show: ``client.task_group.add_runs(id, inputs=[{"input": row,
  "processor": "base"} for row in rows])``, no metadata.

Each measurement is a fresh process that makes the call a few times to warm up, then
``--calls`` times, and reports the median CPU time (``time.process_time``) per call; ours and
the SDK alternate. Goal (issue 15): ours ≤ 1/10 of the SDK's CPU per 1,000 inputs.

Usage: python bench/bench_add_runs.py [--rounds 5] [--quick] [--json PATH] [--calls N]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _harness  # noqa: E402

GROUP_ID = "tgrp_bench"
BASE_URL = "https://api.example.test"
INPUTS = 1000
WARMUP = 3
TARGET = 0.1


def answer(n: int) -> bytes:
    return json.dumps(
        {
            "status": {
                "num_task_runs": n,
                "task_run_status_counts": {"queued": n},
                "is_active": True,
                "status_message": None,
                "modified_at": "2026-01-01T00:00:00.000000Z",
            },
            "run_ids": [f"trun_{i:032x}" for i in range(n)],
            "run_cursor": "660fcdad23279",
            "event_cursor": "660fcdad2327a",
        }
    ).encode()


def make_rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"row-{i:05d}",
            "company": f"Company number {i}",
            "website": f"https://company-{i}.example.com",
            "country": "DE" if i % 2 else "US",
        }
        for i in range(n)
    ]


def http_client() -> Any:
    import httpx

    body = answer(INPUTS)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def call(side: str) -> Callable[[], None]:
    rows = make_rows(INPUTS)
    if side == "ours":
        from parallel_taskgroup import Client

        client = Client(api_key="bench", base_url=BASE_URL, http_client=http_client())
        group = client.group(GROUP_ID, processor="base")

        def ours() -> None:
            # The mock serves no /runs: the read a group without a journal gets first (the
            # notebook default) is measured by bench_group_read.
            report = group.add_runs(rows, key="id", skip_existing=False)
            assert report.sent == INPUTS

        return ours

    from parallel import Parallel

    task_group = Parallel(api_key="bench", base_url=BASE_URL, http_client=http_client()).task_group

    def sdk() -> None:
        response = task_group.add_runs(
            GROUP_ID, inputs=[{"input": row, "processor": "base"} for row in rows]
        )
        assert len(response.run_ids) == INPUTS

    return sdk


def child(side: str, calls: int) -> None:
    run = call(side)
    for _ in range(WARMUP):
        run()
    spent = []
    for _ in range(calls):
        start = time.process_time()
        run()
        spent.append(time.process_time() - start)
    print(json.dumps({"ms": statistics.median(spent) * 1000, "calls": calls}))


def main() -> None:
    p = _harness.parser((__doc__ or "").splitlines()[0])
    p.add_argument("--calls", type=int, default=None, help="measured calls per process")
    p.add_argument("--child", help=_harness.argparse.SUPPRESS)
    args = p.parse_args()
    calls = args.calls or (10 if args.quick else 40)
    if args.child:
        child(args.child, calls)
        return

    def side(name: str) -> Callable[[], Any]:
        argv = [_harness.PYTHON, __file__, "--child", name, "--calls", str(calls)]
        return lambda: _harness.child(argv)

    taken = _harness.alternate(side("ours"), side("sdk"), rounds=args.rounds, label="add_runs")
    ours, sdk = taken.values("ours", "ms"), taken.values("sdk", "ms")
    r = _harness.ratio(ours, sdk)
    goal = _harness.ratio_goal(
        "add_runs client CPU per 1,000 inputs, ours / SDK",
        r,
        limit=TARGET,
        ours=f"{_harness.median(ours):.2f} ms",
        sdk=f"{_harness.median(sdk):.2f} ms",
        command=f"python bench/bench_add_runs.py --rounds {args.rounds}"
        + (" --quick" if args.quick else ""),
        notes="one POST of 1,000 inputs on a MockTransport; ours group.add_runs(rows, key='id', "
        "skip_existing=False) "
        "(row keys in metadata, limits, journal, pacing) vs the SDK's task_group.add_runs "
        f"without metadata; median CPU of {calls} calls per process",
    )
    _harness.report(
        "bench_add_runs.py", [goal], json_path=args.json, series={"ours_ms": ours, "sdk_ms": sdk}
    )


if __name__ == "__main__":
    main()
