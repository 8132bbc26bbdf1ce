"""Alarms: on every component of each stack, with the seeds' thresholds unless config overrides
them, each measuring a resource of the plan and notifying the alarm topic of its own region."""
import json

import pytest

from components.observability.alarms import deployment_alarm_names
from config.keys import ConfigError
from config.rules import ALARM_TIERS
from preview.engine import run_preview
from tests.conftest import STACKS
from tests.support import named

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
MIB, GIB = 1024 ** 2, 1024 ** 3
GT, GE, LT = "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold"

# label → (namespace, metric, statistic, threshold, comparison, period s, periods, missing data)
CLOUDFRONT = {"cloudfront-5xx-rate": ("AWS/CloudFront", "5xxErrorRate", "Average", 5, GT, 60, 5,
                                      "notBreaching")}
BACKEND = {
    "backend-status-check": ("AWS/EC2", "StatusCheckFailed", "Maximum", 1, GE, 60, 2, "breaching"),
    "backend-cpu": ("AWS/EC2", "CPUUtilization", "Average", 80, GT, 300, 3, "missing"),
}
SERVICES = ("api", "web")  # staging's and prod's, seed 001's
APP = {alarm: expected for service in SERVICES for alarm, expected in {
    f"{service}-ecs-cpu": ("AWS/ECS", "CPUUtilization", "Average", 80, GT, 60, 3, "missing"),
    f"{service}-ecs-memory": ("AWS/ECS", "MemoryUtilization", "Average", 85, GT, 60, 3, "missing"),
}.items()}
# label → (threshold, comparison, periods): metric-math alarms on the API (5XX count and rate,
# p95 response time in seconds), missing data not breaching.
# The count is the ALB's; the rate and p95 are each routed service's, over its target groups.
API_ERRORS = {"alb-5xx-count": (1, GE, 5),
              **{f"{service}-{alarm}": expected for service in SERVICES for alarm, expected in (
                  ("alb-5xx-rate", (5, GT, 3)), ("alb-p95-response-time", (1.0, GT, 3)))}}


def postgres(label, storage_gib, memory_mib=256, connections=64):
    return {
        f"{label}-cpu": ("AWS/RDS", "CPUUtilization", "Average", 80, GT, 60, 5, "missing"),
        f"{label}-free-storage": ("AWS/RDS", "FreeStorageSpace", "Minimum",
                                  0.10 * storage_gib * GIB, LT, 60, 5, "missing"),
        f"{label}-freeable-memory": ("AWS/RDS", "FreeableMemory", "Minimum", memory_mib * MIB, LT,
                                     60, 5, "missing"),
        f"{label}-connections": ("AWS/RDS", "DatabaseConnections", "Maximum", connections, GT, 60,
                                 5, "missing"),
    }


def redis(node):
    label = f"redis-{node:03d}"
    return {
        f"{label}-engine-cpu": ("AWS/ElastiCache", "EngineCPUUtilization", "Average", 80, GT, 60,
                                5, "missing"),
        f"{label}-memory": ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "Average", 80, GT,
                            60, 5, "missing"),
        f"{label}-evictions": ("AWS/ElastiCache", "Evictions", "Sum", 0, GT, 300, 1,
                               "notBreaching"),
    }


# The stack files size the RDS alarms of staging and prod for their instance classes.
EXPECTED = {
    "dev": {**CLOUDFRONT, **BACKEND, **postgres("postgres", 20), **redis(1)},
    "staging": {**CLOUDFRONT, **APP, **postgres("postgres", 100, 512, 150), **redis(1),
                **redis(2)},
    "prod": {**CLOUDFRONT, **APP, **postgres("postgres", 100, 2048, 650),
             **postgres("postgres-replica-1", 100, 2048, 650), **redis(1), **redis(2), **redis(3)},
}


def alarms(plan) -> dict:
    prefix = f"webstack-{plan.stack}-"
    return {a.inputs["name"].removeprefix(prefix): a for a in plan.of_type(ALARM)}


def region_of(plan, resource) -> str:
    return plan.by_urn(resource.provider_urn).inputs["region"]


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_has_exactly_the_alarms_of_its_tier(plan_of, stack):
    assert set(alarms(plan_of(stack))) == set(EXPECTED[stack]) | (
        set() if stack == "dev" else set(API_ERRORS))


@pytest.mark.parametrize("stack", STACKS)
def test_each_alarm_watches_its_metric_with_its_threshold_periods_and_missing_data(plan_of, stack):
    found = alarms(plan_of(stack))
    for label, expected in EXPECTED[stack].items():
        namespace, metric, statistic, threshold, comparison, period, periods, missing = expected
        alarm = found[label].inputs
        assert (alarm["namespace"], alarm["metricName"]) == (namespace, metric), label
        assert alarm.get("statistic", alarm.get("extendedStatistic")) == statistic, label
        assert alarm["threshold"] == pytest.approx(threshold), label
        assert (alarm["comparisonOperator"], alarm["period"]) == (comparison, period), label
        # Every period of the window must breach, not just some.
        assert alarm["evaluationPeriods"] == alarm["datapointsToAlarm"] == periods, label
        assert alarm["treatMissingData"] == missing, label


def queries(alarm: dict) -> tuple[str, dict, dict]:
    """The alarm's result expression, its metrics by id, its intermediate expressions by id."""
    [result] = [q for q in alarm["metricQueries"] if q.get("returnData")]
    metrics = {q["id"]: q["metric"] for q in alarm["metricQueries"] if "metric" in q}
    steps = {q["id"]: q["expression"] for q in alarm["metricQueries"]
             if "expression" in q and not q.get("returnData")}
    return result["expression"], metrics, steps


def target_groups(plan, service=None) -> list[str]:
    """The target groups' ARN suffixes: all, or one service's (its primary and alternate)."""
    return [g.outputs["arnSuffix"] for g in plan.of_type("aws:lb/targetGroup:TargetGroup")
            if service is None or g.name in (f"{service}-tg", f"{service}-tg-alt")]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_api_alarms_watch_metrics_of_this_load_balancer_and_its_target_groups(plan_of, stack):
    plan = plan_of(stack)
    suffix = plan.one("aws:lb/loadBalancer:LoadBalancer").outputs["arnSuffix"]
    allowed = [{"LoadBalancer": suffix}] + [{"LoadBalancer": suffix, "TargetGroup": group}
                                            for group in target_groups(plan)]
    for label, (threshold, comparison, periods) in API_ERRORS.items():
        alarm = alarms(plan)[label].inputs
        assert (alarm["threshold"], alarm["comparisonOperator"]) == (threshold, comparison)
        assert alarm["evaluationPeriods"] == alarm["datapointsToAlarm"] == periods
        assert alarm["treatMissingData"] == "notBreaching"
        expression, metrics, steps = queries(alarm)
        for metric in metrics.values():
            assert metric["namespace"] == "AWS/ApplicationELB"
            assert metric["dimensions"] in allowed
            assert metric["period"] == 60
        used = expression + " ".join(steps.values())
        assert all(query_id in used for query_id in {**metrics, **steps}), label


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_5xx_count_adds_the_apps_and_the_load_balancers_errors(plan_of, stack):
    expression, metrics, _ = queries(alarms(plan_of(stack))["alb-5xx-count"].inputs)
    assert sorted(m["metricName"] for m in metrics.values()) == [
        "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"]
    assert all(m["stat"] == "Sum" for m in metrics.values())
    assert expression == "FILL(target5xx, 0) + FILL(elb5xx, 0)"


@pytest.mark.parametrize("stack", ["staging", "prod"])
@pytest.mark.parametrize("service", SERVICES)
def test_the_5xx_rate_is_the_worst_of_each_target_group_and_the_load_balancers_own(
        plan_of, stack, service):
    """A canary at 5 % failing every request would be 5 % of the whole: per group it is 100 %."""
    plan = plan_of(stack)
    expression, metrics, steps = queries(alarms(plan)[f"{service}-alb-5xx-rate"].inputs)
    assert expression == f"MAX([{', '.join(steps)}])"
    by_group = {}
    for step in steps.values():
        errors, requests = step.removeprefix("100 * FILL(").split(", 0) / ")
        assert metrics[errors]["dimensions"] == metrics[requests]["dimensions"]
        assert metrics[requests]["metricName"] == "RequestCount"
        by_group[metrics[errors]["dimensions"].get("TargetGroup")] = metrics[errors]["metricName"]
    assert by_group == {None: "HTTPCode_ELB_5XX_Count",
                        **{group: "HTTPCode_Target_5XX_Count"
                           for group in target_groups(plan, service)}}
    assert len(target_groups(plan, service)) == 2


@pytest.mark.parametrize("stack", ["staging", "prod"])
@pytest.mark.parametrize("service", SERVICES)
def test_the_p95_is_the_slowest_target_groups(plan_of, stack, service):
    plan = plan_of(stack)
    expression, metrics, _ = queries(alarms(plan)[f"{service}-alb-p95-response-time"].inputs)
    assert expression == f"MAX([{', '.join(metrics)}])"
    assert sorted(m["dimensions"]["TargetGroup"] for m in metrics.values()) == sorted(
        target_groups(plan, service))
    assert {(m["metricName"], m["stat"]) for m in metrics.values()} == {("TargetResponseTime",
                                                                         "p95")}


@pytest.mark.parametrize("stack", STACKS)
def test_each_alarm_measures_a_resource_of_the_plan(plan_of, stack):
    plan = plan_of(stack)
    found = alarms(plan)
    distribution = plan.one("aws:cloudfront/distribution:Distribution")
    assert found["cloudfront-5xx-rate"].inputs["dimensions"] == {
        "DistributionId": distribution.id, "Region": "Global"}
    for label, database in (("postgres", "database-instance"),
                            ("postgres-replica-1", "database-replica-1")):
        if f"{label}-cpu" in found:
            identifier = named(plan, "aws:rds/instance:Instance", database).inputs["identifier"]
            for metric in ("cpu", "free-storage", "freeable-memory", "connections"):
                assert found[f"{label}-{metric}"].inputs["dimensions"] == {
                    "DBInstanceIdentifier": identifier}
    cache = plan.one("aws:elasticache/replicationGroup:ReplicationGroup")
    members = cache.outputs["memberClusters"]
    for node, cluster_id in enumerate(sorted(members), start=1):
        for metric in ("engine-cpu", "memory", "evictions"):
            assert found[f"redis-{node:03d}-{metric}"].inputs["dimensions"] == {
                "CacheClusterId": cluster_id, "CacheNodeId": "0001"}


def test_the_backends_alarms_measure_its_instance(dev_plan):
    instance = dev_plan.one("aws:ec2/instance:Instance")
    for label in BACKEND:
        assert alarms(dev_plan)[label].inputs["dimensions"] == {"InstanceId": instance.id}


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_apps_alarms_measure_its_load_balancer_and_service(plan_of, stack):
    plan = plan_of(stack)
    found = alarms(plan)
    for name in SERVICES:
        service = {"ClusterName": plan.one("aws:ecs/cluster:Cluster").inputs["name"],
                   "ServiceName": named(plan, "aws:ecs/service:Service",
                                        f"{name}-service").inputs["name"]}
        for label in ("ecs-cpu", "ecs-memory"):
            assert found[f"{name}-{label}"].inputs["dimensions"] == service


@pytest.mark.parametrize("stack", STACKS)
def test_alarm_and_ok_actions_go_to_the_alarm_topic_of_the_alarms_region(plan_of, stack):
    plan = plan_of(stack)
    topics = {region_of(plan, t): t.outputs["arn"] for t in plan.of_type(TOPIC)}
    assert set(topics) == {"ap-northeast-2", "us-east-1"}
    for label, alarm in alarms(plan).items():
        topic = topics[region_of(plan, alarm)]
        assert alarm.inputs["alarmActions"] == alarm.inputs["okActions"] == [topic], label
        assert not alarm.inputs.get("insufficientDataActions"), label


@pytest.mark.parametrize("stack", STACKS)
def test_only_cloudfronts_alarm_lives_in_us_east_1_where_its_metrics_are(plan_of, stack):
    plan = plan_of(stack)
    elsewhere = {label for label, alarm in alarms(plan).items()
                 if region_of(plan, alarm) != "ap-northeast-2"}
    assert elsewhere == {"cloudfront-5xx-rate"}
    assert region_of(plan, alarms(plan)["cloudfront-5xx-rate"]) == "us-east-1"


# label's end → (the threshold setting, its value in the metric's unit), for distinct settings
OWN_THRESHOLD = {
    "alb-5xx-count": ("alb5xxCount", lambda v: v),
    "alb-5xx-rate": ("alb5xxRatePercent", lambda v: v),
    "alb-p95-response-time": ("targetResponseTimeP95Ms", lambda ms: ms / 1000),  # seconds
    "ecs-cpu": ("ecsCpuPercent", lambda v: v), "ecs-memory": ("ecsMemoryPercent", lambda v: v),
    "backend-status-check": ("ec2StatusCheckFailed", lambda v: v),
    "backend-cpu": ("ec2CpuPercent", lambda v: v),
    "postgres-cpu": ("rdsCpuPercent", lambda v: v),
    "free-storage": ("rdsFreeStoragePercent", None),  # a share of the stack's storage
    "freeable-memory": ("rdsFreeableMemoryMiB", lambda mib: mib * MIB),
    "connections": ("rdsConnections", lambda v: v),
    "engine-cpu": ("redisEngineCpuPercent", lambda v: v),
    "memory": ("redisMemoryPercent", lambda v: v), "evictions": ("redisEvictions", lambda v: v),
    "cloudfront-5xx-rate": ("cloudfront5xxRatePercent", lambda v: v),
}
# A different number for each setting, so no alarm can pass with another alarm's threshold.
OVERRIDES = {name: 11 + index for index, (name, _) in enumerate(OWN_THRESHOLD.values())}


def own_threshold(label: str, storage_gib: int) -> float:
    name, to_metric_unit = next(value for end, value in OWN_THRESHOLD.items()
                                if label.endswith(end))
    if to_metric_unit is None:
        return OVERRIDES[name] / 100 * storage_gib * GIB
    return to_metric_unit(OVERRIDES[name])


@pytest.fixture(scope="module", params=["dev", "staging"])
def overridden_plan(request):
    # A stack takes thresholds only for the alarms its tier has.
    tier = "mvp" if request.param == "dev" else "scaled"
    own = {name: value for name, value in OVERRIDES.items() if tier in ALARM_TIERS[name]}
    return run_preview(request.param, overrides={"alarmThresholds": json.dumps(own)})


def test_each_alarm_takes_its_own_threshold_from_config_in_its_metrics_unit(overridden_plan):
    storage_gib = 20 if overridden_plan.stack == "dev" else 100
    found = alarms(overridden_plan)
    assert found
    for label, alarm in found.items():
        assert alarm.inputs["threshold"] == pytest.approx(own_threshold(label, storage_gib)), label


def test_an_override_replaces_the_stack_files_thresholds_and_leaves_the_rest_at_default():
    plan = run_preview("staging", overrides={"alarmThresholds": '{"ecsCpuPercent": 70}'})
    found = alarms(plan)
    assert found["api-ecs-cpu"].inputs["threshold"] == found["web-ecs-cpu"].inputs["threshold"] == 70
    # staging's file sets rdsConnections; an alarmThresholds override replaces the whole object.
    assert found["postgres-connections"].inputs["threshold"] == 64
    assert found["api-ecs-memory"].inputs["threshold"] == 85


def test_the_descriptions_say_which_setting_changes_the_threshold(overridden_plan):
    for label, alarm in alarms(overridden_plan).items():
        name = next(value[0] for end, value in OWN_THRESHOLD.items() if label.endswith(end))
        assert alarm.inputs["alarmDescription"].endswith(
            f" {OVERRIDES[name]} for {int(alarm.inputs['evaluationPeriods'])} × "
            f"{int(alarm.inputs.get('period') or 60)} s (alarmThresholds.{name})"), label


def test_free_storage_is_a_share_of_the_configured_storage():
    plan = run_preview("dev", overrides={"dbAllocatedStorage": "50"})
    assert alarms(plan)["postgres-free-storage"].inputs["threshold"] == 0.10 * 50 * GIB


@pytest.mark.parametrize("stack", ["staging", "prod"])
@pytest.mark.parametrize("service", SERVICES)
def test_the_deployment_alarms_are_the_services_error_latency_cpu_and_memory_alarms(plan_of,
                                                                                  stack, service):
    plan = plan_of(stack)
    by_name = {a.inputs["name"]: a.inputs for a in plan.of_type(ALARM)}
    names = deployment_alarm_names(f"webstack-{stack}", service, routed=True)
    ecs = named(plan, "aws:ecs/service:Service", f"{service}-service").inputs
    assert ecs["alarms"]["alarmNames"] == names
    assert [(by_name[n].get("metricName"), by_name[n]["threshold"]) for n in names] == [
        (None, 5),  # the 5XX rate, % of requests (metric math)
        (None, 1.0),  # the p95 response time, seconds (metric math)
        ("CPUUtilization", 80), ("MemoryUtilization", 85)]
    assert {by_name[n]["comparisonOperator"] for n in names} == {GT}


@pytest.mark.parametrize("value, refused", [
    ('{"rdsConection": 100}', "not rdsConection: 100"),
    ('{"ecsCpuPercent": 120}', "not ecsCpuPercent: 120"),
    ('{"redisEvictions": -1}', "not redisEvictions: -1"),
])
def test_a_bad_threshold_is_refused_naming_key_value_and_alarm_names(value, refused):
    registered = []
    with pytest.raises(ConfigError) as caught:
        run_preview("dev", overrides={"alarmThresholds": value}, registrations=registered)
    message = str(caught.value)
    assert f"webstack:alarmThresholds = {value!r} is not valid" in message
    assert "rdsConnections, redisEngineCpuPercent" in message and refused in message
    assert registered == []


@pytest.mark.parametrize("value", ['{"rdsConnections": "many"}', "[150]", "rdsConnections=150"])
def test_a_threshold_that_is_not_an_object_of_numbers_is_refused(value):
    with pytest.raises(ConfigError, match="a JSON object of names to numbers"):
        run_preview("dev", overrides={"alarmThresholds": value})
