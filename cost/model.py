"""The estimator's data: what goes in (resources) and what comes out (lines, an estimate)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

PRICED, FREE, NOT_PRICED = "priced", "free", "not priced"


@dataclass(frozen=True)
class Resource:
    """One planned resource: its type token, name, engine inputs and (if not the stack's) region."""

    type: str
    name: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    region: Optional[str] = None


@dataclass(frozen=True)
class Line:
    """One charge of one resource. `monthly_usd` is None when the line is not priced."""

    resource: str
    type: str
    group: str
    item: str
    status: str
    quantity: float = 0.0
    unit: str = ""
    unit_usd: Optional[float] = None
    monthly_usd: Optional[float] = None
    basis: str = ""  # the assumption behind the quantity
    source: str = ""  # the price's source id, or why it is free / not priced

    def as_data(self) -> dict[str, Any]:
        return {"resource": self.resource, "type": self.type, "group": self.group, "item": self.item,
                "status": self.status, "quantity": self.quantity, "unit": self.unit,
                "unitUsd": self.unit_usd, "monthlyUsd": _round(self.monthly_usd), "basis": self.basis,
                "source": self.source}


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 2)


@dataclass(frozen=True)
class Estimate:
    """Every line of a plan's monthly cost; the total counts priced lines only."""

    region: str
    lines: tuple[Line, ...]

    @property
    def priced(self) -> list[Line]:
        return [line for line in self.lines if line.status == PRICED]

    @property
    def not_priced(self) -> list[Line]:
        return [line for line in self.lines if line.status == NOT_PRICED]

    @property
    def free(self) -> list[Line]:
        return [line for line in self.lines if line.status == FREE]

    @property
    def total(self) -> float:
        return round(sum(line.monthly_usd for line in self.priced), 2)

    def by_group(self) -> dict[str, float]:
        groups: dict[str, float] = defaultdict(float)
        for line in self.priced:
            groups[line.group] += line.monthly_usd
        return {name: round(usd, 2) for name, usd in sorted(groups.items(), key=lambda g: (-round(g[1], 6), g[0]))}

    def top(self, count: int = 5) -> list[Line]:
        return self.by_cost()[:count]

    def by_cost(self) -> list[Line]:
        """Priced lines, dearest first; ties by resource and item, since the engine registers
        resources in no fixed order."""
        return sorted(self.priced, key=lambda line: (-round(line.monthly_usd, 6), line.resource, line.item))

    def unpriced_counts(self) -> dict[str, int]:
        """Not-priced items and how many of each, e.g. {"RDS db.t3.large instance hours": 2}."""
        counts: dict[str, int] = defaultdict(int)
        for line in self.not_priced:
            counts[line.item] += 1
        return dict(sorted(counts.items()))

    def as_data(self) -> dict[str, Any]:
        return {"currency": "USD", "region": self.region, "monthlyUsd": self.total,
                "byGroup": self.by_group(), "notPriced": self.unpriced_counts(),
                "lines": [line.as_data() for line in self.lines]}
