"""Chaos soak: `taskgroup run` against the emulator with every fault on at once.

Usage: python tools/chaos.py [--rows 20000] [--restarts 2] [--client-kills 1] [--time-scale 0.002]

Faults, all at once, on the documented wire (rate limit counted in requests, a share of runs
in the older published shape, `error` events injected into the streams): every kind of wire
fault between client and server on a share of the requests (`--wire-fault-rate`: resets before
and after the server saw a request, bodies cut mid-line, truncated JSON, 408/5xx/429 answered by
the wire, POSTs held or landing after their answer was lost, slow bodies; see
tools/fault_matrix.py for each alone), stream connections dropped every few hundred events,
5% of add-runs POSTs failing after the runs were committed,
429 bursts, the emulator killed and restarted on its database `--restarts` times, the account
running out of credit part-way (402: the client exits 4; the soak tops the credit up and runs
the same command again), the client process killed (SIGKILL) `--client-kills` times and the same
command run again after the job journal was deleted, and a second copy of the command started
while the first runs (it must refuse: the job is locked). Passes only when the results file
holds exactly one line per input key (after every exit but SIGKILL too), every completed
run's output equals what the emulator
stored, and the group holds exactly `--rows` runs with distinct keys. Loopback only;
everything lives in a temp folder removed at the end (kept with --keep).
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
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import httpx
from taskgroup_emulator.testing import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
TASKGROUP = [str(Path(sys.executable).parent / "taskgroup")]
EXTRA_ARGS: list[str] = os.environ.get("CHAOS_CLIENT_ARGS", "").split()
BURST_RETRY_AFTER = 1
EXIT_USAGE, EXIT_CREDIT = 2, 4  # the CLI's documented exit codes (README)
OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {"summary": {"type": "string"}, "score": {"type": "number"}},
    "required": ["summary", "score"],
}


@dataclass
class ChaosReport:
    rows: int
    result_lines: int = 0
    distinct_result_keys: int = 0
    duplicate_lines: int = 0
    runs_in_group: int = 0
    distinct_run_keys: int = 0
    output_mismatches: int = 0
    missing_keys: int = 0
    client_invocations: int = 0
    client_exit_codes: list[int] = field(default_factory=list)
    emulator_restarts: int = 0
    client_kills: int = 0
    credit_top_ups: int = 0
    journals_deleted: int = 0
    concurrent_exit_codes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        lines = [
            f"chaos: {'PASS' if self.passed else 'FAIL'} in {self.seconds:.1f} s",
            f"  rows {self.rows}; result lines {self.result_lines} "
            f"({self.distinct_result_keys} distinct keys, {self.duplicate_lines} duplicate lines)",
            f"  group runs {self.runs_in_group} ({self.distinct_run_keys} distinct keys); "
            f"output mismatches {self.output_mismatches}; missing keys {self.missing_keys}",
            f"  emulator restarts {self.emulator_restarts}; client kills {self.client_kills}; "
            f"client invocations {self.client_invocations} (exit codes {self.client_exit_codes})",
            f"  credit top-ups {self.credit_top_ups}; journals deleted {self.journals_deleted}; "
            f"concurrent second process exit codes {self.concurrent_exit_codes}",
        ]
        lines += [f"  problem: {p}" for p in self.problems]
        return "\n".join(lines)


def _write_inputs(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            out.write(json.dumps({"id": f"row-{i:06d}", "company_name": f"Company {i}"}) + "\n")


def _group_runs(base_url: str, api_key: str, group_id: str) -> list[dict[str, Any]]:
    """Every run of the group with its output, read from the raw SSE bytes (no client code)."""
    runs: list[dict[str, Any]] = []
    url = f"{base_url}/v1/tasks/groups/{group_id}/runs"
    params = {"include_output": "true", "include_input": "true"}
    headers = {"x-api-key": api_key}
    with httpx.stream("GET", url, params=params, headers=headers, timeout=120) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event.get("type") == "task_run.state":
                    runs.append(event)
    return runs


def _verify(report: ChaosReport, results: Path, emu: EmulatorServer, group_id: str) -> None:
    lines = results.read_text(encoding="utf-8").splitlines() if results.exists() else []
    report.result_lines = len(lines)
    report.duplicate_lines = sum(n - 1 for n in Counter(lines).values() if n > 1)
    records = [json.loads(line) for line in lines]
    keys = Counter(r["key"] for r in records)
    report.distinct_result_keys = len(keys)
    expected = {f"row-{i:06d}" for i in range(report.rows)}
    report.missing_keys = len(expected - set(keys))
    if report.result_lines != report.rows or set(keys) != expected:
        report.problems.append(
            f"results file has {report.result_lines} lines for {len(keys)} keys, "
            f"expected exactly one line for each of {report.rows} keys"
        )
    repeated = [k for k, n in keys.items() if n > 1]
    if repeated:
        report.problems.append(f"{len(repeated)} keys written more than once, e.g. {repeated[:3]}")

    emu.clear_faults()
    stored = _group_runs(emu.base_url, emu.api_key, group_id)
    report.runs_in_group = len(stored)
    by_key = {}
    for event in stored:
        key = (event["run"].get("metadata") or {}).get("row_key")
        by_key[key] = event
    report.distinct_run_keys = len(by_key)
    if report.runs_in_group != report.rows or report.distinct_run_keys != report.rows:
        report.problems.append(
            f"group holds {report.runs_in_group} runs with {report.distinct_run_keys} distinct "
            f"keys, expected {report.rows}"
        )
    for record in records:
        event = by_key.get(record["key"])
        if event is None:
            continue
        if (
            record["status"] != event["run"]["status"]
            or record["status"] == "completed"
            and record["output"] != event["output"]["content"]
        ):
            report.output_mismatches += 1
    if report.output_mismatches:
        report.problems.append(f"{report.output_mismatches} result lines differ from the server")


def run_chaos(
    rows: int = 20_000,
    restarts: int = 2,
    client_kills: int = 1,
    time_scale: float = 0.002,
    rate_limit: int = 120_000,
    drop_after: int = 300,
    post_error_rate: float = 0.05,
    burst_every: float = 10.0,
    credit_share: Optional[float] = 0.6,
    delete_journal: bool = True,
    concurrent: bool = True,
    old_shape_rate: float = 0.05,
    error_event_rate: float = 0.01,
    wire_fault_rate: float = 0.05,
    timeout: float = 600.0,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> ChaosReport:
    """Run the soak and return what it measured (never raises for a failed check).

    ``credit_share``: the account can pay for that share of the rows until the soak tops it up
    (None: unlimited from the start).
    """
    report = ChaosReport(rows=rows)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="taskgroup-chaos-"))
    inputs, results, schema = workdir / "rows.jsonl", workdir / "results.jsonl", workdir / "s.json"
    _write_inputs(inputs, rows)
    schema.write_text(json.dumps(OUTPUT_SCHEMA))
    faults = {
        "stream_drop_after": drop_after,
        "post_error_rate": post_error_rate,
        "post_error_phase": "after",
        "post_error_status": 503,
        "seed": 7,
    }
    emu = EmulatorServer(
        time_scale=time_scale,
        api_keys=["chaos-key"],
        rate_limit_per_minute=rate_limit,
        rate_limit_unit="request",
        credit=None if credit_share is None else int(rows * credit_share),
        old_shape_rate=old_shape_rate,
        error_event_rate=error_event_rate,
        faults={
            **faults,
            "wire_fault_rate": wire_fault_rate,
            "wire_late_seconds": 1.5,
            "wire_hold_seconds": 1.5,
        },
        wire_faults=True,
    )
    stop = threading.Event()
    try:
        emu.start()
        env = dict(os.environ, PARALLEL_API_KEY=emu.api_key)
        command = [
            *TASKGROUP,
            "run",
            str(inputs),
            "--out",
            str(results),
            "--key",
            "id",
            "--processor",
            "lite",
            "--output-schema",
            str(schema),
            "--quiet",
            "--yes",  # the soak's lite runs cost nothing real; never ask
            "--submit-timeout",
            "2",  # a POST of unknown outcome settles 4 s after it left
            *EXTRA_ARGS,
            "--rate-per-minute",
            str(rate_limit),
            "--base-url",
            emu.base_url,
        ]

        def bursts() -> None:
            # A burst is armed only once the previous one was used up and a quiet gap passed,
            # a gap several times its Retry-After: a client that honours Retry-After always
            # gets a request through between bursts, so bursts slow it but never starve it.
            gap = max(burst_every, 5 * BURST_RETRY_AFTER)
            armed, quiet_since = False, time.monotonic()
            while not stop.wait(0.25):
                # The emulator may be restarting right now; the next tick looks again.
                with contextlib.suppress(Exception):
                    now = time.monotonic()
                    if armed and emu.faults()["burst_429"] == 0:
                        armed, quiet_since = False, now
                    if not armed and now - quiet_since >= gap:
                        emu.set_faults(burst_429=2, burst_429_retry_after=BURST_RETRY_AFTER)
                        armed = True

        threading.Thread(target=bursts, daemon=True).start()
        deadline = started + timeout
        kills_left, restarts_left = client_kills, restarts
        second = (lambda: _second_copy(command, env, workdir, report, log)) if concurrent else None
        while True:
            report.client_invocations += 1
            proc = subprocess.Popen(command, env=env, cwd=workdir, stdin=subprocess.DEVNULL)
            code = _supervise(
                proc, emu, report, results, deadline, restarts_left, kills_left, second, log
            )
            second = None
            restarts_left = restarts - report.emulator_restarts
            kills_left = client_kills - report.client_kills
            report.client_exit_codes.append(code)
            if code not in (-9, EXIT_USAGE) and _count_lines(results) != rows:
                report.problems.append(
                    f"exit {code} left {_count_lines(results)} result lines for {rows} rows"
                )
            # Done, refused (a usage error does not heal by running again), or out of time.
            if code in (0, 1, EXIT_USAGE) or time.monotonic() > deadline:
                break
            if report.client_invocations > 12:
                break
            if code == EXIT_CREDIT:
                log("chaos: out of credit (exit 4); topping up and running the same command again")
                emu.credit = None  # a restart keeps the top-up, as a larger --credit would
                emu.set_credit(None)
                report.credit_top_ups += 1
                continue
            journal = Path(str(results) + ".journal")
            if code == -9 and delete_journal and not report.journals_deleted and journal.exists():
                log("chaos: deleting the job journal before running the same command again")
                for path in workdir.glob("results.jsonl.journal*"):
                    path.unlink()
                report.journals_deleted += 1
            log(f"chaos: client exited {code}; running the same command again")
        stop.set()
        if report.client_exit_codes[-1] not in (0, 1):
            report.problems.append(f"client did not finish: exit codes {report.client_exit_codes}")
        if any(c != EXIT_USAGE for c in report.concurrent_exit_codes):
            report.problems.append(
                f"a second copy of the command ran beside the first: exit codes "
                f"{report.concurrent_exit_codes}, expected {EXIT_USAGE} (job locked)"
            )
        state = json.loads((workdir / "results.jsonl.state.json").read_text())
        _verify(report, results, emu, state["group_id"])
    except Exception as exc:  # report, never hide
        report.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        stop.set()
        emu.close()
        report.seconds = time.monotonic() - started
        if keep:
            log(f"chaos: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return report


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def _second_copy(
    command: list[str],
    env: dict[str, str],
    workdir: Path,
    report: ChaosReport,
    log: Callable[[str], None],
) -> None:
    """Run the same command beside the running one; it must refuse at once (job locked)."""
    log("chaos: starting a second copy of the same command beside the first")
    done = subprocess.run(
        command, env=env, cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True, timeout=60
    )
    report.concurrent_exit_codes.append(done.returncode)


def _supervise(
    proc: subprocess.Popen[bytes],
    emu: EmulatorServer,
    report: ChaosReport,
    results: Path,
    deadline: float,
    restarts_left: int,
    kills_left: int,
    second: Optional[Callable[[], None]],
    log: Callable[[str], None],
) -> int:
    """Wait for the client while killing and restarting things at spread-out moments.

    The first emulator restart comes one second in (during submission), and a second copy of the
    command is started half a second in; the other restarts, and the client kill, come when the
    results file reaches a share of the rows, so every disruption lands mid-job whatever the
    machine's speed.
    """
    begun = time.monotonic()
    restart_marks = [None] + [
        (i + 1) / (restarts_left + 1) * 0.8 for i in range(max(restarts_left - 1, 0))
    ]
    restart_marks = restart_marks[:restarts_left]
    kill_mark: Optional[float] = 0.35 if kills_left else None
    while True:
        code = proc.poll()
        if code is not None:
            return code
        now = time.monotonic()
        if now > deadline:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return -9
        if second is not None and now - begun >= 0.5 and proc.poll() is None:
            second()
            second = None
        done = _count_lines(results) / report.rows
        if restart_marks and (
            (restart_marks[0] is None and now - begun >= 1.0)
            or (restart_marks[0] is not None and done >= restart_marks[0])
        ):
            restart_marks.pop(0)
            log(f"chaos: restarting the emulator on its database ({done:.0%} of results in)")
            emu.restart()
            report.emulator_restarts += 1
        if kill_mark is not None and done >= kill_mark:
            log(f"chaos: killing the client with SIGKILL ({done:.0%} of results in)")
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            report.client_kills += 1
            return -9
        time.sleep(0.05)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--client-kills", type=int, default=1)
    parser.add_argument("--time-scale", type=float, default=0.002)
    parser.add_argument("--wire-fault-rate", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--credit-share", type=float, default=0.6, help="share of rows paid for before a top-up"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args(argv)
    report = run_chaos(
        rows=args.rows,
        restarts=args.restarts,
        client_kills=args.client_kills,
        time_scale=args.time_scale,
        credit_share=args.credit_share,
        wire_fault_rate=args.wire_fault_rate,
        timeout=args.timeout,
        keep=args.keep,
    )
    print(report.summary())
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
