"""The one method every comparison in bench/ follows.

- Each measurement runs in a fresh process (``python -c``/a script) that prints one JSON object
  as the last line of its stdout.
- Ours and the SDK alternate, and which goes first alternates with each round, so a noisy
  neighbour hits both sides alike.
- A figure is the median of the per-round ratios, reported with their min and max; absolute
  values are shown beside it, but only the ratio is claimed.
- Both sides run as installed: our packages are byte-compiled first, as pip compiles a wheel
  it installs (the SDK's are), not compiled again by every fresh process of an editable
  checkout where ``PYTHONDONTWRITEBYTECODE`` is set. Whole-process figures (a job's CPU and
  peak RSS, start-up) go further: both sides run in :data:`USER_INSTALL`, an environment
  holding only what a user's ``pip install`` brings.

A bench script built on this prints its goals and, with ``--json PATH``, writes them for
``run_all.py``: ``{"script": ..., "goals": [Goal...], "series": {...}}``.
"""

from __future__ import annotations

import argparse
import compileall
import functools
import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable


FAST_EXTRA = importlib.util.find_spec("msgspec") is not None
"""Whether the ``fast`` extra (msgspec) is installed: then the finished stream (bench_stream)
and the job (bench_job) are measured as the default install (their children block it) and with
it, reported beside. The other benchmarks run as installed: bench_latency, bench_wire and
bench_group_read decode events with msgspec when the environment has it (``make bench`` does)."""


def block_fast_extra() -> None:
    """Measure this process as the default install: ``import msgspec`` fails from here on."""
    sys.modules["msgspec"] = None  # type: ignore[assignment]


def child(
    argv: Sequence[str], *, env: Optional[dict[str, str]] = None, timeout: float = 900
) -> Any:
    """Run one fresh process and return the JSON object on the last line of its stdout."""
    merged = {**os.environ, **(env or {})}
    done = subprocess.run(
        list(argv), capture_output=True, text=True, env=merged, timeout=timeout, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:4])}... exited {done.returncode}:\n{done.stderr[-3000:]}"
        )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"{' '.join(argv[:4])}... printed nothing:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


USER_INSTALL = ROOT / ".venv-bench"
"""Where whole-process figures are taken (a job's CPU and peak RSS, start-up): the checkout
installed as a user installs it, from a built wheel with its ``fast`` extra, beside the pinned
``parallel-web`` and their dependencies, nothing else. The development environment would add
to both sides what no user has: the editable install's import hook at every start, and
``import httpx`` loading httpx's own command line (click, rich, pygments: about 6 MiB and
30 ms), which the generator's tools installed."""


@functools.cache
def user_install() -> str:
    """The interpreter of :data:`USER_INSTALL`: made when missing, and our packages installed
    again when the checkout changed since (looked at once per process)."""
    python = USER_INSTALL / "bin" / "python"
    stamp = USER_INSTALL / "installed-from"
    digest = _sources_digest()
    if stamp.exists() and stamp.read_text(encoding="utf-8") == digest:
        return str(python)
    print(f"  installing the checkout into {USER_INSTALL.name}", file=sys.stderr, flush=True)
    if stamp.exists():  # a finished install of older sources: only ours changed
        _pip(python, "--no-deps", "--force-reinstall", str(ROOT))
    else:  # new, or a first install that stopped part way
        subprocess.run([sys.executable, "-m", "venv", str(USER_INSTALL)], check=True)
        _pip(python, f"{ROOT}[fast]", _sdk_requirement())
    stamp.write_text(digest, encoding="utf-8")
    # The install's writes are flushed now, not by the kernel during the first measurements.
    os.sync()
    return str(python)


def _pip(python: Path, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "install", "-q", *args], check=True, cwd=ROOT)


def _sdk_requirement() -> str:
    """The ``parallel-web==`` pin of requirements-dev.txt, the SDK every bench compares with."""
    for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("parallel-web=="):
            return line.strip()
    raise SystemExit("bench: requirements-dev.txt pins no parallel-web==VERSION")


def _sources_digest() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for package in ("wrapper", "generated_client"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def compile_like_an_install() -> None:
    """Byte-compile our packages where they are imported from, as installing a wheel does (a
    no-op once done; stale files are compiled again)."""
    for package in ("wrapper", "generated_client"):
        compileall.compile_dir(str(ROOT / package), quiet=1, force=False)


@dataclass
class Rounds:
    """Per-round figures of both sides, in the order they were taken."""

    ours: list[dict[str, Any]] = field(default_factory=list)
    sdk: list[dict[str, Any]] = field(default_factory=list)

    def values(self, side: str, key: str) -> list[float]:
        return [float(r[key]) for r in getattr(self, side)]


def alternate(
    ours: Callable[[], Any], sdk: Callable[[], Any], *, rounds: int, label: str = ""
) -> Rounds:
    """Take ``rounds`` rounds, ours and the SDK alternating (and who goes first alternating)."""
    compile_like_an_install()
    taken = Rounds()
    for i in range(rounds):
        order = [("ours", ours), ("sdk", sdk)] if i % 2 == 0 else [("sdk", sdk), ("ours", ours)]
        for side, run in order:
            getattr(taken, side).append(run())
        if label:
            print(f"  {label}: round {i + 1}/{rounds}", file=sys.stderr, flush=True)
    return taken


@dataclass
class Ratio:
    """The median of per-round ratios and their spread."""

    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.median:.2f}× (min–max {self.low:.2f}–{self.high:.2f})"


def ratio(numerators: Sequence[float], denominators: Sequence[float]) -> Ratio:
    """Per-round ``numerator / denominator``, summarised."""
    per_round = [n / d for n, d in zip(numerators, denominators) if d]
    if not per_round:
        return Ratio(float("nan"), float("nan"), float("nan"))
    return Ratio(statistics.median(per_round), min(per_round), max(per_round))


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return float(ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))])


@dataclass
class Goal:
    """One goal of an issue, with the figure measured and whether it holds."""

    name: str  # what is measured
    figure: str  # the claim: a ratio with its spread, or a bound
    target: str  # the floor from the issue
    holds: bool
    ours: str = ""  # absolute figures, shown, not claimed
    sdk: str = ""
    command: str = ""  # how to reproduce it
    notes: str = ""
    # For the plot: the measured value (its spread) against the limit, and which way is better.
    value: Optional[float] = None
    low: Optional[float] = None
    high: Optional[float] = None
    limit: Optional[float] = None
    better: str = "higher"  # or "lower"

    def margin(self) -> Optional[tuple[float, float, float]]:
        """How far the goal holds (>1) or misses (<1): value against limit, and its spread."""
        if self.value is None or not self.limit:
            return None
        values = [self.value, self.low or self.value, self.high or self.value]
        if self.better == "higher":
            m = [v / self.limit for v in values]
        else:
            m = [self.limit / v if v else float("inf") for v in values]
        return m[0], min(m[1:]), max(m[1:])


def ratio_goal(
    name: str,
    r: Ratio,
    *,
    limit: Optional[float],
    better: str = "lower",
    ours: str = "",
    sdk: str = "",
    command: str = "",
    notes: str = "",
) -> Goal:
    """The goal whose figure is the ratio ``r``: it holds when its median is on the ``better``
    side of ``limit`` (None: reported, no floor)."""
    if limit is None:
        target, holds = "reported", True
    elif better == "lower":
        target, holds = f"≤ {limit}×", r.median <= limit
    else:
        target, holds = f"≥ {limit}×", r.median >= limit
    return Goal(
        name=name,
        figure=str(r),
        target=target,
        holds=holds,
        value=r.median,
        low=r.low,
        high=r.high,
        limit=limit,
        better=better,
        ours=ours,
        sdk=sdk,
        command=command,
        notes=notes,
    )


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--rounds", type=int, default=5, help="rounds, ours and the SDK alternating")
    p.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    p.add_argument("--json", help="write the goals here for run_all.py")
    return p


def report(
    script: str,
    goals: Sequence[Goal],
    *,
    json_path: Optional[str],
    series: Optional[dict[str, Any]] = None,
) -> None:
    """Print the goals; write them for ``run_all.py`` if asked."""
    for g in goals:
        verdict = "holds" if g.holds else "MISSED"
        print(f"{g.name}: {g.figure} [target {g.target}: {verdict}]")
        if g.ours or g.sdk:
            print(f"    ours {g.ours}; SDK {g.sdk}")
    if json_path:
        Path(json_path).write_text(
            json.dumps(
                {"script": script, "goals": [asdict(g) for g in goals], "series": series or {}},
                indent=1,
            ),
            encoding="utf-8",
        )
