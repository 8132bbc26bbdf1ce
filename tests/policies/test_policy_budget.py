"""monthly-budget: each stack passes under its configured budget; a budget below the estimate
fails the plan and names the biggest lines; the policy's estimate is the preview's."""
import pytest
from pulumi_policy import StackValidationArgs

from policies.budget import is_cloud_resource, plain, plan_estimate, stack_name
from policies.offline import _providers, _stack_resources, evaluate, load_pack_config
from preview.costing import estimate_plan

STACKS = ["dev", "staging", "prod"]


def budget_violations(plan, pack_config):
    return [v for v in evaluate(plan, pack_config) if v.policy == "monthly-budget"]


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_is_within_its_configured_budget(stack, plan_of):
    config = load_pack_config(stack)
    assert config["monthly-budget"]["maxMonthlyUsd"] > 0
    assert budget_violations(plan_of(stack), config) == []


def test_the_budget_is_mandatory_in_prod_only():
    levels = {stack: load_pack_config(stack)["monthly-budget"]["enforcementLevel"] for stack in STACKS}
    assert levels == {"dev": "advisory", "staging": "advisory", "prod": "mandatory"}


def test_an_over_budget_stack_fails_naming_its_biggest_lines(plan_of):
    config = {**load_pack_config("prod"), "monthly-budget": {"enforcementLevel": "mandatory", "maxMonthlyUsd": 100}}
    (violation,) = budget_violations(plan_of("prod"), config)
    total = estimate_plan(plan_of("prod")).total
    assert violation.mandatory and violation.urn is None
    assert f"over maxMonthlyUsd $100.00 by ${total - 100:,.2f}" in violation.message
    assert "api-service Fargate x86_64 vCPU hours" in violation.message  # prod's biggest line
    assert "Not priced, so not counted: " in violation.message and "db.t3.large" in violation.message


def test_the_policy_estimates_the_same_plan_as_the_preview(plan_of):
    plan = plan_of("staging")
    args = StackValidationArgs(_stack_resources(plan, _providers(plan)), {}, {})
    assert plan_estimate(args).total == estimate_plan(plan).total
    assert plan_estimate(args).unpriced_counts() == estimate_plan(plan).unpriced_counts()


def test_no_budget_set_means_no_check(plan_of):
    config = {k: v for k, v in load_pack_config("prod").items() if k != "monthly-budget"}
    assert budget_violations(plan_of("prod"), config) == []


def test_helpers_read_urns_types_and_unknowns():
    assert stack_name("urn:pulumi:prod::webstack::aws:ec2/vpc:Vpc::vpc") == "prod"
    assert is_cloud_resource("aws:ec2/vpc:Vpc") and is_cloud_resource("random:index/randomPassword:RandomPassword")
    assert not any(map(is_cloud_resource, ["webstack:cdn:Cdn", "pulumi:providers:aws", "pulumi:pulumi:Stack"]))
    from pulumi_policy.proxy import unknown_checking_proxy
    from pulumi.runtime.rpc import UNKNOWN
    props = unknown_checking_proxy({"a": 1.0, "b": UNKNOWN, "c": [UNKNOWN, {"d": "x"}]})
    assert plain(props) == {"a": 1.0, "b": None, "c": [None, {"d": "x"}]}
