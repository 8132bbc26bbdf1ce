"""Zero-downtime rollouts: ECS's native strategy from config, with the ALB's second target group."""
import json

import pytest

from config.keys import ConfigError
from preview.engine import run_preview
from tests.support import named, one_service, refused_before_any_resource

SERVICE = "aws:ecs/service:Service"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:lb/listenerRule:ListenerRule"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


@pytest.fixture(scope="module")
def linear_plan():
    return one_service(run_preview("staging", overrides={"deploymentStrategy": "linear",
                                             "linearStepPercent": "20", "linearBakeMinutes": "3"}), "api")


@pytest.fixture(scope="module")
def rolling_plan():
    return one_service(run_preview("staging", overrides={"deploymentStrategy": "rolling"}), "api")


def deployment(plan) -> dict:
    return plan.one(SERVICE).inputs["deploymentConfiguration"]


def test_prod_shifts_5_percent_first_then_bakes_10_minutes(api_plan_of):
    assert deployment(api_plan_of("prod")) == {
        "strategy": "CANARY", "bakeTimeInMinutes": "15",
        "canaryConfiguration": {"canaryPercent": 5, "canaryBakeTimeInMinutes": "10"}}


def test_staging_switches_blue_to_green(api_plan_of):
    assert deployment(api_plan_of("staging")) == {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "15"}


def test_linear_steps_follow_config(linear_plan):
    assert deployment(linear_plan) == {
        "strategy": "LINEAR", "bakeTimeInMinutes": "15",
        "linearConfiguration": {"stepPercent": 20, "stepBakeTimeInMinutes": "3"}}


def test_rolling_keeps_one_target_group_and_no_traffic_shifting(rolling_plan):
    assert deployment(rolling_plan) == {"strategy": "ROLLING"}
    assert len(rolling_plan.of_type(TARGET_GROUP)) == 1
    load_balancer, = rolling_plan.one(SERVICE).inputs["loadBalancers"]
    assert "advancedConfiguration" not in load_balancer
    rule = rolling_plan.one(RULE)
    assert rule.inputs["actions"][0]["targetGroupArn"] == rolling_plan.one(TARGET_GROUP).outputs["arn"]
    assert "actions" not in rule.ignore_changes


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_circuit_breaker_stays_on_with_every_strategy(api_plan_of, stack):
    service = api_plan_of(stack).one(SERVICE).inputs
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["deploymentController"] == {"type": "ECS"}


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_traffic_shifting_uses_a_second_target_group_of_the_same_shape(api_plan_of, stack):
    plan = api_plan_of(stack)
    primary, alternate = named(plan, TARGET_GROUP, "api-tg"), named(plan, TARGET_GROUP, "api-tg-alt")
    for key in ("healthCheck", "port", "protocol", "targetType", "vpcId", "deregistrationDelay"):
        assert alternate.inputs[key] == primary.inputs[key], key
    load_balancer, = plan.one(SERVICE).inputs["loadBalancers"]
    assert load_balancer["targetGroupArn"] == primary.outputs["arn"]
    advanced = load_balancer["advancedConfiguration"]
    assert advanced["alternateTargetGroupArn"] == alternate.outputs["arn"]
    assert advanced["productionListenerRule"] == plan.one(RULE).outputs["arn"]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_production_rule_starts_all_on_the_primary_and_ecs_owns_the_weights(api_plan_of, stack):
    plan = api_plan_of(stack)
    rule = plan.one(RULE)
    weights = {group["arn"]: group["weight"]
               for group in rule.inputs["actions"][0]["forward"]["targetGroups"]}
    assert weights == {named(plan, TARGET_GROUP, "api-tg").outputs["arn"]: 100,
                       named(plan, TARGET_GROUP, "api-tg-alt").outputs["arn"]: 0}
    assert rule.ignore_changes == ("actions",)


def test_ecs_moves_the_weights_with_a_role_scoped_to_load_balancers(api_plan_of):
    advanced = api_plan_of("prod").one(SERVICE).inputs["loadBalancers"][0]["advancedConfiguration"]
    role = next(r for r in api_plan_of("prod").of_type(ROLE) if r.outputs["arn"] == advanced["roleArn"])
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "ecs.amazonaws.com"}]
    attached = [a.inputs["policyArn"] for a in api_plan_of("prod").of_type(ATTACHMENT)
                if a.inputs["role"] == role.outputs["name"]]
    assert attached == ["arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"]


@pytest.mark.parametrize("overrides, named_in_error", [
    ({"canaryPercent": "0.05"}, "webstack:canaryPercent = '0.05' is not valid; allowed: a number "
                                "from 0.1 to 100"),
    ({"canaryPercent": "150"}, "webstack:canaryPercent = '150'"),
    ({"canaryPercent": "five"}, "webstack:canaryPercent = 'five'"),
    ({"canaryBakeMinutes": "1441"}, "webstack:canaryBakeMinutes = '1441' is not valid; allowed: "
                                    "an integer from 0 to 1440"),
    ({"rolloutBakeMinutes": "2000"}, "webstack:rolloutBakeMinutes = '2000'"),
    ({"linearStepPercent": "2"}, "webstack:linearStepPercent = '2' is not valid; allowed: a "
                                 "number from 3 to 100"),
    ({"deploymentStrategy": "big_bang"}, "webstack:deploymentStrategy = 'big_bang' is not valid; "
                                         "allowed: one of rolling, blue_green, canary, linear"),
])
def test_rollout_values_ecs_would_reject_are_refused_before_any_resource(overrides, named_in_error):
    assert named_in_error in refused_before_any_resource("prod", overrides)


def test_canary_without_a_load_balancer_is_refused():
    with pytest.raises(ConfigError, match="webstack:deploymentStrategy = 'canary' is not valid "
                                          "with webstack:tier = 'mvp'; allowed: rolling"):
        run_preview("dev", overrides={"deploymentStrategy": "canary"})


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_seeds_rollback_alarms_roll_a_failing_deployment_back(api_plan_of, stack):
    plan = api_plan_of(stack)
    service = plan.one(SERVICE).inputs
    assert service["alarms"]["enable"] is True and service["alarms"]["rollback"] is True
    alarms = {a.inputs["name"]: a.inputs for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    prefix = f"webstack-{stack}-api-"
    thresholds = {name.removeprefix(prefix): alarms[name]["threshold"]  # each one in the plan
                  for name in service["alarms"]["alarmNames"]}
    # seed 004: error rate > 5 %, p95 > 1000 ms (the metric is in seconds), CPU > 80 %, memory > 85 %
    assert thresholds == {"alb-5xx-rate": 5, "alb-p95-response-time": 1.0, "ecs-cpu": 80,
                          "ecs-memory": 85}


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_pulumi_leaves_the_target_groups_to_ecs_when_traffic_shifts(api_plan_of, stack):
    """Each blue/green, canary or linear deployment swaps the primary and the alternate group."""
    assert set(api_plan_of(stack).one(SERVICE).ignore_changes) == {"desiredCount", "loadBalancers"}


def test_a_rolling_service_keeps_its_target_group_under_pulumi(rolling_plan):
    assert rolling_plan.one(SERVICE).ignore_changes == ("desiredCount",)


# ---- the provider waits out the whole rollout (issue 9, item 3) ----

def minutes(timeout: str) -> int:
    assert timeout.endswith("m")
    return int(timeout[:-1])


@pytest.mark.parametrize("stack, rollout_minutes", [("prod", 10 + 10 + 15), ("staging", 10 + 15)])
def test_pulumi_waits_longer_than_the_rollout_with_margin(api_plan_of, stack, rollout_minutes):
    """The service waits for steady state; the provider's default 20 minutes is shorter than
    prod's canary (10 min) and bake (15 min) plus the tasks' start."""
    timeouts = api_plan_of(stack).one(SERVICE).custom_timeouts
    assert set(timeouts) == {"create", "update"}
    for kind in ("create", "update"):
        assert minutes(timeouts[kind]) >= rollout_minutes * 1.5
        assert minutes(timeouts[kind]) > 20


def test_linear_timeouts_count_every_step(linear_plan):
    # (100 / 20 % = 5 steps of 3 minutes, 15 minutes' bake, 10 to start the tasks) × 1.5.
    assert minutes(linear_plan.one(SERVICE).custom_timeouts["update"]) == 60


def test_a_rolling_update_keeps_at_least_the_providers_default(rolling_plan):
    assert minutes(rolling_plan.one(SERVICE).custom_timeouts["update"]) == 20
