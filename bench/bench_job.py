"""A whole `taskgroup run` on the emulator: CPU and memory against the SDK; cost flat in rows.

1. Client CPU and peak RSS of a 100,000-row job (10,000 with ``--quick``): ``taskgroup run
   rows.jsonl --out results.jsonl --key id --processor lite --yes --quiet`` (journal, one line
   per row, resumable) against the two scripts Parallel's docs show with the ``parallel-web``
   SDK (``bench/_sdk_job.py``; both create the group and add the runs in batches of 1,000): the
   simplest (poll the group every second, then one ``get_runs(include_input=True,
   include_output=True)`` stream, one JSON line per run; issue 22: ours ≤ 1.0× its CPU, ≤ 0.6×
   its peak RSS) and the events one (follow ``events()``, fetch each finished run's
   ``task_run.result``; issue 15: ours ≤ 0.5× its CPU). Each side is a fresh process of the
   user install (``_harness.USER_INSTALL``: the checkout's wheel and the SDK, nothing else)
   against its own fresh emulator (tiny time scale, no effective rate limit) and reports its
   own user+sys CPU (``getrusage(RUSAGE_SELF)`` at exit, so the emulator's CPU is not counted)
   and VmHWM (read from /proc/self/status as it exits; not ru_maxrss, which Linux carries over
   from the forking parent). Ours and the SDK alternate.
2. 1,000,000-row jobs (``--big-rounds``, 5; skipped with ``--quick``), each between two
   100,000-row jobs of its own: its peak RSS (≤ 150 MiB), and per round its client CPU per row
   and peak RSS against the mean of the two small jobs' (issue 22: the median ratio ≤ 1.1×).

3. The comparison of 1. again on 5,000 and on 20,000 rows (``--real-rows``; skipped with
   ``--quick``) at time scale 1, the emulator's model of the docs' run times: lite runs take
   10-60 s, so they finish far out of the order they were added, at a steady rate, and a job
   that writes results as they finish reads the group more than once. Same targets, reported
   beside those of 1.

``--time-scale`` (the emulator's, 0.0005) runs 1. and 2. at other run times.

Usage: python bench/bench_job.py [--rounds 5] [--quick] [--json PATH] [--rows N] [--big-rows N]
       [--big-rounds N] [--real-rows [N ...]] [--time-scale S]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness  # noqa: E402
from _harness import Goal, ratio_goal  # noqa: E402
from taskgroup_emulator.testing import EmulatorServer  # noqa: E402

SCRIPT = "bench_job.py"
TIME_SCALE = 0.0005
RATE_LIMIT = 10**7
CPU_TARGET = 0.5  # against the events script (issue 15)
SIMPLE_CPU_TARGET = 1.0  # against the simplest script (issue 22)
SIMPLE_PEAK_TARGET = 0.6
PEAK_LIMIT_MIB = 150.0
GROWTH_LIMIT = 1.1

# The measured process's peak RSS in KiB, as a line of its script.
_PEAK_KIB = (
    "hwm = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
)

# Runs `taskgroup ARGS` in this process, then prints its CPU and peak RSS as one JSON line.
_MEASURED_CLI = (
    """\
import json, os, resource, sys, time
if not os.environ.get("BENCH_FAST_EXTRA"):
    sys.modules["msgspec"] = None  # the default install
from parallel_taskgroup.cli import main
started = time.perf_counter()
code = main(sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_SELF)
"""
    + _PEAK_KIB
    + """\
print(json.dumps({"cpu_s": usage.ru_utime + usage.ru_stime, "sys_s": usage.ru_stime,
                  "peak_mib": hwm / 1024,
                  "wall_s": time.perf_counter() - started, "exit": code}))
sys.exit(code)
"""
)

# The least any client on httpx holds: the library imported and one client built.
_HTTPX_FLOOR = (
    """\
import json, httpx
client = httpx.Client()
"""
    + _PEAK_KIB
    + """\
print(json.dumps({"peak_mib": hwm / 1024}))
"""
)


def httpx_floor() -> float:
    """Peak RSS (MiB) of a fresh process of the user install that only builds an httpx.Client."""
    return float(_harness.child([_harness.user_install(), "-c", _HTTPX_FLOOR])["peak_mib"])


def write_rows(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"r{i}", "name": f"Company {i}"}) + "\n")


def count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as f:
        return sum(1 for _ in f)


def ours(
    rows: Path,
    work: Path,
    *,
    describe: bool = False,
    fast: bool = False,
    time_scale: float = TIME_SCALE,
) -> dict[str, Any]:
    out = work / f"ours-{time.monotonic_ns()}.jsonl"
    with EmulatorServer(
        check_responses=False, time_scale=time_scale, rate_limit_per_minute=RATE_LIMIT
    ) as emu:
        argv = [_harness.user_install(), "-c", _MEASURED_CLI, "run", str(rows)]
        argv += ["--out", str(out), "--key", "id", "--processor", "lite", "--yes", "--quiet"]
        argv += ["--base-url", emu.base_url]
        env = {"PARALLEL_API_KEY": emu.api_key, "BENCH_FAST_EXTRA": "1" if fast else ""}
        found = dict(_harness.child(argv, env=env, timeout=3600))
        if describe and out.exists():
            found["workload"] = workload(emu, out)
    found["lines"] = count_lines(out)
    for leftover in work.glob(out.name + "*"):
        leftover.unlink()
    return found


def workload(emu: EmulatorServer, out: Path, sample: int = 1000) -> str:
    """What the finished group holds (the first ``sample`` runs of the stream the SDK script
    reads, with inputs and outputs), and the statuses of every line of the results file."""
    with out.open(encoding="utf-8") as f:
        statuses: dict[str, int] = {}
        group_id = ""
        for line in f:
            record = json.loads(line)
            group_id = record.get("group_id") or group_id
            statuses[record["status"]] = statuses.get(record["status"], 0) + 1
    sizes: list[int] = []
    entries = elements = 0
    fields: set[str] = set()
    with httpx.Client(base_url=emu.base_url, headers={"x-api-key": emu.api_key}) as http:
        params = {"include_input": "true", "include_output": "true"}
        path = f"/v1/tasks/groups/{group_id}/runs"
        with http.stream("GET", path, params=params, timeout=120) as response:
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                event = json.loads(line[6:])
                sizes.append(len(line) - 6)
                output = event.get("output") or {}
                fields.update(output.get("content") or {})
                for entry in output.get("basis") or []:
                    entries += 1
                    elements += "." in str(entry.get("field"))
                if len(sizes) >= sample:
                    break
    n = max(1, len(sizes))
    counts = ", ".join(f"{v:,} {k}" for k, v in sorted(statuses.items()))
    return (
        f"rows {{id, name}} on lite, no task spec (auto JSON output: {len(fields)} fields); "
        f"results {counts}; the first {len(sizes):,} runs as get_runs sends them: "
        f"{sum(sizes) / n / 1024:.2f} KiB per event with input and output, "
        f"{entries / n:.1f} basis entries per output ({elements / n:.1f} for list elements)"
    )


def sdk(rows: Path, work: Path, mode: str, *, time_scale: float = TIME_SCALE) -> dict[str, Any]:
    out = work / f"sdk-{mode}-{time.monotonic_ns()}.jsonl"
    with EmulatorServer(
        check_responses=False, time_scale=time_scale, rate_limit_per_minute=RATE_LIMIT
    ) as emu:
        script = str(_harness.HERE / "_sdk_job.py")
        argv = [_harness.user_install(), script, mode, str(rows), str(out), emu.base_url]
        found = dict(_harness.child(argv, env={"PARALLEL_API_KEY": emu.api_key}, timeout=3600))
    found["lines"] = count_lines(out)
    out.unlink()
    return found


def compare(
    work: Path, n: int, *, scale: float, rounds: int, quick: bool, series: dict[str, Any]
) -> list[Goal]:
    """Ours against both SDK scripts on a job of ``n`` rows at the emulator's time ``scale``:
    the goals, and their raw figures in ``series``."""
    goals: list[Goal] = []
    rows = work / f"rows-{n}.jsonl"
    write_rows(rows, n)
    timing = "" if scale == TIME_SCALE else f" at time scale {scale:g}"

    def sdk_both() -> dict[str, Any]:
        # Both documented shapes, back to back, which first alternating with the rounds.
        order = ["events", "get_runs"]
        if len(series.setdefault("sdk_order", [])) % 2:
            order.reverse()
        series["sdk_order"].append(order[0])
        found = {mode: sdk(rows, work, mode, time_scale=scale) for mode in order}
        return {"events": found["events"], "get_runs": found["get_runs"]}

    def ours_round() -> dict[str, Any]:
        found = ours(rows, work, describe="workload" not in series, time_scale=scale)
        if "workload" in found:
            series["workload"] = found.pop("workload")
            print(f"  workload: {series['workload']}", file=sys.stderr, flush=True)
        if _harness.FAST_EXTRA:
            found["fast"] = ours(rows, work, fast=True, time_scale=scale)
        return found

    taken = _harness.alternate(ours_round, sdk_both, rounds=rounds, label=f"job {n:,} rows{timing}")
    for r in taken.ours:
        for side in (r, r.get("fast") or r):
            if side["exit"] != 0 or side["lines"] != n:
                raise SystemExit(f"bench_job: ours ended {side['exit']} with {side['lines']} lines")
    for r in taken.sdk:
        for mode in ("events", "get_runs"):
            if r[mode]["lines"] != n:
                raise SystemExit(f"bench_job: SDK {mode} wrote {r[mode]['lines']} lines")
    ours_cpu = taken.values("ours", "cpu_s")
    ours_peak = taken.values("ours", "peak_mib")
    events_cpu = [r["events"]["cpu_s"] for r in taken.sdk]
    get_runs_cpu = [r["get_runs"]["cpu_s"] for r in taken.sdk]
    get_runs_peak = [r["get_runs"]["peak_mib"] for r in taken.sdk]
    series["ours_cpu_s"] = ours_cpu
    series["sdk_events_cpu_s"] = events_cpu
    series["sdk_get_runs_cpu_s"] = get_runs_cpu
    series["sdk_get_runs_peak_mib"] = get_runs_peak
    command = "python bench/bench_job.py" + (" --quick" if quick else "")
    if scale != TIME_SCALE:
        command += f" --rows {n} --big-rounds 0 --time-scale {scale:g}"
    rounds_note = (
        f"{rounds} rounds, fresh processes and a fresh emulator each (time scale "
        f"{scale:g}), ours and the SDK alternating; client process only. "
        f"Workload: {series.get('workload', 'n/a')}. "
    )
    if scale == 1.0:
        rounds_note += (
            "Time scale 1 is the emulator's model of the docs' run times: lite runs take "
            "10-60 s and finish far out of the order they were added. "
        )
    ours_figures = (
        f"{_harness.median(ours_cpu):.1f} s CPU "
        f"({_harness.median(taken.values('ours', 'sys_s')):.1f} s of it system), "
        f"{_harness.median(ours_peak):.0f} MiB peak "
        f"({_harness.median(taken.values('ours', 'wall_s')):.1f} s wall)"
    )
    simple = (
        f"{_harness.median(get_runs_cpu):.1f} s CPU "
        f"({_harness.median([r['get_runs']['sys_s'] for r in taken.sdk]):.1f} s of it "
        "system), "
        f"{_harness.median(get_runs_peak):.0f} MiB peak (poll, then get_runs)"
    )
    job = f"Whole {n:,}-row job{timing}"
    goals.append(
        ratio_goal(
            f"{job}: client CPU, ours / SDK simplest script",
            _harness.ratio(ours_cpu, get_runs_cpu),
            limit=SIMPLE_CPU_TARGET,
            ours=ours_figures,
            sdk=simple,
            command=command,
            notes=rounds_note + "The SDK script polls the group's status every second "
            "until idle, then reads every run with its input and output from one "
            "get_runs stream: no journal (no resume, no once-only guarantee), nothing "
            "written until the whole group is done.",
        )
    )
    if _harness.FAST_EXTRA:
        fast_cpu = [r["fast"]["cpu_s"] for r in taken.ours]
        series["ours_fast_cpu_s"] = fast_cpu
        goals.append(
            ratio_goal(
                f"{job}, fast extra (msgspec): client CPU, ours / SDK simplest script",
                _harness.ratio(fast_cpu, get_runs_cpu),
                limit=None,
                ours=f"{_harness.median(fast_cpu):.1f} s CPU",
                sdk=simple,
                command=command,
                notes=rounds_note + "Ours with `pip install parallel-taskgroup[fast]`, in "
                "its own process and emulator right after the default one each round.",
            )
        )
    goals.append(
        ratio_goal(
            f"{job}: peak RSS, ours / SDK simplest script",
            _harness.ratio(ours_peak, get_runs_peak),
            limit=SIMPLE_PEAK_TARGET,
            ours=ours_figures,
            sdk=simple,
            command=command,
            notes=rounds_note + "VmHWM of each client process.",
        )
    )
    floor = [httpx_floor() for _ in get_runs_peak]
    series["httpx_floor_peak_mib"] = floor
    goals.append(
        ratio_goal(
            f"{job}: peak RSS of httpx.Client alone / SDK simplest script",
            _harness.ratio(floor, get_runs_peak),
            limit=None,
            ours=f"{_harness.median(floor):.1f} MiB peak",
            sdk=simple,
            command=command,
            notes="What bounds the peak RSS goal: a fresh process of the user install that "
            "imports httpx and builds one httpx.Client, nothing else (VmHWM), once per round "
            "after the rounds; every client on httpx, ours and the SDK, holds at least this.",
        )
    )
    goals.append(
        ratio_goal(
            f"{job}: client CPU, ours / SDK events script",
            _harness.ratio(ours_cpu, events_cpu),
            limit=CPU_TARGET,
            ours=ours_figures,
            sdk=f"{_harness.median(events_cpu):.1f} s CPU (events + result per run)",
            command=command,
            notes=rounds_note + "The SDK script follows the docs' events stream and "
            "fetches each finished run's result.",
        )
    )

    series["ours_peak_mib"] = taken.values("ours", "peak_mib")
    return goals


def main(argv: list[str] | None = None) -> int:
    p = _harness.parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, help="rows of the compared job (100,000; quick 10,000)")
    p.add_argument("--big-rows", type=int, default=1_000_000, help="rows of the memory job")
    p.add_argument(
        "--big-rounds",
        type=int,
        default=5,
        help="memory jobs, each between two small ones (5; 0 skips them)",
    )
    p.add_argument(
        "--time-scale",
        type=float,
        default=TIME_SCALE,
        help=f"the emulator's time scale ({TIME_SCALE}; 1: lite runs take 10-60 s)",
    )
    p.add_argument(
        "--real-rows",
        type=int,
        nargs="*",
        default=[5_000, 20_000],
        help="rows of the jobs compared again at the docs' run times (5,000 and 20,000; none "
        "skips them)",
    )
    args = p.parse_args(argv)
    n = args.rows or (10_000 if args.quick else 100_000)
    scale: float = args.time_scale
    goals: list[Goal] = []
    series: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-job-") as tmp:
        work = Path(tmp)

        goals += compare(work, n, scale=scale, rounds=args.rounds, quick=args.quick, series=series)
        rows = work / f"rows-{n}.jsonl"
        if not args.quick and scale == TIME_SCALE:
            for size in args.real_rows:
                real: dict[str, Any] = {}
                goals += compare(
                    work, size, scale=1.0, rounds=args.rounds, quick=False, series=real
                )
                series.setdefault("docs_run_times", {})[str(size)] = real
        if args.quick or args.big_rounds < 1:
            why = "--quick" if args.quick else f"--big-rounds {args.big_rounds}"
            print(f"  {why}: the {args.big_rows:,}-row memory job is skipped", file=sys.stderr)
            return finish(goals, args.json, series)
        big = work / "big.jsonl"
        write_rows(big, args.big_rows)
        # Each big job between two small ones of its own, and its ratio taken against their
        # mean: this machine's speed drifts by more than the growth the goal bounds, and the
        # big job is long enough to drift through; a bracket cancels drift that is steady.
        pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for i in range(args.big_rounds):
            runs = []
            for path, size in ((rows, n), (big, args.big_rows), (rows, n)):
                run = ours(path, work, time_scale=scale)
                if run["exit"] != 0 or run["lines"] != size:
                    raise SystemExit(
                        f"bench_job: the {size:,}-row job ended {run['exit']}, {run['lines']} lines"
                    )
                runs.append(run)
            before, large, after = runs
            small = {
                "cpu_s": (before["cpu_s"] + after["cpu_s"]) / 2,
                "sys_s": (before["sys_s"] + after["sys_s"]) / 2,
                "peak_mib": (before["peak_mib"] + after["peak_mib"]) / 2,
                "runs": [before, after],
            }
            pairs.append((small, large))
            print(
                f"  memory job {args.big_rows:,} rows: round {i + 1}/{args.big_rounds}",
                file=sys.stderr,
                flush=True,
            )
        smalls = [small for small, _ in pairs]
        bigs = [large for _, large in pairs]
        series["big"] = bigs
        series["big_beside"] = smalls
        peaks = [float(b["peak_mib"]) for b in bigs]
        peak = _harness.median(peaks)
        big_command = f"python bench/bench_job.py --big-rounds {args.big_rounds}"
        big_note = (
            f"{args.big_rounds} rounds, each a {args.big_rows:,}-row job between two {n:,}-row "
            "ones (fresh processes and emulators); each round's ratio is the big job's against "
            "the mean of the two beside it; median of the per-round ratios"
        )
        goals.append(
            Goal(
                name=f"Peak RSS of a {args.big_rows:,}-row job",
                figure=f"{peak:.0f} MiB (min–max {min(peaks):.0f}–{max(peaks):.0f})",
                target=f"≤ {PEAK_LIMIT_MIB:.0f} MiB",
                holds=max(peaks) <= PEAK_LIMIT_MIB,
                ours=f"{peak:.0f} MiB peak, "
                f"{_harness.median([b['cpu_s'] for b in bigs]):.0f} s CPU, "
                f"{_harness.median([b['wall_s'] for b in bigs]):.0f} s wall",
                command=big_command,
                notes=f"{args.big_rounds} runs; VmHWM of the client",
                value=peak,
                low=min(peaks),
                high=max(peaks),
                limit=PEAK_LIMIT_MIB,
                better="lower",
            )
        )
        # CPU is user and system time together; apart (reported), they show whether growth is
        # the client's own work or the kernel's (page cache, file writes) for larger files.
        measures: list[tuple[str, list[float], list[float], str, Optional[float]]] = [
            ("Client CPU per row", *_per_row(bigs, smalls, "cpu", args.big_rows, n), GROWTH_LIMIT),
            ("Peak RSS", peaks, [float(s["peak_mib"]) for s in smalls], "{:.0f} MiB", GROWTH_LIMIT),
            ("Client user CPU per row", *_per_row(bigs, smalls, "user", args.big_rows, n), None),
            (
                "Client system CPU per row",
                *_per_row(bigs, smalls, "system", args.big_rows, n),
                None,
            ),
        ]
        for name, big_values, small_values, unit, limit in measures:
            goals.append(
                ratio_goal(
                    f"{name}, {args.big_rows:,} rows / {n:,} rows",
                    _harness.ratio(big_values, small_values),
                    limit=limit,
                    ours=f"{unit.format(_harness.median(big_values))} / "
                    f"{unit.format(_harness.median(small_values))}",
                    command=big_command,
                    notes=big_note,
                )
            )
    return finish(goals, args.json, series)


def _per_row(
    bigs: list[dict[str, Any]], smalls: list[dict[str, Any]], part: str, big_rows: int, rows: int
) -> tuple[list[float], list[float], str]:
    """The big and small jobs' CPU per row in µs, all (``cpu``), ``user`` or ``system``, and
    how they are shown."""

    def seconds(run: dict[str, Any]) -> float:
        system = float(run["sys_s"])
        return {"cpu": float(run["cpu_s"]), "system": system}.get(
            part, float(run["cpu_s"]) - system
        )

    return (
        [seconds(b) / big_rows * 1e6 for b in bigs],
        [seconds(s) / rows * 1e6 for s in smalls],
        "{:.0f} µs per row",
    )


def finish(goals: list[Goal], json_path: str | None, series: dict[str, Any]) -> int:
    _harness.report(SCRIPT, goals, json_path=json_path, series=series)
    return 0


if __name__ == "__main__":
    sys.exit(main())
