"""The ECS cluster every service of the scaled tier runs in, with Container Insights, and the
Cloud Map HTTP namespace its services find each other in through ECS Service Connect."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from components.former_names import aliases_to, child_options
from components.observability.logs_key import encrypted_log_group


@dataclass(frozen=True)
class ClusterArgs:
    name_prefix: str
    log_retention_days: int
    logs_key_arn: pulumi.Input[str]
    # Child logical name → the URN it had before (components/former_names.py).
    formerly: Mapping[str, str] = field(default_factory=dict)


class Cluster(pulumi.ComponentResource):
    def __init__(self, name: str, args: ClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:service:Cluster", name, None, opts)
        cluster_name = f"{args.name_prefix}-cluster"
        # Container Insights would create this group itself, unencrypted and kept forever.
        insights_logs = encrypted_log_group(
            f"{name}-insights-logs", container_insights_log_group(cluster_name),
            args.log_retention_days, args.logs_key_arn, parent=self,
            aliases=aliases_to(args.formerly.get(f"{name}-insights-logs")))
        # Service Connect uses an HTTP namespace ("API calls" discovery), never DNS.
        self.namespace = aws.servicediscovery.HttpNamespace(
            f"{name}-namespace", name=args.name_prefix,
            description=f"{args.name_prefix} services, by name (ECS Service Connect)",
            opts=pulumi.ResourceOptions(parent=self))
        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster", name=cluster_name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            service_connect_defaults=aws.ecs.ClusterServiceConnectDefaultsArgs(
                namespace=self.namespace.arn),
            opts=child_options(self, args.formerly, f"{name}-cluster", depends_on=[insights_logs]))
        self.arn = self.cluster.arn
        self.name = self.cluster.name
        self.namespace_arn = self.namespace.arn
        self.register_outputs({"clusterName": self.name, "namespaceArn": self.namespace_arn})


def container_insights_log_group(cluster_name: str) -> str:
    """Where Container Insights writes a cluster's performance events (CloudWatch User Guide,
    "Container Insights performance log events for Amazon ECS")."""
    return f"/aws/ecs/containerinsights/{cluster_name}/performance"
