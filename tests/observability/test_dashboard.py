"""The dashboard: valid JSON whose every metric names a resource of the plan, the golden signals of
each component present, the stack's alarms, and a stack output that opens it."""
import json

import pytest

from preview.engine import run_preview
from tests.conftest import SCALED_STACKS, STACKS

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
# namespace → the dimension names its metrics are published under, as the dashboard uses them
DIMENSIONS = {
    "AWS/CloudFront": [{"DistributionId", "Region"}],
    "AWS/ApplicationELB": [{"LoadBalancer"}, {"LoadBalancer", "TargetGroup"}],
    "AWS/ECS": [{"ClusterName", "ServiceName"}],
    "ECS/ContainerInsights": [{"ClusterName", "ServiceName"}],
    "AWS/EC2": [{"InstanceId"}],
    "AWS/RDS": [{"DBInstanceIdentifier"}],
    "AWS/ElastiCache": [{"CacheClusterId", "CacheNodeId"}],
}
# namespace → a metric for each golden signal it has: traffic, errors, latency, saturation
SIGNALS = {
    "AWS/CloudFront": {"Requests", "5xxErrorRate"},
    "AWS/ApplicationELB": {"RequestCount", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count",
                           "TargetResponseTime", "UnHealthyHostCount"},
    "AWS/ECS": {"CPUUtilization", "MemoryUtilization"},
    "AWS/EC2": {"NetworkIn", "StatusCheckFailed", "CPUUtilization"},
    "AWS/RDS": {"DatabaseConnections", "ReadLatency", "CPUUtilization", "FreeableMemory",
                "FreeStorageSpace"},
    "AWS/ElastiCache": {"CacheHits", "Evictions", "GetTypeCmdsLatency", "EngineCPUUtilization",
                        "DatabaseMemoryUsagePercentage"},
}
MVP_NAMESPACES = {"AWS/CloudFront", "AWS/EC2", "AWS/RDS", "AWS/ElastiCache"}
SCALED_NAMESPACES = {"AWS/CloudFront", "AWS/ApplicationELB", "AWS/ECS", "ECS/ContainerInsights",
                     "AWS/RDS", "AWS/ElastiCache"}


def body(plan) -> dict:
    return json.loads(plan.one(DASHBOARD).inputs["dashboardBody"])


def metric_widgets(plan) -> list[dict]:
    return [w["properties"] for w in body(plan)["widgets"] if w["type"] == "metric"]


def metrics(plan) -> list[tuple[str, str, dict, dict]]:
    """(namespace, metric, dimensions, options) of every line of every metric widget."""
    found = []
    for widget in metric_widgets(plan):
        for namespace, metric, *rest in widget["metrics"]:
            options = rest.pop() if rest and isinstance(rest[-1], dict) else {}
            found.append((namespace, metric, dict(zip(rest[::2], rest[1::2])), options))
    return found


def plan_ids(plan) -> dict[str, set]:
    """Dimension name → what the plan's resources are called by it."""
    balancers = plan.of_type("aws:lb/loadBalancer:LoadBalancer")
    groups = plan.of_type("aws:lb/targetGroup:TargetGroup")
    caches = plan.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    return {
        "DistributionId": {d.id for d in plan.of_type("aws:cloudfront/distribution:Distribution")},
        "Region": {"Global"},
        "LoadBalancer": {b.outputs["arnSuffix"] for b in balancers},
        "TargetGroup": {g.outputs["arnSuffix"] for g in groups},
        "ClusterName": {c.inputs["name"] for c in plan.of_type("aws:ecs/cluster:Cluster")},
        "ServiceName": {s.inputs["name"] for s in plan.of_type("aws:ecs/service:Service")},
        "InstanceId": {i.id for i in plan.of_type("aws:ec2/instance:Instance")},
        "DBInstanceIdentifier": {d.inputs["identifier"]
                                 for d in plan.of_type("aws:rds/instance:Instance")},
        "CacheClusterId": {m for c in caches for m in c.outputs["memberClusters"]},
        "CacheNodeId": {"0001"},
    }


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_has_its_dashboard_named_after_it(plan_of, stack):
    assert plan_of(stack).one(DASHBOARD).inputs["dashboardName"] == f"webstack-{stack}"


@pytest.mark.parametrize("stack", STACKS)
def test_the_dashboard_url_opens_it_in_the_console_of_the_stacks_region(plan_of, stack):
    assert plan_of(stack).outputs["dashboardUrl"] == (
        "https://ap-northeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-2"
        f"#dashboards/dashboard/webstack-{stack}")


def test_the_dashboard_url_follows_the_region():
    plan = run_preview("dev", overrides={"aws:region": "eu-west-1"})
    assert plan.outputs["dashboardUrl"] == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
        "#dashboards/dashboard/webstack-dev")


@pytest.mark.parametrize("stack", STACKS)
def test_every_metric_names_resources_of_the_plan_by_their_cloudwatch_ids(plan_of, stack):
    plan = plan_of(stack)
    known = plan_ids(plan)
    lines = metrics(plan)
    assert lines
    for namespace, metric, dimensions, _ in lines:
        assert set(dimensions) in DIMENSIONS[namespace], (namespace, metric, dimensions)
        for name, value in dimensions.items():
            assert value in known[name], (namespace, metric, name, value)


@pytest.mark.parametrize("stack", STACKS)
def test_every_watched_resource_of_the_plan_is_on_the_dashboard(plan_of, stack):
    plan = plan_of(stack)
    shown = {(name, value) for *_, dimensions, _ in metrics(plan)
             for name, value in dimensions.items()}
    for name, values in plan_ids(plan).items():
        assert {(name, value) for value in values} <= shown, name


@pytest.mark.parametrize("stack", STACKS)
def test_each_component_shows_its_golden_signals(plan_of, stack):
    plan = plan_of(stack)
    by_namespace = {}
    for namespace, metric, *_ in metrics(plan):
        by_namespace.setdefault(namespace, set()).add(metric)
    assert set(by_namespace) == (MVP_NAMESPACES if stack == "dev" else SCALED_NAMESPACES)
    for namespace, expected in SIGNALS.items():
        if namespace in by_namespace:
            assert expected <= by_namespace[namespace], namespace


@pytest.mark.parametrize("stack", SCALED_STACKS)
def test_api_latency_shows_its_percentiles(plan_of, stack):
    stats = {options["stat"] for namespace, metric, _, options in metrics(plan_of(stack))
             if metric == "TargetResponseTime"}
    assert stats == {"p50", "p95", "p99"}


@pytest.mark.parametrize("stack", STACKS)
def test_cloudfront_is_read_in_us_east_1_and_the_rest_in_the_stacks_region(plan_of, stack):
    for widget in metric_widgets(plan_of(stack)):
        namespaces = {line[0] for line in widget["metrics"]}
        expected = "us-east-1" if namespaces == {"AWS/CloudFront"} else "ap-northeast-2"
        assert widget["region"] == expected, widget["title"]
        assert len(namespaces) == 1 or "AWS/CloudFront" not in namespaces


@pytest.mark.parametrize("stack", STACKS)
def test_the_alarm_widget_shows_the_stacks_alarms_of_its_region(plan_of, stack):
    plan = plan_of(stack)
    [widget] = [w for w in body(plan)["widgets"] if w["type"] == "alarm"]
    regional = {a.outputs["arn"] for a in plan.of_type(ALARM)
                if a.outputs["arn"].startswith("arn:aws:cloudwatch:ap-northeast-2:")}
    assert set(widget["properties"]["alarms"]) == regional
    assert len(regional) == len(plan.of_type(ALARM)) - 1  # all but CloudFront's


@pytest.mark.parametrize("stack", STACKS)
def test_widgets_fit_the_grid_without_overlapping(plan_of, stack):
    cells = set()
    for widget in body(plan_of(stack))["widgets"]:
        assert 0 <= widget["x"] and widget["x"] + widget["width"] <= 24
        area = {(x, y) for x in range(widget["x"], widget["x"] + widget["width"])
                for y in range(widget["y"], widget["y"] + widget["height"])}
        assert not area & cells
        cells |= area
