"""VPC flow logs: every accepted and rejected connection, kept in an encrypted log group."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.iam import service_role
from components.observability.logs_key import encrypted_log_group, log_group_path


@dataclass(frozen=True)
class FlowLogsArgs:
    name_prefix: str
    retention_days: int
    logs_key_arn: pulumi.Input[str]


class FlowLogs(pulumi.ComponentResource):
    def __init__(self, name: str, args: FlowLogsArgs, vpc_id: pulumi.Input[str],
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:network:FlowLogs", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.log_group = encrypted_log_group(
            f"{name}-group", log_group_path(args.name_prefix, "vpc-flow-logs"),
            args.retention_days, args.logs_key_arn, parent=self)
        account_id = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        role = service_role(f"{name}-role", "vpc-flow-logs.amazonaws.com", self,
                            source_account=account_id)
        aws.iam.RolePolicy(f"{name}-write", role=role.id, policy=pulumi.Output.json_dumps({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "WriteFlowLogs", "Effect": "Allow",
                           "Action": ["logs:CreateLogStream", "logs:PutLogEvents",
                                      "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                           "Resource": [self.log_group.arn,
                                        pulumi.Output.concat(self.log_group.arn, ":*")]}]}),
            opts=child)
        self.flow_log = aws.ec2.FlowLog(
            f"{name}-vpc", vpc_id=vpc_id, traffic_type="ALL",
            log_destination_type="cloud-watch-logs", log_destination=self.log_group.arn,
            iam_role_arn=role.arn, max_aggregation_interval=60,
            tags={"Name": f"{args.name_prefix}-vpc-flow-logs"}, opts=child)
        self.register_outputs({"logGroupName": self.log_group.name})
