"""The cost of reading a group's row keys: what a job pays before sending anything when its
local knowledge is missing or untrusted (no journal, a deleted or foreign one, a re-attach with
``--group``).

A group of N runs with row keys is created once on the emulator. Then, in fresh processes,
ours and the SDK alternating: ours reads the group's runs stream and maps row key -> run id
(``submission.reconcile.existing_keys``, what the job does); the SDK lists the same runs with
``task_group.get_runs(group_id)`` and collects the same mapping from their metadata. Figures:
seconds per 20,000 runs (wall, loopback), and ours / SDK.

Usage: python bench/bench_group_read.py [--rounds 5] [--quick] [--json PATH]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import _harness as h

PER = 20_000
COMMAND = "python bench/bench_group_read.py"


def _child_ours(base_url: str, api_key: str, group_id: str) -> dict[str, Any]:
    from parallel_taskgroup import Client
    from parallel_taskgroup.client import core_of
    from parallel_taskgroup.submission.reconcile import existing_keys

    started = time.perf_counter()
    cpu = time.process_time()
    with Client(api_key=api_key, base_url=base_url, allow_insecure_http=True) as client:
        found = existing_keys(core_of(client), group_id)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "keys": len(found.runs),
    }


def _child_sdk(base_url: str, api_key: str, group_id: str) -> dict[str, Any]:
    import parallel

    started = time.perf_counter()
    cpu = time.process_time()
    found: dict[str, str] = {}
    with parallel.Parallel(api_key=api_key, base_url=base_url) as client:
        for event in client.task_group.get_runs(group_id):
            run = getattr(event, "run", None)
            key = (getattr(run, "metadata", None) or {}).get("row_key")
            if key is not None and key not in found:
                found[key] = run.run_id  # type: ignore[union-attr]
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "keys": len(found),
    }


def _make_group(emu: Any, runs: int) -> str:
    from parallel_taskgroup import Client

    with Client(api_key=emu.api_key, base_url=emu.base_url, allow_insecure_http=True) as client:
        group = client.create_group(processor="lite")
        rows = ({"id": f"row-{i}", "company": f"Company {i}"} for i in range(runs))
        group.add_runs(rows, key="id")
        return group.id


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        side, base_url, group_id = sys.argv[2:5]
        run = _child_ours if side == "ours" else _child_sdk
        print(json.dumps(run(base_url, os.environ["PARALLEL_API_KEY"], group_id)))
        return
    args = h.parser(__doc__.splitlines()[0]).parse_args()
    runs = 5_000 if args.quick else 20_000

    from taskgroup_emulator.testing import EmulatorServer

    with EmulatorServer(
        check_responses=False, time_scale=0.001, rate_limit_per_minute=10**7
    ) as emu:
        group_id = _make_group(emu, runs)
        env = {"PARALLEL_API_KEY": emu.api_key}
        script = str(Path(__file__).resolve())

        def side(name: str) -> Any:
            return lambda: h.child(
                [h.PYTHON, script, "--child", name, emu.base_url, group_id], env=env
            )

        taken = h.alternate(side("ours"), side("sdk"), rounds=args.rounds, label="group read")
    for r in [*taken.ours, *taken.sdk]:
        assert r["keys"] == runs, r
    ours_s, sdk_s = taken.values("ours", "seconds"), taken.values("sdk", "seconds")
    rel = h.ratio(ours_s, sdk_s)
    per = h.median(ours_s) * PER / runs
    goal = h.Goal(
        name=f"Group read before resending, {runs:,} runs (wall, loopback emulator)",
        figure=f"{per:.2f} s per 20,000 runs; {rel} the SDK's get_runs",
        target="stated (issue 13); no floor",
        holds=True,
        ours=f"{h.median(ours_s):.2f} s wall, {h.median(taken.values('ours', 'cpu')):.2f} s CPU",
        sdk=f"{h.median(sdk_s):.2f} s wall, {h.median(taken.values('sdk', 'cpu')):.2f} s CPU",
        command=COMMAND,
        notes="paid once per session whose journal is missing, rebuilt or from another machine",
        value=rel.median,
        low=rel.low,
        high=rel.high,
        limit=1.0,
        better="lower",
    )
    h.report("bench_group_read.py", [goal], json_path=args.json)


if __name__ == "__main__":
    main()
