"""Memory: `taskgroup run` streams its input; a 100,000-row run stays under 150 MB peak RSS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

LIMIT_MB = 150

# Runs `taskgroup` in-process and prints its peak RSS in kB on stderr as it exits. Not
# ru_maxrss: Linux carries the forking parent's high-water mark into it across exec.
_MEASURED_CLI = (
    "import sys\n"
    "from parallel_taskgroup.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
    "print('PEAK_KB', hwm[0], file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measure_cli(args: list[str], env: dict[str, str]) -> tuple[int, float, str]:
    """(exit code, peak RSS in MB, stderr) of one `taskgroup ARGS` process."""
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURED_CLI, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=1800,
    )
    peak_mb = float("nan")
    if "PEAK_KB" in proc.stderr:
        peak_mb = int(proc.stderr.split("PEAK_KB")[1].split()[0]) / 1024
    return proc.returncode, peak_mb, proc.stderr


def write_rows(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            row = {
                "id": f"row-{i}",
                "company_name": f"Company {i}",
                "site": f"https://c{i}.example",
            }
            handle.write(json.dumps(row) + "\n")


def peak_rss_mb_of_run(server: EmulatorServer, tmp_path: Path, rows: int) -> float:
    src = tmp_path / "in.jsonl"
    out = tmp_path / "out.jsonl"
    write_rows(src, rows)
    env = dict(os.environ, PARALLEL_API_KEY=server.api_key, PARALLEL_BASE_URL=server.base_url)
    args = ["run", str(src), "--out", str(out), "--key", "id", "--yes"]
    code, peak_mb, stderr = measure_cli([*args, "--quiet"], env)
    assert code == 0, stderr
    assert out.read_bytes().count(b"\n") == rows
    return peak_mb


@pytest.fixture
def fast_emulator(emulator_factory: Callable[..., EmulatorServer]) -> EmulatorServer:
    return emulator_factory(time_scale=0.001, rate_limit_per_minute=10_000_000)


def test_small_run_peak_memory_is_far_below_the_limit(
    fast_emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert peak_rss_mb_of_run(fast_emulator, tmp_path, 3_000) < LIMIT_MB


@pytest.mark.slow
def test_100k_row_run_peak_memory_under_150_mb(
    fast_emulator: EmulatorServer, tmp_path: Path
) -> None:
    assert peak_rss_mb_of_run(fast_emulator, tmp_path, 100_000) < LIMIT_MB
