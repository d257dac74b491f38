"""Peak memory of a whole `taskgroup run` for 10,000 vs 100,000 rows (against the emulator).

The client runs as its own process; its peak RSS is read from the kernel (wait4's rusage), so
the figure is the client's alone, not the emulator's or this script's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from taskgroup_emulator.testing import EmulatorServer

TASKGROUP = str(Path(sys.executable).parent / "taskgroup")


def _peak_rss_of(cmd: list[str], env: dict[str, str]) -> tuple[int, float, float]:
    """(exit code, peak RSS in MB, wall seconds) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024, time.perf_counter() - start


def one_run(rows: int, time_scale: float = 0.0005) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        src, out = Path(tmp) / "rows.jsonl", Path(tmp) / "results.jsonl"
        with src.open("w") as f:
            for i in range(rows):
                f.write(json.dumps({"id": f"r{i}", "name": f"Company {i}"}) + "\n")
        with EmulatorServer(time_scale=time_scale, rate_limit_per_minute=10**7) as emu:
            env = dict(os.environ, PARALLEL_API_KEY=emu.api_key)
            cmd = [TASKGROUP, "run", str(src), "--out", str(out), "--key", "id", "--quiet"]
            cmd += ["--processor", "lite", "--rate-per-minute", str(10**7)]
            cmd += ["--base-url", emu.base_url]
            code, peak_mb, seconds = _peak_rss_of(cmd, env)
        lines = sum(1 for _ in out.open()) if out.exists() else 0
    return {"rows": rows, "exit": code, "peak_rss_mb": peak_mb, "seconds": seconds, "lines": lines}


def run(sizes: tuple[int, ...] = (10_000, 100_000)) -> dict[str, Any]:
    """Peak client RSS for each size (for bench/run_all.py)."""
    results = [one_run(n) for n in sizes]
    return {"runs": results, "growth_mb": results[-1]["peak_rss_mb"] - results[0]["peak_rss_mb"]}


def report(result: dict[str, Any]) -> str:
    lines = ["Client peak RSS for a whole `taskgroup run` (emulator, lite processor):"]
    for r in result["runs"]:
        lines.append(
            f"  {r['rows']:>7,} rows: {r['peak_rss_mb']:6.1f} MB peak, {r['seconds']:5.1f} s, "
            f"{r['lines']:,} result lines, exit {r['exit']}"
        )
    lines.append(f"  growth from the smallest to the largest: {result['growth_mb']:.1f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args(argv)
    print(report(run(tuple(args.sizes))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
