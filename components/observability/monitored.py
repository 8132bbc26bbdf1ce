"""What the alarms and the dashboard watch: each component by the ids CloudWatch knows it by.

Alarms and dashboard widgets build their dimensions here, so both always name the same resources.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi

# CloudFront publishes its metrics only in us-east-1, under the dimension Region=Global.
CLOUDFRONT_METRICS_REGION = "us-east-1"
ALB, ECS, EC2, RDS, ELASTICACHE, CLOUDFRONT = (
    "AWS/ApplicationELB", "AWS/ECS", "AWS/EC2", "AWS/RDS", "AWS/ElastiCache", "AWS/CloudFront")
CONTAINER_INSIGHTS = "ECS/ContainerInsights"
LAMBDA, API_GATEWAY, DYNAMODB = "AWS/Lambda", "AWS/ApiGateway", "AWS/DynamoDB"
# SystemErrors is published per TableName and Operation; an alarm's math reads at most 10 metrics
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html), so these
# are the item and transaction operations; PartiQL's ExecuteStatement and friends are left out.
DYNAMODB_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                       "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems")
# A replication group without cluster mode has one node per member cluster, always 0001.
CACHE_NODE_ID = "0001"


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    statistic: str  # Average, Sum, Minimum, Maximum, or a percentile such as p95


@dataclass(frozen=True)
class LoadBalancerIds:
    arn_suffix: pulumi.Input[str]  # app/<name>/<id>
    # targetgroup/<name>/<id> of each group: a blue/green rollout moves traffic to the other.
    target_group_arn_suffixes: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class ServiceIds:
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]


@dataclass(frozen=True)
class WatchedService:
    """One ECS service: its name in the config, its ids, and its target groups (none: not routed)."""

    name: str
    ids: ServiceIds
    target_group_arn_suffixes: Sequence[pulumi.Input[str]] = ()
    # Its own alarm thresholds (`services.<name>.alarmThresholds`) over the stack's.
    thresholds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class WatchedFunction:
    """One Lambda function, watched through the alias API Gateway invokes (a rollout shifts the
    alias's traffic between versions, so the alias's metrics are the function's as users see it)."""

    name: str                            # the service's name in config
    function_name: pulumi.Input[str]
    alias_name: str                      # "live"


@dataclass(frozen=True)
class ApiIds:
    api_name: pulumi.Input[str]          # CloudWatch dimension ApiName of a REST API
    stage_name: pulumi.Input[str]


@dataclass(frozen=True)
class MonitoredResources:
    """Every stack has CloudFront; the tier adds its compute and data stores (a stack without a
    database or cache, such as a serverless one on DynamoDB, leaves them empty)."""

    distribution_id: pulumi.Input[str]
    database_ids: Sequence[pulumi.Input[str]] = ()  # the primary first, then its read replicas
    database_storage_gib: int = 0
    cache_node_ids: Sequence[pulumi.Input[str]] = ()  # the replication group's member clusters
    server_instance_id: Optional[pulumi.Input[str]] = None  # MVP: the EC2 backend
    load_balancer: Optional[LoadBalancerIds] = None  # scaled tier
    services: Sequence[WatchedService] = ()  # scaled tier
    functions: Sequence[WatchedFunction] = ()  # serverless tier
    api: Optional[ApiIds] = None  # serverless tier
    table_names: Sequence[pulumi.Input[str]] = ()  # serverless tier: DynamoDB tables


def cloudfront_dimensions(distribution_id: pulumi.Input[str]) -> dict:
    return {"DistributionId": distribution_id, "Region": "Global"}


def alb_dimensions(load_balancer: LoadBalancerIds) -> dict:
    return {"LoadBalancer": load_balancer.arn_suffix}


def target_group_dimensions(load_balancer: LoadBalancerIds,
                            target_group_arn_suffix: pulumi.Input[str]) -> dict:
    return {"TargetGroup": target_group_arn_suffix, "LoadBalancer": load_balancer.arn_suffix}


def ecs_dimensions(service: ServiceIds) -> dict:
    return {"ClusterName": service.cluster_name, "ServiceName": service.service_name}


def ec2_dimensions(instance_id: pulumi.Input[str]) -> dict:
    return {"InstanceId": instance_id}


def rds_dimensions(identifier: pulumi.Input[str]) -> dict:
    return {"DBInstanceIdentifier": identifier}


def cache_node_dimensions(cluster_id: pulumi.Input[str]) -> dict:
    return {"CacheClusterId": cluster_id, "CacheNodeId": CACHE_NODE_ID}


def lambda_alias_dimensions(function: WatchedFunction) -> dict:
    """Lambda's metrics of one alias: FunctionName and Resource `<function>:<alias>`."""
    return {"FunctionName": function.function_name,
            "Resource": pulumi.Output.concat(function.function_name, ":", function.alias_name)}


def api_dimensions(api: ApiIds) -> dict:
    return {"ApiName": api.api_name, "Stage": api.stage_name}


def table_dimensions(table_name: pulumi.Input[str]) -> dict:
    return {"TableName": table_name}
