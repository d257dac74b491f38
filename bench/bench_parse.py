"""Typed parsing of one recorded task_run.state event: our generated client against stock output.

Generates the STOCK openapi-python-client package (no custom templates) from openapi.yaml into a
temporary folder, imports it side by side with ours under another name, and parses the same
recorded event (bench/data/task_run_event.json: input plus a JSON output whose basis entries carry
citations) many times with each. Prints µs/event, events/s and the ratio stock/ours, with plain
json.loads of the raw line as a floor and the parallel-web SDK's pydantic model when installed.

Usage: python bench/bench_parse.py [--repetitions N]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
EVENT_FILE = ROOT / "bench" / "data" / "task_run_event.json"
SPEC = ROOT / "openapi.yaml"
STOCK_PACKAGE = "stock_taskgroup_api"


def generate_stock(dest: Path) -> Path:
    """Generate the stock client package into `dest`; return the folder to put on sys.path."""
    config = dest / "config.yaml"
    config.write_text(
        f"package_name_override: {STOCK_PACKAGE}\nliteral_enums: false\n", encoding="utf-8"
    )
    bin_dir = Path(sys.executable).parent
    tool = shutil.which("openapi-python-client", path=str(bin_dir)) or "openapi-python-client"
    cmd = [tool, "generate", "--path", str(SPEC), "--config", str(config), "--meta", "none"]
    cmd += ["--output-path", str(dest / STOCK_PACKAGE), "--overwrite"]
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not (dest / STOCK_PACKAGE / "models").is_dir():
        raise SystemExit(f"bench_parse: stock generation failed:\n{proc.stdout}{proc.stderr}")
    return dest


def _time_per_call(func: Callable[[], object], repetitions: int, rounds: int = 5) -> float:
    """Best-of-`rounds` seconds per call (the minimum is the least noisy estimate)."""
    func()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repetitions):
            func()
        best = min(best, (time.perf_counter() - start) / repetitions)
    return best


def _sdk_parser() -> Callable[[dict[str, Any]], object] | None:
    try:
        from parallel.types.task_run_event import TaskRunEvent as SdkTaskRunEvent
    except ImportError:
        return None
    return SdkTaskRunEvent.model_validate


def run(repetitions: int = 20_000) -> dict[str, Any]:
    """Time each parser on the recorded event; return seconds per event and ratios."""
    from parallel_taskgroup_api.models import TaskRunEvent, TaskRunJsonOutput

    raw = EVENT_FILE.read_text(encoding="utf-8").strip()
    data = json.loads(raw)
    with tempfile.TemporaryDirectory(prefix="bench-stock-") as tmp:
        sys.path.insert(0, str(generate_stock(Path(tmp))))
        try:
            stock = importlib.import_module(f"{STOCK_PACKAGE}.models")
        finally:
            sys.path.pop(0)
        stock_event = stock.TaskRunEvent

        ours = TaskRunEvent.from_dict(data)
        theirs = stock_event.from_dict(data)
        if not isinstance(ours.output, TaskRunJsonOutput) or ours.to_dict() != theirs.to_dict():
            raise SystemExit("bench_parse: ours and stock disagree on the recorded event")

        results: dict[str, Any] = {
            "event_bytes": len(raw),
            "repetitions": repetitions,
            "json_loads_s": _time_per_call(lambda: json.loads(raw), repetitions),
            "ours_s": _time_per_call(lambda: TaskRunEvent.from_dict(data), repetitions),
            "stock_s": _time_per_call(
                lambda: stock_event.from_dict(data), max(1, repetitions // 4)
            ),
        }
    sdk = _sdk_parser()
    results["sdk_s"] = _time_per_call(lambda: sdk(data), repetitions) if sdk else None
    results["speedup_vs_stock"] = results["stock_s"] / results["ours_s"]
    if results["sdk_s"]:
        results["speedup_vs_sdk"] = results["sdk_s"] / results["ours_s"]
    return results


def _line(label: str, seconds: float) -> str:
    return f"  {label:<44} {seconds * 1e6:9.2f} µs/event {1 / seconds:12,.0f} events/s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=20_000)
    args = parser.parse_args(argv)
    r = run(args.repetitions)
    print(
        f"Parsing one task_run.state event ({r['event_bytes']} bytes JSON, input + JSON output "
        f"with citations), Python {sys.version.split()[0]}, best of 5 x {r['repetitions']}:"
    )
    print(_line("json.loads of the raw line (floor)", r["json_loads_s"]))
    print(_line("ours: TaskRunEvent.from_dict", r["ours_s"]))
    print(_line("stock openapi-python-client from_dict", r["stock_s"]))
    if r["sdk_s"]:
        print(_line("parallel-web SDK TaskRunEvent.model_validate", r["sdk_s"]))
    else:
        print("  parallel-web SDK: not installed, skipped")
    print(f"  ours vs stock: {r['speedup_vs_stock']:.1f}x faster (stock time / our time)")
    if r["sdk_s"]:
        print(f"  ours vs parallel-web SDK: {r['speedup_vs_sdk']:.2f}x (SDK time / our time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
