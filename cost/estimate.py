"""The estimate: every resource through its rule, free types marked free, the rest not priced."""
from __future__ import annotations

from typing import Iterable, Optional

from cost.model import FREE, NOT_PRICED, Estimate, Line, Resource
from cost.prices import PriceTable, load_prices
from cost.rules import BILLED, FREE_TYPES, Context
from cost.usage import Usage, usage_from


def estimate(resources: Iterable[Resource], region: str, usage: Optional[Usage] = None,
             prices: Optional[PriceTable] = None) -> Estimate:
    """The monthly on-demand cost of `resources` in `region` (a resource's own region wins),
    line by line. Provider resources are not AWS resources and are skipped."""
    plan = [r for r in resources if not r.type.startswith("pulumi:providers:")]
    ctx = Context(region, prices or load_prices(), usage or usage_from({}), plan)
    return Estimate(region, tuple(line for resource in plan for line in _lines(resource, ctx)))


def _lines(resource: Resource, ctx: Context) -> list[Line]:
    if resource.type in BILLED:
        return BILLED[resource.type](resource, ctx)
    if resource.type in FREE_TYPES:
        return [Line(resource.name, resource.type, "Free", "no charge", FREE, source=FREE_TYPES[resource.type])]
    return [Line(resource.name, resource.type, "Unknown", f"{resource.type} (type not in the estimator)",
                 NOT_PRICED, source="the estimator has no rule for this type")]
