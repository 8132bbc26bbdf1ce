"""Every stack's offline preview passes every mandatory policy under its own policy config."""
from pathlib import Path

import pytest
from broken_program import BUILDABLE_STACKS

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
