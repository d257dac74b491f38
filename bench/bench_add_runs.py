"""Client CPU for building and sending one 1,000-input add-runs POST: ours against the SDK.

Both clients talk to the same httpx.MockTransport, which answers with a canned response (1,000 run
ids) without parsing the request. The same 1,000 rows (dicts with an ``id``) are sent by:

* ours: ``group.add_runs(rows, key="id")`` (validation, metadata with the row key, exact byte
  sizing, journal, pacing with an unlimited quota, response parsing);
* ours with derived keys: the same, each key a hash of the row's canonical JSON;
* the SDK: ``parallel.Parallel(...).task_group.add_runs(group_id, inputs=[...])`` with the row
  key already in each input's metadata, ``refresh_status=False``.

Prints median client CPU per call (``time.process_time``) and the ratio SDK/ours; the target is
ours at most one fifth of the SDK.

Usage: python bench/bench_add_runs.py [--repetitions N] [--inputs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any, Callable, Optional

import httpx
from parallel_taskgroup import ROW_KEY_FIELD, Client

GROUP_ID = "tgrp_bench"
TARGET_RATIO = 5.0


def canned_handler(n: int) -> Callable[[httpx.Request], httpx.Response]:
    body = json.dumps(
        {
            "status": {
                "num_task_runs": n,
                "task_run_status_counts": {"queued": n},
                "is_active": True,
                "status_message": None,
                "modified_at": "2026-01-01T00:00:00Z",
            },
            "run_ids": [f"trun_{i:032x}" for i in range(n)],
            "run_cursor": "000000000000",
            "event_cursor": "000000000001",
        }
    ).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return handler


def make_rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"row-{i}",
            "company": f"Company number {i}",
            "website": f"https://company-{i}.example.com",
            "country": "DE" if i % 2 else "US",
        }
        for i in range(n)
    ]


def cpu_per_call(calls: dict[str, Callable[[], object]], repetitions: int) -> dict[str, float]:
    """Median CPU seconds per call of each callable, sampled round-robin so that load from
    other processes hits all of them alike."""
    for fn in calls.values():
        for _ in range(3):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repetitions):
        for name, fn in calls.items():
            start = time.process_time()
            fn()
            samples[name].append(time.process_time() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def ours(rows: list[dict[str, Any]], key: Optional[str]) -> Callable[[], object]:
    http = httpx.Client(transport=httpx.MockTransport(canned_handler(len(rows))))
    client = Client(api_key="bench-key", base_url="http://127.0.0.1:9", http_client=http)
    group = client.group(GROUP_ID, processor="base")

    def call() -> object:
        report = group.add_runs(rows, key=key, rate_per_minute=10**9)
        assert report.sent == len(rows)
        return report

    return call


def sdk(rows: list[dict[str, Any]]) -> Optional[Callable[[], object]]:
    try:
        import parallel
    except ImportError:
        return None
    http = httpx.Client(transport=httpx.MockTransport(canned_handler(len(rows))))
    client = parallel.Parallel(api_key="bench-key", base_url="http://127.0.0.1:9", http_client=http)
    beta = getattr(client, "beta", None)
    task_group = getattr(beta, "task_group", None) or client.task_group

    def call() -> object:
        inputs = [
            {"input": row, "processor": "base", "metadata": {ROW_KEY_FIELD: row["id"]}}
            for row in rows
        ]
        response = task_group.add_runs(GROUP_ID, inputs=inputs, refresh_status=False)
        assert len(response.run_ids) == len(rows)
        return response

    return call


def run(repetitions: int = 30, inputs: int = 1000) -> dict[str, Any]:
    """Measure and return the figures (milliseconds of client CPU per call, ratios)."""
    rows = make_rows(inputs)
    calls = {"ours": ours(rows, "id"), "derived": ours(rows, None)}
    sdk_call = sdk(rows)
    if sdk_call is not None:
        calls["sdk"] = sdk_call
    cpu = cpu_per_call(calls, repetitions)
    ours_ms = cpu["ours"] * 1000
    derived_ms = cpu["derived"] * 1000
    sdk_ms = cpu["sdk"] * 1000 if "sdk" in cpu else None
    ratio = sdk_ms / ours_ms if sdk_ms and ours_ms else None
    return {
        "inputs": inputs,
        "repetitions": repetitions,
        "ours_ms": round(ours_ms, 3),
        "ours_derived_keys_ms": round(derived_ms, 3),
        "sdk_ms": round(sdk_ms, 3) if sdk_ms is not None else None,
        "sdk_over_ours": round(ratio, 2) if ratio else None,
        "sdk_over_ours_derived": round(sdk_ms / derived_ms, 2) if sdk_ms and derived_ms else None,
        "target_ratio": TARGET_RATIO,
        "target_met": bool(ratio and ratio >= TARGET_RATIO),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=30)
    parser.add_argument("--inputs", type=int, default=1000)
    args = parser.parse_args()
    result = run(args.repetitions, args.inputs)
    print(f"one add-runs POST of {result['inputs']} inputs, median client CPU per call:")
    print(f"  ours (key field)      {result['ours_ms']:8.2f} ms")
    print(f"  ours (derived keys)   {result['ours_derived_keys_ms']:8.2f} ms")
    if result["sdk_ms"] is None:
        print("  parallel-web SDK      not installed")
    else:
        print(f"  parallel-web SDK      {result['sdk_ms']:8.2f} ms")
        print(
            f"  SDK / ours = {result['sdk_over_ours']}x (derived keys: "
            f"{result['sdk_over_ours_derived']}x); target >= {TARGET_RATIO}x: "
            f"{'met' if result['target_met'] else 'NOT met'}"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
