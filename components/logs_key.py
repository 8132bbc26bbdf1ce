"""The KMS key that encrypts the platform's CloudWatch log groups (rotated yearly)."""
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


class LogsKey(pulumi.ComponentResource):
    def __init__(self, name: str, args: LogsKeyArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:logs:LogsKey", name, None, opts)
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        self.key = aws.kms.Key(
            f"{name}-key", description=f"{args.name_prefix} CloudWatch Logs encryption",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=key_policy(args.region, account_id), opts=pulumi.ResourceOptions(parent=self))
        aws.kms.Alias(f"{name}-alias", name=f"alias/{args.name_prefix}-logs",
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
