"""The deployment history: a DynamoDB table of every deployment, kept 90 days (seed 003).

CI writes one item per `pulumi up` (ops/deployments.py); DynamoDB's TTL deletes it once its
`expiresAt` (epoch seconds, set by the writer) has passed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from config.tables import DEPLOYMENT_HISTORY_TABLE

PARTITION_KEY = "stack"
SORT_KEY = "deployedAt"  # ISO 8601 UTC: sorts chronologically
TTL_ATTRIBUTE = "expiresAt"
POINT_IN_TIME_DAYS = 35  # the most DynamoDB keeps


@dataclass(frozen=True)
class DeploymentHistoryArgs:
    name_prefix: str
    protect: bool


class DeploymentHistory(pulumi.ComponentResource):
    def __init__(self, name: str, args: DeploymentHistoryArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:deployments:DeploymentHistory", name, None, opts)
        self.table = aws.dynamodb.Table(
            f"{name}-table", name=f"{args.name_prefix}-{DEPLOYMENT_HISTORY_TABLE}",
            billing_mode="PAY_PER_REQUEST", hash_key=PARTITION_KEY, range_key=SORT_KEY,
            attributes=[aws.dynamodb.TableAttributeArgs(name=PARTITION_KEY, type="S"),
                        aws.dynamodb.TableAttributeArgs(name=SORT_KEY, type="S")],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=TTL_ATTRIBUTE, enabled=True),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(
                enabled=True, recovery_period_in_days=POINT_IN_TIME_DAYS),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
            deletion_protection_enabled=args.protect,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        self.table_name = self.table.name
        self.register_outputs({"tableName": self.table_name})
