"""The fault matrix: `taskgroup run` against the emulator with faults on the wire between them.

Usage: python tools/fault_matrix.py [--rows 3000] [--rate 0.5] [--jobs 4] [SCENARIO ...]

Each scenario starts an emulator whose wire-fault proxy (`--wire-faults`) faults a share of the
API requests with one kind (or all kinds at once), runs the same `taskgroup run` command again
after every exit until the job is done, and then checks the promises:

* after every exit but SIGKILL, the results file holds exactly one line per input row;
* at the end the group holds exactly one run per row (none created twice), and the file one
  line per row, each equal to what the server stored.

Beyond one scenario per fault kind and one with every kind at once:

* ``late-after-kill``: the first add-runs POST is held on the wire, the client is killed
  (SIGKILL) while it is held, the same command runs again at once, and the held POST reaches
  the server after that: the rerun must wait for it instead of sending its rows again;
* ``exits``: a budget stop (exit 5), a credit shortfall (4), Ctrl-C (130) and an outage longer
  than ``--give-up-after`` (3), each followed by the same command (with the cap raised, the
  credit topped up, the server back), some runs failing (1), all with 20% of requests faulted.

Loopback only; everything lives in a temp folder removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import httpx
from taskgroup_emulator.faults import WIRE_FAULT_KINDS
from taskgroup_emulator.testing import EmulatorServer

TASKGROUP = [sys.executable, "-m", "parallel_taskgroup.cli"]
SUBMIT_TIMEOUT = 2.0
"""Seconds one add-runs POST may take: a POST of unknown outcome settles 4 s after it left."""
HOLD_SECONDS = 1.5
"""How long held and late POSTs wait on the wire (less than SUBMIT_TIMEOUT: they land before
the client takes them as never landing)."""
MAX_INVOCATIONS = 15
SCENARIOS = (*WIRE_FAULT_KINDS, "all", "late-after-kill", "exits")


@dataclass
class ScenarioReport:
    scenario: str
    rows: int
    exit_codes: list[int] = field(default_factory=list)
    lines_after_exit: list[Optional[int]] = field(default_factory=list)
    injected: dict[str, int] = field(default_factory=dict)
    runs_in_group: int = 0
    distinct_run_keys: int = 0
    result_lines: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        faults = ", ".join(f"{k} {n}" for k, n in sorted(self.injected.items()) if n) or "none"
        lines = [
            f"{self.scenario}: {'PASS' if self.passed else 'FAIL'} in {self.seconds:.1f} s; "
            f"exits {self.exit_codes}; lines after each exit {self.lines_after_exit}",
            f"  group runs {self.runs_in_group} ({self.distinct_run_keys} distinct keys) for "
            f"{self.rows} rows; result lines {self.result_lines}; wire faults: {faults}",
        ]
        return "\n".join(lines + [f"  problem: {p}" for p in self.problems])


def group_runs(base_url: str, api_key: str, group_id: str) -> list[dict[str, Any]]:
    """Every run of the group with its output, read from the raw SSE bytes (no client code)."""
    runs: list[dict[str, Any]] = []
    url = f"{base_url}/v1/tasks/groups/{group_id}/runs"
    params = {"include_output": "true"}
    with httpx.stream(
        "GET", url, params=params, headers={"x-api-key": api_key}, timeout=120
    ) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event.get("type") == "task_run.state":
                    runs.append(event)
    return runs


class _Job:
    """One scenario's folder, command and emulator."""

    def __init__(self, workdir: Path, emu: EmulatorServer, rows: int, rate: float) -> None:
        self.workdir = workdir
        self.emu = emu
        self.rows = rows
        self.rate = rate
        self.inputs = workdir / "rows.jsonl"
        self.results = workdir / "results.jsonl"
        with self.inputs.open("w", encoding="utf-8") as out:
            for i in range(rows):
                out.write(json.dumps({"id": f"row-{i:05d}", "company": f"Company {i}"}) + "\n")

    def command(self, *extra: str) -> list[str]:
        return [
            *TASKGROUP,
            "run",
            str(self.inputs),
            "--out",
            str(self.results),
            "--key",
            "id",
            "--processor",
            "lite",
            "--quiet",
            "--yes",
            "--submit-timeout",
            str(SUBMIT_TIMEOUT),
            "--base-url",
            self.emu.base_url,
            *extra,
        ]

    def start(self, *extra: str, **kwargs: Any) -> subprocess.Popen[bytes]:
        env = dict(os.environ, PARALLEL_API_KEY=self.emu.api_key)
        env.pop("PARALLEL_BASE_URL", None)
        return subprocess.Popen(
            self.command(*extra),
            env=env,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **kwargs,
        )

    def lines(self) -> int:
        try:
            with self.results.open("rb") as f:
                return sum(1 for _ in f)
        except FileNotFoundError:
            return 0


def _ended(job: _Job, report: ScenarioReport, proc: subprocess.Popen[bytes], timeout: float) -> int:
    """Wait for ``proc``; record its exit code and, unless it was killed, the line count."""
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        report.problems.append(f"an invocation ran past {timeout:.0f} s and was killed")
    code = proc.returncode
    report.exit_codes.append(code)
    if code == -signal.SIGKILL:
        report.lines_after_exit.append(None)
        return code
    lines = job.lines()
    report.lines_after_exit.append(lines)
    if lines != job.rows:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        report.problems.append(
            f"exit {code} left {lines} result lines for {job.rows} rows ({' / '.join(tail)})"
        )
    return code


def _until_done(job: _Job, report: ScenarioReport, timeout: float, *extra: str) -> None:
    """Run the same command after every exit until the job is done (exit 0 or 1)."""
    while len(report.exit_codes) < MAX_INVOCATIONS:
        code = _ended(job, report, job.start(*extra), timeout)
        if code in (0, 1, 2):
            if code == 2:
                report.problems.append("the command was refused (exit 2)")
            return
    report.problems.append(f"not done after {MAX_INVOCATIONS} invocations")


def _wait_for(what: Callable[[], bool], proc: subprocess.Popen[bytes], timeout: float) -> bool:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends and proc.poll() is None:
        with contextlib.suppress(Exception):
            if what():
                return True
        time.sleep(0.02)
    return False


def _late_after_kill(job: _Job, report: ScenarioReport, timeout: float) -> None:
    emu = job.emu
    emu.set_faults(wire_hold_next_posts=1, wire_hold_seconds=SUBMIT_TIMEOUT * 1.5)
    proc = job.start()
    if not _wait_for(lambda: emu.faults()["wire_injected"]["hold_post"] >= 1, proc, 60):
        report.problems.append("the first add-runs POST was never held")
    proc.send_signal(signal.SIGKILL)
    _ended(job, report, proc, timeout)
    _until_done(job, report, timeout)  # at once: the held POST has not landed yet


def _add_runs_seen(emu: EmulatorServer) -> int:
    return int(emu.requests()["by_operation"].get("add_runs", 0))


def _requests_seen(emu: EmulatorServer) -> int:
    return int(emu.requests()["total"])


def _exits(job: _Job, report: ScenarioReport, timeout: float) -> None:
    """Exits 5, 4, 130 and 3 in turn, each followed by the same command; runs take seconds
    here, so each stop lands while results are still due. Only the first three need rows left
    to send: a fast client may send every batch left before the Ctrl-C lands, and the outage
    ends the collection whatever is left to submit."""
    emu = job.emu

    def expect(code: int, wanted: int, what: str) -> None:
        if code != wanted:
            report.problems.append(f"{what} exited {code}, not {wanted}")

    # lite costs $5 per 1,000 runs: a $6 cap lets one batch of 1,000 go.
    expect(_ended(job, report, job.start("--max-cost", "6"), timeout), 5, "a budget stop")
    emu.set_credit(emu.credit_status()["spent"])  # not one run more
    expect(_ended(job, report, job.start(), timeout), 4, "a credit shortfall")
    emu.set_credit(None)
    posts = _add_runs_seen(emu)
    proc = job.start()
    if not _wait_for(lambda: _add_runs_seen(emu) >= posts + 1, proc, 60):
        report.problems.append("no batch was sent before the interrupt")
    proc.send_signal(signal.SIGINT)
    expect(_ended(job, report, proc, timeout), 130, "Ctrl-C")
    # No faults until the command has been answered once: with half the requests faulted, a
    # run of them can outlast --give-up-after 3 before it starts, and the outage below would
    # not be the one measured.
    emu.set_faults(wire_fault_rate=0.0)
    seen = _requests_seen(emu)
    proc = job.start("--give-up-after", "3")
    if not _wait_for(lambda: _requests_seen(emu) > seen, proc, 60):
        report.problems.append("the command made no request before the outage")
    emu.set_faults(wire_fault_rate=1.0, wire_fault_kinds=["status_5xx_html"])
    expect(_ended(job, report, proc, timeout), 3, "an outage past --give-up-after")
    emu.set_faults(wire_fault_rate=job.rate, wire_fault_kinds=list(WIRE_FAULT_KINDS))
    _until_done(job, report, timeout)


def run_scenario(
    scenario: str,
    *,
    rows: int = 3000,
    rate: float = 0.5,
    seed: int = 7,
    timeout: float = 300.0,
) -> ScenarioReport:
    """Run one scenario (see the module docstring) and report what it measured."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    report = ScenarioReport(scenario=scenario, rows=rows)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix=f"taskgroup-faults-{scenario}-"))
    emu = EmulatorServer(
        time_scale=0.2 if scenario == "exits" else 0.002,
        api_keys=["matrix-key"],
        rate_limit_per_minute=10_000_000,
        failure_rate=0.02 if scenario == "exits" else 0.0,
        wire_faults=True,
    )
    try:
        emu.start()
        kinds = [scenario] if scenario in WIRE_FAULT_KINDS else list(WIRE_FAULT_KINDS)
        emu.set_faults(
            wire_fault_rate=0.0 if scenario == "late-after-kill" else rate,
            wire_fault_kinds=kinds,
            wire_late_seconds=HOLD_SECONDS,
            wire_hold_seconds=HOLD_SECONDS,
            seed=seed,
        )
        job = _Job(workdir, emu, rows, rate)
        if scenario == "late-after-kill":
            _late_after_kill(job, report, timeout)
        elif scenario == "exits":
            _exits(job, report, timeout)
        else:
            _until_done(job, report, timeout)
        report.injected = dict(emu.faults()["wire_injected"])
        emu.clear_faults()
        _verify(job, report)
    except Exception as exc:  # report, never hide
        report.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        emu.close()
        report.seconds = time.monotonic() - started
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def _verify(job: _Job, report: ScenarioReport) -> None:
    emu = job.emu
    emu.set_faults(wire_fault_rate=0.0)
    if report.scenario in WIRE_FAULT_KINDS and not report.injected.get(report.scenario):
        report.problems.append(f"no {report.scenario} fault was injected")
    lines = job.results.read_text(encoding="utf-8").splitlines() if job.results.exists() else []
    records = [json.loads(line) for line in lines]
    report.result_lines = len(records)
    keys = Counter(r["key"] for r in records)
    expected = {f"row-{i:05d}" for i in range(job.rows)}
    if set(keys) != expected or len(records) != job.rows:
        report.problems.append(
            f"results file has {len(records)} lines for {len(keys)} keys, expected one line "
            f"for each of {job.rows}"
        )
    state = json.loads(Path(f"{job.results}.state.json").read_text(encoding="utf-8"))
    stored = group_runs(emu.base_url, emu.api_key, state["group_id"])
    runs_per_key = Counter((e["run"].get("metadata") or {}).get("row_key") for e in stored)
    report.runs_in_group = len(stored)
    report.distinct_run_keys = len(runs_per_key)
    twice = [k for k, n in runs_per_key.items() if n > 1]
    if twice or set(runs_per_key) != expected:
        report.problems.append(
            f"group holds {len(stored)} runs for {len(runs_per_key)} keys ({len(twice)} keys "
            f"with more than one run, e.g. {twice[:3]}); expected exactly one run per row"
        )
    by_key = {(e["run"].get("metadata") or {}).get("row_key"): e for e in stored}
    wrong = 0
    for record in records:
        event = by_key.get(record["key"])
        if event is None:
            continue
        if record["status"] != event["run"]["status"] or (
            record["status"] == "completed" and record["output"] != event["output"]["content"]
        ):
            wrong += 1
    if wrong:
        report.problems.append(f"{wrong} result lines differ from what the server stored")


def run_scenarios(
    scenarios: Iterable[str], *, rows: int = 3000, rate: float = 0.5, jobs: int = 1
) -> dict[str, ScenarioReport]:
    """Run ``scenarios``, ``jobs`` at a time (each on its own emulator and folder); "all"
    faults at most 30% of the requests."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            name: pool.submit(
                run_scenario, name, rows=rows, rate=min(rate, 0.3) if name == "all" else rate
            )
            for name in scenarios
        }
        return {name: future.result() for name, future in futures.items()}


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS), metavar="SCENARIO")
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument(
        "--rate", type=float, default=0.5, help="share of requests faulted (0.3 for 'all')"
    )
    parser.add_argument("--jobs", type=int, default=1, help="scenarios run side by side")
    args = parser.parse_args(argv)
    reports = run_scenarios(args.scenarios, rows=args.rows, rate=args.rate, jobs=args.jobs)
    for report in reports.values():
        print(report.summary(), flush=True)
    return 0 if all(r.passed for r in reports.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
