"""What runs cost: Parallel's price per run by processor, and what a job's runs add up to.

The table is Parallel's published pricing (docs ``getting-started/pricing.md``, read
:data:`PRICES_AS_OF`); ``-fast`` variants cost the same as their tier. The API reports no cost,
so a job's spend is the runs it created times these prices. Prices change: a JSON file of
``{"processor": usd_per_1000_runs}`` replaces the table (``taskgroup run --price-table FILE``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Optional, Union

import attrs

from ..errors import ConfigurationError

__all__ = ["PRICES_AS_OF", "PRICES_SOURCE", "PriceTable"]

PRICES_AS_OF = "2026-11-23"
PRICES_SOURCE = "https://docs.parallel.ai/getting-started/pricing"

_USD_PER_1000_RUNS: dict[str, float] = {
    "lite": 5,
    "base": 10,
    "core": 25,
    "core2x": 50,
    "pro": 100,
    "ultra": 300,
    "ultra2x": 600,
    "ultra4x": 1200,
    "ultra8x": 2400,
}
FAST_SUFFIX = "-fast"


def _tier(processor: str) -> str:
    return processor[: -len(FAST_SUFFIX)] if processor.endswith(FAST_SUFFIX) else processor


@attrs.frozen
class PriceTable:
    """USD per 1,000 runs, by processor tier."""

    usd_per_1000: Mapping[str, float] = attrs.field(factory=lambda: dict(_USD_PER_1000_RUNS))
    source: str = f"{PRICES_SOURCE} (as of {PRICES_AS_OF})"

    @classmethod
    def from_file(cls, path: str) -> PriceTable:
        """A table read from a JSON file ``{"processor": usd_per_1000_runs, ...}``."""
        try:
            with open(path, encoding="utf-8") as handle:
                data: Any = json.load(handle)
        except OSError as exc:
            raise ConfigurationError(f"price table {path}: cannot read it ({exc})") from None
        except ValueError as exc:
            raise ConfigurationError(f"price table {path}: not valid JSON ({exc})") from None
        if not isinstance(data, dict) or not data:
            raise ConfigurationError(
                f'price table {path}: expected an object like {{"base": 10, "pro": 100}} '
                "(USD per 1,000 runs)"
            )
        table: dict[str, float] = {}
        for name, price in data.items():
            if (
                isinstance(price, bool)
                or not isinstance(price, (int, float))
                or not math.isfinite(price)
                or price < 0
            ):
                raise ConfigurationError(
                    f"price table {path}: the price of {name!r} must be a number of USD per "
                    f"1,000 runs, got {price!r}"
                )
            table[str(name)] = float(price)
        return cls(table, source=path)

    def _usd_per_1000(self, processor: str) -> Optional[float]:
        """The price of ``processor`` itself, else of its tier (a ``-fast`` variant's)."""
        found = self.usd_per_1000.get(processor)
        return found if found is not None else self.usd_per_1000.get(_tier(processor))

    def knows(self, processor: str) -> bool:
        """Whether the table has a price for ``processor``."""
        return self._usd_per_1000(processor) is not None

    def per_run(self, processor: str) -> float:
        """USD per run of ``processor`` (a ``-fast`` variant costs what its tier does unless
        the table prices it apart)."""
        price = self._usd_per_1000(processor)
        if price is None:
            known = ", ".join(self.usd_per_1000)
            raise ConfigurationError(
                f"unknown processor {processor!r} ({known}, each also with -fast); for a "
                "processor newer than this table, give its price with a price table file"
            )
        return price / 1000.0

    def cost(self, runs_by_processor: Mapping[str, int]) -> float:
        """USD for the given numbers of runs."""
        return sum(self.per_run(p) * n for p, n in runs_by_processor.items())


def price_table(path: Optional[Union[str, PriceTable]]) -> PriceTable:
    """The table to use: the packaged one, a file's, or one given."""
    if isinstance(path, PriceTable):
        return path
    return PriceTable() if path is None else PriceTable.from_file(path)
