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
class MonitoredResources:
    """Every stack has CloudFront, a database and a cache; the tier adds its compute."""

    distribution_id: pulumi.Input[str]
    database_ids: Sequence[pulumi.Input[str]]  # the primary first, then its read replicas
    database_storage_gib: int
    cache_node_ids: Sequence[pulumi.Input[str]]  # the replication group's member clusters
    server_instance_id: Optional[pulumi.Input[str]] = None  # MVP: the EC2 backend
    load_balancer: Optional[LoadBalancerIds] = None  # scaled tier
    services: Sequence[WatchedService] = ()  # scaled tier


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
