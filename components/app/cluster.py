"""The ECS cluster every service of the scaled tier runs in, with Container Insights."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.observability.logs_key import encrypted_log_group


@dataclass(frozen=True)
class ClusterArgs:
    name_prefix: str
    log_retention_days: int
    logs_key_arn: pulumi.Input[str]


class Cluster(pulumi.ComponentResource):
    def __init__(self, name: str, args: ClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:service:Cluster", name, None, opts)
        cluster_name = f"{args.name_prefix}-cluster"
        # Container Insights would create this group itself, unencrypted and kept forever.
        insights_logs = encrypted_log_group(
            f"{name}-insights-logs", container_insights_log_group(cluster_name),
            args.log_retention_days, args.logs_key_arn, parent=self)
        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster", name=cluster_name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[insights_logs]))
        self.arn = self.cluster.arn
        self.name = self.cluster.name
        self.register_outputs({"clusterName": self.name})


def container_insights_log_group(cluster_name: str) -> str:
    """Where Container Insights writes a cluster's performance events (CloudWatch User Guide,
    "Container Insights performance log events for Amazon ECS")."""
    return f"/aws/ecs/containerinsights/{cluster_name}/performance"
