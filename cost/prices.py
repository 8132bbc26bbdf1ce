"""The price table (cost/prices.json): on-demand USD by region, each price with its source."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

PRICES_FILE = Path(__file__).resolve().parent / "prices.json"
GLOBAL = "global"


@dataclass(frozen=True)
class Price:
    key: str
    usd: float
    unit: str
    source: str
    code: str = ""
    limit: Optional[float] = None  # for free-tier entries: the free amount


class PriceTable:
    """Prices by region, then the region-independent ones; a missing key is None, never 0."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.hours_per_month = float(data.get("hoursPerMonth", 730))
        self.sources = dict(data.get("sources", {}))

    def get(self, region: str, key: str) -> Optional[Price]:
        prices = self.data.get("prices", {})
        for scope in (region, GLOBAL):
            entry = prices.get(scope, {}).get(key)
            if entry is not None:
                return Price(key, float(entry["usd"]), entry["unit"], entry["source"],
                             entry.get("code", ""), entry.get("limit"))
        return None

    def regions(self) -> list[str]:
        return sorted(scope for scope in self.data.get("prices", {}) if scope != GLOBAL)


def load_prices(path: Union[str, Path] = PRICES_FILE) -> PriceTable:
    return PriceTable(json.loads(Path(path).read_text(encoding="utf-8")))
