"""CloudWatch alarms on every component of the stack, notifying the alert topics on ALARM and OK.

Thresholds come from config (`alarmThresholds` over the defaults in config/rules.py); how
long a metric must breach, and what a gap in its data means, is decided here per alarm.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.observability.monitored import (ALB, API_GATEWAY, CLOUDFRONT, DYNAMODB,
                                                DYNAMODB_OPERATIONS, EC2, ECS, ELASTICACHE, LAMBDA,
                                                RDS, ApiIds, LoadBalancerIds, Metric,
                                                MonitoredResources, WatchedFunction,
                                                WatchedService,
                                                alb_dimensions, api_dimensions,
                                                cache_node_dimensions, cloudfront_dimensions,
                                                ec2_dimensions, ecs_dimensions,
                                                lambda_alias_dimensions, rds_dimensions,
                                                table_dimensions, target_group_dimensions)

BREACHING, NOT_BREACHING, MISSING = "breaching", "notBreaching", "missing"
COMPARISONS = {">": "GreaterThanThreshold", ">=": "GreaterThanOrEqualToThreshold",
               "<": "LessThanThreshold"}
MIB, GIB = 1024 ** 2, 1024 ** 3


@dataclass(frozen=True)
class Rule:
    """When a metric is in alarm: how it compares with the threshold, for how many periods of how
    many seconds, and how CloudWatch treats a period without data."""

    comparison: str
    period: int
    periods: int
    missing_data: str


# Errors and latency exist only with traffic: no data means no requests, which is healthy.
# Utilization gauges: a gap is evidence of neither load nor health, so the alarm keeps its state
# and goes INSUFFICIENT_DATA if the gap lasts; a stopped component shows in the traffic alarms.
RULES = {
    "alb5xxCount": Rule(">=", 60, 5, NOT_BREACHING),  # seed 000: 1 over 5 periods
    "alb5xxRatePercent": Rule(">", 60, 3, NOT_BREACHING),
    "targetResponseTimeP95Ms": Rule(">", 60, 3, NOT_BREACHING),  # seed 000: 3 periods
    "cloudfront5xxRatePercent": Rule(">", 60, 5, NOT_BREACHING),
    "ecsCpuPercent": Rule(">", 60, 3, MISSING),
    "ecsMemoryPercent": Rule(">", 60, 3, MISSING),
    # An instance that stops reporting its status checks is stopped or unreachable.
    "ec2StatusCheckFailed": Rule(">=", 60, 2, BREACHING),
    # Basic EC2 monitoring has one datapoint per 5 minutes.
    "ec2CpuPercent": Rule(">", 300, 3, MISSING),
    "rdsCpuPercent": Rule(">", 60, 5, MISSING),
    "rdsFreeStoragePercent": Rule("<", 60, 5, MISSING),
    "rdsFreeableMemoryMiB": Rule("<", 60, 5, MISSING),
    "rdsConnections": Rule(">", 60, 5, MISSING),
    "redisEngineCpuPercent": Rule(">", 60, 5, MISSING),
    "redisMemoryPercent": Rule(">", 60, 5, MISSING),
    # ElastiCache reports evictions every minute, zeros included: a gap holds no evictions.
    "redisEvictions": Rule(">", 300, 1, NOT_BREACHING),
    # Serverless: Lambda and API Gateway publish one datapoint a minute while there is traffic.
    "lambdaErrorRatePercent": Rule(">", 60, 3, NOT_BREACHING),  # seed 003: > 5 % rolls back
    "lambdaThrottles": Rule(">=", 60, 3, NOT_BREACHING),
    "lambdaDurationP95Ms": Rule(">", 60, 3, NOT_BREACHING),
    "api5xxCount": Rule(">=", 60, 5, NOT_BREACHING),  # seed 000: 1 over 5 periods
    "api5xxRatePercent": Rule(">", 60, 3, NOT_BREACHING),  # seed 003: > 10 % rolls back
    "apiLatencyP95Ms": Rule(">", 60, 3, NOT_BREACHING),  # seed 000: 1000 ms over 3 periods
    "dynamodbThrottles": Rule(">=", 60, 3, NOT_BREACHING),
    # DynamoDB reports system errors (its own HTTP 500s) only when there are some.
    "dynamodbSystemErrors": Rule(">=", 300, 1, NOT_BREACHING),
}
# Each ECS service's deployment alarms (seed 004): a deployment that trips one is rolled back.
ROUTED_DEPLOYMENT_ALARMS = ("alb-5xx-rate", "alb-p95-response-time")
DEPLOYMENT_ALARMS = (*ROUTED_DEPLOYMENT_ALARMS, "ecs-cpu", "ecs-memory")
# What CodeDeploy watches while it shifts a function's alias (seed 003): the function's own error
# rate, and the API's 5XX rate (API Gateway's metrics are per API and stage, not per function).
FUNCTION_ROLLBACK_ALARM, API_ROLLBACK_ALARM = "lambda-error-rate", "api-5xx-rate"


@dataclass(frozen=True)
class AlarmsArgs:
    name_prefix: str
    thresholds: Mapping[str, float]
    resources: MonitoredResources
    topic_arn: pulumi.Input[str]
    us_east_1_topic_arn: pulumi.Input[str]  # CloudFront's alarms may only notify a us-east-1 topic
    us_east_1: aws.Provider


def deployment_alarm_names(name_prefix: str, service: str, routed: bool) -> list[str]:
    """Plain names, so the ECS service can list its deployment alarms without depending on them
    (the alarms watch the service: a dependency would be a cycle)."""
    return [f"{name_prefix}-{service}-{alarm}" for alarm in DEPLOYMENT_ALARMS
            if routed or alarm not in ROUTED_DEPLOYMENT_ALARMS]


def function_rollback_alarm_names(name_prefix: str, function: str) -> list[str]:
    """Plain names, so the function's deployment group can list them without depending on the
    alarms (as `deployment_alarm_names`); `Alarms` creates them when it watches functions."""
    return [f"{name_prefix}-{function}-{FUNCTION_ROLLBACK_ALARM}",
            f"{name_prefix}-{API_ROLLBACK_ALARM}"]


def worst_error_rate(load_balancer: LoadBalancerIds, target_group_arn_suffixes: Sequence
                     ) -> tuple[str, dict[str, Metric], dict[str, str]]:
    """The 5XX rate of each target group, and of the load balancer's own 5XX, and the worst.

    Per group because a canary's errors, diluted in the whole load balancer's traffic, would
    stay under the threshold: at 5 % of the traffic, a canary failing every request is 5 %.
    """
    whole = alb_dimensions(load_balancer)
    metrics = {"elb5xx": Metric(ALB, "HTTPCode_ELB_5XX_Count", whole, "Sum"),
               "requests": Metric(ALB, "RequestCount", whole, "Sum")}
    steps = {"rateelb": "100 * FILL(elb5xx, 0) / requests"}
    for number, suffix in enumerate(target_group_arn_suffixes, start=1):
        group = target_group_dimensions(load_balancer, suffix)
        metrics[f"errors{number}"] = Metric(ALB, "HTTPCode_Target_5XX_Count", group, "Sum")
        metrics[f"requests{number}"] = Metric(ALB, "RequestCount", group, "Sum")
        steps[f"rate{number}"] = f"100 * FILL(errors{number}, 0) / requests{number}"
    return f"MAX([{', '.join(steps)}])", metrics, steps


def slowest_p95(load_balancer: LoadBalancerIds, target_group_arn_suffixes: Sequence
                ) -> tuple[str, dict[str, Metric]]:
    """Each target group's p95 response time, and the slowest: a slow canary shows undiluted."""
    metrics = {f"p95group{number}": Metric(ALB, "TargetResponseTime",
                                           target_group_dimensions(load_balancer, suffix), "p95")
               for number, suffix in enumerate(target_group_arn_suffixes, start=1)}
    return f"MAX([{', '.join(metrics)}])", metrics


class Alarms(pulumi.ComponentResource):
    def __init__(self, name: str, args: AlarmsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:monitoring:Alarms", name, None, opts)
        self._name, self._args = name, args
        self.alarms: list[aws.cloudwatch.MetricAlarm] = []
        self.regional_alarms: list[aws.cloudwatch.MetricAlarm] = []  # all but CloudFront's
        watched = args.resources
        self._cloudfront(watched.distribution_id)
        self._databases(watched.database_ids, watched.database_storage_gib)
        self._cache_nodes(watched.cache_node_ids)
        if watched.server_instance_id is not None:
            self._server(watched.server_instance_id)
        if watched.load_balancer is not None:
            self._load_balancer(watched.load_balancer)
        for service in watched.services:
            if service.target_group_arn_suffixes and watched.load_balancer is not None:
                self._service_traffic(service, watched.load_balancer)
            self._service(service)
        if watched.functions and watched.api is None:
            raise ValueError("functions are watched with the API that invokes them: their "
                             "rollback alarms include the API's 5XX rate")
        for function in watched.functions:
            self._function(function)
        if watched.api is not None:
            self._api(watched.api)
        for number, table_name in enumerate(watched.table_names, start=1):
            self._table(self._table_label(table_name, number), table_name)

        self.names = [alarm.name for alarm in self.alarms]
        self.register_outputs({"alarmNames": self.names})

    # ---- one group per component ----

    def _cloudfront(self, distribution_id: pulumi.Input[str]) -> None:
        self._alarm("cloudfront-5xx-rate", "cloudfront5xxRatePercent", "CloudFront 5XX error rate",
                    Metric(CLOUDFRONT, "5xxErrorRate", cloudfront_dimensions(distribution_id),
                           "Average"),
                    topic_arn=self._args.us_east_1_topic_arn, provider=self._args.us_east_1)

    def _databases(self, identifiers: Sequence[pulumi.Input[str]], storage_gib: int) -> None:
        labels = ["postgres"] + [f"postgres-replica-{n}" for n in range(1, len(identifiers))]
        for label, identifier in zip(labels, identifiers):
            dimensions = rds_dimensions(identifier)
            self._alarm(f"{label}-cpu", "rdsCpuPercent", "PostgreSQL CPU %",
                        Metric(RDS, "CPUUtilization", dimensions, "Average"))
            self._alarm(f"{label}-free-storage", "rdsFreeStoragePercent",
                        f"PostgreSQL free storage, % of the initial {storage_gib} GiB",
                        Metric(RDS, "FreeStorageSpace", dimensions, "Minimum"),
                        to_metric_unit=lambda percent: percent / 100 * storage_gib * GIB)
            self._alarm(f"{label}-freeable-memory", "rdsFreeableMemoryMiB",
                        "PostgreSQL freeable memory (MiB)",
                        Metric(RDS, "FreeableMemory", dimensions, "Minimum"),
                        to_metric_unit=lambda mib: mib * MIB)
            self._alarm(f"{label}-connections", "rdsConnections", "PostgreSQL connections",
                        Metric(RDS, "DatabaseConnections", dimensions, "Maximum"))

    def _cache_nodes(self, cluster_ids: Sequence[pulumi.Input[str]]) -> None:
        for number, cluster_id in enumerate(cluster_ids, start=1):
            label, dimensions = f"redis-{number:03d}", cache_node_dimensions(cluster_id)
            # Redis runs commands on one thread: the engine's CPU, not the host's, saturates first.
            self._alarm(f"{label}-engine-cpu", "redisEngineCpuPercent", "Redis engine CPU %",
                        Metric(ELASTICACHE, "EngineCPUUtilization", dimensions, "Average"))
            self._alarm(f"{label}-memory", "redisMemoryPercent", "Redis memory, % of maxmemory",
                        Metric(ELASTICACHE, "DatabaseMemoryUsagePercentage", dimensions, "Average"))
            self._alarm(f"{label}-evictions", "redisEvictions", "Redis evictions per 5 minutes",
                        Metric(ELASTICACHE, "Evictions", dimensions, "Sum"))

    def _server(self, instance_id: pulumi.Input[str]) -> None:
        self._alarm("backend-status-check", "ec2StatusCheckFailed", "Backend status checks failed",
                    Metric(EC2, "StatusCheckFailed", ec2_dimensions(instance_id), "Maximum"))
        self._alarm("backend-cpu", "ec2CpuPercent", "Backend CPU %",
                    Metric(EC2, "CPUUtilization", ec2_dimensions(instance_id), "Average"))

    def _load_balancer(self, load_balancer: LoadBalancerIds) -> None:
        dimensions = alb_dimensions(load_balancer)
        errors = "FILL(target5xx, 0) + FILL(elb5xx, 0)"
        self._math_alarm("alb-5xx-count", "alb5xxCount", "API 5XX responses per minute (ALB and "
                         "targets)", errors, self._api_errors(dimensions))

    def _service_traffic(self, service: WatchedService, load_balancer: LoadBalancerIds) -> None:
        """A routed service's error rate and latency, over its own target groups."""
        name, suffixes = service.name, service.target_group_arn_suffixes
        # Without requests there is no rate: no data, healthy (the count alarm sees 5XX anyway).
        self._math_alarm(f"{name}-alb-5xx-rate", "alb5xxRatePercent",
                         f"{name} 5XX responses, % of requests (the worst target group)",
                         *worst_error_rate(load_balancer, suffixes), service=service)
        self._math_alarm(f"{name}-alb-p95-response-time", "targetResponseTimeP95Ms",
                         f"{name} p95 response time in ms (compared in s, the metric's "
                         "unit), the slowest target group",
                         *slowest_p95(load_balancer, suffixes), service=service,
                         to_metric_unit=lambda ms: ms / 1000)  # the metric is in seconds

    def _service(self, service: WatchedService) -> None:
        name, dimensions = service.name, ecs_dimensions(service.ids)
        self._alarm(f"{name}-ecs-cpu", "ecsCpuPercent", f"{name} tasks' CPU %",
                    Metric(ECS, "CPUUtilization", dimensions, "Average"), service=service)
        self._alarm(f"{name}-ecs-memory", "ecsMemoryPercent", f"{name} tasks' memory %",
                    Metric(ECS, "MemoryUtilization", dimensions, "Average"), service=service)

    def _function(self, function: WatchedFunction) -> None:
        """The alias's error rate (a rollback trigger), throttles and p95 duration."""
        dimensions = lambda_alias_dimensions(function)
        self._math_alarm(f"{function.name}-{FUNCTION_ROLLBACK_ALARM}", "lambdaErrorRatePercent",
                         f"{function.name} errors, % of invocations",
                         "100 * FILL(errors, 0) / invocations",
                         {"errors": Metric(LAMBDA, "Errors", dimensions, "Sum"),
                          "invocations": Metric(LAMBDA, "Invocations", dimensions, "Sum")})
        self._alarm(f"{function.name}-lambda-throttles", "lambdaThrottles",
                    f"{function.name} throttled invocations per minute",
                    Metric(LAMBDA, "Throttles", dimensions, "Sum"))
        self._alarm(f"{function.name}-lambda-duration-p95", "lambdaDurationP95Ms",
                    f"{function.name} p95 duration (ms)",
                    Metric(LAMBDA, "Duration", dimensions, "p95"))

    def _api(self, api: ApiIds) -> None:
        dimensions = api_dimensions(api)
        errors = Metric(API_GATEWAY, "5XXError", dimensions, "Sum")
        self._alarm("api-5xx-count", "api5xxCount", "API 5XX responses per minute", errors)
        self._math_alarm(API_ROLLBACK_ALARM, "api5xxRatePercent", "API 5XX responses, % of "
                         "requests", "100 * FILL(errors, 0) / requests",
                         {"errors": errors,
                          "requests": Metric(API_GATEWAY, "Count", dimensions, "Sum")})
        self._alarm("api-latency-p95", "apiLatencyP95Ms", "API p95 latency (ms)",
                    Metric(API_GATEWAY, "Latency", dimensions, "p95"))

    def _table_label(self, table_name: pulumi.Input[str], number: int) -> str:
        """The table's own name when it is known (without the stack prefix), else its position."""
        if isinstance(table_name, str):
            return f"dynamodb-{table_name.removeprefix(self._args.name_prefix + '-')}"
        return f"dynamodb-table-{number}"

    def _table(self, label: str, table_name: pulumi.Input[str]) -> None:
        dimensions = table_dimensions(table_name)
        self._math_alarm(f"{label}-throttles", "dynamodbThrottles",
                         "DynamoDB throttled reads and writes per minute",
                         "FILL(reads, 0) + FILL(writes, 0)",
                         {"reads": Metric(DYNAMODB, "ReadThrottleEvents", dimensions, "Sum"),
                          "writes": Metric(DYNAMODB, "WriteThrottleEvents", dimensions, "Sum")})
        errors = {f"errors{operation.lower()}": Metric(
            DYNAMODB, "SystemErrors", {**dimensions, "Operation": operation}, "Sum")
            for operation in DYNAMODB_OPERATIONS}
        self._math_alarm(f"{label}-system-errors", "dynamodbSystemErrors",
                         "DynamoDB system errors per 5 minutes",
                         " + ".join(f"FILL({query_id}, 0)" for query_id in errors), errors)

    @staticmethod
    def _api_errors(dimensions: dict) -> dict[str, Metric]:
        """The API's 5XX: the targets' and the load balancer's own (502/503/504)."""
        return {"target5xx": Metric(ALB, "HTTPCode_Target_5XX_Count", dimensions, "Sum"),
                "elb5xx": Metric(ALB, "HTTPCode_ELB_5XX_Count", dimensions, "Sum")}

    # ---- the alarms themselves ----

    def _alarm(self, label: str, threshold_name: str, title: str, metric: Metric, *,
               to_metric_unit: Callable[[float], float] = lambda value: value,
               topic_arn: Optional[pulumi.Input[str]] = None,
               provider: Optional[aws.Provider] = None,
               service: Optional[WatchedService] = None) -> None:
        statistic = ({"extended_statistic": metric.statistic} if metric.statistic.startswith("p")
                     else {"statistic": metric.statistic})
        self._register(label, threshold_name, title, to_metric_unit, topic_arn, provider, service,
                       namespace=metric.namespace, metric_name=metric.name,
                       dimensions=dict(metric.dimensions), **statistic)

    def _math_alarm(self, label: str, threshold_name: str, title: str, expression: str,
                    metrics: Mapping[str, Metric], steps: Mapping[str, str] = {}, *,
                    to_metric_unit: Callable[[float], float] = lambda value: value,
                    service: Optional[WatchedService] = None) -> None:
        """`expression` over `metrics`, through the intermediate expressions `steps` (id → math)."""
        period = RULES[threshold_name].period
        queries = [aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="result", expression=expression, label=title, return_data=True)]
        queries += [aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=step_id, expression=step, return_data=False) for step_id, step in steps.items()]
        queries += [aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=query_id, return_data=False, metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=metric.namespace, metric_name=metric.name,
                dimensions=dict(metric.dimensions), stat=metric.statistic, period=period))
            for query_id, metric in metrics.items()]
        self._register(label, threshold_name, title, to_metric_unit, None, None, service,
                       metric_queries=queries)

    def _register(self, label: str, threshold_name: str, title: str,
                  to_metric_unit: Callable[[float], float], topic_arn: Optional[pulumi.Input[str]],
                  provider: Optional[aws.Provider], service: Optional[WatchedService],
                  **metric) -> None:
        """One alarm; a service's own threshold (`services.<name>.alarmThresholds`) wins."""
        rule, value = RULES[threshold_name], self._args.thresholds[threshold_name]
        key = f"alarmThresholds.{threshold_name}"
        if service is not None and threshold_name in service.thresholds:
            value, key = service.thresholds[threshold_name], f"services.{service.name}.{key}"
        topic_arn = topic_arn or self._args.topic_arn
        if "metric_queries" not in metric:
            metric["period"] = rule.period
        alarm = aws.cloudwatch.MetricAlarm(
            f"{self._name}-{label}", name=f"{self._args.name_prefix}-{label}",
            alarm_description=(f"{title} {rule.comparison} {value:g} for {rule.periods} × "
                               f"{rule.period} s ({key})"),
            comparison_operator=COMPARISONS[rule.comparison], threshold=to_metric_unit(value),
            evaluation_periods=rule.periods, datapoints_to_alarm=rule.periods,
            treat_missing_data=rule.missing_data,
            alarm_actions=[topic_arn], ok_actions=[topic_arn], **metric,
            opts=pulumi.ResourceOptions(parent=self, provider=provider))
        self.alarms.append(alarm)
        if provider is None:
            self.regional_alarms.append(alarm)
