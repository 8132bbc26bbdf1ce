"""The KMS key that encrypts the platform's CloudWatch log groups (rotated yearly), and those
log groups made one way everywhere."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.iam import account_administers_key


@dataclass(frozen=True)
class LogsKeyArgs:
    name_prefix: str
    region: str
    # The alias's last word: KMS aliases are unique per account and region, and the edge's key
    # shares us-east-1 with the stack's own when the stack runs there (CreateAlias:
    # AlreadyExistsException, https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html).
    alias_leaf: str = "logs"


class LogsKey(pulumi.ComponentResource):
    def __init__(self, name: str, args: LogsKeyArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:logs:LogsKey", name, None, opts)
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        self.key = aws.kms.Key(
            f"{name}-key", description=f"{args.name_prefix} CloudWatch Logs encryption",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=key_policy(args.region, account_id), opts=pulumi.ResourceOptions(parent=self))
        aws.kms.Alias(f"{name}-alias", name=f"alias/{args.name_prefix}-{args.alias_leaf}",
                      target_key_id=self.key.key_id, opts=pulumi.ResourceOptions(parent=self))
        self.arn = self.key.arn
        self.register_outputs({"keyArn": self.arn})


def key_policy(region: str, account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """The account administers the key; CloudWatch Logs may use it for this account's groups only."""
    return pulumi.Output.json_dumps({
        "Version": "2012-10-17",
        "Statement": [
            account_administers_key(account_id),
            {"Sid": "CloudWatchLogsUse", "Effect": "Allow",
             "Principal": {"Service": f"logs.{region}.amazonaws.com"},
             "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                        "kms:Describe*"],
             "Resource": "*",
             "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                 "arn:aws:logs:", region, ":", account_id, ":log-group:*")}}},
        ],
    })


def log_group_path(name_prefix: str, leaf: str) -> str:
    """The platform's own log groups: /webstack/<stack>/<leaf>."""
    return f"/{name_prefix.replace('-', '/')}/{leaf}"


def encrypted_log_group(name: str, group_name: pulumi.Input[str], retention_days: int,
                        key_arn: pulumi.Input[str], parent: pulumi.Resource,
                        aliases: Optional[list] = None) -> aws.cloudwatch.LogGroup:
    """Every log group: encrypted with the logs key, kept `retention_days`, never forever."""
    return aws.cloudwatch.LogGroup(name, name=group_name, retention_in_days=retention_days,
                                   kms_key_id=key_arn,
                                   opts=pulumi.ResourceOptions(parent=parent, aliases=aliases))
