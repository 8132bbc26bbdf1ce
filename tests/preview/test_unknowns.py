"""First-run mode (`--unknowns`): what a real `pulumi preview` of a brand-new stack sees. The
program still previews, preflight still passes, and the policy pack reaches the same mandatory
verdict as with known values."""
import pytest

import preflight
from policies.offline import evaluate, load_pack_config
from preflight.model import UNKNOWN
from preview.engine import run_preview
from tests.conftest import STACKS
from tests.support import named

RDS = "aws:rds/instance:Instance"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def mandatory(plan, stack) -> set[str]:
    return {v.policy for v in evaluate(plan, load_pack_config(stack)) if v.mandatory}


@pytest.mark.parametrize("stack", STACKS)
def test_the_mandatory_verdict_is_the_same_as_with_known_values(plan_of, unknown_plan_of, stack):
    assert mandatory(unknown_plan_of(stack), stack) == mandatory(plan_of(stack), stack)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_previews_and_passes_preflight_on_its_first_run(unknown_plan_of, stack):
    plan = unknown_plan_of(stack)
    assert len(plan.resources) > 50
    assert preflight.errors(preflight.check(plan)) == []


def test_ids_arns_and_endpoints_are_unknown_as_in_a_real_first_preview(unknown_plan_of,
                                                                        plan_of):
    plan = unknown_plan_of("prod")
    database = named(plan, RDS, "database-instance")
    assert database.id == "" and "address" not in database.outputs
    assert plan.outputs["databaseEndpoint"] == UNKNOWN
    assert plan.outputs["albDnsName"] == UNKNOWN
    assert plan.outputs["siteUrl"] == "https://example.com"  # the domain is config
    rule = plan.of_type(INGRESS)[0]
    assert rule.inputs["securityGroupId"] == UNKNOWN
    # What the program sets itself stays known.
    assert database.inputs["identifier"] == "webstack-prod-postgres"
    assert plan.count_by_type() == plan_of("prod").count_by_type()


def test_a_provable_violation_stays_one_when_unrelated_values_are_unknown():
    """SSH opened to a network dev's policy config does not list: the rule's group id is
    unknown on a first run, its port and CIDR are not."""
    plan = run_preview("dev", overrides={"adminCidrs": '["203.0.113.7/32"]'}, unknowns=True)
    assert "sg-admin-ports-from-admin-cidrs" in mandatory(plan, "dev")
