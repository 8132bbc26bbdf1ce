"""One Lambda function of the serverless tier: its role (least privilege), its encrypted log group
made before it, the function itself (each change published as a version, traced with X-Ray, in
the private subnets when the stack has a database or cache), the alias `live` API Gateway invokes
(moved by CodeDeploy, never by Pulumi: see function_rollout.py), and a dead-letter queue when it
is invoked asynchronously."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.iam import service_role
from components.observability.logs_key import encrypted_log_group
from config.settings import PARAMETER_STORE, SECRETS_MANAGER, FunctionSettings, arns_in

ALIAS = "live"
# https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html: the execution role needs
# xray:PutTraceSegments and xray:PutTelemetryRecords (AWSXRayDaemonWriteAccess); X-Ray takes no
# resource-level permissions, hence "*".
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html: the execution role's ENI
# actions (AWSLambdaVPCAccessExecutionRole); EC2 scopes none of them to a resource.
VPC_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
               "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface",
               "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html:
# a queue keeps a message 14 days at most; a dead letter deserves all of them.
DEAD_LETTER_RETENTION_SECONDS = 1_209_600


@dataclass(frozen=True)
class FunctionNetwork:
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_ids: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class FunctionArgs:
    name_prefix: str
    config: FunctionSettings
    log_retention_days: int
    logs_key_arn: pulumi.Input[str]
    # The data stores' endpoints and the ARNs of their secrets: never a secret's value.
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # Secrets Manager secrets the function reads at runtime (its own `secrets` are added).
    secret_arns: Sequence[pulumi.Input[str]] = ()
    # More IAM statements (e.g. rds-db:connect on the proxy, DynamoDB on the tables).
    statements: Sequence[Mapping] = ()
    network: Optional[FunctionNetwork] = None  # None: outside any VPC (no database or cache)


class Function(pulumi.ComponentResource):
    def __init__(self, name: str, args: FunctionArgs,
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("webstack:function:Function", name, None, opts)
        config = args.config
        self.function_name = f"{args.name_prefix}-{config.name}"
        self.role = service_role(f"{name}-role", "lambda.amazonaws.com", self)
        self.log_group = encrypted_log_group(
            f"{name}-logs", f"/aws/lambda/{self.function_name}", args.log_retention_days,
            args.logs_key_arn, self)
        self.dead_letter_queue = (aws.sqs.Queue(
            f"{name}-dlq", name=f"{self.function_name}-dlq", sqs_managed_sse_enabled=True,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            opts=pulumi.ResourceOptions(parent=self)) if config.is_async else None)
        policy = aws.iam.RolePolicy(f"{name}-policy", role=self.role.id,
                                    policy=self._policy(args),
                                    opts=pulumi.ResourceOptions(parent=self))
        self.function = aws.lambda_.Function(
            f"{name}-function", name=self.function_name, role=self.role.arn,
            memory_size=config.memory, timeout=config.timeout,
            # Every change to code or configuration becomes a numbered version CodeDeploy shifts to.
            publish=True,
            reserved_concurrent_executions=config.reserved_concurrency,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=self.log_group.name,
                application_log_level="INFO", system_log_level="WARN"),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=self._variables(args))
            if self._variables(args) else None,
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=list(args.network.subnet_ids),
                security_group_ids=list(args.network.security_group_ids))
            if args.network else None,
            dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(
                target_arn=self.dead_letter_queue.arn) if self.dead_letter_queue else None,
            **_code(config),
            # Created after its log group (else Lambda creates one kept forever) and after the
            # permissions it needs to start (VPC access, its dead-letter queue).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_group, policy]))
        self.version = self.function.version
        self.alias = aws.lambda_.Alias(
            f"{name}-alias", name=ALIAS, function_name=self.function.name,
            function_version=self.function.version,
            description="API Gateway invokes this alias; CodeDeploy moves it between versions",
            # Pulumi sets the first version only; later ones arrive through a CodeDeploy
            # deployment (function_rollout.py), which owns the alias's version and weights.
            opts=pulumi.ResourceOptions(parent=self,
                                        ignore_changes=["function_version", "routing_config"]))
        self.register_outputs({"functionName": self.function.name, "version": self.version,
                               "aliasArn": self.alias.arn})

    @staticmethod
    def _variables(args: FunctionArgs) -> dict:
        """The program's variables (endpoints, secret ARNs), the function's own, and its secrets
        by ARN under their names with _ARN appended: the function reads each value itself."""
        return {**args.environment, **dict(args.config.environment),
                **{f"{name}_ARN": arn for name, arn in args.config.secrets}}

    def _policy(self, args: FunctionArgs) -> pulumi.Output[str]:
        """Its logs, its traces, its secrets, its dead-letter queue and VPC access: nothing else."""
        config = args.config
        secrets = [*args.secret_arns, *arns_in(config.secrets, SECRETS_MANAGER)]
        parameters = sorted(arns_in(config.secrets, PARAMETER_STORE))
        statements = [
            {"Sid": "Logs", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": pulumi.Output.concat(self.log_group.arn, ":*")},
            {"Sid": "Traces", "Effect": "Allow", "Action": XRAY_ACTIONS, "Resource": "*"}]
        if secrets:
            statements.append({"Sid": "Secrets", "Effect": "Allow",
                               "Action": "secretsmanager:GetSecretValue", "Resource": secrets})
        if parameters:
            statements.append({"Sid": "Parameters", "Effect": "Allow",
                               "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                               "Resource": parameters})
        if self.dead_letter_queue is not None:
            statements.append({"Sid": "DeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage",
                               "Resource": self.dead_letter_queue.arn})
        if args.network is not None:
            statements.append({"Sid": "VpcAccess", "Effect": "Allow", "Action": VPC_ACTIONS,
                               "Resource": "*"})
        statements += [dict(statement) for statement in args.statements]
        return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def _code(config: FunctionSettings) -> dict:
    """A zip in S3 (a new key is a new version) or an ECR image (a new tag or digest is)."""
    if config.image:
        return {"package_type": "Image", "image_uri": config.code}
    bucket, key = config.s3_location
    return {"package_type": "Zip", "s3_bucket": bucket, "s3_key": key,
            "runtime": config.runtime, "handler": config.handler}
