"""Run every benchmark in bench/ and write bench/RESULTS.md and bench/results.png.

Usage: python bench/run_all.py [--rounds 5] [--quick] [--only NAME ...]

Each ``bench/bench_*.py`` runs in its own process with ``--rounds`` and ``--json``, and reports
its goals (see ``_harness.py`` for the method: fresh processes, ours and the SDK alternating,
medians of per-round ratios with min–max). This prints every goal with its figure and whether
it holds, then writes the results file and the plot.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import _harness  # noqa: E402

_TOOLS = ("pip==", "setuptools==", "wheel==")  # what every environment has, not listed


def scripts(only: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if only:
        found = [p for p in found if any(name in p.stem for name in only)]
    return found


def machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
        ).stdout.strip()
    except OSError:
        commit = "?"
    packages = ", ".join(f"{name} {version(name)}" for name in ("httpx", "attrs", "parallel-web"))
    installed = subprocess.run(
        [_harness.user_install(), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
    ).stdout.split()
    return [
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; commit {commit or '?'}",
        f"- Machine: {os.cpu_count()} cores, {cpu}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {packages}",
        f"- Whole-process figures (bench_job, bench_startup) run in `{_harness.USER_INSTALL.name}`"
        f", the user install: {', '.join(p for p in installed if not p.startswith(_TOOLS))}",
    ]


def run_script(path: Path, rounds: int, quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "goals.json"
        argv = [sys.executable, str(path), "--rounds", str(rounds), "--json", str(out)]
        if quick:
            argv.append("--quick")
        started = time.monotonic()
        print(f"== {path.name}", flush=True)
        done = subprocess.run(argv, cwd=ROOT)
        print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
        if done.returncode != 0 or not out.exists():
            return {"script": path.name, "goals": [], "error": f"exited {done.returncode}"}
        found: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return found


def render(results: list[dict[str, Any]], rounds: int, quick: bool) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run_all.py`"
        + (", `--quick`" if quick else "")
        + f"). Every comparison: fresh processes, both sides byte-compiled as installed, "
        "ours and the official `parallel-web` SDK "
        f"alternating, {rounds} rounds; the figure is the median of per-round ratios with its "
        "min–max. Absolute figures are shown but only ratios are claimed: the machine is shared.",
        "",
        *machine(),
        "",
        "| Goal | Figure | Target | Holds | Ours | SDK | Reproduce |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        if "error" in result:
            lines.append(f"| {result['script']} | failed: {result['error']} | | no | | | |")
        for g in result["goals"]:
            lines.append(
                f"| {g['name']} | {g['figure']} | {g['target']} "
                f"| {'yes' if g['holds'] else '**no**'} | {g['ours']} | {g['sdk']} "
                f"| `{g['command']}` |"
            )
    notes = [(g["name"], g["notes"]) for r in results for g in r["goals"] if g.get("notes")]
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- **{name}**: {note}" for name, note in notes]
    lines += ["", "![each goal's margin](results.png)", ""]
    return "\n".join(lines)


def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = []
    for result in results:
        for g in result["goals"]:
            margin = _harness.Goal(**g).margin()
            if margin is not None:
                rows.append((g["name"], *margin))
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.2))
    names = [r[0] for r in rows][::-1]
    mids = [r[1] for r in rows][::-1]
    errors = [
        [max(0.0, r[1] - r[2]) for r in rows][::-1],
        [max(0.0, r[3] - r[1]) for r in rows][::-1],
    ]
    colors = ["#2b6cb0" if m >= 1 else "#e53e3e" for m in mids]
    ax.barh(names, mids, xerr=errors, color=colors, capsize=3)
    ax.axvline(1.0, color="#718096", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("margin over the goal (>1 holds; bars: median, whiskers: min–max of rounds)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    p.add_argument("--only", nargs="*", default=[], help="run only scripts whose name has this")
    p.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = p.parse_args(argv)
    _harness.user_install()  # once, before any timing
    results = [run_script(path, args.rounds, args.quick) for path in scripts(args.only)]
    print()
    missed = 0
    for result in results:
        if "error" in result:
            print(f"{result['script']}: FAILED ({result['error']})")
            missed += 1
        for g in result["goals"]:
            print(
                f"{'holds ' if g['holds'] else 'MISSED'}  {g['name']}: {g['figure']} "
                f"(target {g['target']})"
            )
            missed += not g["holds"]
    out = Path(args.out)
    out.write_text(render(results, args.rounds, args.quick), encoding="utf-8")
    plot(results, out.with_name("results.png"))
    print(f"\nwrote {out} and {out.with_name('results.png')}; {missed} goal(s) missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
