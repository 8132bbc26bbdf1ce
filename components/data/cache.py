"""ElastiCache Redis: encrypted at rest and in transit, AUTH token in Secrets Manager, snapshots kept."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.data.final_snapshot import final_snapshot_name
from components.network.security_groups import allow_from_group, security_group
from config.settings import CacheSettings

REDIS_PORT = 6379
# UTC: snapshots at 01:00 KST, maintenance afterwards; the two windows must not overlap.
SNAPSHOT_WINDOW = "16:00-17:00"
MAINTENANCE_WINDOW = "sun:19:30-sun:20:30"
# ElastiCache AUTH tokens allow printable ASCII except space, " / and @.
TOKEN_SPECIALS = "!&#$^<>-"


@dataclass(frozen=True)
class CacheArgs:
    name_prefix: str
    settings: CacheSettings
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    client_security_group_id: pulumi.Input[str]
    protect: bool


class Cache(pulumi.ComponentResource):
    def __init__(self, name: str, args: CacheArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:cache:Cache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        group_id = f"{args.name_prefix}-redis"

        self.security_group = security_group(
            f"{args.name_prefix}-cache", vpc_id=args.vpc_id, role="cache",
            description="Redis, reachable from the backend only", parent=self)
        allow_from_group(f"{name}-from-backend", self.security_group, port=REDIS_PORT,
                         source_group_id=args.client_security_group_id,
                         description="Redis from the backend", parent=self)
        subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-subnets", name=f"{group_id}-subnets", subnet_ids=list(args.subnet_ids),
            description=f"{group_id} isolated subnets", opts=child)
        token = random.RandomPassword(f"{name}-auth-token", length=48, special=True,
                                      override_special=TOKEN_SPECIALS, opts=child)
        self.auth_secret = aws.secretsmanager.Secret(
            f"{name}-auth-secret", name_prefix=f"{args.name_prefix}/redis-auth-",
            description=f"AUTH token of {group_id}", opts=child)
        aws.secretsmanager.SecretVersion(f"{name}-auth-secret-value",
                                         secret_id=self.auth_secret.id,
                                         secret_string=token.result, opts=child)

        self.replication_group = aws.elasticache.ReplicationGroup(
            f"{name}-redis",
            replication_group_id=group_id, description=f"{args.name_prefix} Redis",
            engine="redis", engine_version=settings.engine_version,
            node_type=settings.node_type, num_cache_clusters=settings.nodes,
            automatic_failover_enabled=settings.automatic_failover,
            multi_az_enabled=settings.automatic_failover,
            port=REDIS_PORT, subnet_group_name=subnet_group.name,
            security_group_ids=[self.security_group.id],
            at_rest_encryption_enabled=True, transit_encryption_enabled=True,
            auth_token=token.result,
            snapshot_retention_limit=settings.snapshot_retention_days,
            snapshot_window=SNAPSHOT_WINDOW, maintenance_window=MAINTENANCE_WINDOW,
            final_snapshot_identifier=(final_snapshot_name(f"{name}-final-snapshot", group_id, self)
                                       if settings.snapshot_retention_days else None),
            auto_minor_version_upgrade=True, apply_immediately=False,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))

        self.endpoint = self.replication_group.primary_endpoint_address
        self.port = REDIS_PORT
        self.auth_secret_arn = self.auth_secret.arn
        self.register_outputs({"endpoint": self.endpoint,
                               "securityGroupId": self.security_group.id})
