"""Every stack's offline preview passes every mandatory policy under its own policy config."""
import dataclasses
from pathlib import Path

import pytest
from broken_program import BUILDABLE_STACKS
from preview.plan import Plan
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE as UNKNOWN

from policies import _aws as aws
from policies.offline import evaluate, format_report, load_pack_config

REPO_ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(path.stem for path in (REPO_ROOT / "policies" / "config").glob("*.json"))


def test_every_stack_has_a_policy_config():
    program_stacks = {path.name.split(".")[1] for path in REPO_ROOT.glob("Pulumi.*.yaml")}
    assert program_stacks and program_stacks <= set(STACKS)


@pytest.mark.parametrize("stack", BUILDABLE_STACKS)
def test_stack_passes_every_mandatory_policy(stack, plan_of):
    plan = plan_of(stack)
    # Not vacuous: the stack holds what the policies guard.
    types = {r.type for r in plan.resources}
    assert {aws.RDS_INSTANCE, aws.CACHE_REPLICATION_GROUP, aws.BUCKET, aws.SECURITY_GROUP} <= types
    roles = {r.inputs.get("tags", {}).get("Role") for r in plan.of_type(aws.SECURITY_GROUP)}
    assert {"backend", "database", "cache"} <= roles

    mandatory = [v for v in evaluate(plan, load_pack_config(stack)) if v.mandatory]
    assert not mandatory, "\n" + format_report(mandatory)


def _unknown_where_computed(plan):
    """The plan as a first `pulumi preview` of a new stack sees it, approximately: every input
    that carries another resource's id, ARN or computed output is unknown. (The offline preview's
    own first-run mode replaces this once it lands.)"""
    computed = {r.id for r in plan.resources if r.id}
    computed |= {value for r in plan.resources for key, value in (r.outputs or {}).items()
                 if key not in r.inputs and isinstance(value, str) and len(value) > 3}
    long_ones = [value for value in computed if len(value) > 8]

    def blank(value):
        if isinstance(value, str):
            return UNKNOWN if value in computed or any(c in value for c in long_ones) else value
        if isinstance(value, dict):
            return {key: blank(item) for key, item in value.items()}
        if isinstance(value, list):
            return [blank(item) for item in value]
        return value

    return Plan(plan.stack, [dataclasses.replace(r, inputs=blank(dict(r.inputs)), outputs={}, id="")
                             for r in plan.resources])


@pytest.mark.parametrize("stack", BUILDABLE_STACKS)
def test_unknown_ids_and_arns_change_no_mandatory_verdict_and_leave_nothing_unchecked(stack, plan_of):
    plan = plan_of(stack)
    first_run = _unknown_where_computed(plan)
    assert sum(UNKNOWN in str(r.inputs) for r in first_run.resources) > 20  # not vacuous
    config = load_pack_config(stack)
    verdict = sorted((v.policy, v.name) for v in evaluate(plan, config) if v.mandatory)
    found = evaluate(first_run, config)
    assert sorted((v.policy, v.name) for v in found if v.mandatory) == verdict
    assert [v.policy for v in found if v.message.startswith("can't run")] == []
