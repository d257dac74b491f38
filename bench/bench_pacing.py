"""Sustained submission rate on the emulator with its run-creation limit set (default 6,000/min).

Starts an emulator with ``--rate-limit``, then submits rows for ``duration`` seconds (a generator
that stops yielding when the time is up) with ``group.add_runs(rate_per_minute=limit)``. Reports:

* the steady rate: runs created after the first batch divided by the time from the first
  batch's answer to the last batch's answer (the first batch is free in any window, so counting
  it would flatter a short run) -- target at least 95% of the limit;
* the overall rate (all runs / elapsed), 429s met by the client (absorbed, never raised), and
  whether the group holds exactly one run per row key (no duplicate).

Usage: python bench/bench_pacing.py [--duration 30] [--limit 6000] [--batch 100]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from parallel_taskgroup import ROW_KEY_FIELD, Client, SubmitReport
from taskgroup_emulator.testing import EmulatorServer

TARGET_FRACTION = 0.95


def timed_rows(duration: float) -> Iterator[dict[str, Any]]:
    """Rows until ``duration`` seconds have passed since the first one was taken."""
    start = time.monotonic()
    i = 0
    while time.monotonic() - start < duration:
        yield {"id": i, "question": f"What does company {i} do?"}
        i += 1


def run(duration: float = 30.0, limit: int = 6000, batch: int = 100) -> dict[str, Any]:
    """Run the measurement on a private emulator and return the figures."""
    answers: list[tuple[float, int]] = []  # (time of answer, runs created so far)

    def progress(report: SubmitReport) -> None:
        answers.append((time.monotonic(), report.sent))

    with (
        EmulatorServer(time_scale=0.01, rate_limit_per_minute=limit) as emu,
        Client(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        group = client.create_group(processor="base")
        report = group.add_runs(
            timed_rows(duration),
            key="id",
            rate_per_minute=limit,
            max_batch_inputs=batch,
            on_progress=progress,
        )
        keys = [
            str(event.run.metadata[ROW_KEY_FIELD])
            for event in group.runs()
            if getattr(event, "run", None) is not None and event.run.metadata
        ]
    counts = Counter(keys)
    (t_first, first_sent), (t_last, last_sent) = answers[0], answers[-1]
    steady = (last_sent - first_sent) / (t_last - t_first) * 60 if t_last > t_first else 0.0
    return {
        "limit_per_minute": limit,
        "duration_s": duration,
        "batch": batch,
        "runs_created": report.sent,
        "requests": report.requests,
        "elapsed_s": round(report.elapsed, 2),
        "steady_rate_per_minute": round(steady, 1),
        "steady_fraction_of_limit": round(steady / limit, 4),
        "overall_rate_per_minute": round(report.achieved_rate_per_minute, 1),
        "rate_limited_429s_absorbed": report.rate_limited,
        "runs_in_group": len(keys),
        "duplicate_keys": sum(1 for c in counts.values() if c > 1),
        "target_met": steady >= TARGET_FRACTION * limit and len(keys) == report.sent == len(counts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--limit", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    r = run(args.duration, args.limit, args.batch)
    print(
        f"{r['runs_created']} runs in {r['elapsed_s']} s against a limit of "
        f"{r['limit_per_minute']}/min (batches of {r['batch']}):"
    )
    print(
        f"  steady rate {r['steady_rate_per_minute']}/min = "
        f"{r['steady_fraction_of_limit']:.1%} of the limit (target >= {TARGET_FRACTION:.0%})"
    )
    print(f"  overall rate {r['overall_rate_per_minute']}/min (first batch included)")
    print(
        f"  429s absorbed {r['rate_limited_429s_absorbed']}, runs in group {r['runs_in_group']}, "
        f"duplicate keys {r['duplicate_keys']}: target {'met' if r['target_met'] else 'NOT met'}"
    )
    print(json.dumps(r))


if __name__ == "__main__":
    main()
