"""`make demo`: research 1,000 companies through a Task Group on a local emulator.

Starts the emulator on a free port (on the documented wire, with a share of runs in the older
published shape and a few `error` events in the streams, as the real service may send), quotes
the job with `taskgroup run --dry-run` (rows, price, requests, shortest submission time; nothing
is sent), runs it with a budget cap at that quote, shows its progress, prints a summary and a
few results; then quotes and runs the rows with a low-confidence answer again on `core`, and
ends with `taskgroup report`: the job's quality in the terminal and as an HTML page.
"""

from __future__ import annotations

import collections
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

from taskgroup_emulator.testing import EmulatorServer

HERE = os.path.dirname(os.path.abspath(__file__))
# Simulated latencies scaled so that 1,000 base runs finish in about 15 s (docs: 15-100 s each).
TIME_SCALE = 0.15
# The real wire's imperfections, at modest rates (see emulator/README.md).
OLD_SHAPE_RATE = 0.05
ERROR_EVENT_RATE = 0.01
PRICE_PER_RUN = 0.01  # `base`: $10 per 1,000 runs (wrapper/parallel_taskgroup/jobs/prices.py)


def main() -> int:
    # A fresh emulator each time, so results of an earlier demo would point at a group it
    # does not have: start from an empty folder (kept afterwards for a look, git-ignored).
    out_dir = os.path.join(os.path.dirname(HERE), "demo-output")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    results = os.path.join(out_dir, "company_results.jsonl")
    companies = os.path.join(HERE, "companies.jsonl")
    if not os.path.exists(companies):
        subprocess.run([sys.executable, os.path.join(HERE, "make_companies.py")], check=True)
    command = [
        "run", companies,
        "--out", results,
        "--task-spec", os.path.join(HERE, "company_task.json"),
        "--key", "company_website",
        "--processor", "base",
        "--metadata", "demo=companies",
    ]  # fmt: skip
    print("Starting the Task Group API emulator ...", flush=True)
    emulator = EmulatorServer(
        time_scale=TIME_SCALE,
        api_keys=["demo-key"],
        old_shape_rate=OLD_SHAPE_RATE,
        error_event_rate=ERROR_EVENT_RATE,
    )
    with emulator as emu:
        print(f"Emulator at {emu.base_url}\n", flush=True)
        env = dict(os.environ, PARALLEL_API_KEY=emu.api_key, PARALLEL_BASE_URL=emu.base_url)
        env.pop("PARALLEL_API_VERSION", None)
        code = taskgroup([*command, "--dry-run"], env)
        if code != 0:
            print(f"\ntaskgroup run --dry-run exited with {code}", file=sys.stderr)
            return code
        with open(companies, encoding="utf-8") as handle:
            budget = sum(1 for _ in handle) * PRICE_PER_RUN
        print()
        started = time.monotonic()
        code = taskgroup([*command, "--max-cost", f"{budget:.2f}"], env)
        elapsed = time.monotonic() - started
        if code not in (0, 1):
            print(f"\ntaskgroup run exited with {code}", file=sys.stderr)
            return code
        with open(results + ".state.json", encoding="utf-8") as handle:
            group_id = json.load(handle)["group_id"]
        print()
        taskgroup(["status", group_id], env)
        summarize(results, elapsed)
        escalate = [*command[:-4], "--retry", "low-confidence", "--fields", "market_position"]
        escalate += ["--processor", "core"]
        print("\nRows whose market_position answer has low confidence, again on core:\n")
        taskgroup([*escalate, "--dry-run"], env)
        print()
        code = taskgroup([*escalate, "--max-cost", f"{budget * 2:.2f}", "--yes"], env)
        if code not in (0, 1):
            print(f"\ntaskgroup run --retry low-confidence exited with {code}", file=sys.stderr)
            return code
    page = os.path.join(out_dir, "report.html")
    print()
    taskgroup(["report", results, "--html", page], dict(os.environ))
    print(f"\nOpen {page} in a browser for the charts.")
    print("Run it against the real API: export PARALLEL_API_KEY=... and drop the base URL.")
    return 0


def taskgroup(args: list[str], env: dict[str, str]) -> int:
    """Show ``$ taskgroup ARGS`` (paths relative to here), run it, return its exit code."""
    shown = [os.path.relpath(a) if os.path.isabs(a) and a.startswith(HERE) else a for a in args]
    print("$ taskgroup " + shlex.join(shown), flush=True)
    return subprocess.call([sys.executable, "-m", "parallel_taskgroup.cli", *args], env=env)


def summarize(results: str, elapsed: float) -> None:
    with open(results, encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    statuses = collections.Counter(line["status"] for line in lines)
    print(
        f"\n{len(lines)} result lines in {elapsed:.1f}s: "
        + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    )
    print(f"Results file: {results}\n")
    for line in [x for x in lines if x["status"] == "completed"][:3]:
        company = line["input"]["company_name"]
        output = line["output"] or {}
        print(f"- {company} ({line['key']})")
        print(f"    market_position: {output.get('market_position')}")
        for insight in (output.get("key_insights") or [])[:2]:
            print(f"    insight: {insight}")


if __name__ == "__main__":
    sys.exit(main())
