"""A small `make chaos`: 2,000 rows, every fault on, one emulator restart, one client kill with
its journal deleted afterwards, a credit shortfall topped up, a second copy of the command."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import chaos  # noqa: E402


@pytest.mark.integration
def test_cli_survives_every_fault_at_once_with_each_key_exactly_once() -> None:
    report = chaos.run_chaos(
        rows=2_000, restarts=1, client_kills=1, burst_every=2.0, timeout=240, log=lambda _: None
    )
    assert report.passed, report.summary()
    assert report.emulator_restarts == 1
    assert report.client_kills == 1
    assert report.credit_top_ups == 1 and report.journals_deleted == 1
    assert report.concurrent_exit_codes == [2]
