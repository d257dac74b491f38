"""Start-up: importing the package against importing the parallel-web SDK, and the CLI's answer
time on --help and usage errors.

1. ``python -c "import parallel_taskgroup"`` against ``python -c "import parallel"``: wall time
   of the whole process (interpreter start included), each a fresh process; ours and the SDK
   alternate. Also shown: ``-X importtime``'s cumulative time of the package alone, and
   ``python -c pass`` as the floor. Goal (issue 15): ours ≤ 0.5× the SDK.
2. The ``taskgroup`` command (the installed console script): ``--help``, ``run`` without its
   arguments, ``run nonexistent.jsonl --out x`` (with a dummy ``PARALLEL_API_KEY`` so that the
   missing file is the error); wall time of each process. Goal: < 0.15 s each, absolute (the
   SDK has no command line).

Each round is a fresh measuring process that starts every command ``--spawns`` times and
reports the median; byte-code caches are warm (as after installation), the processes are not.
Every measured command runs in the user install (``_harness.USER_INSTALL``: the checkout's
wheel and the SDK, nothing else), as a user starts them.

Usage: python bench/bench_startup.py [--rounds 5] [--quick] [--json PATH] [--spawns N]
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _harness  # noqa: E402

IMPORT_TARGET = 0.5
CLI_LIMIT = 0.15
PACKAGES = {"ours": "parallel_taskgroup", "sdk": "parallel", "floor": None}


def taskgroup_command() -> list[str]:
    """The console script pip made for the installed package."""
    return [str(Path(_harness.user_install()).parent / "taskgroup")]


CLI_CASES: dict[str, list[str]] = {
    "taskgroup --help": ["--help"],
    "taskgroup run (missing arguments)": ["run"],
    "taskgroup run nonexistent.jsonl --out x": ["run", "nonexistent.jsonl", "--out", "x"],
}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PARALLEL_API_KEY"] = "bench-dummy-key"
    return env


def wall(argv: list[str], cwd: str, *, expect: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, cwd=cwd, env=_env())
    spent = time.perf_counter() - start
    if done.returncode not in expect:
        raise SystemExit(f"{argv} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return spent


def import_time_us(package: str, cwd: str) -> float:
    """``-X importtime``'s cumulative microseconds for ``package`` itself."""
    done = subprocess.run(
        [_harness.user_install(), "-X", "importtime", "-c", f"import {package}"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(),
    )
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() == package:
            return float(re.sub(r"\D", "", parts[1]))
    return float("nan")


def child(what: str, spawns: int) -> None:
    python = _harness.user_install()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as cwd:
        if what == "cli":
            command = taskgroup_command()
            out: dict[str, Any] = {}
            for name, args in {"python -c pass": None, **CLI_CASES}.items():
                argv = [python, "-c", "pass"] if args is None else command + args
                expect = (0,) if args in (None, ["--help"]) else (2,)
                out[name] = statistics.median(wall(argv, cwd, expect=expect) for _ in range(spawns))
            print(json.dumps(out))
            return
        package = PACKAGES[what]
        code = f"import {package}" if package else "pass"
        argv = [python, "-c", code]
        wall(argv, cwd)  # the first start after a while may still fill the disk cache
        times = [wall(argv, cwd) for _ in range(spawns)]
        floor = [wall([python, "-c", "pass"], cwd) for _ in range(spawns)]
        print(
            json.dumps(
                {
                    "s": statistics.median(times),
                    "floor_s": statistics.median(floor),
                    "importtime_us": import_time_us(package, cwd) if package else 0.0,
                }
            )
        )


def main() -> None:
    p = _harness.parser((__doc__ or "").splitlines()[0])
    p.add_argument("--spawns", type=int, default=None, help="processes per command per round")
    p.add_argument("--child", help=_harness.argparse.SUPPRESS)
    args = p.parse_args()
    spawns = args.spawns or (3 if args.quick else 7)
    if args.child:
        child(args.child, spawns)
        return

    def argv_of(name: str) -> list[str]:
        return [_harness.PYTHON, __file__, "--child", name, "--spawns", str(spawns)]

    def side(name: str) -> Callable[[], Any]:
        return lambda: _harness.child(argv_of(name))

    command = f"python bench/bench_startup.py --rounds {args.rounds}" + (
        " --quick" if args.quick else ""
    )
    taken = _harness.alternate(side("ours"), side("sdk"), rounds=args.rounds, label="import")
    ours, sdk = taken.values("ours", "s"), taken.values("sdk", "s")
    floor = taken.values("ours", "floor_s") + taken.values("sdk", "floor_s")
    own_us = taken.values("ours", "importtime_us")
    sdk_us = taken.values("sdk", "importtime_us")
    r = _harness.ratio(ours, sdk)
    goals = [
        _harness.ratio_goal(
            "import time, ours / SDK (whole process)",
            r,
            limit=IMPORT_TARGET,
            ours=f"{_harness.median(ours) * 1000:.0f} ms",
            sdk=f"{_harness.median(sdk) * 1000:.0f} ms",
            command=command,
            notes=f"python -c 'import parallel_taskgroup' vs 'import parallel', fresh processes, "
            f"median of {spawns} per round; python -c pass takes "
            f"{_harness.median(floor) * 1000:.0f} ms; -X importtime of the package alone: ours "
            f"{_harness.median(own_us) / 1000:.1f} ms, SDK {_harness.median(sdk_us) / 1000:.1f} ms",
        )
    ]
    cli_rounds = []
    for i in range(args.rounds):
        cli_rounds.append(_harness.child(argv_of("cli")))
        print(f"  cli: round {i + 1}/{args.rounds}", file=sys.stderr, flush=True)
    floor_cli = [r["python -c pass"] for r in cli_rounds]
    for name in CLI_CASES:
        values = [r[name] for r in cli_rounds]
        mid = _harness.median(values)
        goals.append(
            _harness.Goal(
                name=f"{name}, wall time",
                figure=f"{mid:.3f} s (min–max {min(values):.3f}–{max(values):.3f})",
                target=f"< {CLI_LIMIT} s",
                holds=mid < CLI_LIMIT,
                ours=f"{mid * 1000:.0f} ms",
                sdk="n/a (no command line)",
                command=command,
                notes=f"the installed console script, fresh processes, median of {spawns} per "
                f"round; python -c pass: {_harness.median(floor_cli) * 1000:.0f} ms",
                value=mid,
                low=min(values),
                high=max(values),
                limit=CLI_LIMIT,
                better="lower",
            )
        )
    _harness.report(
        "bench_startup.py",
        goals,
        json_path=args.json,
        series={"import_ours_s": ours, "import_sdk_s": sdk, "cli": cli_rounds},
    )


if __name__ == "__main__":
    main()
