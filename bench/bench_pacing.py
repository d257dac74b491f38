"""Submission pacing against the emulator's 2,000-per-minute limit, in both readings of its unit.

Parallel documents 2,000 per minute per key without settling the unit. The client assumes
neither and learns from the service's 429s (``submission/pacing.py``), so both are measured,
each with a private emulator (``--rate-limit 2000``) and ``group.add_runs(rows, key="id")`` with
no cap given (batches of up to 1,000):

1. request unit (each add-runs POST counts 1): 100,000 rows (20,000 with ``--quick``) must be
   submitted in at most 2 minutes, from the call to the last add-runs POST accepted;
2. run unit (each POST counts its runs): rows are offered for 4 minutes (``--quick``: 90 s);
   the runs accepted after the first minute (``--quick``: 30 s) are at least 95% of the limit;
   the 429s are counted per minute, and none may reach the caller; the group must hold exactly
   one run per row key.

These are single runs (``--rounds`` is not used): there is no SDK side (the SDK does not pace),
and each takes minutes of wall time by design.

Usage: python bench/bench_pacing.py [--quick] [--json PATH]
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness  # noqa: E402
from _harness import Goal  # noqa: E402
from parallel_taskgroup import ROW_KEY_FIELD, Client, SubmitReport  # noqa: E402
from taskgroup_emulator.testing import EmulatorServer  # noqa: E402

SCRIPT = "bench_pacing.py"
LIMIT = 2000
REQUEST_SECONDS_LIMIT = 120.0
RUN_FRACTION = 0.95
TIME_SCALE = 0.001


class _Refusals(logging.Handler):
    """When the client met a 429 (it logs each one it absorbs)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.times: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("429 on add-runs"):
            self.times.append(time.monotonic())


def _rows(stop: Any) -> Iterator[dict[str, Any]]:
    i = 0
    while not stop(i):
        yield {"id": f"r{i}", "question": f"What does company {i} do?"}
        i += 1


def _keys_in_group(client: Client, group_id: str) -> Counter[str]:
    keys: Counter[str] = Counter()
    for event in client.group(group_id).runs():
        run = getattr(event, "run", None)
        if run is not None and run.metadata:
            keys[str(run.metadata[ROW_KEY_FIELD])] += 1
    return keys


def submit(unit: str, *, rows: int = 0, seconds: float = 0.0) -> dict[str, Any]:
    """One submission against a fresh emulator; ``rows`` rows, or rows for ``seconds``."""
    answers: list[tuple[float, int]] = []  # (time of an accepted POST, runs created so far)
    refusals = _Refusals()
    logger = logging.getLogger("parallel_taskgroup.submission")
    logger.addHandler(refusals)
    logger.setLevel(logging.INFO)

    def progress(report: SubmitReport) -> None:
        if not answers or report.sent != answers[-1][1]:
            answers.append((time.monotonic() - started, report.sent))

    started = time.monotonic()
    if rows:
        source = _rows(lambda i: i >= rows)
    else:
        source = _rows(lambda i: time.monotonic() - started >= seconds)
    raised = None
    with (
        EmulatorServer(
            check_responses=False,
            time_scale=TIME_SCALE,
            rate_limit_per_minute=LIMIT,
            rate_limit_unit=unit,
        ) as emu,
        Client(api_key=emu.api_key, base_url=emu.base_url) as client,
    ):
        group = client.create_group(processor="lite")
        started = time.monotonic()
        try:
            report = group.add_runs(source, key="id", on_progress=progress)
        except Exception as exc:  # a 429 (or anything) reaching the caller is a failure
            raised = f"{type(exc).__name__}: {exc}"
            report = getattr(exc, "report", None) or SubmitReport(group_id=group.id)
        keys = _keys_in_group(client, group.id)
    logger.removeHandler(refusals)
    return {
        "answers": answers,
        "refusals": [t - started for t in refusals.times],
        "sent": report.sent,
        "requests": report.requests,
        "rate_limited": report.rate_limited,
        "raised": raised,
        "runs_in_group": sum(keys.values()),
        "distinct_keys": len(keys),
    }


def measure(unit: str, *, rows: int = 0, seconds: float = 0.0) -> dict[str, Any]:
    """:func:`submit` in a fresh process."""
    argv = [_harness.PYTHON, __file__, "--child", unit, str(rows), str(seconds)]
    found: dict[str, Any] = _harness.child(argv, timeout=1800)
    return found


def main(argv: list[str] | None = None) -> int:
    p = _harness.parser(__doc__.splitlines()[0])
    p.add_argument("--child", nargs=3, metavar=("UNIT", "ROWS", "SECONDS"), help="internal")
    args = p.parse_args(argv)
    if args.child:
        unit, rows, seconds = args.child
        print(json.dumps(submit(unit, rows=int(rows), seconds=float(seconds))))
        return 0
    quick = args.quick
    goals: list[Goal] = []
    series: dict[str, Any] = {}
    command = "python bench/bench_pacing.py" + (" --quick" if quick else "")

    # 1. Request unit: every POST counts one, so 1,000-row batches are never slowed.
    n = 20_000 if quick else 100_000
    print(f"  request unit: {n:,} rows", file=sys.stderr, flush=True)
    r = measure("request", rows=n)
    last = r["answers"][-1][0] if r["answers"] else float("inf")
    ok = r["raised"] is None and r["sent"] == n and r["runs_in_group"] == r["distinct_keys"] == n
    series["request_unit"] = {k: v for k, v in r.items() if k != "answers"}
    goals.append(
        Goal(
            name=f"Request unit ({LIMIT}/min): {n:,} rows submitted",
            figure=f"{last:.1f} s",
            target=f"≤ {REQUEST_SECONDS_LIMIT:.0f} s",
            holds=ok and last <= REQUEST_SECONDS_LIMIT,
            ours=f"{r['requests']} POSTs, {r['rate_limited']} 429s absorbed, "
            f"{r['runs_in_group']:,} runs in the group for {r['distinct_keys']:,} keys"
            + (f"; raised {r['raised']}" if r["raised"] else ""),
            command=command,
            notes="a single run (no SDK side: the SDK does not pace); from the add_runs call to "
            "the last add-runs POST accepted",
            value=last,
            limit=REQUEST_SECONDS_LIMIT,
            better="lower",
        )
    )

    # 2. Run unit: a POST counts its runs; the pace must settle at the limit.
    total = 90.0 if quick else 240.0
    warm = 30.0 if quick else 60.0
    print(f"  run unit: rows for {total:.0f} s", file=sys.stderr, flush=True)
    r = measure("run", seconds=total)
    answers = [(float(t), int(sent)) for t, sent in r["answers"]]
    # The steady pace: from the first POST accepted after the warm-up to the last one, the
    # runs accepted in between over the time between (whole batches over whole intervals, so
    # the figure does not depend on where batch boundaries fall in a minute).
    steady = [(t, sent) for t, sent in answers if t > warm]
    rate = 0.0
    if len(steady) >= 2 and steady[-1][0] > steady[0][0]:
        rate = (steady[-1][1] - steady[0][1]) / (steady[-1][0] - steady[0][0]) * 60
    fraction = rate / LIMIT
    minutes = int(max([t for t, _ in answers] + [total]) // 60) + 1
    per_minute = Counter(int(t // 60) for t in r["refusals"])
    refusals_by_minute = [per_minute.get(m, 0) for m in range(minutes)]
    accepted_by_minute = []
    for m in range(minutes):
        lo = max([s for t, s in answers if t <= 60 * m], default=0)
        hi = max([s for t, s in answers if t <= 60 * (m + 1)], default=0)
        accepted_by_minute.append(hi - lo)
    span = f"{steady[0][0]:.0f}–{steady[-1][0]:.0f} s" if len(steady) >= 2 else "none"
    once = r["runs_in_group"] == r["distinct_keys"] == r["sent"]
    series["run_unit"] = {
        "accepted_by_minute": accepted_by_minute,
        "429s_by_minute": refusals_by_minute,
        **{k: v for k, v in r.items() if k not in ("answers", "refusals")},
    }
    goals.append(
        Goal(
            name=f"Run unit ({LIMIT}/min): sustained rate after the first "
            f"{warm:.0f} s, of the limit",
            figure=f"{fraction:.1%}",
            target=f"≥ {RUN_FRACTION:.0%}, no 429 raised, one run per key",
            holds=fraction >= RUN_FRACTION and r["raised"] is None and once,
            ours=f"{rate:,.0f} runs/min ({span}); accepted per minute "
            f"{accepted_by_minute}; 429s per minute {refusals_by_minute} (absorbed "
            f"{r['rate_limited']}, raised: {r['raised'] or 'none'}); {r['runs_in_group']:,} runs "
            f"in the group for {r['distinct_keys']:,} keys",
            command=command,
            notes=f"a single run (no SDK side); rows offered for {total:.0f} s; the rate is the "
            f"runs accepted from the first POST accepted after {warm:.0f} s to the last, over "
            "the time between; 429s are those the client absorbed (each is logged)",
            value=fraction,
            limit=RUN_FRACTION,
            better="higher",
        )
    )
    _harness.report(SCRIPT, goals, json_path=args.json, series=series)
    return 0


if __name__ == "__main__":
    sys.exit(main())
