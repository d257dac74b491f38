"""A price table file: each processor at its own price, a -fast variant at its tier's unless
the file prices it apart (whatever the order of its entries)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parallel_taskgroup import ConfigurationError
from parallel_taskgroup.jobs.prices import PriceTable


def table(tmp_path: Path, prices: dict[str, float]) -> PriceTable:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(prices), encoding="utf-8")
    return PriceTable.from_file(str(path))


@pytest.mark.parametrize(
    "prices",
    [{"base": 10, "base-fast": 3}, {"base-fast": 3, "base": 10}],
    ids=["tier first", "fast first"],
)
def test_a_fast_variant_priced_apart_leaves_its_tier_at_its_own_price(
    tmp_path: Path, prices: dict[str, float]
) -> None:
    found = table(tmp_path, prices)
    assert found.per_run("base") == pytest.approx(0.010)
    assert found.per_run("base-fast") == pytest.approx(0.003)


def test_a_fast_variant_not_priced_apart_costs_what_its_tier_does(tmp_path: Path) -> None:
    assert table(tmp_path, {"core": 25}).per_run("core-fast") == pytest.approx(0.025)


def test_a_tier_priced_only_by_its_fast_variant_is_unknown(tmp_path: Path) -> None:
    found = table(tmp_path, {"pro-fast": 100})
    assert found.knows("pro-fast") and not found.knows("pro")
    with pytest.raises(ConfigurationError, match="unknown processor 'pro'"):
        found.per_run("pro")
