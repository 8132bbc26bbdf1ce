"""The plan's monthly estimate: the plan's AWS resources, each in its provider's region, through
the standalone `cost` estimator with the stack's usage assumptions (cost/usage/<stack>.json)."""
from __future__ import annotations

import sys

from cost import Estimate, Resource, estimate, load_usage
from cost.report import summary_table
from preview.engine import run_preview
from preview.plan import Plan

DEFAULT_REGION = "ap-northeast-2"


def plan_resources(plan: Plan) -> list[Resource]:
    regions = {r.urn: r.inputs.get("region") for r in plan.resources if r.type.startswith("pulumi:providers:")}
    return [Resource(r.type, r.name, r.inputs, regions.get(r.provider_urn))
            for r in plan.resources if r.custom]


def stack_region(plan: Plan) -> str:
    region = plan.outputs.get("region")
    return region if isinstance(region, str) else DEFAULT_REGION


def estimate_plan(plan: Plan) -> Estimate:
    """Raises cost.UsageError on a bad usage file."""
    return estimate(plan_resources(plan), stack_region(plan), load_usage(plan.stack))


def stacks_table(stacks: list[str]) -> str:
    """The README's cost table, from each stack's offline preview."""
    return summary_table({stack: estimate_plan(run_preview(stack)) for stack in stacks})


if __name__ == "__main__":
    # python -m preview.costing dev staging prod: the table README.md's Cost section holds.
    print(stacks_table(sys.argv[1:] or ["dev", "staging", "prod"]))
