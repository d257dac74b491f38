"""The documented wire at 50 ms per request: requests per row, and completion-to-result latency.

The emulator runs its default documented wire (outputs are not on /events: a finished run's
output is a GET /result or comes with a /runs snapshot), with old-shape events and error events
mixed in (``old_shape_rate`` 0.05, ``error_event_rate`` 0.01) and 50 ms added to every request.

1. A 10,000-row ``taskgroup run`` (2,000 with ``--quick``), once per round (ours only): the API
   requests the emulator answered per row (``/_emulator/requests``, every operation: create,
   add-runs, events, status, results, snapshots) must be at most 1.1, and every row's line must
   be in the results file within 3 s of the last run completing (the latest ``modified_at`` of
   the group's runs, against the moment a watcher of the file saw its last line).
2. Completion-to-result latency of a group of 300 runs (100 with ``--quick``): for each run, when
   the client handed out its result minus when it finished (its ``modified_at``; same machine
   clock). Ours (``group.results()``) against the SDK following ``task_group.events()`` and
   fetching each finished run's ``task_run.result`` (the docs' way), and against the SDK polling
   (``get_runs(include_output=True)`` every second). Fresh processes and emulators, ours and the
   SDK alternating; p50 and p99 ratios.

Also recorded (no goal; what bench_emulator.py measured): the emulator's server time per
1,000-input add-runs POST (Server-Timing) and how fast one client reads a /runs stream.

Usage: python bench/bench_wire.py [--rounds 5] [--quick] [--json PATH]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness  # noqa: E402
import httpx  # noqa: E402
from _harness import Goal  # noqa: E402
from taskgroup_emulator.testing import EmulatorServer  # noqa: E402

SCRIPT = "bench_wire.py"
LATENCY_MS = 50
OLD_SHAPE_RATE = 0.05
ERROR_EVENT_RATE = 0.01
REQUESTS_PER_ROW_LIMIT = 1.1
TAIL_SECONDS_LIMIT = 3.0
JOB_TIME_SCALE = 0.5  # lite runs take ~1 s queued + 2.5-7.5 s working
LATENCY_TIME_SCALE = 0.5
POLL_SECONDS = 1.0


def _emulator(time_scale: float) -> EmulatorServer:
    return EmulatorServer(
        check_responses=False,
        time_scale=time_scale,
        rate_limit_per_minute=10**7,
        old_shape_rate=OLD_SHAPE_RATE,
        error_event_rate=ERROR_EVENT_RATE,
        extra_args=["--latency-ms", str(LATENCY_MS)],
    )


def _epoch(stamp: Any) -> float:
    return datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()


# -- 1. a whole job: requests per row, and the tail ---------------------------------------------


class _Watcher(threading.Thread):
    """Counts the lines of a growing file; notes when it first holds ``want`` lines."""

    def __init__(self, path: Path, want: int) -> None:
        super().__init__(daemon=True)
        self.path, self.want = path, want
        self.lines = 0
        self.done_at: Optional[float] = None
        self.stop = threading.Event()

    def run(self) -> None:
        offset, inode = 0, None
        while not self.stop.is_set():
            try:
                with self.path.open("rb") as f:
                    found = os.fstat(f.fileno())
                    if found.st_ino != inode or found.st_size < offset:
                        offset, self.lines = 0, 0  # a new file, or rewritten whole
                        inode = found.st_ino
                    f.seek(offset)
                    chunk = f.read()
            except FileNotFoundError:
                chunk = b""
            offset += len(chunk)
            self.lines += chunk.count(b"\n")
            if self.lines >= self.want and self.done_at is None:
                self.done_at = time.time()
            time.sleep(0.02)


def job_round(n: int, work: Path) -> dict[str, Any]:
    rows, out = work / "rows.jsonl", work / f"out-{time.monotonic_ns()}.jsonl"
    if not rows.exists():
        with rows.open("w", encoding="utf-8") as f:
            for i in range(n):
                f.write(json.dumps({"id": f"r{i}", "name": f"Company {i}"}) + "\n")
    with _emulator(JOB_TIME_SCALE) as emu:
        emu.reset_requests()
        watcher = _Watcher(out, n)
        watcher.start()
        argv = [_harness.PYTHON, "-m", "parallel_taskgroup.cli", "run", str(rows)]
        argv += ["--out", str(out), "--key", "id", "--processor", "lite", "--yes", "--quiet"]
        argv += ["--base-url", emu.base_url]
        done = subprocess.run(
            argv,
            env={**os.environ, "PARALLEL_API_KEY": emu.api_key},
            capture_output=True,
            text=True,
            timeout=1800,
            cwd=_harness.ROOT,
        )
        ended = time.time()
        time.sleep(0.1)
        watcher.stop.set()
        watcher.join()
        if done.returncode != 0:
            raise SystemExit(f"bench_wire: taskgroup run exited {done.returncode}:\n{done.stderr}")
        counted = emu.requests()
        group_id = json.loads(Path(f"{out}.state.json").read_text())["group_id"]
        last_finish = 0.0
        with httpx.stream(
            "GET",
            f"{emu.base_url}/v1/tasks/groups/{group_id}/runs",
            headers={"x-api-key": emu.api_key},
            timeout=300,
        ) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    run = json.loads(line[6:]).get("run") or {}
                    if run.get("modified_at"):
                        last_finish = max(last_finish, _epoch(run["modified_at"]))
    lines = sum(1 for _ in out.open("rb"))
    for leftover in work.glob(out.name + "*"):
        leftover.unlink()
    if lines != n:
        raise SystemExit(f"bench_wire: {lines} lines for {n} rows")
    file_done = watcher.done_at if watcher.done_at is not None else ended
    return {
        "requests": counted["total"],
        "by_operation": counted["by_operation"],
        "per_row": counted["total"] / n,
        "tail_s": file_done - last_finish,
        "exit_after_last_finish_s": ended - last_finish,
    }


# -- 2. completion -> result latency (each side in a fresh process) -----------------------------


def _latency_child(side: str, base_url: str, api_key: str, n: int) -> dict[str, Any]:
    """Create a group of ``n`` runs and follow it; per run, handed out minus finished."""
    latencies: list[float] = []
    if side == "ours":
        from parallel_taskgroup import Client

        with Client(api_key=api_key, base_url=base_url) as client:
            group = client.create_group(processor="lite")
            group.add_runs([{"id": f"r{i}", "q": f"question {i}"} for i in range(n)], key="id")
            for result in group.results():
                now = time.time()
                latencies.append(now - _epoch(result.run.modified_at))
    else:
        import parallel

        client = parallel.Parallel(api_key=api_key, base_url=base_url)
        group_id = client.task_group.create().taskgroup_id
        inputs = [
            {"input": {"id": f"r{i}", "q": f"question {i}"}, "processor": "lite"} for i in range(n)
        ]
        client.task_group.add_runs(group_id, inputs=inputs)  # type: ignore[arg-type]
        seen: set[str] = set()
        if side == "sdk_events":
            while len(seen) < n:
                for event in client.task_group.events(group_id):
                    if event.type != "task_run.state" or event.run.is_active:
                        continue
                    run = event.run
                    if run.run_id in seen:
                        continue
                    seen.add(run.run_id)
                    if run.status == "completed":
                        client.task_run.result(run.run_id)
                    latencies.append(time.time() - _epoch(run.modified_at))
        else:
            while len(seen) < n:
                for event in client.task_group.get_runs(group_id, include_output=True):
                    run = getattr(event, "run", None)
                    if run is None or run.is_active or run.run_id in seen:
                        continue
                    seen.add(run.run_id)
                    latencies.append(time.time() - _epoch(run.modified_at))
                if len(seen) < n:
                    time.sleep(POLL_SECONDS)
    return {
        "side": side,
        "runs": len(latencies),
        "p50": _harness.percentile(latencies, 0.5),
        "p99": _harness.percentile(latencies, 0.99),
    }


def latency_round(side: str, n: int) -> dict[str, Any]:
    with _emulator(LATENCY_TIME_SCALE) as emu:
        argv = [_harness.PYTHON, __file__, "--child", side, emu.base_url, str(n)]
        found: dict[str, Any] = _harness.child(
            argv, env={"PARALLEL_API_KEY": emu.api_key}, timeout=900
        )
    if found["runs"] != n:
        raise SystemExit(f"bench_wire: {side} handed out {found['runs']} of {n} results")
    return found


# -- what bench_emulator.py measured (no goal) ---------------------------------------------------


def emulator_throughput(runs: int) -> dict[str, float]:
    """Server time per 1,000-input add-runs POST, and /runs events read per second."""
    with EmulatorServer(
        check_responses=False, time_scale=0.0005, rate_limit_per_minute=10**9
    ) as emu:
        headers = {"x-api-key": emu.api_key}
        with httpx.Client(base_url=emu.base_url, headers=headers, timeout=120) as api:
            group_id = api.post("/v1/tasks/groups", json={}).json()["taskgroup_id"]
            server_ms = []
            for start in range(0, runs, 1000):
                inputs = [
                    {"input": f"Company {i}", "processor": "lite", "metadata": {"k": f"r{i}"}}
                    for i in range(start, start + 1000)
                ]
                response = api.post(f"/v1/tasks/groups/{group_id}/runs", json={"inputs": inputs})
                response.raise_for_status()
                server_ms.append(float(response.headers["server-timing"].split("dur=")[1]))
            while api.get(f"/v1/tasks/groups/{group_id}").json()["status"]["is_active"]:
                time.sleep(0.2)
            count, started = 0, time.perf_counter()
            with api.stream(
                "GET", f"/v1/tasks/groups/{group_id}/runs", params={"include_output": "true"}
            ) as response:
                for line in response.iter_lines():
                    count += line.startswith("data: ")
            elapsed = time.perf_counter() - started
    return {
        "add_runs_server_ms_median": _harness.median(server_ms),
        "add_runs_server_ms_max": max(server_ms),
        "runs_stream_events_per_s": count / elapsed,
    }


def main(argv: list[str] | None = None) -> int:
    p = _harness.parser(__doc__.splitlines()[0])
    p.add_argument("--child", nargs=3, metavar=("SIDE", "BASE_URL", "N"), help="internal")
    args = p.parse_args(argv)
    if args.child:
        side, base_url, n = args.child
        print(json.dumps(_latency_child(side, base_url, os.environ["PARALLEL_API_KEY"], int(n))))
        return 0
    quick = args.quick
    command = "python bench/bench_wire.py" + (" --quick" if quick else "")
    goals: list[Goal] = []
    series: dict[str, Any] = {}

    import tempfile

    n = 2_000 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="bench-wire-") as tmp:
        jobs = []
        for i in range(args.rounds):
            jobs.append(job_round(n, Path(tmp)))
            print(f"  job of {n:,} rows: round {i + 1}/{args.rounds}", file=sys.stderr, flush=True)
    series["job"] = jobs
    per_row = [j["per_row"] for j in jobs]
    tails = [j["tail_s"] for j in jobs]
    ops = jobs[len(jobs) // 2]["by_operation"]
    wire_note = (
        f"{args.rounds} rounds (ours only: the figure is the library's own), a fresh emulator "
        f"each with {LATENCY_MS} ms per request, outputs not on /events, old-shape events "
        f"{OLD_SHAPE_RATE:.0%}, error events {ERROR_EVENT_RATE:.0%}"
    )
    goals.append(
        Goal(
            name=f"{n:,}-row job on the documented wire: API requests per row",
            figure=f"{_harness.median(per_row):.3f} (min–max {min(per_row):.3f}–"
            f"{max(per_row):.3f})",
            target=f"≤ {REQUESTS_PER_ROW_LIMIT}",
            holds=max(per_row) <= REQUESTS_PER_ROW_LIMIT,
            ours=", ".join(f"{k} {v}" for k, v in ops.items()),
            command=command,
            notes=wire_note + "; requests counted by the emulator, by operation (one round shown)",
            value=_harness.median(per_row),
            low=min(per_row),
            high=max(per_row),
            limit=REQUESTS_PER_ROW_LIMIT,
            better="lower",
        )
    )
    goals.append(
        Goal(
            name=f"{n:,}-row job: last line in the file after the last run finished",
            figure=f"{_harness.median(tails):.2f} s (min–max {min(tails):.2f}–{max(tails):.2f})",
            target=f"≤ {TAIL_SECONDS_LIMIT:.0f} s",
            holds=max(tails) <= TAIL_SECONDS_LIMIT,
            ours="process exit "
            f"{_harness.median([j['exit_after_last_finish_s'] for j in jobs]):.2f} s after",
            command=command,
            notes=wire_note + "; the last run's modified_at against the moment a watcher of the "
            "file (polling every 20 ms) saw its last line",
            value=_harness.median(tails),
            low=min(tails),
            high=max(tails),
            limit=TAIL_SECONDS_LIMIT,
            better="lower",
        )
    )

    m = 100 if quick else 300

    def sdk_both() -> dict[str, Any]:
        order = ["sdk_events", "sdk_poll"]
        if len(series.setdefault("sdk_order", [])) % 2:
            order.reverse()
        series["sdk_order"].append(order[0])
        return {side: latency_round(side, m) for side in order}

    taken = _harness.alternate(
        lambda: latency_round("ours", m), sdk_both, rounds=args.rounds, label="latency"
    )
    series["latency"] = {"ours": taken.ours, "sdk": taken.sdk}
    for q in ("p50", "p99"):
        ours = taken.values("ours", q)
        for side, label in (("sdk_events", "events + result"), ("sdk_poll", "polling get_runs")):
            theirs = [r[side][q] for r in taken.sdk]
            ratio = _harness.ratio(ours, theirs)
            goals.append(
                _harness.ratio_goal(
                    f"Completion→result latency {q}, ours / SDK {label}",
                    ratio,
                    limit=1.0,
                    ours=f"{_harness.median(ours) * 1000:.0f} ms",
                    sdk=f"{_harness.median(theirs) * 1000:.0f} ms",
                    command=command,
                    notes=f"{m} runs per group, {args.rounds} rounds, fresh processes and "
                    f"emulators ({LATENCY_MS} ms per request), ours and the SDK alternating; "
                    f"SDK polling reads get_runs every {POLL_SECONDS:g} s",
                )
            )

    throughput = emulator_throughput(20_000 if quick else 100_000)
    series["emulator"] = throughput
    goals[0].notes += (
        f". Emulator (no goal): add-runs server time per 1,000-input POST median "
        f"{throughput['add_runs_server_ms_median']:.0f} ms (max "
        f"{throughput['add_runs_server_ms_max']:.0f} ms); one client reads its /runs stream "
        f"with outputs at {throughput['runs_stream_events_per_s']:,.0f} events/s"
    )
    _harness.report(SCRIPT, goals, json_path=args.json, series=series)
    return 0


if __name__ == "__main__":
    sys.exit(main())
