"""The stack's CloudWatch dashboard: the state of its alarms, then the golden signals — traffic,
errors, latency, saturation — of every component the stack has, in that order."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.observability.monitored import (ALB, API_GATEWAY, CLOUDFRONT,
                                                CLOUDFRONT_METRICS_REGION, CONTAINER_INSIGHTS,
                                                DYNAMODB, DYNAMODB_OPERATIONS, EC2, ECS,
                                                ELASTICACHE, LAMBDA, RDS, ApiIds, LoadBalancerIds,
                                                Metric, MonitoredResources, WatchedFunction,
                                                WatchedService, alb_dimensions, api_dimensions,
                                                cache_node_dimensions, cloudfront_dimensions,
                                                ec2_dimensions, ecs_dimensions,
                                                lambda_alias_dimensions, rds_dimensions,
                                                table_dimensions, target_group_dimensions)

WIDTH, HEIGHT, PER_ROW = 8, 6, 3  # the dashboard grid is 24 units wide
PERIOD = 60


@dataclass(frozen=True)
class DashboardArgs:
    name: str
    region: str
    resources: MonitoredResources
    alarm_arns: Sequence[pulumi.Input[str]]  # alarms of the stack's region


class Dashboard(pulumi.ComponentResource):
    def __init__(self, name: str, args: DashboardArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:monitoring:Dashboard", name, None, opts)
        self.dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard", dashboard_name=args.name,
            dashboard_body=pulumi.Output.json_dumps({"widgets": placed(widgets(args))}),
            opts=pulumi.ResourceOptions(parent=self))
        self.url = pulumi.Output.concat(
            "https://", args.region, ".console.aws.amazon.com/cloudwatch/home?region=", args.region,
            "#dashboards/dashboard/", self.dashboard.dashboard_name)
        self.register_outputs({"url": self.url})


def widgets(args: DashboardArgs) -> list[dict]:
    watched, region = args.resources, args.region
    found = [{"type": "alarm", "properties": {"title": "Alarms", "alarms": list(args.alarm_arns)}}]
    found += cdn_widgets(watched.distribution_id)
    if watched.load_balancer is not None:
        found += load_balancer_widgets(watched.load_balancer, region)
    for service in watched.services:
        found += service_widgets(service, watched.load_balancer, region)
    if watched.api is not None:
        found += api_widgets(watched.api, region)
    for function in watched.functions:
        found += function_widgets(function, region)
    if watched.server_instance_id is not None:
        found += server_widgets(watched.server_instance_id, region)
    if watched.table_names:
        found += table_widgets(watched.table_names, region)
    if watched.database_ids:
        found += database_widgets(watched.database_ids, region)
    if watched.cache_node_ids:
        found += cache_widgets(watched.cache_node_ids, region)
    return found


def placed(found: list[dict]) -> list[dict]:
    return [{**widget, "x": (index % PER_ROW) * WIDTH, "y": (index // PER_ROW) * HEIGHT,
             "width": WIDTH, "height": HEIGHT} for index, widget in enumerate(found)]


def graph(title: str, region: str, *metrics: tuple[Metric, str]) -> dict:
    """A time series of the given (metric, label) lines."""
    rows = [[metric.namespace, metric.name,
             *(part for name, value in metric.dimensions.items() for part in (name, value)),
             {"stat": metric.statistic, "label": label}] for metric, label in metrics]
    return {"type": "metric", "properties": {
        "title": title, "region": region, "view": "timeSeries", "stacked": False,
        "period": PERIOD, "metrics": rows}}


def cdn_widgets(distribution_id: pulumi.Input[str]) -> list[dict]:
    # CloudFront's latency metrics are a paid add-on per distribution; traffic and errors are free.
    dimensions, region = cloudfront_dimensions(distribution_id), CLOUDFRONT_METRICS_REGION
    return [
        graph("CloudFront: requests", region,
              (Metric(CLOUDFRONT, "Requests", dimensions, "Sum"), "requests")),
        graph("CloudFront: error rate %", region,
              (Metric(CLOUDFRONT, "4xxErrorRate", dimensions, "Average"), "4xx %"),
              (Metric(CLOUDFRONT, "5xxErrorRate", dimensions, "Average"), "5xx %")),
    ]


def load_balancer_widgets(load_balancer: LoadBalancerIds, region: str) -> list[dict]:
    dimensions = alb_dimensions(load_balancer)
    groups = [(target_group_dimensions(load_balancer, suffix), f"group {number}")
              for number, suffix in enumerate(load_balancer.target_group_arn_suffixes, start=1)]
    return [
        graph("API: requests", region,
              (Metric(ALB, "RequestCount", dimensions, "Sum"), "requests")),
        graph("API: errors", region,
              (Metric(ALB, "HTTPCode_Target_5XX_Count", dimensions, "Sum"), "app 5XX"),
              (Metric(ALB, "HTTPCode_ELB_5XX_Count", dimensions, "Sum"), "load balancer 5XX"),
              (Metric(ALB, "HTTPCode_Target_4XX_Count", dimensions, "Sum"), "app 4XX")),
        graph("API: response time (s)", region,
              *((Metric(ALB, "TargetResponseTime", dimensions, percentile), percentile)
                for percentile in ("p50", "p95", "p99"))),
        graph("API: targets", region,
              *((Metric(ALB, "HealthyHostCount", targets, "Minimum"), f"{group} healthy")
                for targets, group in groups),
              *((Metric(ALB, "UnHealthyHostCount", targets, "Maximum"), f"{group} unhealthy")
                for targets, group in groups)),
    ]


def service_widgets(service: WatchedService, load_balancer: Optional[LoadBalancerIds],
                    region: str) -> list[dict]:
    """One row per service: its traffic (when routed), CPU and memory, running tasks."""
    dimensions = ecs_dimensions(service.ids)
    traffic = [graph(f"{service.name}: requests and 5XX", region, *(
        line for number, suffix in enumerate(service.target_group_arn_suffixes, start=1)
        for line in ((Metric(ALB, "RequestCount", target_group_dimensions(load_balancer, suffix),
                             "Sum"), f"group {number} requests"),
                     (Metric(ALB, "HTTPCode_Target_5XX_Count",
                             target_group_dimensions(load_balancer, suffix), "Sum"),
                      f"group {number} 5XX"))))
    ] if service.target_group_arn_suffixes and load_balancer is not None else []
    return [
        *traffic,
        graph(f"{service.name}: CPU and memory %", region,
              (Metric(ECS, "CPUUtilization", dimensions, "Average"), "CPU %"),
              (Metric(ECS, "MemoryUtilization", dimensions, "Average"), "memory %")),
        graph(f"{service.name}: running tasks", region,
              (Metric(CONTAINER_INSIGHTS, "RunningTaskCount", dimensions, "Average"), "tasks")),
    ]


def api_widgets(api: ApiIds, region: str) -> list[dict]:
    """Seed 003's API row: requests, 5XX (and 4XX), response time."""
    dimensions = api_dimensions(api)
    return [
        graph("API: requests", region, (Metric(API_GATEWAY, "Count", dimensions, "Sum"), "requests")),
        graph("API: errors", region,
              (Metric(API_GATEWAY, "5XXError", dimensions, "Sum"), "5XX"),
              (Metric(API_GATEWAY, "4XXError", dimensions, "Sum"), "4XX")),
        graph("API: latency (ms)", region,
              (Metric(API_GATEWAY, "Latency", dimensions, "Average"), "average"),
              *((Metric(API_GATEWAY, "Latency", dimensions, percentile), percentile)
                for percentile in ("p95", "p99")),
              (Metric(API_GATEWAY, "IntegrationLatency", dimensions, "p95"), "integration p95")),
    ]


def function_widgets(function: WatchedFunction, region: str) -> list[dict]:
    """Seed 003's Lambda row, per function through its alias: errors, duration, concurrency."""
    dimensions = lambda_alias_dimensions(function)
    return [
        graph(f"{function.name}: invocations, errors, throttles", region,
              *((Metric(LAMBDA, metric, dimensions, "Sum"), metric.lower())
                for metric in ("Invocations", "Errors", "Throttles"))),
        graph(f"{function.name}: duration (ms)", region,
              *((Metric(LAMBDA, "Duration", dimensions, percentile), percentile)
                for percentile in ("p50", "p95", "p99"))),
        graph(f"{function.name}: concurrent executions", region,
              (Metric(LAMBDA, "ConcurrentExecutions", dimensions, "Maximum"), "concurrent")),
    ]


def table_widgets(table_names: Sequence[pulumi.Input[str]], region: str) -> list[dict]:
    """DynamoDB: throttles, system errors and the capacity on-demand tables bill by."""
    def lines(metric: str, what: str = "", **more_dimensions: str) -> list[tuple[Metric, str]]:
        return [(Metric(DYNAMODB, metric, {**table_dimensions(name), **more_dimensions}, "Sum"),
                 pulumi.Output.concat(name, what)) for name in table_names]

    return [
        graph("DynamoDB: throttle events", region, *lines("ReadThrottleEvents", " reads"),
              *lines("WriteThrottleEvents", " writes")),
        graph("DynamoDB: system errors", region,
              *(line for operation in DYNAMODB_OPERATIONS
                for line in lines("SystemErrors", f" {operation}", Operation=operation))),
        graph("DynamoDB: consumed capacity units", region,
              *lines("ConsumedReadCapacityUnits", " read"),
              *lines("ConsumedWriteCapacityUnits", " write")),
    ]


def server_widgets(instance_id: pulumi.Input[str], region: str) -> list[dict]:
    dimensions = ec2_dimensions(instance_id)
    return [
        graph("Backend: network bytes", region,
              (Metric(EC2, "NetworkIn", dimensions, "Sum"), "in"),
              (Metric(EC2, "NetworkOut", dimensions, "Sum"), "out")),
        graph("Backend: status checks failed", region,
              (Metric(EC2, "StatusCheckFailed", dimensions, "Maximum"), "failed")),
        graph("Backend: CPU %", region,
              (Metric(EC2, "CPUUtilization", dimensions, "Average"), "CPU %")),
    ]


def per_member(namespace: str, members: Sequence[tuple[dict, str]], metric: str, statistic: str,
               what: str = "") -> list[tuple[Metric, str]]:
    """One line per member (database instance, cache node) of the same metric, labelled."""
    return [(Metric(namespace, metric, dimensions, statistic), f"{name}{what}")
            for dimensions, name in members]


def database_widgets(identifiers: Sequence[pulumi.Input[str]], region: str) -> list[dict]:
    names = ["primary"] + [f"replica {n}" for n in range(1, len(identifiers))]
    lines = partial(per_member, RDS, [(rds_dimensions(identifier), name)
                                      for identifier, name in zip(identifiers, names)])

    return [
        graph("PostgreSQL: connections", region, *lines("DatabaseConnections", "Maximum")),
        graph("PostgreSQL: disk latency (s)", region, *lines("ReadLatency", "Average", " read"),
              *lines("WriteLatency", "Average", " write")),
        graph("PostgreSQL: CPU %", region, *lines("CPUUtilization", "Average")),
        graph("PostgreSQL: free memory and storage (bytes)", region,
              *lines("FreeableMemory", "Minimum", " memory"),
              *lines("FreeStorageSpace", "Minimum", " storage")),
    ]


def cache_widgets(cluster_ids: Sequence[pulumi.Input[str]], region: str) -> list[dict]:
    lines = partial(per_member, ELASTICACHE, [(cache_node_dimensions(cluster_id), f"node {number}")
                                              for number, cluster_id in enumerate(cluster_ids, 1)])

    return [
        graph("Redis: hits and misses", region, *lines("CacheHits", "Sum", " hits"),
              *lines("CacheMisses", "Sum", " misses")),
        graph("Redis: evictions", region, *lines("Evictions", "Sum")),
        graph("Redis: command latency (µs)", region,
              *lines("GetTypeCmdsLatency", "Average", " get"),
              *lines("SetTypeCmdsLatency", "Average", " set")),
        graph("Redis: engine CPU and memory %", region,
              *lines("EngineCPUUtilization", "Average", " CPU"),
              *lines("DatabaseMemoryUsagePercentage", "Average", " memory")),
    ]
