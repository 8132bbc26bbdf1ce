"""DynamoDB tables from config: on demand, point-in-time recovery, encrypted with the stack's own
KMS key (rotated yearly), TTL where the config names an expiry attribute, and in protected stacks
deletion protection plus Pulumi's protect."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.iam import account_administers_key
from config.settings import TableSettings

POINT_IN_TIME_DAYS = 35  # the most DynamoDB keeps (as the deployment history's table)
KEY_DELETION_DAYS = 30  # the longest KMS waits: a key deleted by mistake can still be restored


@dataclass(frozen=True)
class TablesArgs:
    name_prefix: str
    tables: Sequence[TableSettings]
    protect: bool


class Tables(pulumi.ComponentResource):
    """`names` and `arns` map each config name to its table; `key_arn` is the key the functions
    need kms:Decrypt, kms:Encrypt and kms:GenerateDataKey on to read and write the tables."""

    def __init__(self, name: str, args: TablesArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:tables:Tables", name, None, opts)
        if not args.tables:
            raise ValueError("Tables needs at least one table (build none when the config has none)")
        self.key = self._key(name, args)
        tables = {table.name: self._table(f"{name}-{table.name}", table, args)
                  for table in args.tables}
        self.names: dict[str, pulumi.Output[str]] = {key: t.name for key, t in tables.items()}
        self.arns: dict[str, pulumi.Output[str]] = {key: t.arn for key, t in tables.items()}
        self.key_arn: pulumi.Output[str] = self.key.arn
        self.register_outputs({"tableNames": self.names, "keyArn": self.key_arn})

    def _key(self, name: str, args: TablesArgs) -> aws.kms.Key:
        """The account's IAM decides who uses the key (the default key policy, written out):
        DynamoDB uses it on behalf of callers whose IAM allows both the table and the key."""
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        key = aws.kms.Key(
            f"{name}-key", description=f"{args.name_prefix} DynamoDB tables encryption",
            enable_key_rotation=True, deletion_window_in_days=KEY_DELETION_DAYS,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17",
                                             "Statement": [account_administers_key(account_id)]}),
            # Without its key a table cannot be read: the key is as protected as the tables.
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        aws.kms.Alias(f"{name}-key-alias", name=f"alias/{args.name_prefix}-tables",
                      target_key_id=key.key_id, opts=pulumi.ResourceOptions(parent=self))
        return key

    def _table(self, name: str, table: TableSettings, args: TablesArgs) -> aws.dynamodb.Table:
        attributes = [aws.dynamodb.TableAttributeArgs(name=table.hash_key, type=table.hash_key_type)]
        if table.range_key is not None:
            attributes.append(aws.dynamodb.TableAttributeArgs(name=table.range_key,
                                                              type=table.range_key_type))
        ttl = (aws.dynamodb.TableTtlArgs(attribute_name=table.ttl_attribute, enabled=True)
               if table.ttl_attribute else None)
        return aws.dynamodb.Table(
            name, name=f"{args.name_prefix}-{table.name}", billing_mode="PAY_PER_REQUEST",
            hash_key=table.hash_key, range_key=table.range_key, attributes=attributes, ttl=ttl,
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(
                enabled=True, recovery_period_in_days=POINT_IN_TIME_DAYS),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=self.key.arn),
            deletion_protection_enabled=args.protect,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
