"""The fault matrix (tools/fault_matrix.py): each kind of wire fault alone on half the
requests, every kind at once on 30%, a POST landing after its sender was killed, and every
resumable exit; the same command is run again after every exit until the job is done.

Each scenario passes only if every exit but SIGKILL left one line per row, and the job ended
with exactly one run in the group and one line in the file per row. The scenarios run side by
side (each on its own emulator and folder): most of their time is waiting."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import fault_matrix  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def reports() -> dict[str, fault_matrix.ScenarioReport]:
    return fault_matrix.run_scenarios(fault_matrix.SCENARIOS, rows=3000, jobs=4)


@pytest.mark.parametrize("scenario", fault_matrix.SCENARIOS)
def test_every_fault_keeps_one_run_and_one_line_per_row(
    reports: dict[str, fault_matrix.ScenarioReport], scenario: str
) -> None:
    report = reports[scenario]
    assert report.passed, report.summary()
    assert report.exit_codes[-1] in (0, 1)
