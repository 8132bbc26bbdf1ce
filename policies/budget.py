"""Budget: the plan's monthly on-demand estimate stays under the stack's `maxMonthlyUsd`.

The estimate is the standalone `cost` package's (prices: cost/prices.json, usage assumptions:
cost/usage/<stack>.json), the same the preview prints with `--cost`. The Pulumi CLI loads the pack
with the repository root on sys.path (policies/__main__.py), so `cost` imports there too.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from pulumi_policy import ReportViolation, Severity, StackValidationArgs

from cost import Estimate, Resource, UsageError, estimate, load_usage
from cost.report import money
from policies._policy import ADVISORY, settings, stack_policy
from policies._props import UNKNOWN, is_list, is_map, peek

BUDGET_SCHEMA = {
    "maxMonthlyUsd": {"type": "number", "minimum": 0,
                      "description": "Most the stack may cost a month, in on-demand USD, by the estimate; "
                                     "unset: no budget."},
}
BIGGEST_LINES = 5


def plain(value: Any) -> Any:
    """Props as plain data; a value unknown during preview becomes None, which the estimate's rules
    read as unset (an unknown class is not priced; an unknown size takes AWS's default)."""
    if is_map(value):
        return {key: plain(peek(lambda key=key: value[key], default=None)) for key in list(value.keys())}
    if is_list(value):
        return [plain(peek(lambda index=index: value[index], default=None)) for index in range(len(value))]
    return None if value is UNKNOWN else value


def stack_name(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::…` → `<stack>`."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


def _region(resource: Any) -> Optional[str]:
    provider = resource.provider
    region = peek(lambda: provider.props.get("region"), default=None) if provider is not None else None
    return region if isinstance(region, str) else None  # a bad input prices as the stack's region


def is_cloud_resource(type_token: str) -> bool:
    """A provider resource (`aws:ec2/vpc:Vpc`, `random:index/randomPassword:RandomPassword`), not a
    component (`webstack:cdn:Cdn`) or the stack or a provider: their module names a file."""
    parts = type_token.split(":")
    return len(parts) == 3 and parts[0] != "pulumi" and "/" in parts[1]


def plan_estimate(args: StackValidationArgs) -> Estimate:
    resources = [Resource(r.resource_type, r.name, plain(r.props), _region(r)) for r in args.resources
                 if is_cloud_resource(r.resource_type)]
    regions = Counter(r.region for r in resources if r.region)
    stack = stack_name(args.resources[0].urn) if args.resources else ""
    return estimate(resources, regions.most_common(1)[0][0] if regions else "us-east-1", load_usage(stack))


def _describe(result: Estimate) -> str:
    top = "; ".join(f"{line.resource} {line.item} {money(line.monthly_usd)}" for line in result.top(BIGGEST_LINES))
    unpriced = ", ".join(f"{count} × {item}" for item, count in result.unpriced_counts().items())
    return f"biggest lines: {top}" + (f". Not priced, so not counted: {unpriced}" if unpriced else "")


def monthly_budget(args: StackValidationArgs, report: ReportViolation) -> None:
    limit = settings(args, BUDGET_SCHEMA).get("maxMonthlyUsd")
    if limit is None:
        return
    try:
        result = plan_estimate(args)
    except UsageError as error:
        report(str(error))
        return
    if result.total > limit:
        report(f"the estimate is {money(result.total)} a month, over maxMonthlyUsd {money(limit)} by "
               f"{money(result.total - limit)}; {_describe(result)}")


POLICIES = [
    stack_policy(
        "monthly-budget",
        "The plan's monthly on-demand estimate (python -m preview <stack> --cost) must stay within "
        "maxMonthlyUsd: shrink the biggest lines (instance classes, NAT gateways, task counts), "
        "review cost/usage/<stack>.json, or raise the stack's budget in its policy config.",
        monthly_budget, level=ADVISORY, severity=Severity.MEDIUM, config=BUDGET_SCHEMA),
]
