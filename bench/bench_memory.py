"""Peak memory of a whole `taskgroup run` for 10,000 vs 100,000 rows (against the emulator).

The client runs as its own process and reports its own peak RSS (VmHWM) when it ends. Not
ru_maxrss: Linux carries the forking parent's high-water mark into it across exec, so it
would report this script's size instead of the client's.
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

# Runs `taskgroup` in-process and prints its peak RSS in kB on stderr as it exits.
_MEASURED_CLI = (
    "import sys\n"
    "from parallel_taskgroup.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
    "print('PEAK_KB', hwm[0], file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measure_cli(args: list[str], env: dict[str, str]) -> tuple[int, float, float, str]:
    """(exit code, peak RSS in MB, wall seconds, stderr) of one `taskgroup ARGS` process."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURED_CLI, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=1800,
    )
    seconds = time.perf_counter() - start
    peak_mb = float("nan")
    if "PEAK_KB" in proc.stderr:
        peak_mb = int(proc.stderr.split("PEAK_KB")[1].split()[0]) / 1024
    return proc.returncode, peak_mb, seconds, proc.stderr


def one_run(rows: int, time_scale: float = 0.0005) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        src, out = Path(tmp) / "rows.jsonl", Path(tmp) / "results.jsonl"
        with src.open("w") as f:
            for i in range(rows):
                f.write(json.dumps({"id": f"r{i}", "name": f"Company {i}"}) + "\n")
        with EmulatorServer(time_scale=time_scale, rate_limit_per_minute=10**7) as emu:
            env = dict(os.environ, PARALLEL_API_KEY=emu.api_key)
            args = ["run", str(src), "--out", str(out), "--key", "id", "--quiet"]
            args += ["--processor", "lite", "--yes"]
            args += ["--base-url", emu.base_url]
            code, peak_mb, seconds, _ = measure_cli(args, env)
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
