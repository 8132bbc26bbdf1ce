"""What AWS itself would reject: every stack, and generated scaled configs, stay within it."""
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.rules import FARGATE_MEMORY
from preview.engine import run_preview
from preview.plan import Plan
from tests import aws_rules
from tests.conftest import STACKS
from tests.support import refused_before_any_resource


def changed(plan: Plan, type_token: str, inputs: dict = None, **fields) -> Plan:
    """A copy of the plan whose first resource of a type has some inputs or fields changed."""
    target = plan.of_type(type_token)[0]
    new = replace(target, inputs={**target.inputs, **(inputs or {})}, **fields)
    return replace(plan, resources=[new if r is target else r for r in plan.resources])


@pytest.mark.parametrize("rule", aws_rules.ALL_RULES, ids=lambda rule: rule.__name__)
@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_is_within_awss_constraints(plan_of, stack, rule):
    assert rule(plan_of(stack)) == []


def test_each_scaled_constraint_is_actually_checked(prod_plan):
    """Each rule fires on a plan that breaks it, so the test above cannot pass vacuously."""
    one_zone = [s.id for s in prod_plan.of_type(aws_rules.SUBNET)
                if s.inputs["availabilityZone"].endswith("a") and "public" in s.name]
    us_east_1 = prod_plan.by_urn(prod_plan.of_type(aws_rules.WEB_ACL)[0].provider_urn)
    regional = next(p for p in prod_plan.of_type("pulumi:providers:aws") if p is not us_east_1)
    replica = next(r for r in prod_plan.of_type(aws_rules.RDS_INSTANCE)
                   if r.inputs.get("replicateSourceDb"))
    with_subnet_group = replace(replica, inputs={**replica.inputs, "dbSubnetGroupName": "x"})
    service = prod_plan.of_type(aws_rules.ECS_SERVICE)[0]
    one_group = service.inputs["loadBalancers"][0]
    same_group = {**one_group, "advancedConfiguration": {
        **one_group["advancedConfiguration"], "alternateTargetGroupArn": one_group["targetGroupArn"]}}
    broken = {
        aws_rules.traffic_shifting_is_wired: changed(
            prod_plan, aws_rules.ECS_SERVICE, {"loadBalancers": [same_group]}),
        aws_rules.read_replicas_leave_inherited_settings_alone: replace(
            prod_plan, resources=[with_subnet_group if r is replica else r
                                  for r in prod_plan.resources]),
        aws_rules.subnets_span_two_zones: changed(prod_plan, aws_rules.ALB, {"subnets": one_zone}),
        aws_rules.cache_multi_az_has_failover_and_replicas: changed(
            prod_plan, aws_rules.REPLICATION_GROUP, {"automaticFailoverEnabled": False}),
        aws_rules.cloudfront_pieces_in_us_east_1: changed(
            prod_plan, aws_rules.WEB_ACL, provider=f"{regional.urn}::{regional.id}"),
        aws_rules.fargate_sizes_are_valid: changed(
            prod_plan, aws_rules.TASK_DEFINITION, {"cpu": "256", "memory": "4096"}),
        aws_rules.container_definitions_are_complete: changed(
            prod_plan, aws_rules.TASK_DEFINITION, {"containerDefinitions": json.dumps(
                [{"name": "app", "image": "nginx", "portMappings": []}])}),
        aws_rules.task_counts_are_ordered: changed(
            prod_plan, aws_rules.SCALING_TARGET, {"maxCapacity": 2}),
    }
    assert set(broken) == set(aws_rules.ALL_RULES)
    for rule, plan in broken.items():
        assert rule(plan), rule.__name__


def test_cloudfront_certificate_from_the_stack_region_is_caught(prod_plan):
    site = next(c for c in prod_plan.of_type(aws_rules.CERTIFICATE) if c.name == "certificates-site")
    regional = next(p for p in prod_plan.of_type("pulumi:providers:aws")
                    if p.inputs["region"] == "ap-northeast-2")
    moved = replace(site, provider=f"{regional.urn}::{regional.id}")
    plan = replace(prod_plan, resources=[moved if r is site else r for r in prod_plan.resources])
    assert aws_rules.cloudfront_pieces_in_us_east_1(plan) == [
        "cdn-distribution: certificate from ap-northeast-2"]


# ---- generated configs: whatever a user may set, what is accepted is buildable ----

FARGATE_SIZES = [(cpu, memory) for cpu, sizes in FARGATE_MEMORY.items() for memory in sizes]


@st.composite
def scaled_overrides(draw) -> dict:
    zones = draw(st.integers(2, 4))
    cpu, memory = draw(st.sampled_from(FARGATE_SIZES))
    low = draw(st.integers(1, 4))
    desired = draw(st.integers(low, low + 3))
    # One service with the drawn sizes (staging's own web + api would ignore flat task keys).
    service = {"routes": ["/api/*"], "cpu": cpu, "memory": memory, "minTasks": low,
               "desiredTasks": desired, "maxTasks": draw(st.integers(desired, 20))}
    return {"azCount": str(zones), "natGateways": str(draw(st.integers(1, zones))),
            "services": json.dumps({"app": service}),
            "cacheNodes": str(draw(st.integers(1, 4))),
            "dbReadReplicas": str(draw(st.integers(0, 2))),
            "dbMultiAz": draw(st.sampled_from(["true", "false"])),
            "deploymentStrategy": draw(st.sampled_from(["rolling", "blue_green", "canary",
                                                        "linear"])),
            "canaryPercent": str(draw(st.decimals(min_value="0.1", max_value="100", places=1))),
            "canaryBakeMinutes": str(draw(st.integers(0, 1440)))}


@settings(max_examples=6)  # each example is a whole staging preview (~1.5 s, web + api)
@given(scaled_overrides())
def test_any_accepted_scaled_config_stays_within_awss_constraints(overrides):
    plan = run_preview("staging", overrides=overrides)
    assert aws_rules.problems_of(plan) == []
    assert len(plan.of_type("aws:ec2/natGateway:NatGateway")) == int(overrides["natGateways"])
    assert len(plan.of_type("aws:rds/instance:Instance")) == 1 + int(overrides["dbReadReplicas"])


@pytest.mark.parametrize("overrides, named", [
    ({"taskCpu": "256", "taskMemory": "4096"}, "webstack:taskMemory = 4096 is not valid with "
                                               "webstack:taskCpu = 256"),
    ({"minTasks": "3", "desiredTasks": "2"}, "webstack:minTasks = 3, webstack:desiredTasks = 2"),
    ({"desiredTasks": "3", "maxTasks": "2"}, "webstack:desiredTasks = 3 and webstack:maxTasks = 2"),
    ({"natGateways": "3"}, "webstack:natGateways = 3 is not valid; allowed: at most "
                           "webstack:azCount = 2"),
    ({"taskCpu": "300"}, "webstack:taskCpu = '300' is not valid; allowed: one of 256, 512"),
    ({"canaryPercent": "0"}, "webstack:canaryPercent = '0' is not valid; allowed: a number from "
                             "0.1 to 100"),
    ({"canaryBakeMinutes": "1500"}, "webstack:canaryBakeMinutes = '1500'"),
])
def test_combinations_aws_would_reject_are_refused_before_any_resource(overrides, named):
    assert named in refused_before_any_resource("staging", overrides)
