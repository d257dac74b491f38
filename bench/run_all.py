"""Run every benchmark beside the official parallel-web SDK and write bench/RESULTS.md.

Usage: python bench/run_all.py [--reps 3] [--quick]

Each quick benchmark is repeated --reps times and its figures are reported as medians; the long
ones (30 s pacing run, 100k-row memory run, 100k-run emulator load) run once. Writes
bench/RESULTS.md and bench/results.png (events/s and completion-to-result latency).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_add_runs  # noqa: E402
import bench_emulator  # noqa: E402
import bench_memory  # noqa: E402
import bench_pacing  # noqa: E402
import bench_parse  # noqa: E402
import bench_stream  # noqa: E402


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-key median of the numeric figures of several repetitions (others from the first)."""
    out: dict[str, Any] = {}
    for key, first in runs[0].items():
        values = [r[key] for r in runs]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        out[key] = statistics.median(values) if numeric else first
    return out


def repeat(label: str, reps: int, func: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    results = []
    for i in range(reps):
        start = time.perf_counter()
        results.append(func())
        print(f"  {label} {i + 1}/{reps}: {time.perf_counter() - start:.1f} s", flush=True)
    return medians(results)


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
    packages = ", ".join(
        f"{name} {version(name)}" for name in ("httpx", "attrs", "parallel-web", "sseclient-py")
    )
    return [
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; commit {commit or '?'}",
        f"- Machine: {os.cpu_count()} cores, {cpu}; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {packages}",
    ]


def collect(reps: int, quick: bool) -> dict[str, Any]:
    scale = 0.25 if quick else 1.0
    figures: dict[str, Any] = {}
    print("parse", flush=True)
    figures["parse"] = repeat("parse", reps, lambda: bench_parse.run(int(5000 * scale)))
    print("stream throughput", flush=True)
    n_events = int(20_000 * scale)
    figures["stream"] = repeat(
        "stream", max(reps, 3), lambda: bench_stream.throughput(n_events, rounds=3)
    )
    print("stream memory", flush=True)
    sizes = (int(20_000 * scale), int(200_000 * scale))
    figures["stream_memory"] = bench_stream.memory(sizes)
    print("latency", flush=True)
    latencies = [bench_stream.latency(runs=int(400 * scale)) for _ in range(reps)]
    figures["latency"] = medians(
        [{k: v for k, v in r.items() if k != "delays_ms"} for r in latencies]
    )
    figures["latency_delays_ms"] = sorted(d for r in latencies for d in r["delays_ms"])
    print("add runs", flush=True)
    figures["add_runs"] = repeat("add_runs", reps, lambda: bench_add_runs.run(repetitions=10))
    print("pacing (one 30 s run)", flush=True)
    figures["pacing"] = bench_pacing.run(duration=30.0 * scale)
    print("CLI memory", flush=True)
    figures["cli_memory"] = bench_memory.run((int(10_000 * scale), int(100_000 * scale)))
    print("emulator", flush=True)
    figures["emulator"] = bench_emulator.run(runs=int(100_000 * scale), stream=n_events)
    return figures


def _verdict(ok: bool) -> str:
    return "meets" if ok else "**below**"


def render(figures: dict[str, Any], reps: int) -> str:
    p, s, lat = figures["parse"], figures["stream"], figures["latency"]
    a, pace, mem = figures["add_runs"], figures["pacing"], figures["stream_memory"]
    cli, emu = figures["cli_memory"], figures["emulator"]
    us = 1e6
    stream_ratio = s["ratio_vs_sdk"] or 0.0
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run_all.py`). Ours, the official `parallel-web` SDK and a",
        "floor measured in the same process run, on the same bytes. Figures are medians of "
        f"{reps} repetitions unless marked *single run*. Shared machine: expect noise of ±15%.",
        "",
        *machine(),
        "",
        "| What | Ours | parallel-web SDK | Floor / other | Ratio | Target |",
        "|---|---|---|---|---|---|",
        f"| Typed parse of one `task_run.state` event (input + output, {p['event_bytes']} B) "
        f"| {p['ours_s'] * us:.1f} µs | {(p['sdk_s'] or 0) * us:.1f} µs "
        f"| json.loads {p['json_loads_s'] * us:.1f} µs; stock generator {p['stock_s'] * us:.1f} µs "
        f"| {p['speedup_vs_stock']:.1f}× stock "
        f"| ≥ 3× stock: {_verdict(p['speedup_vs_stock'] >= 3)} |",
        f"| Typed runs-stream iteration, {s['events']:,} events via MockTransport "
        f"| {s['ours_eps']:,.0f} ev/s | {(s['sdk_eps'] or 0):,.0f} ev/s "
        f"| split + json.loads {s['floor_eps']:,.0f} ev/s "
        f"| {stream_ratio:.2f}× SDK, {s['ratio_vs_floor']:.2f}× floor "
        f"| ≥ 1.5× SDK: {_verdict(stream_ratio >= 1.5)} |",
        f"| Client CPU, one 1,000-input add-runs POST | {a['ours_ms']:.1f} ms "
        f"(derived keys {a['ours_derived_keys_ms']:.1f} ms) | {(a['sdk_ms'] or 0):.1f} ms | – "
        f"| SDK/ours {(a['sdk_over_ours'] or 0):.1f}× "
        f"| ≤ 1/5 of SDK: {_verdict((a['sdk_over_ours'] or 0) >= 5)} |",
        f"| Pacing on the emulator at {pace['limit_per_minute']:,}/min, "
        f"{pace['duration_s']:.0f} s (*single run*) "
        f"| {pace['steady_rate_per_minute']:,.0f}/min steady "
        f"({pace['overall_rate_per_minute']:,.0f}/min overall) | – "
        f"| {pace['rate_limited_429s_absorbed']} 429s absorbed, "
        f"{pace['duplicate_keys']} duplicates, {pace['runs_in_group']:,} runs in group "
        f"| {pace['steady_fraction_of_limit']:.1%} of limit "
        f"| ≥ 95%: {_verdict(pace['steady_fraction_of_limit'] >= 0.95)} |",
        f"| Run completion → `results()` yield, {lat['runs']:.0f} runs on the emulator "
        f"| p50 {lat['p50_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms | – | – | – "
        f"| p50 ≤ 50, p99 ≤ 250 ms: "
        f"{_verdict(lat['p50_ms'] <= 50 and lat['p99_ms'] <= 250)} |",
    ]
    small, large = sorted(int(k.rsplit("_", 1)[1]) for k in mem if k.startswith("peak_growth"))
    lines.append(
        f"| Peak RSS growth iterating {large:,} vs {small:,} events (*single run*) "
        f"| {mem['growth_difference_mb']:+.1f} MB | – | – | – "
        f"| ≤ 30 MB: {_verdict(mem['growth_difference_mb'] <= 30)} |"
    )
    first, last = cli["runs"][0], cli["runs"][-1]
    lines.append(
        f"| `taskgroup run` client peak RSS, {first['rows']:,} vs {last['rows']:,} rows "
        f"(*single run*) | {first['peak_rss_mb']:.0f} MB vs {last['peak_rss_mb']:.0f} MB "
        f"| – | – | – | < 150 MB at 100k: {_verdict(last['peak_rss_mb'] < 150)} |"
    )
    es, ea = emu["stream"], emu["add"]
    lines += [
        f"| Emulator runs stream, {es['runs']:,} runs with outputs (*single run*) "
        f"| {es['json_eps']:,.0f} ev/s parsed ({es['raw_eps']:,.0f} framed) | – | – | – "
        f"| ≥ 20,000 ev/s: {_verdict(es['json_eps'] >= 20_000)} |",
        f"| Emulator add runs, {ea['runs']:,} runs in {ea['posts']} POSTs (*single run*) "
        f"| server time per POST median {ea['server_ms_median']:.0f} ms, "
        f"max {ea['server_ms_max']:.0f} ms | – | – | – "
        f"| ≤ 100 ms: {_verdict(ea['server_ms_max'] <= 100)} |",
        "",
        "![events per second and latency](results.png)",
        "",
        "How each figure is taken: `bench/bench_parse.py`, `bench_stream.py`, `bench_add_runs.py`,",
        "`bench_pacing.py`, `bench_memory.py`, `bench_emulator.py` (each runs alone too).",
        "Stream throughput and add-runs cost are CPU time of this process, which a busy",
        "neighbour disturbs less than wall time.",
        "",
    ]
    return "\n".join(lines)


def plot(figures: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = figures["stream"]
    delays = figures["latency_delays_ms"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    names = ["ours (typed)", "parallel-web SDK", "split + json.loads"]
    values = [s["ours_eps"], s["sdk_eps"] or 0, s["floor_eps"]]
    bars = left.bar(names, values, color=["#2b6cb0", "#a0aec0", "#68d391"])
    left.bar_label(bars, labels=[f"{v:,.0f}" for v in values])
    left.set_ylabel("events per second")
    left.set_title(f"Runs stream, {s['events']:,} task_run.state events")
    right.plot(delays, [i / len(delays) for i in range(1, len(delays) + 1)], color="#2b6cb0")
    right.axvline(50, color="#718096", linestyle="--", linewidth=1)
    right.axvline(250, color="#e53e3e", linestyle="--", linewidth=1)
    right.set_xlabel("ms from run completion to results() yield")
    right.set_ylabel("share of runs")
    right.set_title(f"Completion → result latency ({len(delays)} runs)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each quick benchmark")
    parser.add_argument("--quick", action="store_true", help="a quarter of every size")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)
    figures = collect(args.reps, args.quick)
    out = Path(args.out)
    plot(figures, out.with_name("results.png"))
    out.write_text(render(figures, args.reps), encoding="utf-8")
    print(out.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
